-- Purchase channel mix by persona: the sales (conversions counting revenue: won deals and completed orders, so a
-- sale and the lifecycle change it causes are counted once) of each persona per purchase channel, in the ad
-- platforms' split (fct_conversions.purchase_channel: WEB, PHONE, IN_STORE), with their revenue and each channel's
-- share of the persona's sales and revenue. Sales without a recorded channel are the row `(unknown)`, persons
-- without a persona the persona `(unknown)`, so the rows add up to the sales of fct_conversions. Revenue is in
-- var reporting_currency, as the other reports (assert_single_reporting_currency warns on any other).
with

conversions as (

    select * from {{ ref('fct_conversions') }}
    where counts_revenue

),

persons as (

    select * from {{ ref('dim_persons') }}

),

sales as (

    select
        coalesce(persons.persona, '(unknown)') as persona,
        coalesce(conversions.purchase_channel, '(unknown)') as purchase_channel,
        conversions.meta_action_source,
        conversions.conversion_id,
        conversions.person_key,
        conversions.revenue
    from conversions
    left join persons
        on conversions.person_key = persons.person_key

),

mix as (

    select
        persona,
        purchase_channel,
        max(meta_action_source) as meta_action_source,
        count(*) as conversions,
        count(distinct person_key) as customers,
        coalesce(sum(revenue), 0) as revenue,
        -- whole cents (amounts have two decimals): rounded_ratio divides integers exactly
        cast(coalesce(sum(revenue), 0) * 100 as {{ dbt.type_bigint() }}) as revenue_cents
    from sales
    group by persona, purchase_channel

),

persona_totals as (

    select
        persona,
        sum(conversions) as persona_conversions,
        sum(revenue) as persona_revenue,
        sum(revenue_cents) as persona_revenue_cents
    from mix
    group by persona

),

final as (

    select

        ----------  strings
        mix.persona,
        mix.purchase_channel,
        mix.meta_action_source,
        '{{ var("reporting_currency") }}' as currency,

        ----------  numerics
        mix.conversions,
        mix.customers,
        mix.revenue,
        persona_totals.persona_conversions,
        persona_totals.persona_revenue,
        {{ rounded_ratio('mix.conversions', 'persona_totals.persona_conversions', 4) }}
            as share_of_persona_conversions,
        {{ rounded_ratio('mix.revenue_cents', 'persona_totals.persona_revenue_cents', 4) }}
            as share_of_persona_revenue

    from mix
    inner join persona_totals
        on mix.persona = persona_totals.persona

)

select * from final
