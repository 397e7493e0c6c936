-- One row per answer of a Typeform response: the question (field id, ref and type) and the value in the column of
-- its answer type (number, text, choice, boolean, email, date). Typed and renamed only.
{{
    config(
        unique_key='response_id',
        post_hook=["{{ delete_placeholder_rows('answer_id') }}"],
    )
}}
with

source as (

    select raw_records.* from {{ source('typeform', 'responses') }} as raw_records
    {{ unstaged_records('response_id') }}

),

answers as (

    {{ json_array_items('source', 'payload', 'answers', ['record_id', 'payload', '_extracted_at']) }}

),

renamed as (

    select

        ----------  ids
        {{ surrogate_key(['record_id', 'item_index']) }} as answer_id,
        record_id as response_id,
        {{ json_text('payload', 'form_id') }} as form_id,
        {{ json_text('item', ['field', 'id']) }} as field_id,
        {{ json_text('item', ['field', 'ref']) }} as field_ref,

        ----------  strings
        {{ json_text('item', ['field', 'type']) }} as field_type,
        {{ json_text('item', 'type') }} as answer_type,
        {{ json_text('item', 'text') }} as answer_text,
        {{ json_text('item', ['choice', 'label']) }} as answer_choice_label,
        {{ json_text('item', ['choice', 'ref']) }} as answer_choice_ref,
        -- the first label of a multiple selection (choices); the whole JSON array's text differs between engines
        {{ json_text('item', ['choices', 'labels', 0]) }} as answer_first_choice_label,
        {{ json_text('item', 'email') }} as answer_email,
        {{ json_text('item', 'date') }} as answer_date,

        ----------  numerics
        item_index as answer_index,
        cast({{ json_text('item', 'number') }} as {{ dbt.type_numeric() }}) as answer_number,

        ----------  booleans
        cast({{ json_text('item', 'boolean') }} as boolean) as answer_boolean,

        ----------  load metadata
        _extracted_at

    from answers

)

{% call select_staged_children('renamed', ['response_id']) -%}
select record_id as response_id from source
{%- endcall %}
