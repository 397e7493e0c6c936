{{ config(unique_key='conversion_id') }}
with

source as (

    select raw_records.* from {{ source('hubspot', 'form_submissions') }} as raw_records
    {{ unstaged_records('conversion_id') }}

),

extracted as (

    select
        record_id,
        nullif({{ json_text('payload', 'formGuid') }}, '') as form_id,
        nullif({{ json_text('payload', 'pageUrl') }}, '') as page_url,
        {{ json_text('payload', 'submittedAt') }} as submitted_at_ms,
        is_archived,
        _extracted_at
    from source

),

renamed as (

    select

        ----------  ids
        record_id as conversion_id,
        form_id,

        ----------  strings
        page_url,
        -- campaign parameters and ad click ids carried by the page the form was submitted on
        {{ url_query_param('page_url', 'utm_source') }} as utm_source,
        {{ url_query_param('page_url', 'utm_medium') }} as utm_medium,
        {{ url_query_param('page_url', 'utm_campaign') }} as utm_campaign,
        {{ url_query_param('page_url', 'utm_content') }} as utm_content,
        {{ url_query_param('page_url', 'utm_term') }} as utm_term,
        {{ url_query_param('page_url', 'gclid') }} as gclid,
        {{ url_query_param('page_url', 'fbclid') }} as fbclid,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ epoch_ms_to_timestamp('submitted_at_ms') }} as submitted_at,
        _extracted_at

    from extracted

)

select * from renamed
