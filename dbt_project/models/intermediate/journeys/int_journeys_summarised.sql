-- One row per person: everything customer_journeys reports that depends only on the person's own data (no clock):
-- entry point, last touch, touches per channel, conversions and revenue, the first sale's purchase channel, speed to
-- lead, stage entries and exits, feedback (survey scores, reviews: int_feedback_scores_parsed) and events
-- (registered, attended, no-show).
-- Incremental: persons whose dim_persons fingerprint (timeline + profile) changed are recomputed; customer_journeys
-- adds the clock-dependent columns (days in the current stage, drop-off, segments) on top.
{{ person_incremental_config() }}

{%- set stages = var('journey_stages') %}
{%- set channels = var('journey_channels') %}
{%- set excluded_list = "'" ~ var('path_excluded_channels') | join("', '") ~ "'" %}
{%- set sales_contact_list = "'" ~ var('journey_sales_contact_touch_types') | join("', '") ~ "'" %}

with

persons as (

    select * from {{ ref('dim_persons') }}

),

touchpoints as (

    select * from {{ ref('fct_touchpoints') }}

),

conversions as (

    select * from {{ ref('fct_conversions') }}

),

stage_transitions as (

    select * from {{ ref('fct_stage_transitions') }}

),

feedback_scores as (

    select * from {{ ref('int_feedback_scores_parsed') }}

),

-- dim_persons' person_fingerprint covers the profile fields read here besides the timeline
{{ changed_person_ctes(scoped={'scoped_persons': 'persons'}, fingerprint='person_fingerprint') }},

scoped_touchpoints as (

    select touchpoints.*
    from touchpoints
    inner join scoped_persons
        on touchpoints.person_key = scoped_persons.person_key

),

-- entry point: the first web session (its channel and landing page), else the first marketing touch (channels
-- outside path_excluded_channels), else the first touch
entry_touches as (

    select
        person_key,
        touchpoint_id,
        channel,
        sub_channel,
        campaign,
        campaign_key,
        touch_type,
        case when touch_type = 'web_session' then detail end as landing_page_path,
        occurred_at,
        row_number() over (
            partition by person_key
            order by
                case
                    when touch_type = 'web_session' then 0
                    when channel in ({{ excluded_list }}) then 2
                    else 1
                end,
                occurred_at,
                touchpoint_id
        ) as entry_rank
    from scoped_touchpoints

),

last_touches as (

    select
        person_key,
        channel,
        touch_type,
        occurred_at,
        row_number() over (
            partition by person_key
            order by occurred_at desc, touchpoint_id desc
        ) as recency_rank
    from scoped_touchpoints

),

touch_stats as (

    select
        person_key,
        count(*) as touch_count,
        sum(case when is_inbound then 1 else 0 end) as inbound_touch_count,
        count(distinct session_id) as session_count,
        {%- for channel in channels %}
        sum(case when channel = '{{ channel }}' then 1 else 0 end) as touches_{{ channel }},
        {%- endfor %}
        sum(
            case
                when
                    channel not in (
                        {%- for channel in channels %}
                        '{{ channel }}'{% if not loop.last %},{% endif %}
                        {%- endfor %}
                    )
                    then 1
                else 0
            end
        ) as touches_other_channels,
        min(occurred_at) as first_touch_at,
        max(occurred_at) as last_touch_at,
        max(case when is_inbound then occurred_at end) as last_inbound_touch_at,
        min(case when is_inquiry then occurred_at end) as first_inquiry_at,
        max(case when is_inquiry then occurred_at end) as last_inquiry_at
    from scoped_touchpoints
    group by person_key

),

responses as (

    select
        touch_stats.person_key,
        min(
            case
                when scoped_touchpoints.occurred_at >= touch_stats.first_inquiry_at
                    then scoped_touchpoints.occurred_at
            end
        ) as first_sales_response_at,
        min(
            case
                when scoped_touchpoints.occurred_at >= touch_stats.last_inquiry_at
                    then scoped_touchpoints.occurred_at
            end
        ) as last_inquiry_response_at
    from touch_stats
    inner join scoped_touchpoints
        on touch_stats.person_key = scoped_touchpoints.person_key
    where scoped_touchpoints.is_sales_response
        and touch_stats.first_inquiry_at is not null
    group by touch_stats.person_key

),

conversion_stats as (

    select
        conversions.person_key,
        count(*) as conversion_count,
        sum(case when conversions.counts_revenue then 1 else 0 end) as revenue_conversion_count,
        min(conversions.converted_at) as first_converted_at,
        max(case when conversions.conversion_number = 1 then conversions.conversion_type end)
            as first_conversion_type,
        sum(conversions.revenue) as revenue_total,
        min(conversions.currency) as revenue_currency,
        count(distinct conversions.currency) as currency_count
    from conversions
    inner join scoped_persons
        on conversions.person_key = scoped_persons.person_key
    group by conversions.person_key

),

-- the first sale (a conversion counting revenue: a won deal or an order) and how it was made; a lifecycle change
-- to customer at the same instant has no channel of its own
first_sales as (

    select
        conversions.person_key,
        conversions.purchase_channel,
        row_number() over (
            partition by conversions.person_key
            order by conversions.conversion_number
        ) as sale_rank
    from conversions
    inner join scoped_persons
        on conversions.person_key = scoped_persons.person_key
    where conversions.counts_revenue

),

stage_stats as (

    select
        stage_transitions.person_key,
        {%- for stage in stages %}
        max(case when stage_transitions.stage = '{{ stage }}' then stage_transitions.entered_at end)
            as {{ stage }}_entered_at,
        max(case when stage_transitions.stage = '{{ stage }}' then stage_transitions.left_at end)
            as {{ stage }}_left_at,
        {%- endfor %}
        max(case when stage_transitions.is_current then stage_transitions.stage end) as current_stage,
        max(case when stage_transitions.is_current then stage_transitions.stage_rank end) as current_stage_rank,
        max(case when stage_transitions.is_current then stage_transitions.entered_at end) as current_stage_entered_at
    from stage_transitions
    inner join scoped_persons
        on stage_transitions.person_key = scoped_persons.person_key
    group by stage_transitions.person_key

),

-- feedback and events --------------------------------------------------------------------------------------------
-- survey answers with a score on a known scale (reviews apart); the latest decides the category and is_detractor
scoped_survey_scores as (

    select
        feedback_scores.*,
        row_number() over (
            partition by feedback_scores.person_key
            order by feedback_scores.occurred_at desc, feedback_scores.touchpoint_id desc
        ) as recency_rank
    from feedback_scores
    inner join scoped_persons
        on feedback_scores.person_key = scoped_persons.person_key
    where feedback_scores.feedback_kind = 'survey'
        and feedback_scores.is_scored

),

feedback_stats as (

    select
        person_key,
        count(*) as feedback_count,
        sum(normalised_score_millionths) as normalised_score_millionths_total,
        max(case when recency_rank = 1 then score end) as last_feedback_score,
        max(case when recency_rank = 1 then feedback_category end) as last_feedback_category,
        max(case when recency_rank = 1 then occurred_at end) as last_feedback_at
    from scoped_survey_scores
    group by person_key

),

-- the retention-risk flag: a detractor answer after the person's first conversion
detractors_after_purchase as (

    select
        scoped_survey_scores.person_key,
        min(scoped_survey_scores.occurred_at) as first_detractor_after_purchase_at
    from scoped_survey_scores
    inner join conversion_stats
        on scoped_survey_scores.person_key = conversion_stats.person_key
    where scoped_survey_scores.feedback_category = 'detractor'
        and scoped_survey_scores.occurred_at > conversion_stats.first_converted_at
    group by scoped_survey_scores.person_key

),

review_stats as (

    select
        feedback_scores.person_key,
        count(*) as review_count,
        sum(case when feedback_scores.is_scored then 1 else 0 end) as scored_review_count,
        -- stars carry at most six decimals: summed as exact integers, divided once (macros/arithmetic.sql)
        sum(
            case
                when feedback_scores.is_scored
                    then cast(feedback_scores.score * 1000000 as {{ dbt.type_bigint() }})
            end
        ) as review_star_millionths_total
    from feedback_scores
    inner join scoped_persons
        on feedback_scores.person_key = scoped_persons.person_key
    where feedback_scores.feedback_kind = 'review'
    group by feedback_scores.person_key

),

event_stats as (

    select
        person_key,
        sum(case when touch_type = 'event_registered' then 1 else 0 end) as events_registered,
        sum(case when touch_type = 'event_attended' then 1 else 0 end) as events_attended,
        sum(case when touch_type = 'event_no_show' then 1 else 0 end) as events_no_show,
        sum(case when touch_type = 'event_cancelled' then 1 else 0 end) as events_cancelled,
        min(case when touch_type = 'event_attended' then occurred_at end) as first_event_attended_at
    from scoped_touchpoints
    where touch_type in ('event_registered', 'event_attended', 'event_no_show', 'event_cancelled')
    group by person_key

),

-- the first sales contact (var journey_sales_contact_touch_types: call, meeting, sales email) after the first
-- event the person attended
sales_after_events as (

    select
        event_stats.person_key,
        min(scoped_touchpoints.occurred_at) as first_sales_contact_after_event_at
    from event_stats
    inner join scoped_touchpoints
        on event_stats.person_key = scoped_touchpoints.person_key
    where scoped_touchpoints.touch_type in ({{ sales_contact_list }})
        and scoped_touchpoints.occurred_at > event_stats.first_event_attended_at
    group by event_stats.person_key

),

final as (

    select

        ----------  ids
        scoped_persons.person_key,
        scoped_persons.primary_contact_id,
        scoped_persons.owner_id,
        entry_touches.touchpoint_id as entry_touchpoint_id,
        entry_touches.campaign_key as entry_campaign_key,

        ----------  strings
        scoped_persons.persona,
        entry_touches.channel as entry_channel,
        entry_touches.sub_channel as entry_sub_channel,
        entry_touches.campaign as entry_campaign,
        entry_touches.touch_type as entry_touch_type,
        entry_touches.landing_page_path as entry_landing_page_path,
        last_touches.channel as last_touch_channel,
        last_touches.touch_type as last_touch_type,
        stage_stats.current_stage,
        conversion_stats.first_conversion_type,
        first_sales.purchase_channel as first_conversion_purchase_channel,
        case when conversion_stats.currency_count = 1 then conversion_stats.revenue_currency end as revenue_currency,
        scoped_persons.person_fingerprint,

        ----------  numerics
        stage_stats.current_stage_rank,
        scoped_persons.page_view_count,
        coalesce(touch_stats.touch_count, 0) as touch_count,
        coalesce(touch_stats.inbound_touch_count, 0) as inbound_touch_count,
        coalesce(touch_stats.session_count, 0) as session_count,
        {%- for channel in channels %}
        coalesce(touch_stats.touches_{{ channel }}, 0) as touches_{{ channel }},
        {%- endfor %}
        coalesce(touch_stats.touches_other_channels, 0) as touches_other_channels,
        coalesce(conversion_stats.conversion_count, 0) as conversion_count,
        coalesce(conversion_stats.revenue_conversion_count, 0) as revenue_conversion_count,
        -- revenue is summed only within one currency (no FX): a person converting in two currencies gets null
        case
            when conversion_stats.currency_count = 1 then conversion_stats.revenue_total
            when coalesce(conversion_stats.currency_count, 0) = 0 and conversion_stats.revenue_total is null then 0
        end as revenue,
        {{ seconds_between('touch_stats.first_touch_at', 'conversion_stats.first_converted_at') }}
            as seconds_to_convert,
        {{ seconds_between('touch_stats.first_inquiry_at', 'responses.first_sales_response_at') }}
            as speed_to_lead_seconds,

        ----------  booleans
        scoped_persons.is_anonymous,

        ----------  timestamps
        scoped_persons.first_seen_at,
        touch_stats.first_touch_at,
        touch_stats.last_touch_at,
        touch_stats.last_inbound_touch_at,
        conversion_stats.first_converted_at,
        touch_stats.first_inquiry_at,
        responses.first_sales_response_at,
        touch_stats.last_inquiry_at,
        responses.last_inquiry_response_at,
        stage_stats.current_stage_entered_at,
        {%- for stage in stages %}
        stage_stats.{{ stage }}_entered_at,
        stage_stats.{{ stage }}_left_at,
        {%- endfor %}

        ----------  feedback and events (issue 18): strings, numerics, booleans, timestamps
        feedback_stats.last_feedback_category,
        feedback_stats.last_feedback_score,
        {{ rounded_ratio(
            'feedback_stats.normalised_score_millionths_total', 'feedback_stats.feedback_count * 1000000', 4) }}
            as avg_feedback_score_normalised,
        coalesce(feedback_stats.feedback_count, 0) as feedback_count,
        coalesce(review_stats.review_count, 0) as review_count,
        {{ rounded_ratio(
            'review_stats.review_star_millionths_total', 'review_stats.scored_review_count * 1000000', 2) }}
            as avg_review_stars,
        coalesce(event_stats.events_registered, 0) as events_registered,
        coalesce(event_stats.events_attended, 0) as events_attended,
        coalesce(event_stats.events_no_show, 0) as events_no_show,
        coalesce(event_stats.events_cancelled, 0) as events_cancelled,
        coalesce(feedback_stats.last_feedback_category = 'detractor', false) as is_detractor,
        detractors_after_purchase.first_detractor_after_purchase_at is not null as is_detractor_after_purchase,
        feedback_stats.last_feedback_at,
        detractors_after_purchase.first_detractor_after_purchase_at,
        event_stats.first_event_attended_at,
        sales_after_events.first_sales_contact_after_event_at

    from scoped_persons
    left join entry_touches
        on scoped_persons.person_key = entry_touches.person_key
        and entry_touches.entry_rank = 1
    left join last_touches
        on scoped_persons.person_key = last_touches.person_key
        and last_touches.recency_rank = 1
    left join touch_stats
        on scoped_persons.person_key = touch_stats.person_key
    left join responses
        on scoped_persons.person_key = responses.person_key
    left join conversion_stats
        on scoped_persons.person_key = conversion_stats.person_key
    left join first_sales
        on scoped_persons.person_key = first_sales.person_key
        and first_sales.sale_rank = 1
    left join stage_stats
        on scoped_persons.person_key = stage_stats.person_key
    left join feedback_stats
        on scoped_persons.person_key = feedback_stats.person_key
    left join detractors_after_purchase
        on scoped_persons.person_key = detractors_after_purchase.person_key
    left join review_stats
        on scoped_persons.person_key = review_stats.person_key
    left join event_stats
        on scoped_persons.person_key = event_stats.person_key
    left join sales_after_events
        on scoped_persons.person_key = sales_after_events.person_key

)

{{ select_person_rows('final', 'changed') }}
