{{ config(unique_key='ad_id') }}
with

source as (

    select raw_records.* from {{ source('meta_ads', 'ads') }} as raw_records
    {{ unstaged_records('ad_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as ad_id,
        {{ json_text('payload', 'adset_id') }} as adset_id,
        {{ json_text('payload', 'campaign_id') }} as campaign_id,

        ----------  strings
        {{ json_text('payload', 'name') }} as ad_name,
        {{ json_text('payload', 'status') }} as ad_status,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp(json_text('payload', 'created_time')) }} as created_at,
        {{ iso_to_timestamp(json_text('payload', 'updated_time')) }} as updated_at,
        _extracted_at

    from source

)

select * from renamed
