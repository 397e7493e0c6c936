-- What a meeting or call touch of int_hubspot__touchpoints did, one row per meeting and call (touch_event_id is
-- the touches' own key): its outcome, where or how it took place, whether the rep reached the person, and whether
-- it was an in-person visit (a meeting held, COMPLETED, at an address). fct_touchpoints has no generic place for
-- such detail, so it stays here: join on touch_event_id (customer_journeys counts in-person visits this way).
-- Archived meetings and calls are left out, as they are of the timeline.
with

meetings as (

    select * from {{ ref('stg_hubspot__meetings') }}
    where not is_archived

),

calls as (

    select * from {{ ref('stg_hubspot__calls') }}
    where not is_archived

),

call_outcomes as (

    select * from {{ ref('hubspot_call_outcomes') }}

),

meeting_details as (

    select
        {{ surrogate_key(["'hubspot'", "'meetings'", 'meeting_id']) }} as touch_event_id,
        'meetings' as source_stream,
        meeting_id as source_record_id,
        'meeting' as touch_type,
        meeting_outcome as outcome,
        meeting_location_type as location_type,
        meeting_location as location_detail,
        meeting_outcome = 'COMPLETED' as is_connected,
        coalesce(meeting_outcome = 'COMPLETED' and meeting_location_type = 'ADDRESS', false) as is_in_person_visit
    from meetings

),

call_details as (

    select
        {{ surrogate_key(["'hubspot'", "'calls'", 'calls.call_id']) }} as touch_event_id,
        'calls' as source_stream,
        calls.call_id as source_record_id,
        'call' as touch_type,
        -- the outcome's name; a GUID the seed does not know stays visible as itself
        coalesce(call_outcomes.call_outcome, calls.call_disposition, lower(calls.call_status)) as outcome,
        'PHONE' as location_type,
        cast(null as {{ dbt.type_string() }}) as location_detail,
        coalesce(call_outcomes.is_connected, calls.call_status = 'COMPLETED' and calls.call_disposition is null)
            as is_connected,
        false as is_in_person_visit
    from calls
    left join call_outcomes
        on calls.call_disposition = call_outcomes.disposition_id

),

final as (

    select * from meeting_details
    union all
    select * from call_details

)

select * from final
