{{ config(unique_key='post_id') }}
with

source as (

    select raw_records.* from {{ source('social', 'facebook_posts') }} as raw_records
    {{ unstaged_records('post_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as post_id,
        {{ json_text('payload', ['from', 'id']) }} as page_id,

        ----------  strings
        {{ json_text('payload', ['from', 'name']) }} as page_name,
        nullif({{ json_text('payload', 'message') }}, '') as message,
        nullif({{ json_text('payload', 'permalink_url') }}, '') as permalink_url,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp(json_text('payload', 'created_time')) }} as created_at,
        _extracted_at

    from source

)

select * from renamed
