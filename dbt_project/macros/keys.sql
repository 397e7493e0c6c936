{#- surrogate_key: a deterministic md5 key over `fields` (SQL expressions), null-safe and order-sensitive, the
    same on every adapter (the dbt_utils.generate_surrogate_key recipe, on dbt's built-in cross-db macros). -#}
{% macro surrogate_key(fields) -%}
    {%- set parts = [] -%}
    {%- for field in fields -%}
        {%- do parts.append("coalesce(cast(" ~ field ~ " as " ~ dbt.type_string() ~ "), '_null_')") -%}
        {%- if not loop.last -%}
            {%- do parts.append("'|'") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
