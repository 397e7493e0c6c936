{#-
    adds_up_to_attribution: an attribution report loses and invents nothing. Under every attribution model its
    attributed conversions add up to the conversions of fct_attribution, its attributed revenue to their revenue,
    and its spend to fct_ad_spend_daily's. Without include_channel_models each touch-level model is compared with
    its own fct_attribution rows; with it the report holds the standard Markov models too, and every model must add
    up to the same conversions and revenue: those of the touch-level models (they all count the same ones), or of
    the channel totals when no touch-level model ran. Fails with one row per model that does not add up.
-#}
{% test adds_up_to_attribution(model, include_channel_models=false) %}

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
    from {{ model }}
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
{% if include_channel_models %}
channel_models as (

    select
        attribution_model,
        sum(conversions) as conversions,
        sum(revenue) as revenue
    from {{ source('attribution', 'fct_attribution_channel_totals') }}
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

reference_totals as (

    select
        max(conversions) as conversions,
        max(revenue) as revenue
    from reference

),

models as (

    select attribution_model from touch_models
    union
    select attribution_model from channel_models

),

expected as (

    select
        models.attribution_model,
        reference_totals.conversions,
        reference_totals.revenue
    from models
    cross join reference_totals

),
{% else %}
expected as (

    select * from touch_models

),
{% endif %}
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

{% endtest %}
