-- One row per HubSpot web analytics event (Events API, e_visited_page): a page view of a contact whose hubspotutk
-- cookie HubSpot tied to them. Typed and renamed only; the URL's campaign parameters and click ids are parsed here,
-- once (HubSpot sends the URL with its query string as the browser had it).
{{ config(unique_key='web_event_id') }}
with

source as (

    select raw_records.* from {{ source('hubspot', 'web_events') }} as raw_records
    {{ unstaged_records('web_event_id') }}

),

extracted as (

    select
        record_id,
        {{ json_text('payload', 'objectId') }} as object_id,
        {{ json_text('payload', 'objectType') }} as object_type,
        {{ json_text('payload', 'eventType') }} as event_type,
        nullif({{ json_text('payload', ['properties', 'hs_url']) }}, '') as page_url,
        nullif({{ json_text('payload', ['properties', 'hs_title']) }}, '') as page_title,
        nullif({{ json_text('payload', ['properties', 'hs_referrer']) }}, '') as page_referrer,
        nullif({{ json_text('payload', ['properties', 'hs_userAgent']) }}, '') as user_agent,
        nullif({{ json_text('payload', ['properties', 'hs_city']) }}, '') as city,
        nullif({{ json_text('payload', ['properties', 'hs_region']) }}, '') as region,
        nullif({{ json_text('payload', ['properties', 'hs_country']) }}, '') as country,
        nullif({{ json_text('payload', ['properties', 'hs_session_id']) }}, '') as hubspot_session_id,
        nullif({{ json_text('payload', ['properties', 'hs_session_source']) }}, '') as session_source,
        {{ json_text('payload', 'occurredAt') }} as occurred_timestamp,
        is_archived,
        _extracted_at
    from source

),

renamed as (

    select

        ----------  ids
        record_id as web_event_id,
        -- the contact the event belongs to (objectType contact)
        object_id as contact_id,
        hubspot_session_id,

        ----------  strings
        object_type,
        event_type,
        page_url,
        {{ regex_group('page_url', "'^[a-zA-Z]+://[^/?#]*([^?#]*)'") }} as page_path,
        page_title,
        page_referrer,
        {{ url_query_param('page_url', 'utm_source') }} as utm_source,
        {{ url_query_param('page_url', 'utm_medium') }} as utm_medium,
        {{ url_query_param('page_url', 'utm_campaign') }} as utm_campaign,
        {{ url_query_param('page_url', 'utm_content') }} as utm_content,
        {{ url_query_param('page_url', 'utm_term') }} as utm_term,
        {{ url_query_param('page_url', 'gclid') }} as gclid,
        {{ url_query_param('page_url', 'fbclid') }} as fbclid,
        user_agent,
        city,
        region,
        country,
        -- HubSpot's source of the session (ORGANIC_SEARCH, PAID_SOCIAL, DIRECT_TRAFFIC, ...)
        session_source,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp('occurred_timestamp') }} as occurred_at,
        _extracted_at

    from extracted

)

select * from renamed
