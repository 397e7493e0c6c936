-- The consolidated journey table: one row per person (dim_persons, anonymous visitors included: is_anonymous) with
-- persona, entry point (the first web session's channel and landing page, else the first marketing touch),
-- current stage and when each stage was entered, days in each stage, touches per channel, conversions, revenue,
-- the first sale's purchase channel, in-person visits, days to convert, speed to lead, last touch, drop-off and
-- segment flags, feedback (last and average score, the detractor flags, reviews) and events attended. Person-level
-- aggregates come from int_journeys_summarised (incremental); this table adds what depends on the clock
-- (journey_as_of): days in the current stage, drop-off (below the conversion stage with no inbound touch for
-- var journey_dropoff_days) and segment membership (segment_membership); and the in-person visits, counted on
-- every build because a meeting's outcome changes without changing its touch (so without changing the person's
-- fingerprint).
{%- set stages = var('journey_stages') %}
{%- set channels = var('journey_channels') %}
{%- set segments = var('journey_segments') %}
{%- set idle_seconds = seconds_between('summaries.last_inbound_touch_at', 'as_of.as_of') %}

with

summaries as (

    select * from {{ ref('int_journeys_summarised') }}

),

segment_membership as (

    select * from {{ ref('segment_membership') }}

),

sales_touch_details as (

    select * from {{ ref('int_hubspot__sales_touch_details') }}

),

-- in-person visits: meeting touches held at an address (only meetings can be one: a narrow scan of fct_touchpoints)
visits as (

    select
        touchpoints.person_key,
        count(distinct touchpoints.touchpoint_id) as in_person_visit_count
    from {{ ref('fct_touchpoints') }} as touchpoints
    inner join sales_touch_details
        on touchpoints.touch_event_id = sales_touch_details.touch_event_id
    where touchpoints.touch_type = 'meeting'
        and sales_touch_details.is_in_person_visit
    group by touchpoints.person_key

),

as_of as (

    select {{ journey_as_of() }} as as_of

),

-- below the conversion stage with no inbound touch for journey_dropoff_days (by the journey_as_of clock)
dropoffs as (

    select
        summaries.person_key,
        (
            summaries.current_stage_rank < {{ stage_rank(var('journey_conversion_stage')) }}
            and (
                summaries.last_inbound_touch_at is null
                or {{ idle_seconds }} >= {{ var('journey_dropoff_days') }} * 86400
            )
        ) as is_dropped_off
    from summaries
    cross join as_of

),

person_segments as (

    select
        person_key,
        {%- for segment in segments %}
        max(case when segment_name = '{{ segment["name"] }}' then 1 else 0 end) as is_{{ segment["name"] }},
        {%- endfor %}
        count(*) as segment_count,
        {{ dbt.listagg('segment_name', "', '", 'order by segment_name') }} as segments
    from segment_membership
    group by person_key

),

final as (

    select

        ----------  ids
        summaries.person_key,
        summaries.primary_contact_id,
        summaries.owner_id,
        summaries.entry_touchpoint_id,
        summaries.entry_campaign_key,

        ----------  strings
        summaries.persona,
        summaries.entry_channel,
        summaries.entry_sub_channel,
        summaries.entry_campaign,
        summaries.entry_touch_type,
        summaries.entry_landing_page_path,
        summaries.current_stage,
        case when dropoffs.is_dropped_off then summaries.current_stage end as dropped_off_stage,
        summaries.last_touch_channel,
        summaries.last_touch_type,
        summaries.first_conversion_type,
        summaries.first_conversion_purchase_channel,
        summaries.revenue_currency,
        person_segments.segments,

        ----------  numerics
        summaries.current_stage_rank,
        {%- for stage in stages %}
        case
            when summaries.{{ stage }}_entered_at is not null then {{ rounded_ratio(
                seconds_between('summaries.' ~ stage ~ '_entered_at',
                    'coalesce(summaries.' ~ stage ~ '_left_at, as_of.as_of)'), 86400, 3) }}
        end as days_in_{{ stage }},
        {%- endfor %}
        summaries.touch_count,
        summaries.inbound_touch_count,
        summaries.session_count,
        summaries.page_view_count,
        {%- for channel in channels %}
        summaries.touches_{{ channel }},
        {%- endfor %}
        summaries.touches_other_channels,
        summaries.conversion_count,
        summaries.revenue_conversion_count,
        summaries.revenue,
        coalesce(visits.in_person_visit_count, 0) as in_person_visit_count,
        {{ rounded_ratio('summaries.seconds_to_convert', 86400, 3) }} as days_to_convert,
        {{ rounded_ratio('summaries.speed_to_lead_seconds', 60, 1) }} as speed_to_lead_minutes,
        coalesce(person_segments.segment_count, 0) as segment_count,

        ----------  booleans
        summaries.is_anonymous,
        coalesce(summaries.current_stage_rank >= {{ stage_rank(var('journey_conversion_stage')) }}, false)
            as is_converted,
        dropoffs.is_dropped_off,
        {%- for segment in segments %}
        coalesce(person_segments.is_{{ segment["name"] }}, 0) = 1 as is_{{ segment["name"] }},
        {%- endfor %}

        ----------  timestamps
        summaries.first_seen_at,
        summaries.first_touch_at,
        summaries.last_touch_at,
        summaries.last_inbound_touch_at,
        summaries.first_converted_at,
        summaries.first_inquiry_at,
        summaries.first_sales_response_at,
        summaries.current_stage_entered_at,
        {%- for stage in stages %}
        summaries.{{ stage }}_entered_at,
        {%- endfor %}
        as_of.as_of,

        ----------  feedback and events (issue 18): strings, numerics, booleans, timestamps
        summaries.last_feedback_category,
        summaries.last_feedback_score,
        summaries.avg_feedback_score_normalised,
        summaries.feedback_count,
        summaries.review_count,
        summaries.avg_review_stars,
        summaries.events_registered,
        summaries.events_attended,
        summaries.events_no_show,
        summaries.events_cancelled,
        summaries.is_detractor,
        summaries.is_detractor_after_purchase,
        summaries.last_feedback_at,
        summaries.first_detractor_after_purchase_at,
        summaries.first_event_attended_at,
        summaries.first_sales_contact_after_event_at

    from summaries
    cross join as_of
    inner join dropoffs
        on summaries.person_key = dropoffs.person_key
    left join person_segments
        on summaries.person_key = person_segments.person_key
    left join visits
        on summaries.person_key = visits.person_key

)

select * from final
