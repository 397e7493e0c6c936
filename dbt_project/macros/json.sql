{#-
    Cross-database JSON access. Raw payloads are `json` in DuckDB and `jsonb` in PostgreSQL; models never touch
    either dialect's operators directly, only these macros.

    `path` is a list of object keys (strings) and array positions (integers, 0-based), e.g.
    ['properties', 'email'] or ['associationTypes', 0, 'typeId']. A bare string is one key.
-#}

{% macro _json_path_parts(path) -%}
    {%- if path is string -%}
        {{ return([path]) }}
    {%- else -%}
        {{ return(path) }}
    {%- endif -%}
{%- endmacro %}

{#- DuckDB JSONPath: $."key"[0]."key2" (keys quoted so any character is safe). -#}
{% macro _duckdb_json_path(path) -%}
    {%- set ns = namespace(p='$') -%}
    {%- for part in journeyhub._json_path_parts(path) -%}
        {%- if part is number -%}
            {%- set ns.p = ns.p ~ '[' ~ part ~ ']' -%}
        {%- else -%}
            {%- set ns.p = ns.p ~ '."' ~ part ~ '"' -%}
        {%- endif -%}
    {%- endfor -%}
    '{{ ns.p }}'
{%- endmacro %}

{#- PostgreSQL text[] path for #> / #>>: '{"key",0,"key2"}'. -#}
{% macro _postgres_json_path(path) -%}
    {%- set parts = [] -%}
    {%- for part in journeyhub._json_path_parts(path) -%}
        {%- if part is number -%}
            {%- do parts.append(part | string) -%}
        {%- else -%}
            {%- do parts.append('"' ~ part ~ '"') -%}
        {%- endif -%}
    {%- endfor -%}
    '{{ "{" ~ parts | join(",") ~ "}" }}'
{%- endmacro %}


{#- json_text: the value at `path` as text (JSON null and missing keys give null; numbers and booleans their
    literal text; objects and arrays their JSON text). -#}
{% macro json_text(column, path) -%}
    {{ return(adapter.dispatch('json_text', 'journeyhub')(column, path)) }}
{%- endmacro %}

{% macro default__json_text(column, path) -%}
    ({{ column }} #>> {{ journeyhub._postgres_json_path(path) }})
{%- endmacro %}

{% macro duckdb__json_text(column, path) -%}
    json_extract_string({{ column }}, {{ journeyhub._duckdb_json_path(path) }})
{%- endmacro %}


{#- json_get: the value at `path` as JSON (json in DuckDB, jsonb in PostgreSQL). -#}
{% macro json_get(column, path) -%}
    {{ return(adapter.dispatch('json_get', 'journeyhub')(column, path)) }}
{%- endmacro %}

{% macro default__json_get(column, path) -%}
    ({{ column }} #> {{ journeyhub._postgres_json_path(path) }})
{%- endmacro %}

{% macro duckdb__json_get(column, path) -%}
    json_extract({{ column }}, {{ journeyhub._duckdb_json_path(path) }})
{%- endmacro %}


{#-
    json_array_items: a complete SELECT that unnests the JSON array at `path` of `json_column` in `relation`
    (a ref, a source or a CTE name) into one row per element, carrying `columns` (plain column names of the
    relation) along. Adds `item` (the element, as JSON) and `item_index` (0-based position in the array).
    Rows whose value at `path` is missing, null or not an array produce no rows. Use it as a CTE body:

        history as (
            {{ json_array_items('source', 'payload', ['propertiesWithHistory', 'dealstage'], ['record_id']) }}
        )
-#}
{% macro json_array_items(relation, json_column, path, columns=[]) -%}
    {{ return(adapter.dispatch('json_array_items', 'journeyhub')(relation, json_column, path, columns)) }}
{%- endmacro %}

{% macro default__json_array_items(relation, json_column, path, columns) -%}
    {%- set array_expr = journeyhub.json_get('_src.' ~ json_column, path) -%}
    select
        {%- for c in columns %}
        _src.{{ c }},
        {%- endfor %}
        _elements.item,
        cast(_elements.item_ordinality - 1 as integer) as item_index
    from {{ relation }} as _src
    cross join lateral jsonb_array_elements(
        case when jsonb_typeof({{ array_expr }}) = 'array' then {{ array_expr }} else '[]'::jsonb end
    ) with ordinality as _elements (item, item_ordinality)
{%- endmacro %}

{#- DuckDB: list unnest in the select list is several times faster than json_each or a lateral join. -#}
{% macro duckdb__json_array_items(relation, json_column, path, columns) -%}
    {%- set json_path = journeyhub._duckdb_json_path(path) -%}
    select
        {%- for c in columns %}
        {{ c }},
        {%- endfor %}
        unnest(_items) as item,
        cast(generate_subscripts(_items, 1) - 1 as integer) as item_index
    from (
        select
            {%- for c in columns %}
            {{ c }},
            {%- endfor %}
            cast(
                case when json_type({{ json_column }}, {{ json_path }}) = 'ARRAY'
                    then json_extract({{ json_column }}, {{ json_path }}) end
                as json[]
            ) as _items
        from {{ relation }}
    ) as _arrays
{%- endmacro %}
