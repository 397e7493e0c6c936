-- The most common channel paths to conversion and to drop-off: per person, the marketing touches (channels outside
-- the var path_excluded_channels: sales and CRM activity) up to their first conversion (outcome `conversion`), or
-- all of them for persons who dropped off (customer_journeys.is_dropped_off, outcome `drop_off`); consecutive
-- repeats of a channel collapse into one step and only the last var path_max_steps steps are kept. One row per
-- outcome and path among the var path_top_n most frequent of the outcome.
{%- set excluded = var('path_excluded_channels') %}

with

touchpoints as (

    select * from {{ ref('fct_touchpoints') }}
    where channel not in ('{{ excluded | join("', '") }}')

),

journeys as (

    select * from {{ ref('customer_journeys') }}

),

outcome_touches as (

    select
        'conversion' as outcome,
        touchpoints.person_key,
        touchpoints.touchpoint_id,
        touchpoints.channel,
        touchpoints.occurred_at
    from touchpoints
    inner join journeys
        on touchpoints.person_key = journeys.person_key
    where journeys.first_converted_at is not null
        and touchpoints.occurred_at <= journeys.first_converted_at

    union all

    select
        'drop_off' as outcome,
        touchpoints.person_key,
        touchpoints.touchpoint_id,
        touchpoints.channel,
        touchpoints.occurred_at
    from touchpoints
    inner join journeys
        on touchpoints.person_key = journeys.person_key
    where journeys.is_dropped_off

),

-- exposure paths: consecutive touches of one channel are one step
steps as (

    select
        outcome_touches.*,
        lag(outcome_touches.channel) over (
            partition by outcome_touches.outcome, outcome_touches.person_key
            order by outcome_touches.occurred_at, outcome_touches.touchpoint_id
        ) as previous_channel
    from outcome_touches

),

collapsed as (

    select
        steps.*,
        row_number() over (
            partition by steps.outcome, steps.person_key
            order by steps.occurred_at desc, steps.touchpoint_id desc
        ) as steps_from_end
    from steps
    where steps.previous_channel is null or steps.previous_channel <> steps.channel

),

paths as (

    select
        outcome,
        person_key,
        count(*) as path_length,
        {{ dbt.listagg('channel', "' > '", 'order by occurred_at, touchpoint_id') }} as channel_path
    from collapsed
    where steps_from_end <= {{ var('path_max_steps') }}
    group by outcome, person_key

),

path_counts as (

    select
        outcome,
        channel_path,
        min(path_length) as path_length,
        count(*) as persons
    from paths
    group by outcome, channel_path

),

ranked as (

    select
        path_counts.*,
        sum(path_counts.persons) over (partition by path_counts.outcome) as outcome_persons,
        row_number() over (
            partition by path_counts.outcome
            order by path_counts.persons desc, path_counts.channel_path asc
        ) as path_rank
    from path_counts

),

final as (

    select

        ----------  strings
        outcome,
        channel_path,

        ----------  numerics
        path_rank,
        path_length,
        persons,
        outcome_persons,
        {{ rounded_ratio('persons', 'outcome_persons', 4) }} as share_of_outcome

    from ranked
    where path_rank <= {{ var('path_top_n') }}

)

select * from final
