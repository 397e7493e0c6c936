{#-
    The attribution tables are written by the Dagster asset marts/fct_attribution (the numpy engine in attribution/),
    not by dbt, all three in one transaction: fct_attribution (touch-level models), fct_attribution_channel_totals
    (the standard Markov models, channel-level) and fct_markov_removal_effects. This on-run-start hook creates them
    empty when they do not exist yet, so a plain `dbt build` (before the asset first ran, or on a fresh PostgreSQL
    database) still builds the reports that read them. The asset replaces the tables with the same columns
    (pipelines/transform/attribution.py ATTRIBUTION_COLUMNS; attribution/duckdb_io.py CHANNEL_TOTAL_COLUMNS;
    attribution/standard_markov.py REMOVAL_EFFECT_COLUMNS).
-#}
{% macro create_attribution_table_if_missing() -%}
    {%- if execute -%}
    {%- set marts = adapter.quote('marts') -%}
    create schema if not exists {{ marts }};
    create table if not exists {{ marts }}.{{ adapter.quote('fct_attribution') }} (
        attribution_id {{ dbt.type_string() }},
        attribution_model {{ dbt.type_string() }},
        conversion_id {{ dbt.type_string() }},
        touchpoint_id {{ dbt.type_string() }},
        person_key {{ dbt.type_string() }},
        conversion_type {{ dbt.type_string() }},
        is_first_conversion {{ dbt.type_boolean() }},
        converted_at {{ dbt.type_timestamp() }},
        currency {{ dbt.type_string() }},
        channel {{ dbt.type_string() }},
        sub_channel {{ dbt.type_string() }},
        campaign_key {{ dbt.type_string() }},
        campaign {{ dbt.type_string() }},
        touched_at {{ dbt.type_timestamp() }},
        credit {{ journeyhub.type_double() }},
        revenue_credit {{ journeyhub.type_double() }}
    );
    create table if not exists {{ marts }}.{{ adapter.quote('fct_attribution_channel_totals') }} (
        attribution_model {{ dbt.type_string() }},
        channel {{ dbt.type_string() }},
        currency {{ dbt.type_string() }},
        conversions {{ journeyhub.type_double() }},
        new_customers {{ journeyhub.type_double() }},
        revenue {{ journeyhub.type_double() }}
    );
    create table if not exists {{ marts }}.{{ adapter.quote('fct_markov_removal_effects') }} (
        attribution_model {{ dbt.type_string() }},
        markov_order {{ dbt.type_int() }},
        channel {{ dbt.type_string() }},
        currency {{ dbt.type_string() }},
        journeys {{ dbt.type_bigint() }},
        converting_journeys {{ dbt.type_bigint() }},
        conversion_probability {{ journeyhub.type_double() }},
        conversion_probability_without_channel {{ journeyhub.type_double() }},
        removal_effect {{ journeyhub.type_double() }},
        conversion_share {{ journeyhub.type_double() }},
        revenue {{ journeyhub.type_double() }},
        revenue_per_journey {{ journeyhub.type_double() }},
        revenue_per_journey_without_channel {{ journeyhub.type_double() }},
        revenue_removal_effect {{ journeyhub.type_double() }},
        revenue_share {{ journeyhub.type_double() }},
        chain_states {{ dbt.type_bigint() }},
        chain_transitions {{ dbt.type_bigint() }},
        solver {{ dbt.type_string() }},
        error_bound {{ journeyhub.type_double() }}
    )
    {%- endif -%}
{%- endmacro %}

{#- safe_ratio: numerator / denominator as a float, null when the denominator is null or not positive (ROAS of a
    channel without spend, CAC without customers) instead of a division error or infinity. -#}
{% macro safe_ratio(numerator, denominator) -%}
    case
        when {{ denominator }} > 0
            then cast({{ numerator }} as {{ journeyhub.type_double() }}) / cast({{ denominator }} as {{ journeyhub.type_double() }})
    end
{%- endmacro %}

{#- type_double: an 8-byte float. dbt.type_float() is `float`, which DuckDB reads as 4 bytes (7 digits: ROAS and
    CAC would round visibly); `double precision` is the SQL standard name on DuckDB, PostgreSQL and Snowflake. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'journeyhub')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}
