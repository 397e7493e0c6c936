-- One row per Google Business Profile review, in its latest version: the location, the stars (ONE..FIVE as 1-5),
-- whether it has a comment and an owner's reply. No person: the reviewer's display name is no identifier.
-- Typed and renamed only; the comment text stays in the raw layer.
{{ config(unique_key='review_name') }}
with

source as (

    select raw_records.* from {{ source('google_business', 'reviews') }} as raw_records
    {{ unstaged_records('review_name') }}

),

renamed as (

    select

        ----------  ids
        record_id as review_name,
        {{ json_text('payload', 'reviewId') }} as review_id,
        {{ json_text('payload', 'location_name') }} as account_location_name,
        {{ regex_group(json_text('payload', 'location_name'), "'([^/]+)$'") }} as location_id,

        ----------  strings
        {{ json_text('payload', 'starRating') }} as star_rating,

        ----------  numerics
        case {{ json_text('payload', 'starRating') }}
            when 'ONE' then 1
            when 'TWO' then 2
            when 'THREE' then 3
            when 'FOUR' then 4
            when 'FIVE' then 5
        end as stars,

        ----------  booleans
        nullif({{ json_text('payload', 'comment') }}, '') is not null as has_comment,
        {{ json_text('payload', ['reviewReply', 'comment']) }} is not null as has_reply,
        coalesce(cast({{ json_text('payload', ['reviewer', 'isAnonymous']) }} as boolean), false) as is_anonymous,

        ----------  timestamps
        {{ iso_to_timestamp(json_text('payload', 'createTime')) }} as created_at,
        {{ iso_to_timestamp(json_text('payload', 'updateTime')) }} as updated_at,
        {{ iso_to_timestamp(json_text('payload', ['reviewReply', 'updateTime'])) }} as replied_at,
        _extracted_at

    from source

)

select * from renamed
