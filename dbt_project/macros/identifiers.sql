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
