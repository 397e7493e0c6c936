-- One row per Google Business Profile location (a store or an office). Typed and renamed only.
{{ config(unique_key='location_name') }}
with

source as (

    select raw_records.* from {{ source('google_business', 'locations') }} as raw_records
    {{ unstaged_records('location_name') }}

),

renamed as (

    select

        ----------  ids
        record_id as location_name,
        -- the numeric id reviews name in their `accounts/{a}/locations/{id}` path
        {{ regex_group('record_id', "'([^/]+)$'") }} as location_id,
        nullif({{ json_text('payload', 'storeCode') }}, '') as store_code,

        ----------  strings
        {{ json_text('payload', 'title') }} as location_title,
        {{ json_text('payload', ['storefrontAddress', 'locality']) }} as locality,
        {{ json_text('payload', ['storefrontAddress', 'regionCode']) }} as region_code,
        {{ json_text('payload', ['categories', 'primaryCategory', 'displayName']) }} as primary_category,

        ----------  load metadata
        _extracted_at

    from source

)

select * from renamed
