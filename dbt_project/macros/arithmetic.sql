{#-
    Arithmetic that gives the same value on every engine.

    `round(x / 60.0, 1)` is not portable: DuckDB divides in binary floating point and rounds the double (848.55 is
    stored as 848.5499..., so it rounds to 848.5), PostgreSQL divides in exact decimal and rounds 848.55 up to 848.6.
    The macros below never round a float: they divide integers exactly, round half away from zero in integer
    arithmetic, and only then turn the result into a double by one correctly rounded division, which every IEEE
    engine performs identically.
-#}

{#- integer_div: the integer quotient of two integer expressions, truncated toward zero (C semantics: -7 / 2 = -3).
    DuckDB's `/` on integers returns a double, so it has `//`. -#}
{% macro integer_div(numerator, denominator) -%}
    {{ return(adapter.dispatch('integer_div', 'journeyhub')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__integer_div(numerator, denominator) -%}
    (cast({{ numerator }} as {{ dbt.type_bigint() }}) / cast({{ denominator }} as {{ dbt.type_bigint() }}))
{%- endmacro %}

{% macro duckdb__integer_div(numerator, denominator) -%}
    (cast({{ numerator }} as {{ dbt.type_bigint() }}) // cast({{ denominator }} as {{ dbt.type_bigint() }}))
{%- endmacro %}

{% macro spark__integer_div(numerator, denominator) -%}
    (cast({{ numerator }} as {{ dbt.type_bigint() }}) div cast({{ denominator }} as {{ dbt.type_bigint() }}))
{%- endmacro %}


{#- rounded_ratio: numerator / denominator rounded to `digits` decimals, half away from zero, as a double; both
    arguments are integer expressions (counts, seconds). Null when the denominator is null or zero.
    50913 seconds / 60 at 1 digit: (50913 * 20 + 60) div 120 = 8486, then 8486 / 10.0 = 848.6 on every engine. -#}
{% macro rounded_ratio(numerator, denominator, digits) -%}
    {%- set scale = 10 ** digits -%}
    case
        when {{ denominator }} <> 0 then
            cast(
                case when ({{ numerator }} < 0) <> ({{ denominator }} < 0) then -1 else 1 end
                * {{ journeyhub.integer_div(
                    'abs(' ~ numerator ~ ') * ' ~ (2 * scale) ~ ' + abs(' ~ denominator ~ ')',
                    '2 * abs(' ~ denominator ~ ')') }}
                as {{ journeyhub.type_double() }}
            ) / cast({{ scale }} as {{ journeyhub.type_double() }})
    end
{%- endmacro %}


{#- minor_units: an amount counted in 10^-digits of a unit (Meta's budget cents at 2, Google's micros at 6) in
    units, as an exact numeric: '1234' at 2 digits -> 12.34. Multiplying by a decimal literal keeps DuckDB in decimal
    arithmetic (its decimal division returns a double). -#}
{% macro minor_units(expr, digits) -%}
    cast(
        cast({{ expr }} as {{ dbt.type_numeric() }}) * {{ '0.' ~ ('0' * (digits - 1)) ~ '1' }}
        as {{ dbt.type_numeric() }}
    )
{%- endmacro %}
