-- One row per person, funnel and step reached, for the ordered funnels of the seed funnel_steps (stage funnels whose
-- steps are journey stages, and custom step funnels whose steps are touches: a demo request, a meeting, a deal).
-- Step 1 is reached at the person's first matching touch (or stage entry); step n at the first match at or after
-- step n-1 and within the funnel's conversion_window_days of step 1. Steps are unrolled up to the var
-- funnel_max_steps. Incremental like fct_touchpoints: persons whose timeline fingerprint changed are recomputed.
{{ person_incremental_config() }}

{%- set max_steps = var('funnel_max_steps') %}

with

touchpoints as (

    select * from {{ ref('fct_touchpoints') }}

),

stage_transitions as (

    select * from {{ ref('fct_stage_transitions') }}

),

steps as (

    select * from {{ ref('funnel_steps') }}

),

{{ changed_person_ctes(scoped={
    'scoped_touchpoints': 'touchpoints', 'scoped_stage_transitions': 'stage_transitions',
}) }},

funnels as (

    select
        funnel_name,
        max(conversion_window_days) as conversion_window_days
    from steps
    group by funnel_name

),

step_names as (

    select
        funnel_name,
        step_number,
        min(step_name) as step_name
    from steps
    group by funnel_name, step_number

),

matches as (

    select
        steps.funnel_name,
        steps.step_number,
        touchpoints.person_key,
        touchpoints.occurred_at
    from scoped_touchpoints as touchpoints
    inner join steps
        on steps.stage is null
        and touchpoints.touch_type = steps.touch_type
        and {{ like_rule('touchpoints.detail', 'steps.detail_pattern') }}

    union all

    select
        steps.funnel_name,
        steps.step_number,
        stage_transitions.person_key,
        stage_transitions.entered_at as occurred_at
    from scoped_stage_transitions as stage_transitions
    inner join steps
        on stage_transitions.stage = steps.stage

),

step_1 as (

    select
        funnel_name,
        person_key,
        min(occurred_at) as started_at,
        min(occurred_at) as reached_at,
        cast(null as {{ dbt.type_timestamp() }}) as previous_reached_at
    from matches
    where step_number = 1
    group by funnel_name, person_key

),
{% for n in range(2, max_steps + 1) %}
step_{{ n }} as (

    select
        previous.funnel_name,
        previous.person_key,
        previous.started_at,
        min(matches.occurred_at) as reached_at,
        previous.reached_at as previous_reached_at
    from step_{{ n - 1 }} as previous
    inner join funnels
        on previous.funnel_name = funnels.funnel_name
    inner join matches
        on previous.funnel_name = matches.funnel_name
        and previous.person_key = matches.person_key
        and matches.step_number = {{ n }}
        and matches.occurred_at >= previous.reached_at
        and matches.occurred_at <= {{ add_seconds('previous.started_at', 'funnels.conversion_window_days * 86400') }}
    group by previous.funnel_name, previous.person_key, previous.started_at, previous.reached_at

),
{% endfor %}

reached as (

    {% for n in range(1, max_steps + 1) %}
    select {{ n }} as step_number, step_{{ n }}.* from step_{{ n }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select

        ----------  ids
        {{ surrogate_key(['reached.person_key', 'reached.funnel_name', 'reached.step_number']) }} as funnel_step_id,
        reached.person_key,

        ----------  strings
        reached.funnel_name,
        step_names.step_name,
        fingerprints.person_fingerprint,

        ----------  numerics
        reached.step_number,
        {{ seconds_between('reached.started_at', 'reached.reached_at') }} as seconds_from_start,
        {{ seconds_between('reached.previous_reached_at', 'reached.reached_at') }} as seconds_from_previous_step,

        ----------  timestamps
        reached.started_at,
        reached.reached_at

    from reached
    inner join step_names
        on reached.funnel_name = step_names.funnel_name
        and reached.step_number = step_names.step_number
    inner join fingerprints
        on reached.person_key = fingerprints.person_key

)

{{ select_person_rows('final', 'changed') }}
