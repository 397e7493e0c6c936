{{ config(unique_key='campaign_id') }}
with

source as (

    select raw_records.* from {{ source('meta_ads', 'campaigns') }} as raw_records
    {{ unstaged_records('campaign_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as campaign_id,
        nullif({{ json_text('payload', 'account_id') }}, '') as account_id,

        ----------  strings
        {{ json_text('payload', 'name') }} as campaign_name,
        {{ json_text('payload', 'objective') }} as objective,
        {{ json_text('payload', 'status') }} as campaign_status,
        {{ json_text('payload', 'effective_status') }} as effective_status,
        nullif({{ json_text('payload', 'buying_type') }}, '') as buying_type,

        ----------  numerics
        -- Meta states budgets in the account currency's minor unit (cents)
        {{ minor_units(numeric_string(json_text('payload', 'daily_budget')), 2) }} as daily_budget,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp(json_text('payload', 'created_time')) }} as created_at,
        {{ iso_to_timestamp(json_text('payload', 'updated_time')) }} as updated_at,
        {{ iso_to_timestamp(json_text('payload', 'start_time')) }} as started_at,
        _extracted_at

    from source

)

select * from renamed
