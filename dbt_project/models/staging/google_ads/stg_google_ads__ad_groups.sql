{{ config(unique_key='ad_group_id') }}
with

source as (

    select raw_records.* from {{ source('google_ads', 'ad_groups') }} as raw_records
    {{ unstaged_records('ad_group_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as ad_group_id,
        {{ json_text('payload', ['campaign', 'id']) }} as campaign_id,

        ----------  strings
        {{ json_text('payload', ['adGroup', 'name']) }} as ad_group_name,
        {{ json_text('payload', ['adGroup', 'status']) }} as ad_group_status,

        ----------  booleans
        is_archived,
        _extracted_at

    from source

)

select * from renamed
