-- The person-level touchpoint timeline: one row per person and touch, from every source, resolved to people by the
-- identity graph (int_person_identities), classified into channel and sub-channel (int_touchpoint_channels) and
-- flagged by the seed touch_flag_rules; numbered per person, with the time since the previous touch and sessions
-- (a new session after `session_inactivity_minutes` without any touch, whatever its type).
-- Touches whose identifier resolves to nobody are left out (int_touchpoints_unresolved); a touch that reaches the
-- same person through two identifiers (two of their contacts on one meeting) is kept once.
--
-- Incremental: every run resolves all touches (cheap joins) and fingerprints each person's rows; only persons whose
-- fingerprint changed (new, changed or removed touches; identity merges and splits, which move touches between
-- keys) are renumbered, sessionised and rewritten (delete+insert on person_key); keys left without touches get a
-- placeholder row that deletes their old rows and is removed by the post-hook. A full refresh gives the same table.
{{
    config(
        materialized='incremental',
        unique_key='person_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook=["{{ delete_person_placeholders('person_fingerprint') }}"],
    )
}}

{%- set touch_columns = [
    'touchpoint_id', 'person_key', 'touch_event_id', 'source_record_id', 'owner_id', 'deal_id',
    'source_system', 'source_stream', 'identified_by', 'identifier_value', 'touch_type', 'channel', 'sub_channel',
    'channel_decided_by', 'campaign', 'campaign_key', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content',
    'utm_term', 'gclid', 'fbclid', 'stage_from', 'stage_to', 'detail', 'currency', 'score', 'value_amount',
    'is_direct', 'is_inbound', 'is_inquiry', 'is_sales_response', 'is_lead_creation', 'is_opportunity_creation',
    'occurred_at',
] %}

with

touchpoints as (

    select * from {{ ref('int_touchpoints_unioned') }}

),

identities as (

    select identifier_type, identifier_value, person_key
    from {{ ref('int_person_identities') }}
    where person_key is not null

),

channels as (

    select * from {{ ref('int_touchpoint_channels') }}

),

flag_rules as (

    select * from {{ ref('touch_flag_rules') }}

),

matched as (

    select
        touchpoints.*,
        identities.person_key
    from touchpoints
    inner join identities
        on touchpoints.person_identifier_type = identities.identifier_type
        and touchpoints.person_identifier_value = identities.identifier_value

),

-- a touch reaching one person through two identifiers is kept once, as its lowest touch_id. A narrow group-by and
-- a join rather than a window over the wide rows: sorting every column made the windows most of this model's time
-- at scale (docs/benchmarks.md). touch_id is unique, so exactly one row per (touch, person) is kept.
first_matches as (

    select touch_event_id, person_key, min(touch_id) as touch_id
    from matched
    group by touch_event_id, person_key

),

resolved as (

    select matched.*
    from matched
    inner join first_matches
        on matched.touch_id = first_matches.touch_id
        and matched.person_key = first_matches.person_key

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
        select distinct touch_type, detail
        from resolved
        where touch_type in (select touch_type from flag_rules where detail_pattern is not null)
    ) as touch_details
    inner join flag_rules
        on touch_details.touch_type = flag_rules.touch_type
        and flag_rules.detail_pattern is not null
        and lower(touch_details.detail) like lower(flag_rules.detail_pattern)
    group by touch_details.touch_type, touch_details.detail

),

classified as (

    select

        ----------  ids
        {{ surrogate_key(['resolved.touch_event_id', 'resolved.person_key']) }} as touchpoint_id,
        resolved.person_key,
        resolved.touch_event_id,
        resolved.source_record_id,
        resolved.owner_id,
        resolved.deal_id,

        ----------  strings
        resolved.source_system,
        resolved.source_stream,
        resolved.person_identifier_type as identified_by,
        resolved.person_identifier_value as identifier_value,
        resolved.touch_type,
        coalesce(channels.channel, resolved.channel, 'unassigned') as channel,
        channels.sub_channel,
        channels.channel_decided_by,
        resolved.campaign,
        resolved.campaign_key,
        resolved.utm_source,
        resolved.utm_medium,
        resolved.utm_campaign,
        resolved.utm_content,
        resolved.utm_term,
        resolved.gclid,
        resolved.fbclid,
        resolved.stage_from,
        resolved.stage_to,
        resolved.detail,
        resolved.currency,

        ----------  numerics
        resolved.score,
        resolved.value_amount,

        ----------  booleans
        coalesce(channels.channel, resolved.channel) = 'direct' as is_direct,
        greatest(coalesce(type_flags.is_inbound, 0), coalesce(detail_flags.is_inbound, 0)) = 1 as is_inbound,
        greatest(coalesce(type_flags.is_inquiry, 0), coalesce(detail_flags.is_inquiry, 0)) = 1 as is_inquiry,
        greatest(coalesce(type_flags.is_sales_response, 0), coalesce(detail_flags.is_sales_response, 0)) = 1
            as is_sales_response,
        greatest(coalesce(type_flags.is_lead_creation, 0), coalesce(detail_flags.is_lead_creation, 0)) = 1
            as is_lead_creation,
        greatest(coalesce(type_flags.is_opportunity_creation, 0), coalesce(detail_flags.is_opportunity_creation, 0))
            = 1 as is_opportunity_creation,

        ----------  timestamps
        resolved.occurred_at

    from resolved
    left join channels
        on resolved.source_system = channels.source_system
        and resolved.source_stream = channels.source_stream
        and resolved.touch_type = channels.touch_type
        and coalesce(resolved.channel, '') = coalesce(channels.source_channel, '')
        and coalesce(lower(trim(resolved.utm_source)), '') = channels.utm_source_key
        and coalesce(lower(trim(resolved.utm_medium)), '') = channels.utm_medium_key
        and coalesce(lower(trim(resolved.utm_campaign)), '') = channels.utm_campaign_key
        and (resolved.gclid is not null) = channels.has_gclid
        and (resolved.fbclid is not null) = channels.has_fbclid
    left join type_flags
        on resolved.touch_type = type_flags.touch_type
    left join detail_flags
        on resolved.touch_type = detail_flags.touch_type
        and resolved.detail = detail_flags.detail

),

fingerprints as (

    select
        person_key,
        {{ hash_combine(row_hash(touch_columns)) }} as person_fingerprint
    from classified
    group by person_key

),

{% if is_incremental() %}
changed as (

    {{ changed_persons('fingerprints') }}

),
{% endif %}

scoped as (

    select
        classified.*,
        fingerprints.person_fingerprint
    from classified
    inner join fingerprints
        on classified.person_key = fingerprints.person_key
    {% if is_incremental() %}
    inner join changed
        on classified.person_key = changed.person_key
    {% endif %}

),

-- numbering and sessions on (person, touch, time) only, joined back in final: the same narrow-sort reason as above
sequenced as (

    select
        person_key,
        touchpoint_id,
        occurred_at,
        row_number() over (
            partition by person_key order by occurred_at, touchpoint_id
        ) as touch_sequence_number,
        lag(occurred_at) over (
            partition by person_key order by occurred_at, touchpoint_id
        ) as previous_touch_at
    from scoped

),

session_starts as (

    select
        sequenced.*,
        {{ seconds_between('previous_touch_at', 'occurred_at') }} as seconds_since_previous_touch,
        case
            when previous_touch_at is null then 1
            when {{ seconds_between('previous_touch_at', 'occurred_at') }}
                > {{ var('session_inactivity_minutes', 30) }} * 60 then 1
            else 0
        end as is_session_start_flag
    from sequenced

),

sessions as (

    select
        session_starts.*,
        sum(is_session_start_flag) over (
            partition by person_key order by occurred_at, touchpoint_id rows between unbounded preceding and current row
        ) as session_number
    from session_starts

),

session_firsts as (

    select
        sessions.*,
        first_value(touchpoint_id) over (
            partition by person_key, session_number order by occurred_at, touchpoint_id
        ) as session_first_touchpoint_id
    from sessions

),

final as (

    select

        ----------  ids
        scoped.touchpoint_id,
        scoped.person_key,
        scoped.touch_event_id,
        scoped.source_record_id,
        scoped.owner_id,
        scoped.deal_id,
        {{ surrogate_key(['scoped.person_key', 'session_firsts.session_first_touchpoint_id']) }} as session_id,

        ----------  strings
        scoped.source_system,
        scoped.source_stream,
        scoped.identified_by,
        scoped.identifier_value,
        scoped.touch_type,
        scoped.channel,
        scoped.sub_channel,
        scoped.channel_decided_by,
        scoped.campaign,
        scoped.campaign_key,
        scoped.utm_source,
        scoped.utm_medium,
        scoped.utm_campaign,
        scoped.utm_content,
        scoped.utm_term,
        scoped.gclid,
        scoped.fbclid,
        scoped.stage_from,
        scoped.stage_to,
        scoped.detail,
        scoped.currency,
        scoped.person_fingerprint,

        ----------  numerics
        scoped.score,
        scoped.value_amount,
        session_firsts.touch_sequence_number,
        session_firsts.session_number,
        session_firsts.seconds_since_previous_touch,

        ----------  booleans
        session_firsts.is_session_start_flag = 1 as is_session_start,
        scoped.is_direct,
        scoped.is_inbound,
        scoped.is_inquiry,
        scoped.is_sales_response,
        scoped.is_lead_creation,
        scoped.is_opportunity_creation,

        ----------  timestamps
        session_firsts.previous_touch_at,
        scoped.occurred_at

    from scoped
    inner join session_firsts
        on scoped.person_key = session_firsts.person_key
        and scoped.touchpoint_id = session_firsts.touchpoint_id

)

{{ select_person_rows('final', 'changed') }}
