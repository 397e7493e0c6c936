-- Every page and screen view of the website and the app, once: Segment's page and screen calls, plus HubSpot's web
-- analytics events that no Segment view shows. Dedupe rule: a HubSpot event and a Segment page call are the same
-- view when they happened at the same millisecond on the same URL (compared percent-decoded: Segment sends
-- `location.href`, HubSpot the URL as typed), both trackers timing the one page load; each event matches at most
-- one call (the lowest message id) and each call at most one event. A matched view keeps the Segment row (device,
-- anonymous id) and gains the HubSpot contact, which is stitching evidence (HubSpot tied that browser's cookie to
-- the contact). A HubSpot event without a Segment twin (its call not exported yet, or a page Segment missed) is a
-- view of its own on the device `hubspot:<contact id>`: HubSpot gives no device id, only the contact.
-- device_key is the device the view was made on: the anonymous id, else `segment_user:<user id>` for a call
-- carrying only a user id (server-side libraries), else the HubSpot contact.
{{ config(materialized='table') }}

with

segment_calls as (

    select * from {{ ref('stg_segment__events') }}

),

hubspot_events as (

    select * from {{ ref('stg_hubspot__web_events') }}

),

segment_views as (

    select
        segment_calls.*,
        {{ url_decode('segment_calls.page_url') }} as decoded_url
    from segment_calls
    where segment_calls.call_type in ('page', 'screen')

),

hubspot_views as (

    select
        hubspot_events.*,
        {{ url_decode('hubspot_events.page_url') }} as decoded_url
    from hubspot_events

),

candidate_pairs as (

    select
        hubspot_views.web_event_id,
        hubspot_views.contact_id,
        segment_views.message_id,
        row_number() over (
            partition by hubspot_views.web_event_id
            order by segment_views.message_id
        ) as call_rank,
        row_number() over (
            partition by segment_views.message_id
            order by hubspot_views.web_event_id
        ) as event_rank
    from hubspot_views
    inner join segment_views
        on hubspot_views.occurred_at = segment_views.occurred_at
        and hubspot_views.decoded_url = segment_views.decoded_url

),

pairs as (

    select
        web_event_id,
        contact_id,
        message_id
    from candidate_pairs
    where call_rank = 1
        and event_rank = 1

),

from_segment as (

    select
        segment_views.message_id as page_view_id,
        coalesce(segment_views.anonymous_id, 'segment_user:' || segment_views.user_id) as device_key,
        segment_views.anonymous_id,
        segment_views.user_id,
        segment_views.message_id,
        pairs.web_event_id,
        pairs.contact_id,
        'segment' as source_system,
        segment_views.call_type as view_type,
        case when pairs.web_event_id is null then 'segment' else 'segment and hubspot' end as seen_by,
        segment_views.page_url,
        coalesce(
            segment_views.page_path, case when segment_views.call_type = 'screen' then segment_views.event_name end
        ) as page_path,
        coalesce(segment_views.page_title, segment_views.event_name) as page_title,
        segment_views.page_referrer,
        segment_views.utm_source,
        segment_views.utm_medium,
        segment_views.utm_campaign,
        segment_views.utm_content,
        segment_views.utm_term,
        segment_views.gclid,
        segment_views.fbclid,
        case
            when segment_views.call_type = 'screen' or segment_views.device_type in ('ios', 'android') then 'app'
            when segment_views.device_type in ('desktop', 'mobile', 'tablet') then segment_views.device_type
            else 'unknown'
        end as device_category,
        segment_views.occurred_at as viewed_at
    from segment_views
    left join pairs
        on segment_views.message_id = pairs.message_id

),

from_hubspot as (

    select
        hubspot_views.web_event_id as page_view_id,
        'hubspot:' || hubspot_views.contact_id as device_key,
        cast(null as {{ dbt.type_string() }}) as anonymous_id,
        cast(null as {{ dbt.type_string() }}) as user_id,
        cast(null as {{ dbt.type_string() }}) as message_id,
        hubspot_views.web_event_id,
        hubspot_views.contact_id,
        'hubspot' as source_system,
        'page' as view_type,
        'hubspot' as seen_by,
        hubspot_views.page_url,
        hubspot_views.page_path,
        hubspot_views.page_title,
        hubspot_views.page_referrer,
        hubspot_views.utm_source,
        hubspot_views.utm_medium,
        hubspot_views.utm_campaign,
        hubspot_views.utm_content,
        hubspot_views.utm_term,
        hubspot_views.gclid,
        hubspot_views.fbclid,
        case
            when hubspot_views.user_agent like '%iPad%' then 'tablet'
            when hubspot_views.user_agent like '%Mobile%' or hubspot_views.user_agent like '%iPhone%' then 'mobile'
            when hubspot_views.user_agent is null then 'unknown'
            else 'desktop'
        end as device_category,
        hubspot_views.occurred_at as viewed_at
    from hubspot_views
    where not exists (
            select 1 from pairs
            where pairs.web_event_id = hubspot_views.web_event_id
        )

),

unioned as (

    select * from from_segment
    union all
    select * from from_hubspot

),

final as (

    select
        unioned.*,
        -- what stitching and sessions read of the view: a change here re-stitches its device
        {{ row_hash([
            'unioned.page_view_id', 'unioned.device_key', 'unioned.contact_id', 'unioned.viewed_at',
            'unioned.page_url', 'unioned.page_path', 'unioned.page_referrer', 'unioned.utm_source',
            'unioned.utm_medium', 'unioned.utm_campaign', 'unioned.utm_content', 'unioned.utm_term',
            'unioned.gclid', 'unioned.fbclid', 'unioned.device_category', 'unioned.seen_by'
        ]) }} as view_hash
    from unioned

)

select * from final
