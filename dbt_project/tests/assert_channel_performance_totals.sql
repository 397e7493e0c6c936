-- rpt_channel_performance loses and invents nothing: under every attribution model its attributed conversions add
-- up to the conversions in fct_attribution, its revenue to their revenue, and its spend to fct_ad_spend_daily's.
with

attribution as (

    select * from {{ source('attribution', 'fct_attribution') }}

),

report as (

    select
        attribution_model,
        sum(attributed_conversions) as conversions,
        sum(attributed_revenue) as revenue,
        sum(spend) as spend
    from {{ ref('rpt_channel_performance') }}
    group by 1

),

expected as (

    select
        attribution_model,
        count(distinct conversion_id) as conversions,
        sum(revenue_credit) as revenue
    from attribution
    group by 1

),

total_spend as (

    select coalesce(sum(spend), 0) as spend from {{ ref('fct_ad_spend_daily') }}

)

select
    expected.attribution_model,
    expected.conversions as expected_conversions,
    report.conversions as reported_conversions,
    expected.revenue as expected_revenue,
    report.revenue as reported_revenue,
    total_spend.spend as expected_spend,
    report.spend as reported_spend
from expected
cross join total_spend
left join report
    on expected.attribution_model = report.attribution_model
where report.attribution_model is null
    or abs(report.conversions - expected.conversions) > 0.000001
    or abs(report.revenue - expected.revenue) > 0.01
    or abs(report.spend - total_spend.spend) > 0.01
