{{ config(unique_key='lead_form_id') }}
with

source as (

    select raw_records.* from {{ source('meta_ads', 'lead_forms') }} as raw_records
    {{ unstaged_records('lead_form_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as lead_form_id,
        {{ json_text('payload', 'page_id') }} as page_id,

        ----------  strings
        {{ json_text('payload', 'name') }} as lead_form_name,
        {{ json_text('payload', 'status') }} as lead_form_status,
        nullif({{ json_text('payload', 'locale') }}, '') as locale,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp(json_text('payload', 'created_time')) }} as created_at,
        _extracted_at

    from source

)

select * from renamed
