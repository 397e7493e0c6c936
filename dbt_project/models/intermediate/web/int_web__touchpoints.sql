-- Web sessions as touches (touch_type web_session), on the shared column contract (macros/touchpoints.sql). The
-- session's person is already known (stitching, int_web__page_views_stitched): the touch names its session
-- (identifier type web_session_id), which fct_touchpoints resolves through int_web__sessions. Page views stay in
-- fct_page_views; the touch carries the session's landing campaign parameters and click ids (what the channel
-- rules read), the referrer's channel as the source's hint for landings without them, the landing page as its
-- detail and the page count as event_count (so a stage rule can count views: the third view is engagement).
with

sessions as (

    select * from {{ ref('int_web__sessions') }}

),

touches as (

    select
        session_id as touch_event_id,
        'web_session_id' as person_identifier_type,
        session_id as person_identifier_value,
        started_at as occurred_at,
        'sessions' as source_stream,
        session_id as source_record_id,
        'web_session' as touch_type,
        referrer_channel as channel,
        utm_campaign as campaign,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        gclid,
        fbclid,
        landing_page_path as detail,
        page_count as event_count
    from sessions

)

{{ select_source_touches('touches', 'web', available=[
    'touch_event_id', 'person_identifier_type', 'person_identifier_value', 'occurred_at', 'source_stream',
    'source_record_id', 'touch_type', 'channel', 'campaign', 'utm_source', 'utm_medium', 'utm_campaign',
    'utm_content', 'utm_term', 'gclid', 'fbclid', 'detail', 'event_count'
]) }}
