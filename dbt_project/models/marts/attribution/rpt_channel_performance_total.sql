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
        {{ credit_measures() }}
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

channel_spend as (

    select
        coalesce(platform_channels.channel, 'unassigned') as channel,
        {{ spend_measures(per_platform=true) }}
    from spend
    left join platform_channels
        on spend.platform = platform_channels.platform
    group by 1

),

-- every model sees every channel that spent money, credited or not
{{ performance_spine('credited', 'channel_spend', ['channel'], per_platform=true) }},

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
        {{ performance_measures(per_platform=true) }}

    from joined

)

select * from final
