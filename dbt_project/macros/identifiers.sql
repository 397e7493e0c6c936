{#- normalize_email: the form email addresses are matched in: trimmed and lower-cased, empty as null. Every source
    (HubSpot contacts and form values, Mailchimp members, Meta Lead Ads) goes through this one expression, so an
    address typed `  Jane.Doe@Example.com` anywhere resolves to the same identifier. -#}
{% macro normalize_email(expr) -%}
    nullif(lower(trim({{ expr }})), '')
{%- endmacro %}


{#- normalize_handle: a social media handle as platforms store it: trimmed, lower-cased, without a leading `@`
    (people type `@Jane.Doe` into forms; Instagram stores `jane.doe`). Empty as null. -#}
{% macro normalize_handle(expr) -%}
    nullif(ltrim(lower(trim({{ expr }})), '@'), '')
{%- endmacro %}


{#-
    normalize_phone: a phone number as typed (`(415) 555-0100`, `415.555.0100`, `+1 415 555 0100`, `1-415-555-0100`,
    `4155550100`, `0044 20 7946 0000`, ...) in E.164 (`+14155550100`), or null when it cannot be one.
      * a leading `+` or `00` means the number already carries its country code;
      * otherwise the number is national, in the default country (`country_code`, default the var
        `identity_default_country_code`, '1' = North America): for NANP ('1') ten digits get `+1`, eleven digits
        starting with 1 get `+`; elsewhere the trunk prefix 0 is dropped before the country code;
      * the result must have 8 to 15 digits, else null (extensions, typos, short codes).
    regexp_replace(..., 'g') is the same call in DuckDB and PostgreSQL.
-#}
{% macro normalize_phone(expr, country_code=none) -%}
    {%- set cc = (country_code or var('identity_default_country_code', '1')) | string -%}
    {%- set digits = "regexp_replace(" ~ expr ~ ", '[^0-9]', '', 'g')" -%}
    {%- set e164 -%}
        case
            when ltrim({{ expr }}) like '+%' then '+' || {{ digits }}
            when {{ digits }} like '00%' then '+' || substr({{ digits }}, 3)
            {%- if cc == '1' %}
            when length({{ digits }}) = 11 and {{ digits }} like '1%' then '+' || {{ digits }}
            when length({{ digits }}) = 10 then '+1' || {{ digits }}
            {%- else %}
            when {{ digits }} like '0%' then '+{{ cc }}' || substr({{ digits }}, 2)
            else '+{{ cc }}' || {{ digits }}
            {%- endif %}
        end
    {%- endset -%}
    case when length({{ e164 }}) between 9 and 16 then {{ e164 }} end
{%- endmacro %}
