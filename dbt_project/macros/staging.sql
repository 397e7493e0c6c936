{#-
    Incremental staging: every raw record is parsed once per version, when it arrives, instead of on every run.

    A raw table holds one row per record_id (connectors/raw/store.py merges new versions in place and never deletes;
    archiving is a flag), and every write sets `_extracted_at`. A staging model is an incremental table
    (dbt_project.yml) that stores each record's `_extracted_at` beside the parsed columns; an incremental run parses
    exactly the raw rows whose (record_id, _extracted_at) it has not stored yet - new records, new versions and
    re-reads - and replaces that record's rows (delete+insert on the record's key). Comparing versions rather than a
    high-water mark on the clock means a page committed late by a concurrent writer (PostgreSQL allows several) is
    still picked up, and clocks never matter. `dbt build --full-refresh` re-parses everything.
-#}

{#- unstaged_records: the WHERE clause of a staging model's source CTE (its raw relation aliased `raw_alias`):
    on incremental runs, only raw rows whose version is not stored yet. `key_column` is the model's column that
    holds the record id (`source_key` of the relation read, record_id for a raw table); `stored_filter` narrows the
    stored side when one table holds several streams. int_identity_edges_unioned uses it over staging tables. -#}
{% macro unstaged_records(key_column, raw_alias='raw_records', stored_filter=none, source_key='record_id') -%}
{%- if is_incremental() %}
    where not exists (
        select 1
        from {{ this }} as staged
        where staged.{{ key_column }} = {{ raw_alias }}.{{ source_key }}
            and staged._extracted_at = {{ raw_alias }}._extracted_at
            {%- if stored_filter %}
            and {{ stored_filter }}
            {%- endif %}
    )
{%- endif %}
{%- endmacro %}


{#-
    select_staged_children: the closing SELECT of a staging model with several rows per raw record (the items of a
    JSON array: property histories, associations, submitted values), used as a call block whose body selects the
    keys (named as in the model) of the raw records parsed in this run:

        {% call select_staged_children('renamed', ['contact_id']) -%}
            select record_id as contact_id from source
        {%- endcall %}

    delete+insert deletes by the keys present in the new rows, so a record whose new version has fewer items (or
    none) would keep its old ones. On incremental runs each parsed record therefore also gets one placeholder row
    (every column null but its keys), which makes delete+insert remove all of its stored rows; the post-hook
    delete_placeholder_rows then removes the placeholders (both in macros/placeholders.sql). A full refresh needs no
    placeholders, so the keys' CTE exists on incremental runs only.
-#}
{% macro select_staged_children(rows, key_columns) -%}
{%- if is_incremental() %}
-- the records parsed in this run (their placeholder rows clear items a new version dropped)
, parsed_records as (

    {{ caller() }}

)

select * from {{ rows }}
union all
{{ placeholder_rows('parsed_records', key_columns) }}
{%- else %}
select * from {{ rows }}
{%- endif %}
{%- endmacro %}
