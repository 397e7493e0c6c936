{#- Timestamps in this project are timezone-naive and always UTC (`timestamp` in DuckDB, `timestamp without
    time zone` in PostgreSQL), like the raw layer's load metadata. -#}

{#- iso_to_timestamp: an ISO-8601 string with an offset or `Z` (HubSpot's `2026-03-05T08:00:00.456Z`) to a UTC
    timestamp. Empty strings give null. -#}
{% macro iso_to_timestamp(expr) -%}
    {{ return(adapter.dispatch('iso_to_timestamp', 'journeyhub')(expr)) }}
{%- endmacro %}

{% macro default__iso_to_timestamp(expr) -%}
    (cast(nullif({{ expr }}, '') as timestamp with time zone) at time zone 'UTC')
{%- endmacro %}

{#- A plain cast to timestamp would silently drop a non-zero offset in DuckDB, hence timestamptz first. -#}
{% macro duckdb__iso_to_timestamp(expr) -%}
    cast(timezone('UTC', cast(nullif({{ expr }}, '') as timestamptz)) as timestamp)
{%- endmacro %}


{#- epoch_ms_to_timestamp: epoch milliseconds (number or numeric string) to a UTC timestamp. -#}
{% macro epoch_ms_to_timestamp(expr) -%}
    {{ return(adapter.dispatch('epoch_ms_to_timestamp', 'journeyhub')(expr)) }}
{%- endmacro %}

{% macro default__epoch_ms_to_timestamp(expr) -%}
    (to_timestamp(cast(nullif(cast({{ expr }} as varchar), '') as bigint) / 1000.0) at time zone 'UTC')
{%- endmacro %}

{% macro duckdb__epoch_ms_to_timestamp(expr) -%}
    epoch_ms(cast(nullif(cast({{ expr }} as varchar), '') as bigint))
{%- endmacro %}


{#- seconds_between: whole seconds from `start` to `end` (timestamps; negative when end is earlier). -#}
{% macro seconds_between(start, end) -%}
    {{ return(adapter.dispatch('seconds_between', 'journeyhub')(start, end)) }}
{%- endmacro %}

{% macro default__seconds_between(start, end) -%}
    cast(floor(extract(epoch from ({{ end }} - {{ start }}))) as bigint)
{%- endmacro %}

{% macro duckdb__seconds_between(start, end) -%}
    (epoch_ms({{ end }}) - epoch_ms({{ start }})) // 1000
{%- endmacro %}


{#- add_seconds: a timestamp plus a number of seconds (an SQL expression, may be fractional). -#}
{% macro add_seconds(ts, seconds) -%}
    {{ return(adapter.dispatch('add_seconds', 'journeyhub')(ts, seconds)) }}
{%- endmacro %}

{% macro default__add_seconds(ts, seconds) -%}
    ({{ ts }} + ({{ seconds }}) * interval '1 second')
{%- endmacro %}

{% macro duckdb__add_seconds(ts, seconds) -%}
    ({{ ts }} + to_microseconds(cast(cast({{ seconds }} as double) * 1000000 as bigint)))
{%- endmacro %}
