{{ config(unique_key='company_id') }}
with

source as (

    select raw_records.* from {{ source('hubspot', 'companies') }} as raw_records
    {{ unstaged_records('company_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as company_id,
        {{ hubspot_property('hubspot_owner_id') }} as owner_id,

        ----------  strings
        {{ hubspot_property('name') }} as company_name,
        lower(trim({{ hubspot_property('domain') }})) as domain,
        {{ hubspot_property('industry') }} as industry,
        {{ hubspot_property('city') }} as city,
        {{ hubspot_property('country') }} as country,
        {{ hubspot_property('lifecyclestage') }} as lifecycle_stage,

        ----------  numerics
        cast({{ hubspot_property('numberofemployees') }} as {{ dbt.type_bigint() }}) as number_of_employees,
        cast({{ hubspot_property('annualrevenue') }} as {{ dbt.type_numeric() }}) as annual_revenue,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp(hubspot_property('createdate')) }} as created_at,
        {{ iso_to_timestamp(json_text('payload', 'updatedAt')) }} as updated_at,
        {{ iso_to_timestamp(json_text('payload', 'archivedAt')) }} as archived_at,
        _extracted_at

    from source

)

select * from renamed
