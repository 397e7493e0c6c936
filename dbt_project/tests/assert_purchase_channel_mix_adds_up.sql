-- rpt_purchase_channel_mix loses and invents nothing: its conversions and revenue add up to the sales of
-- fct_conversions (conversions counting revenue), in total and per purchase channel. One row per mismatch.
with

report as (

    select
        purchase_channel,
        sum(conversions) as conversions,
        sum(revenue) as revenue
    from {{ ref('rpt_purchase_channel_mix') }}
    group by purchase_channel

),

conversions as (

    select
        coalesce(purchase_channel, '(unknown)') as purchase_channel,
        count(*) as conversions,
        coalesce(sum(revenue), 0) as revenue
    from {{ ref('fct_conversions') }}
    where counts_revenue
    group by coalesce(purchase_channel, '(unknown)')

)

select
    coalesce(report.purchase_channel, conversions.purchase_channel) as purchase_channel,
    report.conversions as report_conversions,
    conversions.conversions as fct_conversions,
    report.revenue as report_revenue,
    conversions.revenue as fct_revenue
from report
full outer join conversions
    on report.purchase_channel = conversions.purchase_channel
where report.conversions is null
    or conversions.conversions is null
    or report.conversions <> conversions.conversions
    or report.revenue <> conversions.revenue
