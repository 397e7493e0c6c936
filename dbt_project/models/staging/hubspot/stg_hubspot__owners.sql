{{ config(unique_key='owner_id') }}
with

source as (

    select raw_records.* from {{ source('hubspot', 'owners') }} as raw_records
    {{ unstaged_records('owner_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as owner_id,
        nullif({{ json_text('payload', 'userId') }}, '') as user_id,

        ----------  strings
        nullif({{ json_text('payload', 'email') }}, '') as email,
        nullif({{ json_text('payload', 'firstName') }}, '') as first_name,
        nullif({{ json_text('payload', 'lastName') }}, '') as last_name,
        -- PERSON | QUEUE
        nullif({{ json_text('payload', 'type') }}, '') as owner_type,
        -- the first team listed (HubSpot lists the primary team first)
        nullif({{ json_text('payload', ['teams', 0, 'name']) }}, '') as team_name,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp(json_text('payload', 'createdAt')) }} as created_at,
        {{ iso_to_timestamp(json_text('payload', 'updatedAt')) }} as updated_at,
        _extracted_at

    from source

)

select * from renamed
