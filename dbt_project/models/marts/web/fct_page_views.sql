-- One row per page or screen view of the website and the app (Segment, plus the HubSpot web analytics events
-- Segment does not show: int_web__page_views), with the person stitching gave it, its session and device.
with

views as (

    select * from {{ ref('int_web__page_views') }}

),

stitched as (

    select * from {{ ref('int_web__page_views_stitched') }}

),

final as (

    select

        ----------  ids
        views.page_view_id,
        stitched.person_key,
        stitched.session_id,
        views.device_key,
        views.anonymous_id,
        views.user_id,
        views.message_id,
        views.web_event_id,
        views.contact_id,

        ----------  strings
        views.source_system,
        views.seen_by,
        views.view_type,
        views.page_url,
        views.page_path,
        views.page_title,
        views.page_referrer,
        views.utm_source,
        views.utm_medium,
        views.utm_campaign,
        views.utm_content,
        views.utm_term,
        views.gclid,
        views.fbclid,
        views.device_category,
        stitched.stitched_by,

        ----------  numerics
        stitched.view_in_session,

        ----------  booleans
        stitched.is_anonymous_person,
        stitched.is_shared_device,
        stitched.is_session_start,

        ----------  timestamps
        views.viewed_at

    from views
    inner join stitched
        on views.page_view_id = stitched.page_view_id

)

select * from final
