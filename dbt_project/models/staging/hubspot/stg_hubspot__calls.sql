{{ config(unique_key='call_id') }}
with

source as (

    select raw_records.* from {{ source('hubspot', 'calls') }} as raw_records
    {{ unstaged_records('call_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as call_id,
        {{ hubspot_property('hubspot_owner_id') }} as owner_id,

        ----------  strings
        {{ hubspot_property('hs_call_title') }} as call_title,
        upper({{ hubspot_property('hs_call_direction') }}) as call_direction,
        {{ hubspot_property('hs_call_status') }} as call_status,
        {{ hubspot_property('hs_call_disposition') }} as call_disposition,

        ----------  numerics
        cast({{ hubspot_property('hs_call_duration') }} as {{ dbt.type_bigint() }}) as call_duration_ms,

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
