-- One row per Segment-spec call (page, screen, identify, track, alias, group) from the export files: the raw table
-- already holds one row per messageId (a duplicated delivery merges into one). Typed and renamed only; the page's
-- campaign parameters come from context.campaign (Segment parses them from the URL) and the ad click ids from the
-- page URL, parsed here once.
{{ config(unique_key='message_id') }}
with

source as (

    select raw_records.* from {{ source('segment', 'events') }} as raw_records
    {{ unstaged_records('message_id') }}

),

extracted as (

    select
        record_id,
        {{ json_text('payload', 'type') }} as call_type,
        nullif({{ json_text('payload', 'anonymousId') }}, '') as anonymous_id,
        nullif({{ json_text('payload', 'userId') }}, '') as user_id,
        nullif({{ json_text('payload', 'previousId') }}, '') as previous_id,
        nullif({{ json_text('payload', 'groupId') }}, '') as group_id,
        nullif({{ json_text('payload', 'event') }}, '') as event_name,
        nullif({{ json_text('payload', 'name') }}, '') as call_name,
        nullif({{ json_text('payload', 'channel') }}, '') as library_channel,
        nullif({{ json_text('payload', ['context', 'page', 'url']) }}, '') as page_url,
        nullif({{ json_text('payload', ['context', 'page', 'path']) }}, '') as page_path,
        nullif({{ json_text('payload', ['context', 'page', 'referrer']) }}, '') as page_referrer,
        nullif({{ json_text('payload', ['context', 'page', 'title']) }}, '') as page_title,
        nullif({{ json_text('payload', ['context', 'campaign', 'source']) }}, '') as utm_source,
        nullif({{ json_text('payload', ['context', 'campaign', 'medium']) }}, '') as utm_medium,
        nullif({{ json_text('payload', ['context', 'campaign', 'name']) }}, '') as utm_campaign,
        nullif({{ json_text('payload', ['context', 'campaign', 'content']) }}, '') as utm_content,
        nullif({{ json_text('payload', ['context', 'campaign', 'term']) }}, '') as utm_term,
        nullif({{ json_text('payload', ['context', 'device', 'type']) }}, '') as device_type,
        nullif({{ json_text('payload', ['context', 'app', 'name']) }}, '') as app_name,
        nullif({{ json_text('payload', ['context', 'os', 'name']) }}, '') as os_name,
        nullif({{ json_text('payload', ['context', 'userAgent']) }}, '') as user_agent,
        nullif({{ json_text('payload', ['traits', 'email']) }}, '') as traits_email,
        {{ json_text('payload', 'timestamp') }} as call_timestamp,
        {{ json_text('payload', 'sentAt') }} as sent_timestamp,
        {{ json_text('payload', 'receivedAt') }} as received_timestamp,
        is_archived,
        _extracted_at
    from source

),

renamed as (

    select

        ----------  ids
        record_id as message_id,
        anonymous_id,
        user_id,
        -- alias: the id the user was known by before (the anonymous id of the device)
        previous_id,
        group_id,

        ----------  strings
        call_type,
        -- track: the event name; screen and page: the screen's or page's name
        coalesce(event_name, call_name) as event_name,
        -- client (browser) or mobile (the app's SDK)
        library_channel,
        page_url,
        page_path,
        page_referrer,
        page_title,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        {{ url_query_param('page_url', 'gclid') }} as gclid,
        {{ url_query_param('page_url', 'fbclid') }} as fbclid,
        -- desktop, mobile, tablet in browsers; ios / android from the app's SDK
        device_type,
        app_name,
        os_name,
        user_agent,
        traits_email,
        {{ normalize_email('traits_email') }} as email_normalized,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp('call_timestamp') }} as occurred_at,
        {{ iso_to_timestamp('sent_timestamp') }} as sent_at,
        {{ iso_to_timestamp('received_timestamp') }} as received_at,
        _extracted_at

    from extracted

)

select * from renamed
