-- One row per feedback touch of a known person (fct_touchpoints): every survey answer (touch type survey_response)
-- and review (touch type review), whatever the source, with its score read on the scale the seed
-- feedback_score_scales gives it: the scale's range, the score normalised to 0-1, and its category (detractor,
-- passive, promoter) by the scale's bands. A source adds nothing here: its touches arrive through fct_touchpoints
-- with touch_type, detail (survey name, review site) and score; a source that also records the survey's type (NPS,
-- CSAT, CES) adds a branch to survey_types, so the seed can match the type rather than the survey's name.
-- Nothing is dropped: an answer no scale matches keeps its row with is_unknown_scale (a warn-level test), a score
-- outside its scale's range keeps its row with is_out_of_scale (a warn-level test), both without category.
with

touchpoints as (

    select * from {{ ref('fct_touchpoints') }}
    where touch_type in ('survey_response', 'review')

),

scales as (

    select * from {{ ref('feedback_score_scales') }}

),

-- the survey type the source records beside the answer (HubSpot feedback submissions: hs_survey_type; Typeform:
-- read from the scored question's scale by int_typeform__survey_responses)
survey_types as (

    select
        'hubspot' as source_system,
        'feedback_submissions' as source_stream,
        feedback_submission_id as source_record_id,
        survey_type
    from {{ ref('stg_hubspot__feedback_submissions') }}

    union all

    select
        'typeform' as source_system,
        'responses' as source_stream,
        response_id as source_record_id,
        survey_type
    from {{ ref('int_typeform__survey_responses') }}

),

typed as (

    select
        touchpoints.touchpoint_id,
        touchpoints.person_key,
        touchpoints.touch_event_id,
        touchpoints.source_system,
        touchpoints.source_stream,
        touchpoints.source_record_id,
        touchpoints.touch_type,
        touchpoints.detail,
        survey_types.survey_type,
        touchpoints.score,
        touchpoints.occurred_at
    from touchpoints
    left join survey_types
        on touchpoints.source_system = survey_types.source_system
        and touchpoints.source_stream = survey_types.source_stream
        and touchpoints.source_record_id = survey_types.source_record_id

),

-- every scale rule that fits the answer; the lowest priority wins
scale_matches as (

    select
        typed.touchpoint_id,
        scales.scale_name,
        scales.scale_min,
        scales.scale_max,
        scales.detractor_max,
        scales.passive_max,
        row_number() over (
            partition by typed.touchpoint_id
            order by scales.priority, scales.scale_name
        ) as match_rank
    from typed
    inner join scales
        on typed.touch_type = scales.touch_type
        and {{ like_rule('typed.source_system', 'scales.source_system') }}
        and (scales.survey_type is null or upper(typed.survey_type) = upper(scales.survey_type))
        and {{ like_rule('typed.detail', 'scales.detail_pattern') }}

),

scored as (

    select
        typed.*,
        scale_matches.scale_name,
        scale_matches.scale_min,
        scale_matches.scale_max,
        scale_matches.detractor_max,
        scale_matches.passive_max,
        scale_matches.scale_name is null as is_unknown_scale,
        coalesce(
            typed.score < scale_matches.scale_min or typed.score > scale_matches.scale_max, false
        ) as is_out_of_scale,
        coalesce(
            typed.score is not null
            and typed.score >= scale_matches.scale_min
            and typed.score <= scale_matches.scale_max
            and scale_matches.scale_max > scale_matches.scale_min,
            false
        ) as is_scored
    from typed
    left join scale_matches
        on typed.touchpoint_id = scale_matches.touchpoint_id
        and scale_matches.match_rank = 1

),

-- (score - min) / (max - min) in millionths, rounded half up in integer arithmetic: scores carry at most six
-- decimals (staging's numeric), so (score - min) * 10^6 is an exact integer; averages sum this integer and divide
-- once (macros/arithmetic.sql), so every engine gives the same value
normalised as (

    select
        scored.*,
        case
            when scored.score <= scored.detractor_max then 'detractor'
            when scored.score <= scored.passive_max then 'passive'
            else 'promoter'
        end as band,
        {{ integer_div(
            'cast((scored.score - scored.scale_min) * 1000000 as ' ~ dbt.type_bigint() ~ ') * 2000000'
            ~ ' + (scored.scale_max - scored.scale_min) * 1000000',
            'nullif(2 * (scored.scale_max - scored.scale_min) * 1000000, 0)') }} as score_millionths
    from scored

),

final as (

    select

        ----------  ids
        touchpoint_id,
        person_key,
        touch_event_id,
        source_record_id,

        ----------  strings
        source_system,
        source_stream,
        touch_type,
        case when touch_type = 'review' then 'review' else 'survey' end as feedback_kind,
        detail,
        survey_type,
        scale_name,
        case when is_scored then band end as feedback_category,

        ----------  numerics
        score,
        scale_min,
        scale_max,
        case when is_scored then score_millionths end as normalised_score_millionths,
        case
            when is_scored
                then cast(score_millionths as {{ type_double() }}) / cast(1000000 as {{ type_double() }})
        end as normalised_score,

        ----------  booleans
        is_scored,
        is_unknown_scale,
        is_out_of_scale,

        ----------  timestamps
        occurred_at

    from normalised

)

select * from final
