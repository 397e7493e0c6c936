-- Channel economics per attribution model and month: attributed conversions, new customers and revenue next to
-- what the channel cost. Spend is booked to a channel through the seed ad_platform_channels. The platforms' own
-- conversion counts sit in one column pair per platform: they overlap (each platform claims its own view-throughs
-- and clicks), so they are never added up across platforms. The spine is shared with the other reports
-- (macros/performance.sql).
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

credited as (

    select
        attribution_model,
        channel,
        cast({{ dbt.date_trunc('month', 'converted_at') }} as date) as month_start,
        'touch' as credit_level,
        {{ credit_measures() }}
    from attribution
    group by 1, 2, 3

),

channel_spend as (

    select
        coalesce(platform_channels.channel, 'unassigned') as channel,
        cast({{ dbt.date_trunc('month', 'spend.date_day') }} as date) as month_start,
        {{ spend_measures(per_platform=true) }}
    from spend
    left join platform_channels
        on spend.platform = platform_channels.platform
    group by 1, 2

),

-- every model (fct_attribution holds the touch-level ones) sees every month a channel spent money, converting or
-- not
{{ performance_spine(
    'credited', 'channel_spend', ['channel', 'month_start'], per_platform=true,
    models_from='attribution', credit_level="'touch'",
) }},

final as (

    select

        ----------  ids
        {{ surrogate_key(['attribution_model', 'channel', 'month_start']) }} as channel_performance_id,

        ----------  strings
        attribution_model,
        channel,
        '{{ var("reporting_currency") }}' as currency,

        ----------  numerics
        {{ performance_measures(per_platform=true) }},

        ----------  dates
        month_start

    from joined

)

select * from final
