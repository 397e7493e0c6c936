-- Meta Ads delivery per campaign and day (the ad-level daily insights summed up), with the platform-reported
-- conversions of int_meta_ads__insight_conversions.
with

insights as (

    select * from {{ ref('stg_meta_ads__ad_insights') }}
    where not is_archived

),

conversions as (

    select * from {{ ref('int_meta_ads__insight_conversions') }}

),

campaigns as (

    select * from {{ ref('stg_meta_ads__campaigns') }}

),

daily as (

    select
        insights.account_id,
        insights.campaign_id,
        insights.date_day,
        insights.currency,
        max(insights.campaign_name) as reported_campaign_name,
        sum(insights.spend) as spend,
        sum(insights.impressions) as impressions,
        sum(insights.clicks) as clicks,
        sum(insights.link_clicks) as link_clicks,
        sum(conversions.leads) as leads,
        sum(conversions.purchases) as purchases,
        sum(conversions.conversions) as conversions,
        sum(conversions.conversion_value) as conversion_value
    from insights
    left join conversions
        on insights.ad_insight_id = conversions.ad_insight_id
    group by
        insights.account_id,
        insights.campaign_id,
        insights.date_day,
        insights.currency

),

final as (

    select
        coalesce(daily.account_id, campaigns.account_id) as account_id,
        daily.campaign_id,
        -- the campaign's current name; the name in the insights row if the campaign is no longer listed
        coalesce(campaigns.campaign_name, daily.reported_campaign_name) as campaign_name,
        daily.date_day,
        daily.currency,
        daily.spend,
        daily.impressions,
        daily.clicks,
        daily.link_clicks,
        daily.leads,
        daily.purchases,
        daily.conversions,
        daily.conversion_value
    from daily
    left join campaigns
        on daily.campaign_id = campaigns.campaign_id

)

select * from final
