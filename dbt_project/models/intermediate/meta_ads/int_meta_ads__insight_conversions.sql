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

-- the conversion action types of every insights row: counts (`actions`) and values (`action_values`) alike
typed as (

    select
        actions.ad_insight_id,
        'count' as measure,
        action_types.conversion_type,
        action_types.precedence,
        actions.action_count as amount
    from actions
    inner join action_types
        on actions.action_type = action_types.action_type

    union all

    select
        action_values.ad_insight_id,
        'value' as measure,
        action_types.conversion_type,
        action_types.precedence,
        action_values.action_value as amount
    from action_values
    inner join action_types
        on action_values.action_type = action_types.action_type

),

ranked as (

    select
        *,
        min(precedence) over (partition by ad_insight_id, measure, conversion_type) as best_precedence
    from typed

),

totals as (

    select
        ad_insight_id,
        sum(case when measure = 'count' and conversion_type = 'lead' then amount else 0 end) as leads,
        sum(case when measure = 'count' and conversion_type = 'purchase' then amount else 0 end) as purchases,
        sum(case when measure = 'value' and conversion_type = 'lead' then amount else 0 end) as lead_value,
        sum(case when measure = 'value' and conversion_type = 'purchase' then amount else 0 end) as purchase_value
    from ranked
    where precedence = best_precedence
    group by ad_insight_id

),

final as (

    select
        insights.ad_insight_id,
        insights.ad_id,
        insights.campaign_id,
        insights.date_day,
        coalesce(totals.leads, 0) as leads,
        coalesce(totals.purchases, 0) as purchases,
        coalesce(totals.leads, 0) + coalesce(totals.purchases, 0) as conversions,
        coalesce(totals.lead_value, 0) as lead_value,
        coalesce(totals.purchase_value, 0) as purchase_value,
        coalesce(totals.lead_value, 0) + coalesce(totals.purchase_value, 0) as conversion_value
    from insights
    left join totals
        on insights.ad_insight_id = totals.ad_insight_id

)

select * from final
