-- One row per reaction to a Page post (post and reacting user). Meta gives reactions no time.
{{ config(unique_key='reaction_id') }}
with

source as (

    select raw_records.* from {{ source('social', 'facebook_reactions') }} as raw_records
    {{ unstaged_records('reaction_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as reaction_id,
        {{ json_text('payload', 'post_id') }} as post_id,
        -- the reacting user's page-scoped id
        nullif({{ json_text('payload', 'id') }}, '') as user_id,

        ----------  strings
        nullif({{ json_text('payload', 'name') }}, '') as user_name,
        -- LIKE, LOVE, WOW, HAHA, SAD, ANGRY, CARE
        upper({{ json_text('payload', 'type') }}) as reaction_type,

        ----------  booleans
        is_archived,
        _extracted_at

    from source

)

select * from renamed
