-- Every view of int_web__page_views with the person it belongs to and its session: stitching and sessionisation,
-- device by device.
--
-- Stitching (evidence: int_web__identifications). A device whose evidence names one person belongs to that
-- person, every view of it, the views before the first identify included. A device whose evidence names several
-- persons is a shared device (an office computer): its persons are never merged, and each view belongs to whoever
-- was identified around it, within its visit (views with no 30-minute gap between them):
--   1. the latest evidence at or before the view, when it falls in the same visit;
--   2. else the next evidence, when it falls in the same visit (someone sat down, browsed to /login and logged
--      in: the login page is theirs, although the browser still holds the previous user's id);
--   3. else the latest evidence before the view (still logged in from an earlier visit);
--   4. else the first person identified on the device (views before anyone identified).
-- A device nobody identified is an anonymous person of its own: person_key = hash of the device key.
--
-- Sessions (as GA4 counts them, and as the sandbox's truth): a device's views in time order; a view starts a new
-- session after `session_inactivity_minutes` without a view, when its URL carries campaign parameters (utm_*,
-- gclid, fbclid) other than the current session's, or when the person changes (a session on a shared device never
-- spans two people).
--
-- Incremental on the device: every run fingerprints each device's views and evidence (view_hash, and each piece of
-- evidence with the person it resolves to, so identity merges and splits count); only devices whose fingerprint
-- changed are stitched again (delete+insert on device_key). A device left without views gets a placeholder row that
-- deletes its old rows and is removed by the post-hook. A full refresh gives the same table.
{{ config(
    materialized='incremental',
    unique_key='device_key',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook=["{{ delete_placeholder_rows('device_fingerprint') }}"],
) }}

{%- set idle_seconds = var('session_inactivity_minutes', 30) * 60 %}

with

views as (

    select * from {{ ref('int_web__page_views') }}

),

evidence as (

    select * from {{ ref('int_web__identifications') }}

),

fingerprint_items as (

    select
        device_key,
        view_hash as item_hash
    from views

    union all

    select
        device_key,
        {{ row_hash(['identification_id', 'person_key', 'identified_at']) }} as item_hash
    from evidence

),

fingerprints as (

    select
        device_key,
        {{ hash_combine('item_hash') }} as device_fingerprint
    from fingerprint_items
    group by device_key

),

{% if is_incremental() %}
stored_devices as (

    select distinct
        device_key,
        device_fingerprint
    from {{ this }}

),

changed as (

    select coalesce(current_devices.device_key, stored_devices.device_key) as device_key
    from fingerprints as current_devices
    full outer join stored_devices
        on current_devices.device_key = stored_devices.device_key
    where current_devices.device_key is null
        or stored_devices.device_key is null
        or stored_devices.device_fingerprint <> current_devices.device_fingerprint

),
{% endif %}

scoped_views as (

    select views.*
    from views
    {% if is_incremental() %}
    inner join changed
        on views.device_key = changed.device_key
    {% endif %}

),

scoped_evidence as (

    select evidence.*
    from evidence
    {% if is_incremental() %}
    inner join changed
        on evidence.device_key = changed.device_key
    {% endif %}

),

-- visits: a device's views without a gap of more than the idle time
view_gaps as (

    select
        page_view_id,
        device_key,
        viewed_at,
        lag(viewed_at) over (
            partition by device_key
            order by viewed_at, page_view_id
        ) as previous_viewed_at
    from scoped_views

),

visits as (

    select
        page_view_id,
        device_key,
        viewed_at,
        sum(
            case
                when previous_viewed_at is null then 1
                when {{ seconds_between('previous_viewed_at', 'viewed_at') }} > {{ idle_seconds }} then 1
                else 0
            end
        ) over (
            partition by device_key
            order by viewed_at, page_view_id
            rows between unbounded preceding and current row
        ) as visit_number
    from view_gaps

),

-- views and evidence in one stream per device
stream as (

    select
        device_key,
        viewed_at as stream_at,
        1 as is_view,
        page_view_id as stream_id,
        visit_number,
        cast(null as {{ dbt.type_string() }}) as person_key
    from visits

    union all

    select
        device_key,
        identified_at as stream_at,
        0 as is_view,
        identification_id as stream_id,
        cast(null as {{ dbt.type_bigint() }}) as visit_number,
        person_key
    from scoped_evidence

),

positioned as (

    select
        stream.*,
        -- evidence: the visit of the latest view at or before it (0 before the first view)
        max(stream.visit_number) over (
            partition by stream.device_key
            order by stream.stream_at asc, stream.is_view desc, stream.stream_id asc
            rows between unbounded preceding and current row
        ) as latest_visit_number,
        -- how many pieces of evidence came at or before this row (evidence first at equal times)
        sum(1 - stream.is_view) over (
            partition by stream.device_key
            order by stream.stream_at, stream.is_view, stream.stream_id
            rows between unbounded preceding and current row
        ) as evidence_seen
    from stream

),

numbered_evidence as (

    select
        device_key,
        evidence_seen as evidence_number,
        person_key,
        coalesce(latest_visit_number, 0) as visit_number
    from positioned
    where is_view = 0

),

device_owners as (

    select
        device_key,
        count(distinct person_key) as owner_count
    from numbered_evidence
    group by device_key

),

owned as (

    select
        positioned.stream_id as page_view_id,
        positioned.device_key,
        coalesce(device_owners.owner_count, 0) > 1 as is_shared_device,
        case
            when previous_evidence.visit_number = positioned.visit_number then previous_evidence.person_key
            when next_evidence.visit_number = positioned.visit_number then next_evidence.person_key
            when previous_evidence.person_key is not null then previous_evidence.person_key
            else first_evidence.person_key
        end as identified_person_key,
        case
            when first_evidence.person_key is null then 'never identified'
            when coalesce(device_owners.owner_count, 0) <= 1 then 'device owner'
            when previous_evidence.visit_number = positioned.visit_number then 'identified earlier in the visit'
            when next_evidence.visit_number = positioned.visit_number then 'identified later in the visit'
            when previous_evidence.person_key is not null then 'identified in an earlier visit'
            else 'first person identified'
        end as stitched_by
    from positioned
    left join device_owners
        on positioned.device_key = device_owners.device_key
    left join numbered_evidence as previous_evidence
        on positioned.device_key = previous_evidence.device_key
        and positioned.evidence_seen = previous_evidence.evidence_number
    left join numbered_evidence as next_evidence
        on positioned.device_key = next_evidence.device_key
        and positioned.evidence_seen + 1 = next_evidence.evidence_number
    left join numbered_evidence as first_evidence
        on positioned.device_key = first_evidence.device_key
        and first_evidence.evidence_number = 1
    where positioned.is_view = 1

),

persons as (

    select
        owned.*,
        owned.identified_person_key is null as is_anonymous_person,
        coalesce(
            owned.identified_person_key, {{ surrogate_key(["'web_device'", 'owned.device_key']) }}
        ) as person_key,
        scoped_views.viewed_at,
        case
            when coalesce(
                    scoped_views.utm_source, scoped_views.utm_medium, scoped_views.utm_campaign,
                    scoped_views.utm_content, scoped_views.utm_term, scoped_views.gclid, scoped_views.fbclid
                ) is not null
                then concat_ws(
                        '|', coalesce(scoped_views.utm_source, ''), coalesce(scoped_views.utm_medium, ''),
                        coalesce(scoped_views.utm_campaign, ''), coalesce(scoped_views.utm_content, ''),
                        coalesce(scoped_views.utm_term, ''), coalesce(scoped_views.gclid, ''),
                        coalesce(scoped_views.fbclid, '')
                    )
        end as campaign_value
    from owned
    inner join scoped_views
        on owned.page_view_id = scoped_views.page_view_id

),

-- segments: runs of one person's views without an idle gap; sessions split them further at new campaigns
segment_breaks as (

    select
        persons.*,
        case
            when lag(persons.viewed_at) over device_order is null then 1
            when {{ seconds_between('lag(persons.viewed_at) over device_order', 'persons.viewed_at') }}
                > {{ idle_seconds }} then 1
            when lag(persons.person_key) over device_order <> persons.person_key then 1
            else 0
        end as is_segment_start
    from persons
    window device_order as (
        partition by persons.device_key
        order by persons.viewed_at, persons.page_view_id
    )

),

segments as (

    select
        segment_breaks.*,
        sum(segment_breaks.is_segment_start) over (
            partition by segment_breaks.device_key
            order by segment_breaks.viewed_at, segment_breaks.page_view_id
            rows between unbounded preceding and current row
        ) as segment_number
    from segment_breaks

),

-- the campaign in force at each view: the latest campaign parameters seen in the segment so far
campaign_groups as (

    select
        segments.*,
        count(segments.campaign_value) over (
            partition by segments.device_key, segments.segment_number
            order by segments.viewed_at, segments.page_view_id
            rows between unbounded preceding and current row
        ) as campaign_group
    from segments

),

campaigns_in_force as (

    select
        campaign_groups.*,
        max(campaign_groups.campaign_value) over (
            partition by campaign_groups.device_key, campaign_groups.segment_number, campaign_groups.campaign_group
        ) as campaign_in_force
    from campaign_groups

),

previous_campaigns as (

    select
        campaigns_in_force.*,
        lag(campaigns_in_force.campaign_in_force) over (
            partition by campaigns_in_force.device_key, campaigns_in_force.segment_number
            order by campaigns_in_force.viewed_at, campaigns_in_force.page_view_id
        ) as previous_campaign_in_force
    from campaigns_in_force

),

session_breaks as (

    select
        previous_campaigns.*,
        case
            when previous_campaigns.is_segment_start = 1 then 1
            when previous_campaigns.campaign_value is not null
                and (
                    previous_campaigns.previous_campaign_in_force is null
                    or previous_campaigns.campaign_value <> previous_campaigns.previous_campaign_in_force
                )
                then 1
            else 0
        end as is_session_start_flag
    from previous_campaigns

),

session_numbers as (

    select
        session_breaks.*,
        sum(session_breaks.is_session_start_flag) over (
            partition by session_breaks.device_key
            order by session_breaks.viewed_at, session_breaks.page_view_id
            rows between unbounded preceding and current row
        ) as session_number
    from session_breaks

),

session_firsts as (

    select
        session_numbers.*,
        first_value(session_numbers.page_view_id) over (
            partition by session_numbers.device_key, session_numbers.session_number
            order by session_numbers.viewed_at, session_numbers.page_view_id
        ) as session_first_view_id,
        row_number() over (
            partition by session_numbers.device_key, session_numbers.session_number
            order by session_numbers.viewed_at, session_numbers.page_view_id
        ) as view_in_session
    from session_numbers

),

final as (

    select

        ----------  ids
        session_firsts.page_view_id,
        session_firsts.device_key,
        session_firsts.person_key,
        {{ surrogate_key(['session_firsts.device_key', 'session_firsts.session_first_view_id']) }} as session_id,

        ----------  strings
        session_firsts.stitched_by,
        fingerprints.device_fingerprint,

        ----------  numerics
        session_firsts.session_number,
        session_firsts.view_in_session,

        ----------  booleans
        session_firsts.is_anonymous_person,
        session_firsts.is_shared_device,
        session_firsts.is_session_start_flag = 1 as is_session_start,

        ----------  timestamps
        session_firsts.viewed_at

    from session_firsts
    inner join fingerprints
        on session_firsts.device_key = fingerprints.device_key

){% if is_incremental() %},

removed as (

    select distinct stored_rows.device_key
    from {{ this }} as stored_rows
    inner join changed
        on stored_rows.device_key = changed.device_key
    where not exists (
            select 1 from final as recomputed
            where recomputed.device_key = stored_rows.device_key
        )

)

select * from final
union all
{{ placeholder_rows('removed', ['device_key']) }}
{% else %}

select * from final
{% endif %}
