{{ config(unique_key='email_id') }}
with

source as (

    select raw_records.* from {{ source('hubspot', 'emails') }} as raw_records
    {{ unstaged_records('email_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as email_id,
        {{ hubspot_property('hubspot_owner_id') }} as owner_id,

        ----------  strings
        {{ hubspot_property('hs_email_subject') }} as email_subject,
        -- INCOMING_EMAIL (a contact's inquiry), EMAIL (a sales reply), FORWARDED_EMAIL
        upper({{ hubspot_property('hs_email_direction') }}) as email_direction,
        {{ hubspot_property('hs_email_status') }} as email_status,

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
