{{ config(unique_key='comment_id') }}
with

source as (

    select raw_records.* from {{ source('social', 'instagram_comments') }} as raw_records
    {{ unstaged_records('comment_id') }}

),

extracted as (

    select
        record_id,
        {{ json_text('payload', 'media_id') }} as media_id,
        nullif({{ json_text('payload', ['from', 'id']) }}, '') as user_id,
        coalesce(
            nullif({{ json_text('payload', 'username') }}, ''),
            nullif({{ json_text('payload', ['from', 'username']) }}, '')
        ) as username,
        nullif({{ json_text('payload', 'text') }}, '') as comment_text,
        {{ json_text('payload', 'like_count') }} as like_count,
        {{ json_text('payload', 'timestamp') }} as comment_timestamp,
        is_archived,
        _extracted_at
    from source

),

renamed as (

    select

        ----------  ids
        record_id as comment_id,
        media_id,
        -- the commenter's Instagram-scoped user id (when Meta returns `from`)
        user_id,

        ----------  strings
        username,
        -- the handle in the form identities match on (lower case, no leading @)
        {{ normalize_handle('username') }} as username_normalized,
        comment_text,

        ----------  numerics
        coalesce(cast(like_count as {{ dbt.type_int() }}), 0) as like_count,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp('comment_timestamp') }} as created_at,
        _extracted_at

    from extracted

)

select * from renamed
