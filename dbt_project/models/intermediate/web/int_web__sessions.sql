-- One row per web session (int_web__page_views_stitched: per device, 30 minutes idle or a new campaign, never two
-- people): its person, device, landing and exit page, page count, duration, and what decides its channel: the
-- landing view's campaign parameters and click ids, and, for a landing without them, the referrer as GA4 reads it
-- (a search engine's host: organic, any other host: referral, none or the site itself: direct), classified by
-- the project's GA4 grouping (macro default_channel_group, seed channel_source_categories). int_web__touchpoints
-- makes each session a touch; the channel rules (int_channel_inputs_classified) then decide its channel.
{{ config(materialized='table') }}

with

stitched as (

    select * from {{ ref('int_web__page_views_stitched') }}

),

views as (

    select * from {{ ref('int_web__page_views') }}

),

source_categories as (

    select
        lower(source) as source,
        min(source_category) as source_category
    from {{ ref('channel_source_categories') }}
    group by lower(source)

),

session_views as (

    select
        stitched.session_id,
        stitched.person_key,
        stitched.device_key,
        stitched.view_in_session,
        stitched.is_anonymous_person,
        stitched.is_shared_device,
        stitched.viewed_at,
        views.anonymous_id,
        views.page_path,
        views.page_url,
        views.page_referrer,
        views.device_category,
        views.source_system,
        views.utm_source,
        views.utm_medium,
        views.utm_campaign,
        views.utm_content,
        views.utm_term,
        views.gclid,
        views.fbclid,
        row_number() over (
            partition by stitched.session_id
            order by stitched.viewed_at desc, stitched.page_view_id desc
        ) as view_from_end
    from stitched
    inner join views
        on stitched.page_view_id = views.page_view_id

),

aggregated as (

    select
        session_id,
        count(*) as page_count,
        min(viewed_at) as started_at,
        max(viewed_at) as ended_at
    from session_views
    group by session_id

),

landings as (

    select
        session_views.*,
        lower({{ regex_group('session_views.page_referrer', "'^[a-zA-Z]+://([^/?#:]+)'") }}) as referrer_host
    from session_views
    where session_views.view_in_session = 1

),

exits as (

    select
        session_id,
        page_path as exit_page_path
    from session_views
    where view_from_end = 1

),

classified_referrers as (

    select
        landings.*,
        coalesce(host_categories.source_category, domain_categories.source_category) as referrer_category,
        case
            when landings.referrer_host is null then null
            when landings.referrer_host like '%{{ var("web_site_domain") }}' then null
            else landings.referrer_host
        end as external_referrer_host
    from landings
    left join source_categories as host_categories
        on landings.referrer_host = host_categories.source
    -- www.linkedin.com is linkedin.com
    left join source_categories as domain_categories
        on landings.referrer_host like 'www.%'
        and substr(landings.referrer_host, 5) = domain_categories.source

),

final as (

    select

        ----------  ids
        classified_referrers.session_id,
        classified_referrers.person_key,
        classified_referrers.device_key,
        classified_referrers.anonymous_id,

        ----------  strings
        classified_referrers.source_system,
        classified_referrers.device_category,
        classified_referrers.page_path as landing_page_path,
        classified_referrers.page_url as landing_page_url,
        exits.exit_page_path,
        classified_referrers.page_referrer as landing_referrer,
        classified_referrers.external_referrer_host as referrer_host,
        classified_referrers.utm_source,
        classified_referrers.utm_medium,
        classified_referrers.utm_campaign,
        classified_referrers.utm_content,
        classified_referrers.utm_term,
        classified_referrers.gclid,
        classified_referrers.fbclid,
        -- the channel of a landing without campaign parameters, from its referrer (GA4: a search engine is
        -- organic search, a social site organic social, any other site a referral, no referrer direct)
        case
            when classified_referrers.external_referrer_host is null then 'direct'
            else {{ default_channel_group(
                'classified_referrers.external_referrer_host',
                "case when classified_referrers.referrer_category = 'search' then 'organic' else 'referral' end",
                'cast(null as ' ~ dbt.type_string() ~ ')',
                'classified_referrers.referrer_category'
            ) }}
        end as referrer_channel,

        ----------  numerics
        aggregated.page_count,
        {{ seconds_between('aggregated.started_at', 'aggregated.ended_at') }} as duration_seconds,

        ----------  booleans
        classified_referrers.is_anonymous_person,
        classified_referrers.is_shared_device,

        ----------  timestamps
        aggregated.started_at,
        aggregated.ended_at

    from classified_referrers
    inner join aggregated
        on classified_referrers.session_id = aggregated.session_id
    left join exits
        on classified_referrers.session_id = exits.session_id

)

select * from final
