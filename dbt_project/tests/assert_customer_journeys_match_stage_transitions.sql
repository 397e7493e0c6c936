-- The stages of customer_journeys agree with fct_stage_transitions: the current stage is the transition marked
-- current, and every <stage>_entered_at equals that stage's entered_at (both null when the stage was not reached).
{%- set stages = var('journey_stages') %}

with

transitions as (

    select
        person_key,
        {%- for stage in stages %}
        max(case when stage = '{{ stage }}' then entered_at end) as {{ stage }}_entered_at,
        {%- endfor %}
        max(case when is_current then stage end) as current_stage
    from {{ ref('fct_stage_transitions') }}
    group by person_key

)

select journeys.person_key
from {{ ref('customer_journeys') }} as journeys
left join transitions
    on journeys.person_key = transitions.person_key
where
    coalesce(journeys.current_stage, '') <> coalesce(transitions.current_stage, '')
    {%- for stage in stages %}
    or journeys.{{ stage }}_entered_at is distinct from transitions.{{ stage }}_entered_at
    {%- endfor %}
