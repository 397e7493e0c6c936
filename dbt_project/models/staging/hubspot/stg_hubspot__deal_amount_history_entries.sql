-- One row per entry of a deal's amount history (propertiesWithHistory), i.e. per time the amount was set.
{{
    config(
        unique_key='deal_id',
        post_hook=["{{ delete_placeholder_rows('deal_amount_history_id') }}"],
    )
}}
with

source as (

    select * from {{ source('hubspot', 'deals') }} as raw_records
    {{ unstaged_records('deal_id') }}

),

history as (

    {{ json_array_items('source', 'payload', ['propertiesWithHistory', 'amount'], ['record_id', 'is_archived', '_extracted_at']) }}

),

renamed as (

    select

        ----------  ids
        {{ surrogate_key(['record_id', 'item_index']) }} as deal_amount_history_id,
        record_id as deal_id,
        nullif({{ json_text('item', 'sourceId') }}, '') as change_source_id,
        nullif({{ json_text('item', 'updatedByUserId') }}, '') as updated_by_user_id,

        ----------  strings
        nullif({{ json_text('item', 'sourceType') }}, '') as change_source_type,

        ----------  numerics
        cast(nullif({{ json_text('item', 'value') }}, '') as {{ dbt.type_numeric() }}) as amount,
        -- position in HubSpot's list, which is newest first (0 = current value)
        item_index as history_index,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp(json_text('item', 'timestamp')) }} as changed_at,

        ----------  load metadata
        _extracted_at

    from history

),

-- the records parsed in this run (their placeholder rows clear items a new version dropped)
parsed_records as (

    select record_id as deal_id from source

)

{{ select_staged_children('renamed', 'parsed_records', ['deal_id']) }}
