-- Google Ads delivery per campaign and day (the ad-group daily metrics summed up), cost in currency units and the
-- platform-reported conversions (Google's `conversions`, fractional under data-driven attribution).
with

metrics as (

    select * from {{ ref('stg_google_ads__ad_group_daily_metrics') }}
    where not is_archived

),

campaigns as (

    select * from {{ ref('stg_google_ads__campaigns') }}

),

daily as (

    select
        customer_id,
        campaign_id,
        date_day,
        currency,
        max(campaign_name) as reported_campaign_name,
        sum(cost) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(conversions) as conversions,
        sum(conversions_value) as conversion_value
    from metrics
    group by
        customer_id,
        campaign_id,
        date_day,
        currency

),

final as (

    select
        coalesce(daily.customer_id, campaigns.customer_id) as account_id,
        daily.campaign_id,
        coalesce(campaigns.campaign_name, daily.reported_campaign_name) as campaign_name,
        daily.date_day,
        daily.currency,
        daily.spend,
        daily.impressions,
        daily.clicks,
        daily.conversions,
        daily.conversion_value
    from daily
    left join campaigns
        on daily.campaign_id = campaigns.campaign_id

)

select * from final
