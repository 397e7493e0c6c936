{#-
    Placeholder rows: how an incremental delete+insert model removes stored rows its new rows no longer cover.
    delete+insert deletes only the keys present in the new rows, so a key that should lose all (or some) of its rows
    gets one placeholder row: every column null but the key. The post-hook delete_placeholder_rows removes the
    placeholders again. Used by the person-level models (select_person_rows) and the staging models with several
    rows per record (select_staged_children).
-#}

{#- placeholder_rows: `select` one placeholder row per row of `keys` (a CTE holding `key_columns`), columns in the
    stored table's order. The nulls carry the stored column types: an untyped null would make PostgreSQL drop a
    numeric(28,6) column's precision in the union, and on_schema_change='fail' would then stop the run. -#}
{% macro placeholder_rows(keys, key_columns) -%}
select
    {%- for column in adapter.get_columns_in_relation(this) %}
    {% if column.name in key_columns %}{{ keys }}.{{ column.name }}{% else %}cast(null as {{ column.data_type }}){% endif %} as {{ column.name }}
    {%- if not loop.last %},{% endif %}
    {%- endfor %}
from {{ keys }}
{%- endmacro %}


{#- delete_placeholder_rows: post-hook of the models that write placeholder rows: removes them, recognised by
    `id_column`, which is never null on a real row (person_fingerprint, a staging row's surrogate id). A no-op after
    a full refresh. -#}
{% macro delete_placeholder_rows(id_column) -%}
    delete from {{ this }} where {{ id_column }} is null
{%- endmacro %}
