{{ config(unique_key='form_id') }}
with

source as (

    select raw_records.* from {{ source('hubspot', 'forms') }} as raw_records
    {{ unstaged_records('form_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as form_id,

        ----------  strings
        nullif({{ json_text('payload', 'name') }}, '') as form_name,
        nullif({{ json_text('payload', 'formType') }}, '') as form_type,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp(json_text('payload', 'createdAt')) }} as created_at,
        {{ iso_to_timestamp(json_text('payload', 'updatedAt')) }} as updated_at,
        _extracted_at

    from source

)

select * from renamed
