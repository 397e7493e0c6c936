{#-
    Layer schemas are used as named (`staging`, `intermediate`, `marts`, `reference`) instead of dbt's default
    `<target schema>_<custom schema>`: the DuckDB warehouse file (or the Postgres database) is the unit of
    isolation, and BI users and the publish step read `marts.fct_touchpoints`, not `main_marts.fct_touchpoints`.
    Nodes without a custom schema (e.g. stored test failures) go to the target's schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
