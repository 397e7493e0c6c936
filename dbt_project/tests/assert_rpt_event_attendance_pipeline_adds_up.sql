-- rpt_event_attendance_pipeline counts every person once per event and attendance state of fct_touchpoints,
-- and never more deals or conversions than people. Fails with the rows that do not add up.
with

event_people as (

    select
        detail as event_name,
        touch_type,
        count(distinct person_key) as people
    from {{ ref('fct_touchpoints') }}
    where touch_type in ('event_registered', 'event_attended', 'event_no_show', 'event_cancelled')
    group by detail, touch_type

),

report as (

    select * from {{ ref('rpt_event_attendance_pipeline') }}

),

final as (

    select
        'people' as problem,
        coalesce((select sum(event_people.people) from event_people), 0) as expected_value,
        coalesce((select sum(report.people) from report), 0) as reported_value

    union all

    select
        'more deals or conversions than people' as problem,
        0 as expected_value,
        count(*) as reported_value
    from report
    where report.people_with_deal > report.people
        or report.people_converted > report.people

)

select * from final
where expected_value <> reported_value
