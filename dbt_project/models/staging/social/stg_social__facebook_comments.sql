{{ config(unique_key='comment_id') }}
with

source as (

    select raw_records.* from {{ source('social', 'facebook_comments') }} as raw_records
    {{ unstaged_records('comment_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as comment_id,
        {{ json_text('payload', 'post_id') }} as post_id,
        -- the commenter's page-scoped user id (the id Messenger uses too); null when Meta hides the commenter
        nullif({{ json_text('payload', ['from', 'id']) }}, '') as user_id,
        nullif({{ json_text('payload', ['parent', 'id']) }}, '') as parent_comment_id,

        ----------  strings
        nullif({{ json_text('payload', ['from', 'name']) }}, '') as user_name,
        nullif({{ json_text('payload', 'message') }}, '') as message,

        ----------  numerics
        coalesce(cast({{ json_text('payload', 'like_count') }} as {{ dbt.type_int() }}), 0) as like_count,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp(json_text('payload', 'created_time')) }} as created_at,
        _extracted_at

    from source

)

select * from renamed
