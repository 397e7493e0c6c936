with

source as (

    select * from {{ source('hubspot', 'form_submissions') }}

),

submitted_values as (

    {{ json_array_items('source', 'payload', 'values', ['record_id']) }}

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
        item_index as value_index

    from submitted_values

)

select * from renamed
