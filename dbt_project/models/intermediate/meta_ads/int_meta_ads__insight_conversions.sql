-- Platform-reported conversions per ad and day (one row per insights row): leads and purchases counted from the
-- `actions` list, their value from `action_values`. Meta reports one conversion under several overlapping action
-- types (omnichannel total, aggregate, channel parts); the seed meta_ads_conversion_action_types ranks them, and
-- for each row and conversion type only the action types of the best-ranked precedence present are summed.
with

insights as (

    select * from {{ ref('stg_meta_ads__ad_insights') }}

),

actions as (

    select * from {{ ref('stg_meta_ads__insight_actions') }}

),

action_values as (

    select * from {{ ref('stg_meta_ads__insight_action_values') }}

),

action_types as (

    select * from {{ ref('meta_ads_conversion_action_types') }}

),

typed_counts as (

    select
        actions.ad_insight_id,
        action_types.conversion_type,
        action_types.precedence,
        actions.action_count as amount
    from actions
    inner join action_types
        on actions.action_type = action_types.action_type

),

typed_values as (

    select
        action_values.ad_insight_id,
        action_types.conversion_type,
        action_types.precedence,
        action_values.action_value as amount
    from action_values
    inner join action_types
        on action_values.action_type = action_types.action_type

),

ranked_counts as (

    select
        *,
        min(precedence) over (partition by ad_insight_id, conversion_type) as best_precedence
    from typed_counts

),

ranked_values as (

    select
        *,
        min(precedence) over (partition by ad_insight_id, conversion_type) as best_precedence
    from typed_values

),

counts as (

    select
        ad_insight_id,
        sum(case when conversion_type = 'lead' then amount else 0 end) as leads,
        sum(case when conversion_type = 'purchase' then amount else 0 end) as purchases
    from ranked_counts
    where precedence = best_precedence
    group by ad_insight_id

),

amounts as (

    select
        ad_insight_id,
        sum(case when conversion_type = 'lead' then amount else 0 end) as lead_value,
        sum(case when conversion_type = 'purchase' then amount else 0 end) as purchase_value
    from ranked_values
    where precedence = best_precedence
    group by ad_insight_id

),

final as (

    select
        insights.ad_insight_id,
        insights.ad_id,
        insights.campaign_id,
        insights.date_day,
        coalesce(counts.leads, 0) as leads,
        coalesce(counts.purchases, 0) as purchases,
        coalesce(counts.leads, 0) + coalesce(counts.purchases, 0) as conversions,
        coalesce(amounts.lead_value, 0) as lead_value,
        coalesce(amounts.purchase_value, 0) as purchase_value,
        coalesce(amounts.lead_value, 0) + coalesce(amounts.purchase_value, 0) as conversion_value
    from insights
    left join counts
        on insights.ad_insight_id = counts.ad_insight_id
    left join amounts
        on insights.ad_insight_id = amounts.ad_insight_id

)

select * from final
