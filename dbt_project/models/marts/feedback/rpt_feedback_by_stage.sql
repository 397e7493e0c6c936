-- Where the journey hurts: survey scores and review stars by the journey stage the person was in when answering,
-- their persona and entry channel (customer_journeys). One row per stage, persona and entry channel with feedback.
-- The stage at an answer is the highest stage entered before it (fct_stage_transitions), else the lowest one
-- entered at that instant (an answer that is the person's first touch is read in awareness); a promoter score that
-- itself enters advocacy counts in the stage it was given from. Scores are averaged on the 0-1 scale of
-- int_feedback_scores_parsed; answers without a scale or out of scale count in unscored_responses, not in averages.
with

feedback_scores as (

    select * from {{ ref('int_feedback_scores_parsed') }}

),

stage_transitions as (

    select * from {{ ref('fct_stage_transitions') }}

),

journeys as (

    select * from {{ ref('customer_journeys') }}

),

answer_stages as (

    select
        feedback_scores.touchpoint_id,
        stage_transitions.stage,
        stage_transitions.stage_rank,
        row_number() over (
            partition by feedback_scores.touchpoint_id
            order by
                case when stage_transitions.entered_at < feedback_scores.occurred_at then 0 else 1 end,
                case
                    when stage_transitions.entered_at < feedback_scores.occurred_at
                        then -stage_transitions.stage_rank
                    else stage_transitions.stage_rank
                end
        ) as stage_pick
    from feedback_scores
    inner join stage_transitions
        on feedback_scores.person_key = stage_transitions.person_key
        and feedback_scores.occurred_at >= stage_transitions.entered_at

),

answers as (

    select
        feedback_scores.*,
        answer_stages.stage as journey_stage,
        answer_stages.stage_rank,
        coalesce(journeys.persona, 'unknown') as persona,
        coalesce(journeys.entry_channel, 'unassigned') as entry_channel,
        case
            when feedback_scores.feedback_kind = 'survey' and feedback_scores.is_scored then 1 else 0
        end as is_scored_survey,
        case
            when feedback_scores.feedback_kind = 'review' and feedback_scores.is_scored then 1 else 0
        end as is_scored_review
    from feedback_scores
    inner join answer_stages
        on feedback_scores.touchpoint_id = answer_stages.touchpoint_id
        and answer_stages.stage_pick = 1
    left join journeys
        on feedback_scores.person_key = journeys.person_key

),

aggregated as (

    select
        journey_stage,
        stage_rank,
        persona,
        entry_channel,
        sum(is_scored_survey) as survey_responses,
        sum(case when feedback_kind = 'survey' and not is_scored then 1 else 0 end) as unscored_responses,
        count(distinct case when is_scored_survey = 1 then person_key end) as respondents,
        coalesce(sum(case when is_scored_survey = 1 then normalised_score_millionths end), 0)
            as normalised_score_millionths_total,
        sum(case when is_scored_survey = 1 and feedback_category = 'detractor' then 1 else 0 end)
            as detractor_responses,
        sum(case when is_scored_survey = 1 and feedback_category = 'passive' then 1 else 0 end) as passive_responses,
        sum(case when is_scored_survey = 1 and feedback_category = 'promoter' then 1 else 0 end)
            as promoter_responses,
        sum(case when feedback_kind = 'review' then 1 else 0 end) as review_count,
        sum(is_scored_review) as scored_review_count,
        -- stars carry at most six decimals: summed as exact integers, divided once (macros/arithmetic.sql)
        coalesce(
            sum(case when is_scored_review = 1 then cast(score * 1000000 as {{ dbt.type_bigint() }}) end), 0
        ) as review_star_millionths_total
    from answers
    group by journey_stage, stage_rank, persona, entry_channel

),

final as (

    select

        ----------  ids
        {{ surrogate_key(['journey_stage', 'persona', 'entry_channel']) }} as feedback_by_stage_id,

        ----------  strings
        journey_stage,
        persona,
        entry_channel,

        ----------  numerics
        stage_rank,
        survey_responses,
        unscored_responses,
        respondents,
        normalised_score_millionths_total,
        {{ rounded_ratio('normalised_score_millionths_total', 'survey_responses * 1000000', 4) }}
            as avg_normalised_score,
        detractor_responses,
        passive_responses,
        promoter_responses,
        {{ rounded_ratio('detractor_responses', 'survey_responses', 4) }} as detractor_share,
        {{ rounded_ratio('promoter_responses', 'survey_responses', 4) }} as promoter_share,
        review_count,
        scored_review_count,
        review_star_millionths_total,
        {{ rounded_ratio('review_star_millionths_total', 'scored_review_count * 1000000', 2) }} as avg_review_stars

    from aggregated

)

select * from final
