-- Campaign economics per attribution model and month: every campaign that was credited with a conversion or
-- spent money (ad campaigns of Meta Ads and Google Ads, email campaigns of Mailchimp, utm campaigns), with the
-- attributed conversions and revenue, spend, ROAS, cost per conversion, CAC and the platform's own reported
-- conversions beside them (one campaign lives on one platform, so nothing is summed across platforms). The spine
-- is shared with the channel reports (macros/performance.sql).
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
        campaign_key,
        cast({{ dbt.date_trunc('month', 'converted_at') }} as date) as month_start,
        'touch' as credit_level,
        min(campaign) as campaign_name,
        min(channel) as channel,
        {{ credit_measures() }}
    from attribution
    where campaign_key is not null
    group by 1, 2, 3

),

campaign_spend as (

    select
        spend.campaign_key,
        cast({{ dbt.date_trunc('month', 'spend.date_day') }} as date) as month_start,
        min(spend.platform) as platform,
        min(spend.campaign_name) as campaign_name,
        min(platform_channels.channel) as channel,
        {{ spend_measures(per_platform=false) }}
    from spend
    left join platform_channels
        on spend.platform = platform_channels.platform
    group by 1, 2

),

-- every touch-level model, including one that credited no campaign, sees every campaign that spent money
{{ performance_spine(
    'credited', 'campaign_spend', ['campaign_key', 'month_start'], per_platform=false,
    carried=['campaign_name', 'channel'], spend_only=['platform'], models_from='attribution', credit_level="'touch'",
) }},

final as (

    select

        ----------  ids
        {{ surrogate_key(['attribution_model', 'campaign_key', 'month_start']) }} as campaign_performance_id,
        campaign_key,

        ----------  strings
        attribution_model,
        platform,
        campaign_name,
        channel,
        '{{ var("reporting_currency") }}' as currency,

        ----------  numerics
        {{ performance_measures(per_platform=false) }},

        ----------  dates
        month_start

    from joined

)

select * from final
