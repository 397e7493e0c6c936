-- Every HubSpot marketing event participation as a touch of its contact: one per state the contact reached
-- (event_registered, event_attended, event_no_show, event_cancelled), at the time HubSpot recorded it, with the
-- event's name as detail and the attendance percentage (attended only) as score. Participations of archived
-- events are dropped. `channel` is the source's hint `offline`
-- (the vocabulary's channel for touches away from any screen); seed channel_rules names the sub-channel.
with

participations as (

    select * from {{ ref('stg_hubspot__marketing_event_participations') }}
    where not is_archived

),

marketing_events as (

    select * from {{ ref('stg_hubspot__marketing_events') }}

),

event_touches as (

    select
        'marketing_event_participations' as source_stream,
        participations.participation_id as source_record_id,
        {{ surrogate_key(["'hubspot'", "'marketing_event_participations'", 'participations.participation_id']) }}
            as touch_event_id,
        'hubspot_contact_id' as person_identifier_type,
        participations.contact_id as person_identifier_value,
        participations.occurred_at,
        case participations.attendance_state
            when 'REGISTERED' then 'event_registered'
            when 'ATTENDED' then 'event_attended'
            when 'NO_SHOW' then 'event_no_show'
            when 'CANCELLED' then 'event_cancelled'
        end as touch_type,
        'offline' as channel,
        coalesce(marketing_events.event_name, participations.event_name) as detail,
        participations.attendance_percentage as score
    from participations
    left join marketing_events
        on participations.marketing_event_id = marketing_events.marketing_event_id
    where not coalesce(marketing_events.is_archived, false)

),

final as (

    {{ select_source_touches('event_touches', 'hubspot', [
        'source_stream', 'source_record_id', 'touch_event_id', 'person_identifier_type', 'person_identifier_value',
        'occurred_at', 'touch_type', 'channel', 'detail', 'score']) }}

)

select * from final
