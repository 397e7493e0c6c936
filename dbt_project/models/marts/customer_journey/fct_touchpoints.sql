-- The person-level touchpoint timeline: one row per person and touch, from every source, resolved to people by the
-- identity graph (int_identity_nodes_resolved), classified into channel and sub-channel (int_channel_inputs_classified)
-- and flagged by the seed touch_flag_rules; numbered per person, with the time since the previous touch and sessions (a
-- new session after `session_inactivity_minutes` without any touch, whatever its type).
-- Touches whose identifier resolves to nobody are left out (int_touchpoints_unresolved); a touch that reaches the
-- same person through two identifiers (two of their contacts on one meeting) is kept once.
--
-- Incremental: every run matches all touches to persons on narrow columns and fingerprints each person's touch
-- hashes (int_touchpoints_unioned.touch_hash); only persons whose fingerprint changed (new, changed or removed
-- touches; identity merges and splits, which move touches between keys) are resolved, renumbered, sessionised,
-- classified and rewritten (delete+insert on person_key); keys left without touches get a placeholder row that
-- deletes their old rows and is removed by the post-hook. A full refresh gives the same table.
{{ person_incremental_config() }}

{#- int_touchpoints_unioned is a table read by several narrow passes and one wide one: it is referenced directly, not
    through an import CTE, which DuckDB would materialise whole (every column of 10M rows) for its several readers -#}
{%- set touchpoints = ref('int_touchpoints_unioned') %}

with

identities as (

    select
        identifier_type,
        identifier_value,
        person_key
    from {{ ref('int_identity_nodes_resolved') }}
    where person_key is not null

    union all

    -- web sessions name their session: stitching already decided whose it is
    select
        'web_session_id' as identifier_type,
        session_id as identifier_value,
        person_key
    from {{ ref('int_web__sessions') }}

),

channels as (

    select * from {{ ref('int_channel_inputs_classified') }}

),

flag_rules as (

    select * from {{ ref('touch_flag_rules') }}

),

-- Resolution, change detection, numbering and sessions run on narrow keys; the wide touch columns are read once,
-- by final. Carrying all ~40 columns through every step made DuckDB materialise and spill 10M wide rows several
-- times over (docs/benchmarks.md).
matched as (

    select
        touchpoints.touch_id,
        touchpoints.touch_event_id,
        touchpoints.touch_hash,
        identities.person_key
    from {{ touchpoints }} as touchpoints
    inner join identities
        on touchpoints.person_identifier_type = identities.identifier_type
        and touchpoints.person_identifier_value = identities.identifier_value

),

-- a person's fingerprint: the hashes of every touch row that reaches them (touch_hash covers every contract
-- column). The rows kept below are a function of these, so a change there changes the fingerprint; channels and
-- flags are functions of the same columns and the seeds (a seed change needs --full-refresh, see the README).
fingerprints as (

    select
        person_key,
        {{ hash_combine('touch_hash') }} as person_fingerprint
    from matched
    group by person_key

),

{% if is_incremental() %}
changed as (

    {{ changed_persons('fingerprints') }}

),
{% endif %}

-- a touch reaching one person through two identifiers is kept once, as its lowest touch_id (unique, so exactly
-- one row per touch and person); incremental runs resolve only the changed persons
resolved as (

    select
        matched.touch_event_id,
        matched.person_key,
        min(matched.touch_id) as touch_id
    from matched
    {% if is_incremental() %}
    inner join changed
        on matched.person_key = changed.person_key
    {% endif %}
    group by matched.touch_event_id, matched.person_key

),

scoped as (

    select
        resolved.touch_id,
        resolved.person_key,
        {{ surrogate_key(['resolved.touch_event_id', 'resolved.person_key']) }} as touchpoint_id,
        touchpoints.occurred_at,
        fingerprints.person_fingerprint
    from resolved
    inner join fingerprints
        on resolved.person_key = fingerprints.person_key
    inner join {{ touchpoints }} as touchpoints
        on resolved.touch_id = touchpoints.touch_id

),

sequenced as (

    select
        scoped.*,
        row_number() over (
            partition by scoped.person_key
            order by scoped.occurred_at, scoped.touchpoint_id
        ) as touch_sequence_number,
        lag(scoped.occurred_at) over (
            partition by scoped.person_key
            order by scoped.occurred_at, scoped.touchpoint_id
        ) as previous_touch_at
    from scoped

),

session_starts as (

    select
        sequenced.*,
        {{ seconds_between('previous_touch_at', 'occurred_at') }} as seconds_since_previous_touch,
        case
            when sequenced.previous_touch_at is null then 1
            when {{ seconds_between('previous_touch_at', 'occurred_at') }}
                > {{ var('session_inactivity_minutes', 30) }} * 60 then 1
            else 0
        end as is_session_start_flag
    from sequenced

),

sessions as (

    select
        session_starts.*,
        sum(session_starts.is_session_start_flag) over (
            partition by session_starts.person_key
            order by
                session_starts.occurred_at, session_starts.touchpoint_id
            rows between unbounded preceding and current row
        ) as session_number
    from session_starts

),

session_firsts as (

    select
        sessions.*,
        first_value(sessions.touchpoint_id) over (
            partition by sessions.person_key, sessions.session_number
            order by sessions.occurred_at, sessions.touchpoint_id
        ) as session_first_touchpoint_id
    from sessions

),

-- flags: rules without a detail pattern apply per touch type, the others per (touch type, detail)
type_flags as (

    select
        touch_type,
        max(case when flag = 'is_inbound' then 1 else 0 end) as is_inbound,
        max(case when flag = 'is_inquiry' then 1 else 0 end) as is_inquiry,
        max(case when flag = 'is_sales_response' then 1 else 0 end) as is_sales_response,
        max(case when flag = 'is_lead_creation' then 1 else 0 end) as is_lead_creation,
        max(case when flag = 'is_opportunity_creation' then 1 else 0 end) as is_opportunity_creation
    from flag_rules
    where detail_pattern is null
    group by touch_type

),

detail_flags as (

    select
        touch_details.touch_type,
        touch_details.detail,
        max(case when flag_rules.flag = 'is_inbound' then 1 else 0 end) as is_inbound,
        max(case when flag_rules.flag = 'is_inquiry' then 1 else 0 end) as is_inquiry,
        max(case when flag_rules.flag = 'is_sales_response' then 1 else 0 end) as is_sales_response,
        max(case when flag_rules.flag = 'is_lead_creation' then 1 else 0 end) as is_lead_creation,
        max(case when flag_rules.flag = 'is_opportunity_creation' then 1 else 0 end) as is_opportunity_creation
    from (
        select distinct
            touch_type,
            detail
        from {{ touchpoints }}
        where
            touch_type in (
                select detail_rules.touch_type
                from flag_rules as detail_rules
                where detail_rules.detail_pattern is not null
            )
    ) as touch_details
    inner join flag_rules
        on touch_details.touch_type = flag_rules.touch_type
        and flag_rules.detail_pattern is not null
        and lower(touch_details.detail) like lower(flag_rules.detail_pattern)
    group by touch_details.touch_type, touch_details.detail

),

final as (

    select

        ----------  ids
        session_firsts.touchpoint_id,
        session_firsts.person_key,
        touchpoints.touch_event_id,
        touchpoints.source_record_id,
        touchpoints.owner_id,
        touchpoints.deal_id,
        {{ surrogate_key(['session_firsts.person_key', 'session_firsts.session_first_touchpoint_id']) }} as session_id,

        ----------  strings
        touchpoints.source_system,
        touchpoints.source_stream,
        touchpoints.person_identifier_type as identified_by,
        touchpoints.person_identifier_value as identifier_value,
        touchpoints.touch_type,
        coalesce(channels.channel, touchpoints.channel, 'unassigned') as channel,
        channels.sub_channel,
        channels.channel_decided_by,
        touchpoints.campaign,
        touchpoints.campaign_key,
        touchpoints.utm_source,
        touchpoints.utm_medium,
        touchpoints.utm_campaign,
        touchpoints.utm_content,
        touchpoints.utm_term,
        touchpoints.gclid,
        touchpoints.fbclid,
        touchpoints.stage_from,
        touchpoints.stage_to,
        touchpoints.detail,
        touchpoints.currency,
        session_firsts.person_fingerprint,

        ----------  numerics
        touchpoints.score,
        touchpoints.value_amount,
        touchpoints.event_count,
        session_firsts.touch_sequence_number,
        session_firsts.session_number,
        session_firsts.seconds_since_previous_touch,

        ----------  booleans
        session_firsts.is_session_start_flag = 1 as is_session_start,
        coalesce(channels.channel, touchpoints.channel) = 'direct' as is_direct,
        greatest(coalesce(type_flags.is_inbound, 0), coalesce(detail_flags.is_inbound, 0)) = 1 as is_inbound,
        greatest(coalesce(type_flags.is_inquiry, 0), coalesce(detail_flags.is_inquiry, 0)) = 1 as is_inquiry,
        greatest(coalesce(type_flags.is_sales_response, 0), coalesce(detail_flags.is_sales_response, 0)) = 1
            as is_sales_response,
        greatest(coalesce(type_flags.is_lead_creation, 0), coalesce(detail_flags.is_lead_creation, 0)) = 1
            as is_lead_creation,
        greatest(
            coalesce(type_flags.is_opportunity_creation, 0), coalesce(detail_flags.is_opportunity_creation, 0)
        ) = 1 as is_opportunity_creation,

        ----------  timestamps
        session_firsts.previous_touch_at,
        session_firsts.occurred_at

    from session_firsts
    inner join {{ touchpoints }} as touchpoints
        on session_firsts.touch_id = touchpoints.touch_id
    left join channels
        on touchpoints.channel_inputs_hash = channels.channel_inputs_hash
    left join type_flags
        on touchpoints.touch_type = type_flags.touch_type
    left join detail_flags
        on touchpoints.touch_type = detail_flags.touch_type
        and touchpoints.detail = detail_flags.detail

)

{{ select_person_rows('final', 'changed') }}
