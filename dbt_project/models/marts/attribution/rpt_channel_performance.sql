-- Channel economics per attribution model and month: attributed conversions, new customers and revenue next to
-- what the channel cost. Spend is booked to a channel through the seed ad_platform_channels. The platforms' own
-- conversion counts sit in one column pair per platform: they overlap (each platform claims its own view-throughs
-- and clicks), so they are never added up across platforms.
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
        channel,
        cast({{ dbt.date_trunc('month', 'converted_at') }} as date) as month_start,
        sum(credit) as attributed_conversions,
        sum(case when is_first_conversion then credit else 0 end) as attributed_new_customers,
        sum(revenue_credit) as attributed_revenue,
        count(distinct conversion_id) as conversions_touched
    from attribution
    group by 1, 2, 3

),

channel_spend as (

    select
        coalesce(platform_channels.channel, 'unassigned') as channel,
        cast({{ dbt.date_trunc('month', 'spend.date_day') }} as date) as month_start,
        sum(spend.spend) as spend,
        sum(spend.impressions) as impressions,
        sum(spend.clicks) as clicks,
        sum(case when spend.platform = 'meta_ads' then spend.conversions end) as meta_ads_reported_conversions,
        sum(case when spend.platform = 'meta_ads' then spend.conversion_value end)
            as meta_ads_reported_conversion_value,
        sum(case when spend.platform = 'google_ads' then spend.conversions end) as google_ads_reported_conversions,
        sum(case when spend.platform = 'google_ads' then spend.conversion_value end)
            as google_ads_reported_conversion_value
    from spend
    left join platform_channels
        on spend.platform = platform_channels.platform
    group by 1, 2

),

-- every model sees every month a channel spent money, converting or not
spend_per_model as (

    select
        models.attribution_model,
        channel_spend.*
    from channel_spend
    cross join models

),

joined as (

    select
        coalesce(attributed.attribution_model, spend_per_model.attribution_model) as attribution_model,
        coalesce(attributed.channel, spend_per_model.channel) as channel,
        coalesce(attributed.month_start, spend_per_model.month_start) as month_start,
        coalesce(attributed.attributed_conversions, 0) as attributed_conversions,
        coalesce(attributed.attributed_new_customers, 0) as attributed_new_customers,
        coalesce(attributed.attributed_revenue, 0) as attributed_revenue,
        coalesce(attributed.conversions_touched, 0) as conversions_touched,
        coalesce(spend_per_model.spend, 0) as spend,
        spend_per_model.impressions,
        spend_per_model.clicks,
        spend_per_model.meta_ads_reported_conversions,
        spend_per_model.meta_ads_reported_conversion_value,
        spend_per_model.google_ads_reported_conversions,
        spend_per_model.google_ads_reported_conversion_value
    from attributed
    full outer join spend_per_model
        on attributed.attribution_model = spend_per_model.attribution_model
        and attributed.channel = spend_per_model.channel
        and attributed.month_start = spend_per_model.month_start

),

final as (

    select

        ----------  ids
        {{ surrogate_key(['attribution_model', 'channel', 'month_start']) }} as channel_performance_id,

        ----------  strings
        attribution_model,
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
        meta_ads_reported_conversions,
        meta_ads_reported_conversion_value,
        google_ads_reported_conversions,
        google_ads_reported_conversion_value,

        ----------  dates
        month_start

    from joined

)

select * from final
