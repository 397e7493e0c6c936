{{ config(unique_key='deal_id') }}
with

source as (

    select raw_records.* from {{ source('hubspot', 'deals') }} as raw_records
    {{ unstaged_records('deal_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as deal_id,
        {{ hubspot_property('hubspot_owner_id') }} as owner_id,

        ----------  strings
        {{ hubspot_property('dealname') }} as deal_name,
        {{ hubspot_property('pipeline') }} as pipeline_id,
        {{ hubspot_property('dealstage') }} as deal_stage,
        {{ hubspot_property('dealtype') }} as deal_type,
        upper({{ hubspot_property('deal_currency_code') }}) as currency_code,
        lower({{ hubspot_property('purchase_channel') }}) as purchase_channel,

        ----------  numerics
        cast({{ hubspot_property('amount') }} as {{ dbt.type_numeric() }}) as amount,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp(hubspot_property('closedate')) }} as closed_at,
        {{ iso_to_timestamp(hubspot_property('createdate')) }} as created_at,
        {{ iso_to_timestamp(json_text('payload', 'updatedAt')) }} as updated_at,
        {{ iso_to_timestamp(json_text('payload', 'archivedAt')) }} as archived_at,
        _extracted_at

    from source

)

select * from renamed
