-- One row per question (field) of a Typeform form, with the scale of scored questions (opinion_scale: `steps`
-- from 0, or from 1 with start_at_one; rating: 1 to `steps`). Typed and renamed only.
{{
    config(
        unique_key='form_id',
        post_hook=["{{ delete_placeholder_rows('form_field_id') }}"],
    )
}}
with

source as (

    select raw_records.* from {{ source('typeform', 'forms') }} as raw_records
    {{ unstaged_records('form_id') }}

),

fields as (

    {{ json_array_items('source', 'payload', 'fields', ['record_id', '_extracted_at']) }}

),

renamed as (

    select

        ----------  ids
        {{ surrogate_key(['record_id', 'item_index']) }} as form_field_id,
        record_id as form_id,
        {{ json_text('item', 'id') }} as field_id,
        {{ json_text('item', 'ref') }} as field_ref,

        ----------  strings
        {{ json_text('item', 'type') }} as field_type,
        {{ json_text('item', 'title') }} as field_title,

        ----------  numerics
        item_index as field_index,
        cast({{ json_text('item', ['properties', 'steps']) }} as integer) as scale_steps,

        ----------  booleans
        coalesce(cast({{ json_text('item', ['properties', 'start_at_one']) }} as boolean), false) as starts_at_one,

        ----------  load metadata
        _extracted_at

    from fields

)

{% call select_staged_children('renamed', ['form_id']) -%}
select record_id as form_id from source
{%- endcall %}
