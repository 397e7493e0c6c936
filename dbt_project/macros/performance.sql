{#-
    The spine of the attribution reports (rpt_channel_performance, rpt_campaign_performance,
    rpt_channel_performance_total): what a model credited (CTE `credited`, one row per attribution model and report
    key, with its credit level), what was spent (one row per report key), every model paired with every key that
    spent money, and the same economics on top (spend, ROAS, cost per conversion, CAC). Each report only says what
    its keys are (channel, campaign, month) and where its credit comes from.
-#}

{#- credit_measures: the attributed side of a report, aggregated over fct_attribution rows (one per conversion,
    touch and model): credited conversions, new customers (credit of a person's first conversion), revenue, and how
    many conversions the rows touch. -#}
{% macro credit_measures() -%}
        sum(credit) as attributed_conversions,
        sum(case when is_first_conversion then credit else 0 end) as attributed_new_customers,
        sum(revenue_credit) as attributed_revenue,
        count(distinct conversion_id) as conversions_touched
{%- endmacro %}


{#- reported_conversion_columns: the platforms' own conversion columns of a report. A row that can mix platforms
    (a channel) gets one pair per ad platform: their counts overlap (each claims its own view-throughs and clicks),
    so they are never added up; a campaign lives on one platform and gets one pair. -#}
{% macro reported_conversion_columns(per_platform) -%}
    {%- if per_platform -%}
        {{ return([
            'meta_ads_reported_conversions', 'meta_ads_reported_conversion_value',
            'google_ads_reported_conversions', 'google_ads_reported_conversion_value',
        ]) }}
    {%- else -%}
        {{ return(['platform_reported_conversions', 'platform_reported_conversion_value']) }}
    {%- endif -%}
{%- endmacro %}


{#- spend_measures: the spent side of a report, aggregated over fct_ad_spend_daily rows (relation alias `spend`):
    spend, impressions, clicks and the reported conversions (reported_conversion_columns). -#}
{% macro spend_measures(per_platform) -%}
        sum(spend.spend) as spend,
        sum(spend.impressions) as impressions,
        sum(spend.clicks) as clicks,
    {%- if per_platform %}
        {%- for platform in ['meta_ads', 'google_ads'] %}
        sum(case when spend.platform = '{{ platform }}' then spend.conversions end)
            as {{ platform }}_reported_conversions,
        sum(case when spend.platform = '{{ platform }}' then spend.conversion_value end)
            as {{ platform }}_reported_conversion_value{% if not loop.last %},{% endif %}
        {%- endfor %}
    {%- else %}
        sum(spend.conversions) as platform_reported_conversions,
        sum(spend.conversion_value) as platform_reported_conversion_value
    {%- endif %}
{%- endmacro %}


{#-
    performance_spine: three CTEs: `models` (every attribution model of `models_from` with its credit level,
    `credit_level` an expression over it), `spend_per_model` (every row of `spend_totals` for every model) and
    `joined` (`credited` full outer join spend_per_model on the model and `keys`), so every model sees every key
    that spent money, credited or not, and every credited key, spent on or not. `carried` columns come from both
    sides (the spend side first), `spend_only` ones from the spend side. Missing credit and spend are 0;
    conversions_touched is null for channel-level credit (the standard Markov models credit no conversion in
    particular, so they touch none).
-#}
{% macro performance_spine(
    credited, spend_totals, keys, per_platform, carried=[], spend_only=[], models_from=none, credit_level='credit_level'
) -%}
models as (

    select distinct
        attribution_model,
        {{ credit_level }} as credit_level
    from {{ models_from or credited }}

),

spend_per_model as (

    select
        models.attribution_model,
        models.credit_level,
        {{ spend_totals }}.*
    from {{ spend_totals }}
    cross join models

),

joined as (

    select
        coalesce({{ credited }}.attribution_model, spend_per_model.attribution_model) as attribution_model,
        coalesce({{ credited }}.credit_level, spend_per_model.credit_level) as credit_level,
        {%- for key in keys %}
        coalesce({{ credited }}.{{ key }}, spend_per_model.{{ key }}) as {{ key }},
        {%- endfor %}
        {%- for column in carried %}
        coalesce(spend_per_model.{{ column }}, {{ credited }}.{{ column }}) as {{ column }},
        {%- endfor %}
        {%- for column in spend_only %}
        spend_per_model.{{ column }},
        {%- endfor %}
        coalesce({{ credited }}.attributed_conversions, 0) as attributed_conversions,
        coalesce({{ credited }}.attributed_new_customers, 0) as attributed_new_customers,
        coalesce({{ credited }}.attributed_revenue, 0) as attributed_revenue,
        case
            when coalesce({{ credited }}.credit_level, spend_per_model.credit_level) = 'touch'
                then coalesce({{ credited }}.conversions_touched, 0)
        end as conversions_touched,
        coalesce(spend_per_model.spend, 0) as spend,
        spend_per_model.impressions,
        spend_per_model.clicks,
        {%- for column in journeyhub.reported_conversion_columns(per_platform) %}
        spend_per_model.{{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ credited }}
    full outer join spend_per_model
        on {{ credited }}.attribution_model = spend_per_model.attribution_model
        {%- for key in keys %}
        and {{ credited }}.{{ key }} = spend_per_model.{{ key }}
        {%- endfor %}

)
{%- endmacro %}


{#- performance_measures: the measure columns of a report's final select over `joined`, in the reports' order:
    attributed conversions, new customers, revenue, conversions touched, spend, impressions, clicks, ROAS, cost per
    conversion, CAC (null without spend, conversions or customers: safe_ratio), then the reported conversions. -#}
{% macro performance_measures(per_platform) -%}
        attributed_conversions,
        attributed_new_customers,
        attributed_revenue,
        conversions_touched,
        spend,
        impressions,
        clicks,
        {{ journeyhub.safe_ratio('attributed_revenue', 'spend') }} as roas,
        {{ journeyhub.safe_ratio('spend', 'attributed_conversions') }} as cost_per_conversion,
        {{ journeyhub.safe_ratio('spend', 'attributed_new_customers') }} as cac,
        {%- for column in journeyhub.reported_conversion_columns(per_platform) %}
        {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
{%- endmacro %}
