{#- journey_as_of: the clock of the time-dependent journey columns and segments: the var journey_as_of (an ISO
    timestamp) when set, else the latest touch in fct_touchpoints (the data's own clock, so a rebuild of the same
    data gives the same result). -#}
{% macro journey_as_of() -%}
    {%- if var('journey_as_of', none) -%}
        cast('{{ var("journey_as_of") }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        (select max(occurred_at) from {{ ref('fct_touchpoints') }})
    {%- endif -%}
{%- endmacro %}


{#- stage_rank: the 1-based position of a stage in the var journey_stages (a number literal). -#}
{% macro stage_rank(stage) -%}
    {%- set stages = var('journey_stages') -%}
    {%- if stage not in stages -%}
        {{ exceptions.raise_compiler_error("unknown journey stage '" ~ stage ~ "': not in var journey_stages") }}
    {%- endif -%}
    {{ stages.index(stage) + 1 }}
{%- endmacro %}


{#-
    segment_members: a SELECT of (person_key, member_since) for one declarative segment definition (an item of the
    var journey_segments) over `summaries` (int_journeys_summarised columns) at the clock `as_of` (SQL expression).
    Rules:
      stalled_in_stage      stage, days    the current stage is `stage`, entered `days` or more ago; since entered + days
      inquiry_unanswered    hours          the latest inquiry has had no sales response for `hours`; since inquiry + hours
      reached_stage         stage          the person reached `stage`; since it was entered
      inactive_after_stage  stage, days    reached `stage`, and no inbound touch for `days` since the later of entering it
                                           and the last inbound touch; since that moment + days
      persona               persona        the persona is `persona`; since the person was first seen
      since_timestamp       column, unless the timestamp column `column` is set (at or before as_of); since then,
                                           until the optional timestamp column `unless` is set (at or before as_of)
      expression            where, since   any SQL condition and membership start over the summary columns and as_of
-#}
{% macro segment_members(segment, as_of, summaries='summaries') -%}
    {%- set rule = segment['rule'] -%}
    {%- if rule == 'stalled_in_stage' -%}
        {%- set since = add_seconds('current_stage_entered_at', segment['days'] * 86400) -%}
    select person_key, {{ since }} as member_since
    from {{ summaries }}
    where current_stage = '{{ segment["stage"] }}'
        and {{ since }} <= {{ as_of }}
    {%- elif rule == 'inquiry_unanswered' -%}
        {%- set since = add_seconds('last_inquiry_at', segment['hours'] * 3600) -%}
    select person_key, {{ since }} as member_since
    from {{ summaries }}
    where last_inquiry_at is not null
        and last_inquiry_response_at is null
        and {{ since }} <= {{ as_of }}
    {%- elif rule == 'reached_stage' -%}
        {%- do stage_rank(segment['stage']) -%}
    select person_key, {{ segment['stage'] }}_entered_at as member_since
    from {{ summaries }}
    where {{ segment['stage'] }}_entered_at is not null
        and {{ segment['stage'] }}_entered_at <= {{ as_of }}
    {%- elif rule == 'inactive_after_stage' -%}
        {%- set stage = segment['stage'] -%}
        {%- do stage_rank(stage) -%}
        {%- set reference = "case when last_inbound_touch_at > " ~ stage ~ "_entered_at then last_inbound_touch_at else "
            ~ stage ~ "_entered_at end" -%}
        {%- set since = add_seconds(reference, segment['days'] * 86400) -%}
    select person_key, {{ since }} as member_since
    from {{ summaries }}
    where {{ stage }}_entered_at is not null
        and {{ since }} <= {{ as_of }}
    {%- elif rule == 'persona' -%}
    select person_key, first_seen_at as member_since
    from {{ summaries }}
    where persona = '{{ segment["persona"] }}'
    {%- elif rule == 'since_timestamp' -%}
    select person_key, {{ segment['column'] }} as member_since
    from {{ summaries }}
    where {{ segment['column'] }} <= {{ as_of }}
        {%- if segment.get('unless') %}
        and ({{ segment['unless'] }} is null or {{ segment['unless'] }} > {{ as_of }})
        {%- endif %}
    {%- elif rule == 'expression' -%}
    select person_key, {{ segment['since'] }} as member_since
    from {{ summaries }}
    where {{ segment['where'] }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("segment '" ~ segment['name'] ~ "': unknown rule '" ~ rule ~ "'") }}
    {%- endif -%}
{%- endmacro %}
