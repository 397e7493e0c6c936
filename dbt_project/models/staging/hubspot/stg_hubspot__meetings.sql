{{ config(unique_key='meeting_id') }}
with

source as (

    select raw_records.* from {{ source('hubspot', 'meetings') }} as raw_records
    {{ unstaged_records('meeting_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as meeting_id,
        {{ hubspot_property('hubspot_owner_id') }} as owner_id,

        ----------  strings
        {{ hubspot_property('hs_meeting_title') }} as meeting_title,
        {{ hubspot_property('hs_meeting_outcome') }} as meeting_outcome,
        upper({{ hubspot_property('hs_meeting_location_type') }}) as meeting_location_type,
        {{ hubspot_property('hs_meeting_location') }} as meeting_location,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp(hubspot_property('hs_timestamp')) }} as occurred_at,
        {{ iso_to_timestamp(hubspot_property('hs_meeting_start_time')) }} as meeting_start_at,
        {{ iso_to_timestamp(hubspot_property('hs_meeting_end_time')) }} as meeting_end_at,
        {{ iso_to_timestamp(hubspot_property('hs_createdate')) }} as created_at,
        {{ iso_to_timestamp(json_text('payload', 'updatedAt')) }} as updated_at,
        _extracted_at

    from source

)

select * from renamed
