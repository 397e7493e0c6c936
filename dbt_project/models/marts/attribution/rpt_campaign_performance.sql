-- Campaign economics per attribution model and month: every campaign that was credited with a conversion or
-- spent money (ad campaigns of Meta Ads and Google Ads, email campaigns of Mailchimp, utm campaigns), with the
-- attributed conversions and revenue, spend, ROAS, cost per conversion, CAC and the platform's own reported
-- conversions beside them (one campaign lives on one platform, so nothing is summed across platforms).
with

attribution as (

    select * from {{ source('attribution', 'fct_attribution') }}

),

spend as (

    select * from {{ ref('fct_ad_spend_daily') }}

),

platform_channels as (

    select * from {{ ref('ad_platform_channels') }}

),

models as (

    select distinct attribution_model from attribution

),

attributed as (

    select
        attribution_model,
        campaign_key,
        cast({{ dbt.date_trunc('month', 'converted_at') }} as date) as month_start,
        min(campaign) as campaign_name,
        min(channel) as channel,
        sum(credit) as attributed_conversions,
        sum(case when is_first_conversion then credit else 0 end) as attributed_new_customers,
        sum(revenue_credit) as attributed_revenue,
        count(distinct conversion_id) as conversions_touched
    from attribution
    where campaign_key is not null
    group by 1, 2, 3

),

campaign_spend as (

    select
        spend.campaign_key,
        cast({{ dbt.date_trunc('month', 'spend.date_day') }} as date) as month_start,
        min(spend.platform) as platform,
        min(spend.campaign_name) as campaign_name,
        min(platform_channels.channel) as channel,
        sum(spend.spend) as spend,
        sum(spend.impressions) as impressions,
        sum(spend.clicks) as clicks,
        sum(spend.conversions) as platform_reported_conversions,
        sum(spend.conversion_value) as platform_reported_conversion_value
    from spend
    left join platform_channels
        on spend.platform = platform_channels.platform
    group by 1, 2

),

spend_per_model as (

    select
        models.attribution_model,
        campaign_spend.*
    from campaign_spend
    cross join models

),

joined as (

    select
        coalesce(attributed.attribution_model, spend_per_model.attribution_model) as attribution_model,
        coalesce(attributed.campaign_key, spend_per_model.campaign_key) as campaign_key,
        coalesce(attributed.month_start, spend_per_model.month_start) as month_start,
        spend_per_model.platform,
        coalesce(spend_per_model.campaign_name, attributed.campaign_name) as campaign_name,
        coalesce(spend_per_model.channel, attributed.channel) as channel,
        coalesce(attributed.attributed_conversions, 0) as attributed_conversions,
        coalesce(attributed.attributed_new_customers, 0) as attributed_new_customers,
        coalesce(attributed.attributed_revenue, 0) as attributed_revenue,
        coalesce(attributed.conversions_touched, 0) as conversions_touched,
        coalesce(spend_per_model.spend, 0) as spend,
        spend_per_model.impressions,
        spend_per_model.clicks,
        spend_per_model.platform_reported_conversions,
        spend_per_model.platform_reported_conversion_value
    from attributed
    full outer join spend_per_model
        on attributed.attribution_model = spend_per_model.attribution_model
        and attributed.campaign_key = spend_per_model.campaign_key
        and attributed.month_start = spend_per_model.month_start

),

final as (

    select

        ----------  ids
        {{ surrogate_key(['attribution_model', 'campaign_key', 'month_start']) }} as campaign_performance_id,
        campaign_key,

        ----------  strings
        attribution_model,
        platform,
        campaign_name,
        channel,
        '{{ var("reporting_currency") }}' as currency,

        ----------  numerics
        attributed_conversions,
        attributed_new_customers,
        attributed_revenue,
        conversions_touched,
        spend,
        impressions,
        clicks,
        {{ safe_ratio('attributed_revenue', 'spend') }} as roas,
        {{ safe_ratio('spend', 'attributed_conversions') }} as cost_per_conversion,
        {{ safe_ratio('spend', 'attributed_new_customers') }} as cac,
        platform_reported_conversions,
        platform_reported_conversion_value,

        ----------  dates
        month_start

    from joined

)

select * from final
