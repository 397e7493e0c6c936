{#- hubspot_property: a HubSpot CRM property from the raw v3 object payload, as text; HubSpot sends every
    property as a string, and an empty string means "no value", so both null and '' give null. -#}
{% macro hubspot_property(name, column='payload') -%}
    nullif({{ journeyhub.json_text(column, ['properties', name]) }}, '')
{%- endmacro %}


{#-
    hubspot_property_history: the whole staging model of one property's history on a HubSpot object stream
    (`propertiesWithHistory`, requested for contacts' lifecyclestage and deals' dealstage / amount): one row per
    history entry, i.e. per time the property was set, for the records parsed in this run (macros/staging.sql).
    `value_column` names the value (with `value_type` it is cast and listed with the numerics, else it stays text),
    `history_id` the row's key, a hash of the record id and the entry's position (default `<value_column>_history_id`).
    The model's config lives here too, so the three history models are one call each and cannot drift apart.
-#}
{% macro hubspot_property_history(stream, key_column, property, value_column, value_type=none, history_id=none) -%}
{%- set history_id = history_id or value_column ~ '_history_id' -%}
{{ config(
    unique_key=key_column,
    post_hook=["{{ delete_placeholder_rows('" ~ history_id ~ "') }}"],
) }}
{%- set value = "nullif(" ~ journeyhub.json_text('item', 'value') ~ ", '')" %}
with

source as (

    select raw_records.* from {{ source('hubspot', stream) }} as raw_records
    {{ journeyhub.unstaged_records(key_column) }}

),

history as (

    {{ journeyhub.json_array_items(
        'source', 'payload', ['propertiesWithHistory', property], ['record_id', 'is_archived', '_extracted_at']
    ) }}

),

renamed as (

    select

        ----------  ids
        {{ journeyhub.surrogate_key(['record_id', 'item_index']) }} as {{ history_id }},
        record_id as {{ key_column }},
        nullif({{ journeyhub.json_text('item', 'sourceId') }}, '') as change_source_id,
        nullif({{ journeyhub.json_text('item', 'updatedByUserId') }}, '') as updated_by_user_id,

        ----------  strings
        {%- if value_type is none %}
        {{ value }} as {{ value_column }},
        {%- endif %}
        nullif({{ journeyhub.json_text('item', 'sourceType') }}, '') as change_source_type,

        ----------  numerics
        {%- if value_type is not none %}
        cast({{ value }} as {{ value_type }}) as {{ value_column }},
        {%- endif %}
        -- position in HubSpot's list, which is newest first (0 = current value)
        item_index as history_index,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ journeyhub.iso_to_timestamp(journeyhub.json_text('item', 'timestamp')) }} as changed_at,

        ----------  load metadata
        _extracted_at

    from history

)

{% call journeyhub.select_staged_children('renamed', [key_column]) -%}
select record_id as {{ key_column }} from source
{%- endcall %}
{%- endmacro %}


{#- hubspot_stage_sequence: the body of a CTE putting a stage property's history entries (CTE `history`, a
    hubspot_property_history model) in time order: each entry as stage_to with the value before it as stage_from,
    keyed by the entry's `history_id`, per record (`key_column`). Re-setting a value gives stage_from = stage_to: the
    caller keeps the real changes. -#}
{% macro hubspot_stage_sequence(history_id, key_column, stage_column, history='history') -%}
    select
        {{ history_id }},
        {{ key_column }},
        {{ stage_column }} as stage_to,
        lag({{ stage_column }}) over (
            partition by {{ key_column }}
            -- HubSpot lists history newest first: on equal timestamps the higher index is the older entry
            order by changed_at asc, history_index desc
        ) as stage_from,
        change_source_type,
        updated_by_user_id,
        changed_at
    from {{ history }}
{%- endmacro %}


{#- hubspot_submission_emails: the body of a CTE giving each form submission (conversion_id) the email address
    typed into it, normalised, from the CTE of stg_hubspot__form_submission_values rows `submission_values`. -#}
{% macro hubspot_submission_emails(submission_values='form_submission_values') -%}
    select
        conversion_id,
        max({{ journeyhub.normalize_email('field_value') }}) as email_normalized
    from {{ submission_values }}
    where field_name = 'email'
        and field_value is not null
    group by conversion_id
{%- endmacro %}
