{{ config(unique_key='adset_id') }}
with

source as (

    select raw_records.* from {{ source('meta_ads', 'adsets') }} as raw_records
    {{ unstaged_records('adset_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as adset_id,
        {{ json_text('payload', 'campaign_id') }} as campaign_id,

        ----------  strings
        {{ json_text('payload', 'name') }} as adset_name,
        {{ json_text('payload', 'status') }} as adset_status,
        nullif({{ json_text('payload', 'optimization_goal') }}, '') as optimization_goal,

        ----------  numerics
        -- minor unit (cents) of the account currency
        {{ minor_units(numeric_string(json_text('payload', 'daily_budget')), 2) }} as daily_budget,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp(json_text('payload', 'created_time')) }} as created_at,
        {{ iso_to_timestamp(json_text('payload', 'updated_time')) }} as updated_at,
        _extracted_at

    from source

)

select * from renamed
