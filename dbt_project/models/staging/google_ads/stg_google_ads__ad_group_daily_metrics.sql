-- One row per ad group and day. Google sends int64 metrics as strings (costMicros, impressions, clicks) and
-- doubles as numbers (conversions, conversionsValue); cost is converted from micros to currency units here.
{{ config(unique_key='ad_group_daily_metric_id') }}
with

source as (

    select raw_records.* from {{ source('google_ads', 'ad_group_daily_metrics') }} as raw_records
    {{ unstaged_records('ad_group_daily_metric_id') }}

),

extracted as (

    select
        record_id,
        {{ json_text('payload', ['campaign', 'resourceName']) }} as campaign_resource_name,
        {{ json_text('payload', ['campaign', 'id']) }} as campaign_id,
        {{ json_text('payload', ['campaign', 'name']) }} as campaign_name,
        {{ json_text('payload', ['adGroup', 'id']) }} as ad_group_id,
        {{ json_text('payload', ['adGroup', 'name']) }} as ad_group_name,
        {{ json_text('payload', ['customer', 'currencyCode']) }} as currency_code,
        {{ json_text('payload', ['metrics', 'costMicros']) }} as cost_micros,
        {{ json_text('payload', ['metrics', 'impressions']) }} as impressions,
        {{ json_text('payload', ['metrics', 'clicks']) }} as clicks,
        {{ json_text('payload', ['metrics', 'conversions']) }} as conversions,
        {{ json_text('payload', ['metrics', 'conversionsValue']) }} as conversions_value,
        {{ json_text('payload', ['segments', 'date']) }} as segment_date,
        is_archived,
        _extracted_at
    from source

),

renamed as (

    select

        ----------  ids
        record_id as ad_group_daily_metric_id,
        {{ regex_group('campaign_resource_name', "'^customers/([0-9]+)/'") }} as customer_id,
        campaign_id,
        ad_group_id,

        ----------  strings
        campaign_name,
        ad_group_name,
        upper(currency_code) as currency,

        ----------  numerics
        -- proto3 JSON omits zero-valued fields: a missing metric is 0
        coalesce({{ numeric_string('cost_micros', dbt.type_bigint()) }}, 0) as cost_micros,
        coalesce({{ micros_to_units('cost_micros') }}, 0) as cost,
        coalesce({{ numeric_string('impressions', dbt.type_bigint()) }}, 0) as impressions,
        coalesce({{ numeric_string('clicks', dbt.type_bigint()) }}, 0) as clicks,
        -- fractional under data-driven attribution
        coalesce({{ numeric_string('conversions') }}, 0) as conversions,
        coalesce({{ numeric_string('conversions_value') }}, 0) as conversions_value,

        ----------  booleans
        is_archived,

        ----------  dates
        -- the day in the account's time zone
        cast(segment_date as date) as date_day,
        _extracted_at

    from extracted

)

select * from renamed
