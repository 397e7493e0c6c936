{#- campaign_key: the deterministic key of an advertising or email campaign across sources: a hash of the platform
    (`meta_ads`, `google_ads`, `mailchimp`: the source_system vocabulary) and the platform's campaign id; null when
    the campaign id is null. fct_ad_spend_daily and the touches of fct_touchpoints carry the same key, so spend and
    touches join on it. `platform` is a SQL expression (usually a quoted literal). -#}
{% macro campaign_key(platform, campaign_id) -%}
    case when {{ campaign_id }} is not null then {{ journeyhub.surrogate_key([platform, campaign_id]) }} end
{%- endmacro %}


{#- micros_to_units: a money amount in micros (Google Ads `costMicros`, an int64 sent as a string) to currency
    units, exact to the micro: '12340000' -> 12.340000. -#}
{% macro micros_to_units(expr) -%}
    {{ journeyhub.minor_units(
        'cast(nullif(cast(' ~ expr ~ ' as ' ~ dbt.type_string() ~ "), '') as " ~ dbt.type_bigint() ~ ')', 6) }}
{%- endmacro %}


{#- numeric_string: a metric sent as a JSON string (Meta insights: "12.34", "1532") to numeric; empty as null. -#}
{% macro numeric_string(expr, data_type=none) -%}
    cast(nullif({{ expr }}, '') as {{ data_type or dbt.type_numeric() }})
{%- endmacro %}
