-- The performance reports add revenue and spend in one currency (var reporting_currency); a conversion or an ad
-- account in another currency would be added in without conversion. Warns (convert upstream to fix).
{{ config(severity='warn') }}

select
    'fct_conversions' as relation,
    currency,
    count(*) as row_count
from {{ ref('fct_conversions') }}
where currency is not null and currency <> '{{ var("reporting_currency") }}'
group by 1, 2

union all

select
    'fct_ad_spend_daily' as relation,
    currency,
    count(*) as row_count
from {{ ref('fct_ad_spend_daily') }}
where currency is not null and currency <> '{{ var("reporting_currency") }}'
group by 1, 2
