-- Every engagement with the brand's organic social posts, one row per Facebook comment, Facebook reaction and
-- Instagram comment, with the post it belongs to and the platform identifier of the person behind it (when the
-- platform shows one): the page-scoped user id on Facebook, the username on Instagram. Replies by the Page itself
-- are not engagement and are left out. Meta gives reactions no time: a reaction is dated by its post's publication
-- (the earliest it can have happened). Instagram likes exist only as lifetime counts on the media, not per person.
with

facebook_posts as (

    select * from {{ ref('stg_social__facebook_posts') }}

),

facebook_comments as (

    select * from {{ ref('stg_social__facebook_comments') }}
    where not is_archived

),

facebook_reactions as (

    select * from {{ ref('stg_social__facebook_reactions') }}
    where not is_archived

),

instagram_media as (

    select * from {{ ref('stg_social__instagram_media') }}

),

instagram_comments as (

    select * from {{ ref('stg_social__instagram_comments') }}
    where not is_archived

),

engagements as (

    select
        'facebook_comments' as source_stream,
        facebook_comments.comment_id as source_record_id,
        'facebook' as platform,
        'comment' as engagement_type,
        facebook_comments.post_id,
        facebook_posts.created_at as post_created_at,
        coalesce(facebook_posts.message, facebook_posts.permalink_url) as post_text,
        'facebook_user_id' as identifier_type,
        facebook_comments.user_id as identifier_value,
        cast(null as {{ dbt.type_string() }}) as reaction_type,
        facebook_comments.created_at as engaged_at,
        false as is_dated_by_post
    from facebook_comments
    left join facebook_posts
        on facebook_comments.post_id = facebook_posts.post_id
    -- the Page answering its commenters
    where facebook_comments.user_id is null
        or facebook_posts.page_id is null
        or facebook_comments.user_id <> facebook_posts.page_id

    union all

    select
        'facebook_reactions' as source_stream,
        facebook_reactions.reaction_id as source_record_id,
        'facebook' as platform,
        'reaction' as engagement_type,
        facebook_reactions.post_id,
        facebook_posts.created_at as post_created_at,
        coalesce(facebook_posts.message, facebook_posts.permalink_url) as post_text,
        'facebook_user_id' as identifier_type,
        facebook_reactions.user_id as identifier_value,
        facebook_reactions.reaction_type,
        facebook_posts.created_at as engaged_at,
        true as is_dated_by_post
    from facebook_reactions
    left join facebook_posts
        on facebook_reactions.post_id = facebook_posts.post_id

    union all

    select
        'instagram_comments' as source_stream,
        instagram_comments.comment_id as source_record_id,
        'instagram' as platform,
        'comment' as engagement_type,
        instagram_comments.media_id as post_id,
        instagram_media.created_at as post_created_at,
        coalesce(instagram_media.caption, instagram_media.permalink_url) as post_text,
        'instagram_username' as identifier_type,
        instagram_comments.username_normalized as identifier_value,
        cast(null as {{ dbt.type_string() }}) as reaction_type,
        instagram_comments.created_at as engaged_at,
        false as is_dated_by_post
    from instagram_comments
    left join instagram_media
        on instagram_comments.media_id = instagram_media.media_id

),

final as (

    select

        ----------  ids
        {{ surrogate_key(["'social'", 'source_stream', 'source_record_id']) }} as social_engagement_id,
        source_record_id,
        post_id,
        identifier_value,

        ----------  strings
        source_stream,
        platform,
        engagement_type,
        identifier_type,
        reaction_type,
        post_text,

        ----------  booleans
        is_dated_by_post,

        ----------  timestamps
        engaged_at,
        post_created_at

    from engagements

)

select * from final
