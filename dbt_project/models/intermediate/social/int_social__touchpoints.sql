-- Person-level social touches on the touchpoint contract (macros/touchpoints.sql): one social_comment or
-- social_reaction per engagement whose author the platform shows, identified by that platform identifier
-- (facebook_user_id, instagram_username). int_identity_nodes_resolved resolves the identifiers HubSpot linked to a
-- contact; the rest stay unresolved (int_touchpoints_unresolved), and engagement by hidden authors is counted only
-- in fct_social_engagement_daily.
with

engagements as (

    select * from {{ ref('int_social__engagements') }}
    where identifier_value is not null

),

touches as (

    select
        {{ surrogate_key(["'social'", 'source_stream', 'source_record_id']) }} as touch_event_id,
        identifier_type as person_identifier_type,
        identifier_value as person_identifier_value,
        engaged_at as occurred_at,
        source_stream,
        source_record_id,
        case engagement_type when 'comment' then 'social_comment' else 'social_reaction' end as touch_type,
        'organic_social' as channel,
        -- the post engaged with: its text (brand content), and the reaction given
        coalesce(lower(reaction_type) || ' on ', '') || platform || ' post' || coalesce(
            ': ' || substr(post_text, 1, 80), ''
        ) as detail
    from engagements

),

final as (

    {{ select_source_touches('touches', 'social', available=[
        'touch_event_id', 'person_identifier_type', 'person_identifier_value', 'occurred_at', 'source_stream',
        'source_record_id', 'touch_type', 'channel', 'detail',
    ]) }}

)

select * from final
