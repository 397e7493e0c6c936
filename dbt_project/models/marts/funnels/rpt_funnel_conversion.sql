-- Funnel conversion by persona, entry channel and cohort month (month of the person's first touch): for every funnel
-- of the seed funnel_steps and every step, how many of the persons who entered the funnel reached it (within the
-- funnel's conversion window, fct_funnel_steps), the conversion rate from the first and from the previous step, and
-- the average days from the first step. Counts add up across the dimension columns; recompute rates from them.
with

funnel_steps as (

    select * from {{ ref('fct_funnel_steps') }}

),

journeys as (

    select * from {{ ref('customer_journeys') }}

),

step_names as (

    select
        funnel_name,
        step_number,
        min(step_name) as step_name
    from {{ ref('funnel_steps') }}
    group by funnel_name, step_number

),

entrants as (

    select
        funnel_steps.funnel_name,
        funnel_steps.person_key,
        coalesce(journeys.persona, '(unknown)') as persona,
        coalesce(journeys.entry_channel, '(none)') as entry_channel,
        cast({{ dbt.date_trunc('month', 'journeys.first_touch_at') }} as date) as cohort_month
    from funnel_steps
    inner join journeys
        on funnel_steps.person_key = journeys.person_key
    where funnel_steps.step_number = 1

),

groups as (

    select
        funnel_name,
        persona,
        entry_channel,
        cohort_month,
        count(*) as persons_entered
    from entrants
    group by funnel_name, persona, entry_channel, cohort_month

),

reached as (

    select
        entrants.funnel_name,
        entrants.persona,
        entrants.entry_channel,
        entrants.cohort_month,
        funnel_steps.step_number,
        count(*) as persons_reached,
        -- days as an exact ratio of integers (macros/arithmetic.sql): the same on every engine
        {{ rounded_ratio('sum(funnel_steps.seconds_from_start)', 'count(funnel_steps.seconds_from_start) * 86400', 3) }}
            as avg_days_from_start
    from entrants
    inner join funnel_steps
        on entrants.funnel_name = funnel_steps.funnel_name
        and entrants.person_key = funnel_steps.person_key
    group by
        entrants.funnel_name, entrants.persona, entrants.entry_channel, entrants.cohort_month,
        funnel_steps.step_number

),

grid as (

    select
        groups.*,
        step_names.step_number,
        step_names.step_name,
        coalesce(reached.persons_reached, 0) as persons_reached,
        reached.avg_days_from_start
    from groups
    inner join step_names
        on groups.funnel_name = step_names.funnel_name
    left join reached
        on groups.funnel_name = reached.funnel_name
        and groups.persona = reached.persona
        and groups.entry_channel = reached.entry_channel
        and groups.cohort_month = reached.cohort_month
        and step_names.step_number = reached.step_number

),

stepped as (

    select
        grid.*,
        lag(grid.persons_reached) over (
            partition by grid.funnel_name, grid.persona, grid.entry_channel, grid.cohort_month
            order by grid.step_number
        ) as persons_reached_previous_step
    from grid

),

final as (

    select

        ----------  strings
        funnel_name,
        step_name,
        persona,
        entry_channel,

        ----------  numerics
        step_number,
        persons_entered,
        persons_reached,
        persons_reached_previous_step,
        {{ rounded_ratio('persons_reached', 'persons_entered', 4) }} as conversion_rate_from_start,
        {{ rounded_ratio('persons_reached', 'persons_reached_previous_step', 4) }}
            as conversion_rate_from_previous_step,
        avg_days_from_start,

        ----------  dates
        cohort_month

    from stepped

)

select * from final
