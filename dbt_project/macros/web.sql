{#-
    The web sources are optional: a HubSpot portal without the Events API (below Enterprise) ends its web_events
    stream unavailable, and a business without Segment-spec event files has no raw_segment schema at all. This
    on-run-start hook creates their raw tables empty, in the raw layer's own shape (connectors/raw/store.py
    RawStore.ensure_stream: the connectors create the same table with `create table if not exists`), so the
    project builds without them: the web models are then empty and every person comes from the CRM sources.
    The customer's voice is optional the same way: a business without Typeform, Trustpilot or Google Business
    Profile has no raw schema for it, and a warehouse synced before the marketing events streams existed has no
    raw_hubspot.marketing_event* tables.
-#}
{% macro create_web_raw_tables_if_missing() -%}
    {%- if execute -%}
    {%- for schema, table in [
        ('raw_segment', 'events'), ('raw_hubspot', 'web_events'),
        ('raw_hubspot', 'marketing_events'), ('raw_hubspot', 'marketing_event_participations'),
        ('raw_typeform', 'forms'), ('raw_typeform', 'responses'), ('raw_trustpilot', 'reviews'),
        ('raw_google_business', 'locations'), ('raw_google_business', 'reviews'),
    ] %}
    create schema if not exists {{ adapter.quote(schema) }};
    create table if not exists {{ adapter.quote(schema) }}.{{ adapter.quote(table) }} (
        record_id {{ dbt.type_string() }} primary key,
        payload {{ journeyhub.type_json() }} not null,
        record_updated_at {{ dbt.type_timestamp() }},
        is_archived {{ dbt.type_boolean() }} not null default false,
        _extracted_at {{ dbt.type_timestamp() }} not null,
        _sync_id {{ dbt.type_string() }} not null
    );
    {%- endfor %}
    {%- endif -%}
{%- endmacro %}


{#- type_json: the raw layer's JSON column type (DuckDB json, PostgreSQL jsonb). -#}
{% macro type_json() -%}
    {{ return(adapter.dispatch('type_json', 'journeyhub')()) }}
{%- endmacro %}

{% macro default__type_json() -%}
    jsonb
{%- endmacro %}

{% macro duckdb__type_json() -%}
    json
{%- endmacro %}
