-- Organic social engagement per day, platform and post, person-linked or not: every Facebook comment and
-- reaction and every Instagram comment on the brand's posts (replies by the Page itself left out), split into
-- engagement by people int_identity_nodes_resolved resolves (linked; also in fct_touchpoints) and the rest (anonymous:
-- hidden authors and authors no contact is linked to). Reactions have no time of their own and count on their
-- post's day.
with

engagements as (

    select * from {{ ref('int_social__engagements') }}

),

identities as (

    select * from {{ ref('int_identity_nodes_resolved') }}

),

resolved as (

    select
        engagements.*,
        case when identities.person_key is not null then 1 else 0 end as is_linked,
        identities.person_key
    from engagements
    left join identities
        on engagements.identifier_type = identities.identifier_type
        and engagements.identifier_value = identities.identifier_value

),

daily as (

    select
        cast(engaged_at as date) as engagement_date,
        platform,
        post_id,
        min(post_created_at) as post_created_at,
        sum(case when engagement_type = 'comment' then 1 else 0 end) as comments,
        sum(case when engagement_type = 'comment' then is_linked else 0 end) as linked_comments,
        sum(case when engagement_type = 'reaction' then 1 else 0 end) as reactions,
        sum(case when engagement_type = 'reaction' then is_linked else 0 end) as linked_reactions,
        count(distinct person_key) as linked_people
    from resolved
    group by
        cast(engaged_at as date),
        platform,
        post_id

),

final as (

    select

        ----------  ids
        {{ surrogate_key(['engagement_date', 'platform', 'post_id']) }} as social_engagement_daily_id,
        post_id,

        ----------  strings
        platform,

        ----------  numerics
        comments + reactions as engagements,
        comments,
        linked_comments,
        comments - linked_comments as anonymous_comments,
        reactions,
        linked_reactions,
        reactions - linked_reactions as anonymous_reactions,
        linked_people,

        ----------  dates
        engagement_date,
        post_created_at

    from daily

)

select * from final
