{{
    config(
        unique_key='conversion_id',
        post_hook=["{{ delete_placeholder_rows('form_submission_value_id') }}"],
    )
}}
with

source as (

    select raw_records.* from {{ source('hubspot', 'form_submissions') }} as raw_records
    {{ unstaged_records('conversion_id') }}

),

submitted_values as (

    {{ json_array_items('source', 'payload', 'values', ['record_id', '_extracted_at']) }}

),

renamed as (

    select

        ----------  ids
        {{ surrogate_key(['record_id', 'item_index']) }} as form_submission_value_id,
        record_id as conversion_id,

        ----------  strings
        lower({{ json_text('item', 'name') }}) as field_name,
        nullif({{ json_text('item', 'value') }}, '') as field_value,
        -- the CRM object type the field writes to: 0-1 contact, 0-2 company
        {{ json_text('item', 'objectTypeId') }} as object_type_id,

        ----------  numerics
        item_index as value_index,

        ----------  load metadata
        _extracted_at

    from submitted_values

)

{% call select_staged_children('renamed', ['conversion_id']) -%}
select record_id as conversion_id from source
{%- endcall %}
