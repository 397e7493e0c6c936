-- rpt_channel_performance_total loses and invents nothing: every model, touch-level or standard Markov, credits
-- the same conversions and revenue (those of the touch-level models' fct_attribution rows, or of the standard
-- models' channel totals when no touch-level model ran), and every model's spend is fct_ad_spend_daily's.
with

attribution as (

    select * from {{ source('attribution', 'fct_attribution') }}

),

channel_totals as (

    select * from {{ source('attribution', 'fct_attribution_channel_totals') }}

),

report as (

    select
        attribution_model,
        sum(attributed_conversions) as conversions,
        sum(attributed_revenue) as revenue,
        sum(spend) as spend
    from {{ ref('rpt_channel_performance_total') }}
    group by 1

),

touch_models as (

    select
        attribution_model,
        count(distinct conversion_id) as conversions,
        sum(revenue_credit) as revenue
    from attribution
    group by 1

),

channel_models as (

    select
        attribution_model,
        sum(conversions) as conversions,
        sum(revenue) as revenue
    from channel_totals
    group by 1

),

-- what every model must add up to: the conversions of one touch-level model (they all count the same ones)
reference as (

    select
        conversions,
        revenue
    from touch_models
    union all
    select
        conversions,
        revenue
    from channel_models
    where not exists (select 1 from touch_models)

),

expected as (

    select
        max(conversions) as conversions,
        max(revenue) as revenue
    from reference

),

total_spend as (

    select coalesce(sum(spend), 0) as spend from {{ ref('fct_ad_spend_daily') }}

),

models as (

    select attribution_model from touch_models
    union
    select attribution_model from channel_models

)

select
    models.attribution_model,
    expected.conversions as expected_conversions,
    report.conversions as reported_conversions,
    expected.revenue as expected_revenue,
    report.revenue as reported_revenue,
    total_spend.spend as expected_spend,
    report.spend as reported_spend
from models
cross join expected
cross join total_spend
left join report
    on models.attribution_model = report.attribution_model
where report.attribution_model is null
    or abs(report.conversions - expected.conversions) > 0.000001
    or abs(report.revenue - expected.revenue) > 0.01
    or abs(report.spend - total_spend.spend) > 0.01
