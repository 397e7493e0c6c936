-- One row per web session (int_web__sessions: per device, 30 minutes idle or a new campaign, never two people):
-- person, device, landing and exit page, page count, duration, and the session's channel and sub-channel by the
-- project's channel rules (int_channel_inputs_classified, the same classification as the session's touch in
-- fct_touchpoints: seed rules, GA4's grouping of the landing's campaign parameters and click ids, else the
-- referrer's channel).
with

sessions as (

    select * from {{ ref('int_web__sessions') }}

),

channels as (

    select * from {{ ref('int_channel_inputs_classified') }}

),

session_touches as (

    select
        touch_event_id,
        channel_inputs_hash
    from {{ ref('int_touchpoints_unioned') }}
    where source_system = 'web'
        and touch_type = 'web_session'

),

final as (

    select

        ----------  ids
        sessions.session_id,
        sessions.person_key,
        sessions.device_key,
        sessions.anonymous_id,

        ----------  strings
        coalesce(channels.channel, sessions.referrer_channel) as channel,
        channels.sub_channel,
        channels.channel_decided_by,
        sessions.source_system,
        sessions.device_category,
        sessions.landing_page_path,
        sessions.landing_page_url,
        sessions.exit_page_path,
        sessions.landing_referrer,
        sessions.referrer_host,
        sessions.utm_source,
        sessions.utm_medium,
        sessions.utm_campaign,
        sessions.utm_content,
        sessions.utm_term,
        sessions.gclid,
        sessions.fbclid,

        ----------  numerics
        sessions.page_count,
        sessions.duration_seconds,

        ----------  booleans
        sessions.is_anonymous_person,
        sessions.is_shared_device,

        ----------  timestamps
        sessions.started_at,
        sessions.ended_at

    from sessions
    left join session_touches
        on sessions.session_id = session_touches.touch_event_id
    left join channels
        on session_touches.channel_inputs_hash = channels.channel_inputs_hash

)

select * from final
