-- Who is in which segment, and since when: one row per person and segment of the declarative definitions in the
-- var journey_segments (dbt_project.yml; rules in macro segment_members), at the journey clock (journey_as_of).
-- Rebuilt every run (segments depend on the clock: a customer becomes "at risk" without any new data).
with

summaries as (

    select * from {{ ref('int_journeys_summarised') }}

),

members as (

    {% for segment in var('journey_segments') %}
    select
        '{{ segment["name"] }}' as segment_name,
        '{{ segment["rule"] }}' as segment_rule,
        person_key,
        member_since
    from (
        {{ segment_members(segment, journey_as_of()) }}
    ) as segment_{{ loop.index }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select

        ----------  ids
        {{ surrogate_key(['person_key', 'segment_name']) }} as segment_membership_id,
        person_key,

        ----------  strings
        segment_name,
        segment_rule,

        ----------  timestamps
        member_since,
        {{ journey_as_of() }} as as_of

    from members

)

select * from final
