-- Channel economics over the whole period, one row per attribution model and channel: every model side by side,
-- the touch-level ones (rule-based, markov_path_k, shapley: sums of fct_attribution) and the standard Markov models
-- (markov_k: fct_attribution_channel_totals, a whole-data-set allocation with no month, campaign or touch), next to
-- what the channel cost. Spend is booked to a channel through the seed ad_platform_channels; each platform's own
-- conversion counts stay in their own columns (they overlap, so they are never added up).
with

attribution as (

    select * from {{ source('attribution', 'fct_attribution') }}

),

channel_totals as (

    select * from {{ source('attribution', 'fct_attribution_channel_totals') }}

),

spend as (

    select * from {{ ref('fct_ad_spend_daily') }}

),

platform_channels as (

    select * from {{ ref('ad_platform_channels') }}

),

touch_credit as (

    select
        attribution_model,
        channel,
        'touch' as credit_level,
        sum(credit) as attributed_conversions,
        sum(case when is_first_conversion then credit else 0 end) as attributed_new_customers,
        sum(revenue_credit) as attributed_revenue,
        count(distinct conversion_id) as conversions_touched
    from attribution
    group by 1, 2

),

-- the standard allocation credits no conversion in particular, so it touches none
channel_credit as (

    select
        attribution_model,
        channel,
        'channel' as credit_level,
        sum(conversions) as attributed_conversions,
        sum(new_customers) as attributed_new_customers,
        sum(revenue) as attributed_revenue,
        cast(null as {{ dbt.type_bigint() }}) as conversions_touched
    from channel_totals
    group by 1, 2

),

credited as (

    select * from touch_credit
    union all
    select * from channel_credit

),

models as (

    select distinct attribution_model, credit_level from credited

),

channel_spend as (

    select
        coalesce(platform_channels.channel, 'unassigned') as channel,
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
    group by 1

),

-- every model sees every channel that spent money, credited or not
spend_per_model as (

    select
        models.attribution_model,
        models.credit_level,
        channel_spend.*
    from channel_spend
    cross join models

),

joined as (

    select
        coalesce(credited.attribution_model, spend_per_model.attribution_model) as attribution_model,
        coalesce(credited.channel, spend_per_model.channel) as channel,
        coalesce(credited.credit_level, spend_per_model.credit_level) as credit_level,
        coalesce(credited.attributed_conversions, 0) as attributed_conversions,
        coalesce(credited.attributed_new_customers, 0) as attributed_new_customers,
        coalesce(credited.attributed_revenue, 0) as attributed_revenue,
        case
            when coalesce(credited.credit_level, spend_per_model.credit_level) = 'touch'
                then coalesce(credited.conversions_touched, 0)
        end as conversions_touched,
        coalesce(spend_per_model.spend, 0) as spend,
        spend_per_model.impressions,
        spend_per_model.clicks,
        spend_per_model.meta_ads_reported_conversions,
        spend_per_model.meta_ads_reported_conversion_value,
        spend_per_model.google_ads_reported_conversions,
        spend_per_model.google_ads_reported_conversion_value
    from credited
    full outer join spend_per_model
        on credited.attribution_model = spend_per_model.attribution_model
        and credited.channel = spend_per_model.channel

),

final as (

    select

        ----------  ids
        {{ surrogate_key(['attribution_model', 'channel']) }} as channel_performance_total_id,

        ----------  strings
        attribution_model,
        channel,
        credit_level,
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
        google_ads_reported_conversion_value

    from joined

)

select * from final
