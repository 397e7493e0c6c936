{{ config(unique_key='media_id') }}
with

source as (

    select raw_records.* from {{ source('social', 'instagram_media') }} as raw_records
    {{ unstaged_records('media_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as media_id,

        ----------  strings
        nullif({{ json_text('payload', 'caption') }}, '') as caption,
        {{ json_text('payload', 'media_type') }} as media_type,
        nullif({{ json_text('payload', 'permalink') }}, '') as permalink_url,

        ----------  numerics
        -- lifetime totals as of the sync
        cast({{ json_text('payload', 'like_count') }} as {{ dbt.type_int() }}) as like_count,
        cast({{ json_text('payload', 'comments_count') }} as {{ dbt.type_int() }}) as comments_count,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp(json_text('payload', 'timestamp')) }} as created_at,
        _extracted_at

    from source

)

select * from renamed
