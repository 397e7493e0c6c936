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
        -- the post engaged with: its text (brand content), and the reaction given
        coalesce(lower(reaction_type) || ' on ', '') || platform || ' post'
            || coalesce(': ' || substr(post_text, 1, 80), '') as detail
    from engagements

),

final as (

    select
        {{ surrogate_key(['touch_event_id', 'person_identifier_type', 'person_identifier_value']) }} as touch_id,
        touch_event_id,
        person_identifier_type,
        person_identifier_value,
        occurred_at,
        'social' as source_system,
        source_stream,
        source_record_id,
        touch_type,
        'organic_social' as channel,
        cast(null as {{ dbt.type_string() }}) as campaign,
        cast(null as {{ dbt.type_string() }}) as campaign_key,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as utm_medium,
        cast(null as {{ dbt.type_string() }}) as utm_campaign,
        cast(null as {{ dbt.type_string() }}) as utm_content,
        cast(null as {{ dbt.type_string() }}) as utm_term,
        cast(null as {{ dbt.type_string() }}) as gclid,
        cast(null as {{ dbt.type_string() }}) as fbclid,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        cast(null as {{ dbt.type_string() }}) as deal_id,
        cast(null as {{ dbt.type_string() }}) as stage_from,
        cast(null as {{ dbt.type_string() }}) as stage_to,
        detail,
        cast(null as {{ dbt.type_numeric() }}) as score,
        cast(null as {{ dbt.type_numeric() }}) as value_amount,
        cast(null as {{ dbt.type_string() }}) as currency
    from touches

)

select * from final
