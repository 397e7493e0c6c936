-- One row per Typeform form (the definition of GET /forms/{form_id}, re-read every sync). Typed and renamed only.
{{ config(unique_key='form_id') }}
with

source as (

    select raw_records.* from {{ source('typeform', 'forms') }} as raw_records
    {{ unstaged_records('form_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as form_id,

        ----------  strings
        {{ json_text('payload', 'title') }} as form_title,
        {{ json_text('payload', 'type') }} as form_type,
        -- whether the links carry the contact (hidden fields; JSON arrays are not copied: their text is dialect's)
        {{ json_text('payload', ['hidden', 0]) }} as first_hidden_field,
        {{ json_text('payload', ['settings', 'language']) }} as form_language,

        ----------  timestamps
        {{ iso_to_timestamp(json_text('payload', 'created_at')) }} as created_at,
        {{ iso_to_timestamp(json_text('payload', 'last_updated_at')) }} as last_updated_at,
        _extracted_at

    from source

)

select * from renamed
