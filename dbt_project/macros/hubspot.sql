{#- hubspot_property: a HubSpot CRM property from the raw v3 object payload, as text; HubSpot sends every
    property as a string, and an empty string means "no value", so both null and '' give null. -#}
{% macro hubspot_property(name, column='payload') -%}
    nullif({{ journeyhub.json_text(column, ['properties', name]) }}, '')
{%- endmacro %}
