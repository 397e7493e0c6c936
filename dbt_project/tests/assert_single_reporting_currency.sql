-- The performance reports add revenue and spend in one currency (var reporting_currency); a conversion or an ad
-- account in another currency would be added in without conversion. Warns (convert upstream to fix).
{{ config(severity='warn') }}
{% for relation in ['fct_conversions', 'fct_ad_spend_daily'] %}
select
    '{{ relation }}' as relation,
    currency,
    count(*) as row_count
from {{ ref(relation) }}
where currency is not null and currency <> '{{ var("reporting_currency") }}'
group by 1, 2
{% if not loop.last %}union all{% endif %}
{% endfor %}
