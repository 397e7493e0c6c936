-- Paid media delivery, one row per platform, campaign and day, unified across Meta Ads and Google Ads (the
-- dbt_ad_reporting campaign report's grain). Spend in the account currency (no FX conversion); conversions are the
-- platforms' own, self-attributed counts (not additive across platforms). campaign_key joins the touches of
-- fct_touchpoints (ad clicks, Lead Ads submissions) to their campaign's spend.
with

meta_ads as (

    select * from {{ ref('int_meta_ads__campaign_days') }}

),

google_ads as (

    select * from {{ ref('int_google_ads__campaign_days') }}

),

unioned as (

    select
        'meta_ads' as platform,
        account_id,
        campaign_id,
        campaign_name,
        date_day,
        currency,
        spend,
        impressions,
        clicks,
        leads,
        purchases,
        conversions,
        conversion_value
    from meta_ads

    union all

    select
        'google_ads' as platform,
        account_id,
        campaign_id,
        campaign_name,
        date_day,
        currency,
        spend,
        impressions,
        clicks,
        cast(null as {{ dbt.type_numeric() }}) as leads,
        cast(null as {{ dbt.type_numeric() }}) as purchases,
        conversions,
        conversion_value
    from google_ads

),

final as (

    select

        ----------  ids
        {{ surrogate_key(['platform', 'campaign_id', 'date_day']) }} as ad_spend_daily_id,
        {{ campaign_key('platform', 'campaign_id') }} as campaign_key,
        account_id,
        campaign_id,

        ----------  strings
        platform,
        campaign_name,
        currency,

        ----------  numerics
        cast(spend as {{ dbt.type_numeric() }}) as spend,
        cast(impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(clicks as {{ dbt.type_bigint() }}) as clicks,
        cast(conversions as {{ dbt.type_numeric() }}) as conversions,
        cast(conversion_value as {{ dbt.type_numeric() }}) as conversion_value,
        cast(leads as {{ dbt.type_numeric() }}) as leads,
        cast(purchases as {{ dbt.type_numeric() }}) as purchases,

        ----------  dates
        date_day

    from unioned

)

select * from final
