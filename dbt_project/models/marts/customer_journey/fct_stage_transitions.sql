-- One row per person and journey stage reached: when the person entered it and left it (entered the next stage).
-- The ladder is the var journey_stages (awareness, engagement, consideration, conversion, retention, advocacy); a
-- stage is entered at the first touch matching one of its rules in the seed stage_rules (touch type, detail
-- pattern, the stage a CRM change moved to, a minimum survey score, or the n-th occurrence in a group such as the
-- second deal won or purchase, or the third page view: a web session counts its views). Stages are monotonic: a
-- stage counts as entered no later than any higher stage, so when a higher stage's rule fires first, the lower
-- stage is entered at that same instant (is_inferred).
-- Incremental like fct_touchpoints: persons whose timeline fingerprint changed are recomputed.
{{ person_incremental_config() }}

{%- set stages = var('journey_stages') %}

with

touchpoints as (

    select * from {{ ref('fct_touchpoints') }}

),

rules as (

    select * from {{ ref('stage_rules') }}

),

ladder as (

    {% for stage in stages %}
    select
        '{{ stage }}' as stage,
        {{ loop.index }} as stage_rank
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

{{ changed_person_ctes(scoped={'scoped': 'touchpoints'}) }},

matches as (

    select
        scoped.person_key,
        scoped.touchpoint_id,
        scoped.occurred_at,
        scoped.event_count,
        rules.stage,
        rules.rule_name,
        rules.occurrence_group,
        rules.min_occurrence
    from scoped
    inner join rules
        on (rules.touch_type = '*' or scoped.touch_type = rules.touch_type)
        and {{ like_rule('scoped.detail', 'rules.detail_pattern') }}
        and (rules.stage_to is null or scoped.stage_to = rules.stage_to)
        and (rules.min_score is null or scoped.score >= rules.min_score)

),

-- rules counting occurrences: count the events of each group's distinct touches per person, in time order; a
-- touch counts its event_count (a web session: its views), any other touch one. occurrence_number is the count
-- after the touch, so a rule for the n-th occurrence fires at the touch that reaches n.
occurrences as (

    select
        person_key,
        touchpoint_id,
        occurred_at,
        occurrence_group,
        sum(coalesce(event_count, 1)) over (
            partition by person_key, occurrence_group
            order by occurred_at, touchpoint_id
            rows between unbounded preceding and current row
        ) as occurrence_number,
        coalesce(event_count, 1) as touch_occurrences
    from (
        select distinct
            person_key,
            touchpoint_id,
            occurred_at,
            event_count,
            occurrence_group
        from matches
        where occurrence_group is not null
    ) as group_touches

),

qualifying as (

    select
        person_key,
        touchpoint_id,
        occurred_at,
        stage,
        rule_name
    from matches
    where occurrence_group is null

    union all

    select
        matches.person_key,
        matches.touchpoint_id,
        matches.occurred_at,
        matches.stage,
        matches.rule_name
    from matches
    inner join occurrences
        on matches.person_key = occurrences.person_key
        and matches.touchpoint_id = occurrences.touchpoint_id
        and matches.occurrence_group = occurrences.occurrence_group
    where occurrences.occurrence_number >= coalesce(matches.min_occurrence, 1)
        and occurrences.occurrence_number - occurrences.touch_occurrences < coalesce(matches.min_occurrence, 1)

),

first_entries as (

    select
        person_key,
        stage,
        touchpoint_id,
        rule_name,
        occurred_at,
        row_number() over (
            partition by person_key, stage
            order by occurred_at, touchpoint_id, rule_name
        ) as entry_rank
    from qualifying

),

-- every stage of the ladder for every person, with the stage's own first entry (if any)
person_ladder as (

    select
        persons.person_key,
        ladder.stage,
        ladder.stage_rank,
        first_entries.occurred_at as own_entered_at,
        first_entries.touchpoint_id as own_touchpoint_id,
        first_entries.rule_name as own_rule_name
    from (select distinct person_key from scoped) as persons
    cross join ladder
    left join first_entries
        on persons.person_key = first_entries.person_key
        and ladder.stage = first_entries.stage
        and first_entries.entry_rank = 1

),

-- monotonic: a stage is entered no later than any higher stage; the entry comes from the earliest stage at or
-- above it
effective as (

    select
        lower_stage.person_key,
        lower_stage.stage,
        lower_stage.stage_rank,
        higher_stage.own_entered_at as entered_at,
        higher_stage.own_touchpoint_id as entered_by_touchpoint_id,
        higher_stage.own_rule_name as entered_by_rule,
        higher_stage.stage as entered_via_stage,
        row_number() over (
            partition by lower_stage.person_key, lower_stage.stage
            order by higher_stage.own_entered_at, higher_stage.stage_rank
        ) as source_rank
    from person_ladder as lower_stage
    inner join person_ladder as higher_stage
        on lower_stage.person_key = higher_stage.person_key
        and lower_stage.stage_rank <= higher_stage.stage_rank
        and higher_stage.own_entered_at is not null

),

reached as (

    select
        effective.*,
        lead(effective.entered_at) over (
            partition by effective.person_key
            order by effective.stage_rank
        ) as left_at,
        lead(effective.stage) over (
            partition by effective.person_key
            order by effective.stage_rank
        ) as next_stage,
        max(effective.stage_rank) over (partition by effective.person_key) as highest_stage_rank
    from effective
    where effective.source_rank = 1

),

final as (

    select

        ----------  ids
        {{ surrogate_key(['reached.person_key', 'reached.stage']) }} as stage_transition_id,
        reached.person_key,
        reached.entered_by_touchpoint_id,

        ----------  strings
        reached.stage,
        reached.next_stage,
        reached.entered_by_rule,
        reached.entered_via_stage,
        fingerprints.person_fingerprint,

        ----------  numerics
        reached.stage_rank,
        {{ seconds_between('reached.entered_at', 'reached.left_at') }} as seconds_in_stage,

        ----------  booleans
        reached.entered_via_stage <> reached.stage as is_inferred,
        reached.stage_rank = reached.highest_stage_rank as is_current,

        ----------  timestamps
        reached.entered_at,
        reached.left_at

    from reached
    inner join fingerprints
        on reached.person_key = fingerprints.person_key

)

{{ select_person_rows('final', 'changed') }}
