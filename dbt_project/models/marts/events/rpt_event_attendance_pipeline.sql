-- Event attendance to pipeline: per event (the event touches' detail, the event's name) and attendance state
-- (registered, attended, no_show, cancelled), the people in that state, then how many of them created a deal
-- (a deal_created touch) and converted (fct_conversions) within var event_pipeline_days of their event touch, and
-- the revenue of those conversions (reporting currency; counts_revenue conversions only): attended vs no-show.
-- A person counts once per event and state, from their first touch in that state.
{%- set window_seconds = var('event_pipeline_days') * 86400 %}

with

touchpoints as (

    select * from {{ ref('fct_touchpoints') }}

),

conversions as (

    select * from {{ ref('fct_conversions') }}

),

person_events as (

    select
        detail as event_name,
        case touch_type
            when 'event_registered' then 'registered'
            when 'event_attended' then 'attended'
            when 'event_no_show' then 'no_show'
            when 'event_cancelled' then 'cancelled'
        end as attendance_state,
        person_key,
        min(occurred_at) as event_touch_at
    from touchpoints
    where touch_type in ('event_registered', 'event_attended', 'event_no_show', 'event_cancelled')
    group by detail, touch_type, person_key

),

deals_after as (

    select
        person_events.event_name,
        person_events.attendance_state,
        person_events.person_key,
        min(touchpoints.occurred_at) as first_deal_at
    from person_events
    inner join touchpoints
        on person_events.person_key = touchpoints.person_key
        and touchpoints.touch_type = 'deal_created'
        and touchpoints.occurred_at >= person_events.event_touch_at
        and touchpoints.occurred_at <= {{ add_seconds('person_events.event_touch_at', window_seconds) }}
    group by person_events.event_name, person_events.attendance_state, person_events.person_key

),

conversions_after as (

    select
        person_events.event_name,
        person_events.attendance_state,
        person_events.person_key,
        min(conversions.converted_at) as first_converted_at,
        sum(case when conversions.counts_revenue then conversions.revenue else 0 end) as revenue
    from person_events
    inner join conversions
        on person_events.person_key = conversions.person_key
        and conversions.converted_at >= person_events.event_touch_at
        and conversions.converted_at <= {{ add_seconds('person_events.event_touch_at', window_seconds) }}
    group by person_events.event_name, person_events.attendance_state, person_events.person_key

),

aggregated as (

    select
        person_events.event_name,
        person_events.attendance_state,
        count(*) as people,
        sum(case when deals_after.first_deal_at is not null then 1 else 0 end) as people_with_deal,
        sum(case when conversions_after.first_converted_at is not null then 1 else 0 end) as people_converted,
        coalesce(sum(conversions_after.revenue), 0) as revenue,
        min(person_events.event_touch_at) as first_event_touch_at
    from person_events
    left join deals_after
        on person_events.event_name = deals_after.event_name
        and person_events.attendance_state = deals_after.attendance_state
        and person_events.person_key = deals_after.person_key
    left join conversions_after
        on person_events.event_name = conversions_after.event_name
        and person_events.attendance_state = conversions_after.attendance_state
        and person_events.person_key = conversions_after.person_key
    group by person_events.event_name, person_events.attendance_state

),

final as (

    select

        ----------  ids
        {{ surrogate_key(['event_name', 'attendance_state']) }} as event_attendance_id,

        ----------  strings
        event_name,
        attendance_state,
        '{{ var("reporting_currency") }}' as currency,

        ----------  numerics
        {{ var('event_pipeline_days') }} as window_days,
        people,
        people_with_deal,
        people_converted,
        {{ rounded_ratio('people_with_deal', 'people', 4) }} as deal_rate,
        {{ rounded_ratio('people_converted', 'people', 4) }} as conversion_rate,
        revenue,

        ----------  timestamps
        first_event_touch_at

    from aggregated

)

select * from final
