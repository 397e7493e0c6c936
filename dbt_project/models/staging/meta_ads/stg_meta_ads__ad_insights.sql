-- One row per ad and day (insights at level=ad, time_increment=1). Meta sends every metric as a string; they are
-- cast here. The `actions` / `action_values` lists are unnested in stg_meta_ads__insight_actions and
-- stg_meta_ads__insight_action_values.
{{ config(unique_key='ad_insight_id') }}
with

source as (

    select raw_records.* from {{ source('meta_ads', 'ads_insights') }} as raw_records
    {{ unstaged_records('ad_insight_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as ad_insight_id,
        {{ json_text('payload', 'account_id') }} as account_id,
        {{ json_text('payload', 'campaign_id') }} as campaign_id,
        {{ json_text('payload', 'adset_id') }} as adset_id,
        {{ json_text('payload', 'ad_id') }} as ad_id,

        ----------  strings
        {{ json_text('payload', 'campaign_name') }} as campaign_name,
        {{ json_text('payload', 'adset_name') }} as adset_name,
        {{ json_text('payload', 'ad_name') }} as ad_name,
        upper({{ json_text('payload', 'account_currency') }}) as currency,

        ----------  numerics
        {{ numeric_string(json_text('payload', 'spend')) }} as spend,
        {{ numeric_string(json_text('payload', 'impressions'), dbt.type_bigint()) }} as impressions,
        {{ numeric_string(json_text('payload', 'clicks'), dbt.type_bigint()) }} as clicks,
        {{ numeric_string(json_text('payload', 'inline_link_clicks'), dbt.type_bigint()) }} as link_clicks,

        ----------  booleans
        is_archived,

        ----------  dates
        cast({{ json_text('payload', 'date_start') }} as date) as date_day,
        _extracted_at

    from source

)

select * from renamed
