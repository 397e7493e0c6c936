{{ config(unique_key='note_id') }}
with

source as (

    select raw_records.* from {{ source('hubspot', 'notes') }} as raw_records
    {{ unstaged_records('note_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as note_id,
        {{ hubspot_property('hubspot_owner_id') }} as owner_id,

        ----------  strings
        {{ hubspot_property('hs_note_body') }} as note_body,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp(hubspot_property('hs_timestamp')) }} as occurred_at,
        {{ iso_to_timestamp(hubspot_property('hs_createdate')) }} as created_at,
        {{ iso_to_timestamp(json_text('payload', 'updatedAt')) }} as updated_at,
        _extracted_at

    from source

)

select * from renamed
