-- One row per email activity event (open, click, bounce): the connector already flattened Mailchimp's per-recipient
-- activity[] into one record per event. Click URLs are parsed here, once: UTM parameters and ad click ids.
{{ config(unique_key='email_activity_id') }}
with

source as (

    select raw_records.* from {{ source('mailchimp', 'email_activity') }} as raw_records
    {{ unstaged_records('email_activity_id') }}

),

extracted as (

    select
        record_id,
        {{ json_text('payload', 'campaign_id') }} as campaign_id,
        {{ json_text('payload', 'list_id') }} as list_id,
        {{ json_text('payload', 'email_id') }} as member_id,
        {{ json_text('payload', 'email_address') }} as email_address,
        {{ json_text('payload', 'action') }} as action,
        nullif({{ json_text('payload', 'type') }}, '') as bounce_type,
        nullif({{ json_text('payload', 'url') }}, '') as url,
        nullif({{ json_text('payload', 'ip') }}, '') as ip_address,
        {{ json_text('payload', 'timestamp') }} as activity_timestamp,
        is_archived,
        _extracted_at
    from source

),

renamed as (

    select

        ----------  ids
        record_id as email_activity_id,
        campaign_id,
        list_id,
        member_id,

        ----------  strings
        email_address,
        {{ normalize_email('email_address') }} as email_normalized,
        -- open, click, bounce (and unsub, should the connector's source ever list unsubscribes here)
        action,
        bounce_type,
        url,
        {{ url_query_param('url', 'utm_source') }} as utm_source,
        {{ url_query_param('url', 'utm_medium') }} as utm_medium,
        {{ url_query_param('url', 'utm_campaign') }} as utm_campaign,
        {{ url_query_param('url', 'utm_content') }} as utm_content,
        {{ url_query_param('url', 'utm_term') }} as utm_term,
        {{ url_query_param('url', 'gclid') }} as gclid,
        {{ url_query_param('url', 'fbclid') }} as fbclid,
        ip_address,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp('activity_timestamp') }} as occurred_at,
        _extracted_at

    from extracted

)

select * from renamed
