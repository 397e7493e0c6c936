-- rpt_feedback_by_stage loses and invents no feedback: its answers, bands, scores and reviews add up to
-- int_feedback_scores_parsed. Fails with one row per measure that does not add up.
with

scores as (

    select * from {{ ref('int_feedback_scores_parsed') }}

),

report as (

    select * from {{ ref('rpt_feedback_by_stage') }}

),

expected as (

    select
        sum(case when feedback_kind = 'survey' and is_scored then 1 else 0 end) as survey_responses,
        sum(case when feedback_kind = 'survey' and not is_scored then 1 else 0 end) as unscored_responses,
        sum(case when feedback_kind = 'survey' and feedback_category = 'detractor' then 1 else 0 end)
            as detractor_responses,
        coalesce(sum(case when feedback_kind = 'survey' then normalised_score_millionths end), 0)
            as normalised_score_millionths_total,
        sum(case when feedback_kind = 'review' then 1 else 0 end) as review_count
    from scores

),

reported as (

    select
        coalesce(sum(survey_responses), 0) as survey_responses,
        coalesce(sum(unscored_responses), 0) as unscored_responses,
        coalesce(sum(detractor_responses), 0) as detractor_responses,
        coalesce(sum(detractor_responses + passive_responses + promoter_responses), 0) as banded_responses,
        coalesce(sum(normalised_score_millionths_total), 0) as normalised_score_millionths_total,
        coalesce(sum(review_count), 0) as review_count
    from report

),

final as (

    select
        'survey_responses' as measure,
        expected.survey_responses as expected_value,
        reported.survey_responses as reported_value
    from expected
    cross join reported

    union all

    select
        'banded_responses' as measure,
        expected.survey_responses as expected_value,
        reported.banded_responses as reported_value
    from expected
    cross join reported

    union all

    select
        'unscored_responses' as measure,
        expected.unscored_responses as expected_value,
        reported.unscored_responses as reported_value
    from expected
    cross join reported

    union all

    select
        'detractor_responses' as measure,
        expected.detractor_responses as expected_value,
        reported.detractor_responses as reported_value
    from expected
    cross join reported

    union all

    select
        'normalised_score_millionths_total' as measure,
        expected.normalised_score_millionths_total as expected_value,
        reported.normalised_score_millionths_total as reported_value
    from expected
    cross join reported

    union all

    select
        'review_count' as measure,
        expected.review_count as expected_value,
        reported.review_count as reported_value
    from expected
    cross join reported

)

select * from final
where coalesce(expected_value, 0) <> coalesce(reported_value, 0)
