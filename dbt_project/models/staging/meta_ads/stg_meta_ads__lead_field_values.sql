-- One row per Lead Ads submission and answered field (`field_data[]`: {name, values[]}), so custom questions
-- are never lost; stg_meta_ads__leads pivots the standard fields into columns.
{{ config(materialized='table') }}  {# a few rows per ad and day: rebuilt in full every run #}
with

source as (

    select * from {{ source('meta_ads', 'leads') }}

),

fields as (

    {{ json_array_items('source', 'payload', 'field_data', ['record_id']) }}

),

renamed as (

    select

        ----------  ids
        {{ surrogate_key(['record_id', 'item_index']) }} as lead_field_value_id,
        record_id as lead_id,

        ----------  strings
        -- Meta's field key: email, full_name, phone_number, ... or the key of a custom question
        lower({{ json_text('item', 'name') }}) as field_name,
        -- the first answer: every standard field has exactly one
        nullif({{ json_text('item', ['values', 0]) }}, '') as field_value,
        -- every answer, as JSON text (multiple-choice questions can have several)
        {{ json_text('item', 'values') }} as field_values_json,

        ----------  numerics
        item_index as field_index

    from fields

)

select * from renamed
