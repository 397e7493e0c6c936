{{ config(unique_key='campaign_id') }}
with

source as (

    select raw_records.* from {{ source('mailchimp', 'campaigns') }} as raw_records
    {{ unstaged_records('campaign_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as campaign_id,
        {{ json_text('payload', 'web_id') }} as campaign_web_id,
        {{ json_text('payload', ['recipients', 'list_id']) }} as list_id,

        ----------  strings
        {{ json_text('payload', 'type') }} as campaign_type,
        {{ json_text('payload', 'status') }} as campaign_status,
        nullif({{ json_text('payload', ['settings', 'title']) }}, '') as campaign_title,
        nullif({{ json_text('payload', ['settings', 'subject_line']) }}, '') as subject_line,
        nullif({{ json_text('payload', ['settings', 'from_name']) }}, '') as from_name,
        nullif({{ json_text('payload', ['settings', 'reply_to']) }}, '') as reply_to,
        nullif({{ json_text('payload', ['recipients', 'segment_text']) }}, '') as segment_text,
        -- the utm_campaign Mailchimp appends to links when Google Analytics tracking is on
        nullif({{ json_text('payload', ['tracking', 'google_analytics']) }}, '') as google_analytics_campaign,
        nullif({{ json_text('payload', 'archive_url') }}, '') as archive_url,

        ----------  numerics
        cast({{ json_text('payload', 'emails_sent') }} as {{ dbt.type_bigint() }}) as emails_sent,
        cast({{ json_text('payload', ['recipients', 'recipient_count']) }} as {{ dbt.type_bigint() }})
            as recipient_count,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp(json_text('payload', 'create_time')) }} as created_at,
        {{ iso_to_timestamp(json_text('payload', 'send_time')) }} as sent_at,
        _extracted_at

    from source

)

select * from renamed
