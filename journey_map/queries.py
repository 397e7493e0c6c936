"""Read the published serving copy: every chart's data at the grain of persona x cohort month, so the report can
filter by both in the browser without a server.

Only the serving copy is read (read-only): the warehouse may be locked by a running pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from journey_map.labels import NO_COHORT, PATH_EXCLUDED_CHANNELS, UNKNOWN_PERSONA

# Every person's filter keys. Cohort month is the month of the first touch, as in rpt_funnel_conversion.
PEOPLE = f"""
people as (
    select
        person_key,
        coalesce(persona, '{UNKNOWN_PERSONA}') as persona,
        coalesce(strftime(date_trunc('month', first_touch_at), '%Y-%m'), '{NO_COHORT}') as cohort,
        is_dropped_off
    from marts.customer_journeys
)"""

# Speed-to-lead buckets: upper bounds in minutes, chosen around how sales teams talk about response times.
SPEED_BUCKETS: tuple[tuple[str, float | None], ...] = (
    ("Under 5 minutes", 5),
    ("5 to 30 minutes", 30),
    ("30 minutes to 1 hour", 60),
    ("1 to 4 hours", 240),
    ("4 to 24 hours", 1440),
    ("1 to 3 days", 4320),
    ("Over 3 days", None),
)
NO_RESPONSE = "No reply yet"

# Time-in-stage buckets: upper bounds in days.
STAGE_TIME_BUCKETS: tuple[tuple[str, float | None], ...] = (
    ("Same day", 1),
    ("1 to 7 days", 7),
    ("1 to 4 weeks", 28),
    ("Over 4 weeks", None),
)


@dataclass(frozen=True)
class Table:
    """Rows as lists under named columns: compact in the HTML data island and easy to aggregate in JavaScript."""

    columns: list[str]
    rows: list[list[Any]]

    def as_json(self) -> dict[str, Any]:
        return {"columns": self.columns, "rows": self.rows}


def read_table(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Table:
    cursor = con.execute(sql, params or [])
    columns = [d[0] for d in cursor.description]
    rows = [[_plain(v) for v in row] for row in cursor.fetchall()]
    return Table(columns, rows)


def _plain(value: Any) -> Any:
    """JSON-friendly scalars: DuckDB returns Decimal for sums of decimals and HUGEINT for counts."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if hasattr(value, "as_integer_ratio") or type(value).__name__ == "Decimal":
        return float(value)
    return str(value)


def _case(expr: str, buckets: tuple[tuple[str, float | None], ...]) -> str:
    """A SQL CASE giving the 0-based bucket index of ``expr`` (bounds are exclusive upper bounds)."""
    whens = " ".join(f"when {expr} < {bound} then {i}" for i, (_, bound) in enumerate(buckets) if bound is not None)
    return f"case {whens} else {len(buckets) - 1} end"


def stage_flow(con: duckdb.DuckDBPyConnection) -> Table:
    """Persons per stage move: stage -> next stage, or, for the stage they are in now, dropped off / still there."""
    return read_table(
        con,
        f"""with {PEOPLE}
        select p.persona, p.cohort, t.stage as source,
               coalesce(t.next_stage, case when p.is_dropped_off then 'dropped_off' else 'still_here' end) as target,
               count(*) as persons
        from marts.fct_stage_transitions as t join people as p using (person_key)
        group by all order by all""",
    )


def stage_feedback(con: duckdb.DuckDBPyConnection) -> Table:
    """Survey answers and reviews per persona and the stage they were given in (marts.rpt_feedback_by_stage): the
    additive columns only, so the browser sums any filter and divides once. No cohort split: the report has none."""
    return read_table(
        con,
        f"""select case when persona = 'unknown' then '{UNKNOWN_PERSONA}' else persona end as persona,
               journey_stage as stage, sum(survey_responses) as responses,
               sum(normalised_score_millionths_total) as score_millionths,
               sum(detractor_responses) as detractors, sum(review_count) as reviews
        from marts.rpt_feedback_by_stage
        group by all order by all""",
    )


def channel_paths(con: duckdb.DuckDBPyConnection, max_steps: int = 6) -> Table:
    """Per-person channel paths, grouped by persona and cohort. Same rules as rpt_journey_paths (which only keeps
    the overall top paths, so it cannot be filtered): marketing touches up to the first conversion, or all of them
    for people who dropped off; repeats collapsed; the last ``max_steps`` steps kept."""
    excluded = ", ".join(f"'{c}'" for c in PATH_EXCLUDED_CHANNELS)
    return read_table(
        con,
        f"""with {PEOPLE},
        marketing as (
            select t.person_key, t.touchpoint_id, t.channel, t.occurred_at, j.first_converted_at, j.is_dropped_off
            from marts.fct_touchpoints as t join marts.customer_journeys as j using (person_key)
            where t.channel not in ({excluded})
        ),
        touches as (
            select 'conversion' as outcome, * from marketing
            where first_converted_at is not null and occurred_at <= first_converted_at
            union all
            select 'drop_off' as outcome, * from marketing where is_dropped_off
        ),
        steps as (
            select *, lag(channel) over (
                partition by outcome, person_key order by occurred_at, touchpoint_id) as previous
            from touches
        ),
        collapsed as (
            select *, row_number() over (
                partition by outcome, person_key order by occurred_at desc, touchpoint_id desc) as from_end
            from steps where previous is null or previous <> channel
        ),
        paths as (
            select outcome, person_key, string_agg(channel, ' > ' order by occurred_at, touchpoint_id) as path
            from collapsed where from_end <= ? group by outcome, person_key
        )
        select p.persona, p.cohort, paths.outcome, paths.path, count(*) as persons
        from paths join people as p using (person_key)
        group by all order by all""",
        [max_steps],
    )


def funnels(con: duckdb.DuckDBPyConnection) -> Table:
    """rpt_funnel_conversion's counts (they add up across persona, entry channel and cohort month)."""
    return read_table(
        con,
        f"""select funnel_name as funnel, step_number as step, any_value(step_name) as step_name,
               persona, entry_channel, coalesce(strftime(cohort_month, '%Y-%m'), '{NO_COHORT}') as cohort,
               sum(persons_reached)::bigint as persons
        from marts.rpt_funnel_conversion
        group by funnel_name, step_number, persona, entry_channel, cohort_month
        order by all""",
    )


def time_in_stage(con: duckdb.DuckDBPyConnection) -> Table:
    """Completed stays (the person moved on): persons and total days per stage and duration bucket."""
    days = "t.seconds_in_stage / 86400.0"
    return read_table(
        con,
        f"""with {PEOPLE}
        select p.persona, p.cohort, t.stage, {_case(days, STAGE_TIME_BUCKETS)} as bucket,
               count(*) as persons, sum({days}) as total_days
        from marts.fct_stage_transitions as t join people as p using (person_key)
        where t.left_at is not null
        group by all order by all""",
    )


def speed_to_lead(con: duckdb.DuckDBPyConnection) -> Table:
    """People who asked sales to get in touch, by how long the first reply took (last bucket: no reply yet)."""
    minutes = "j.speed_to_lead_minutes"
    bucket = f"case when {minutes} is null then {len(SPEED_BUCKETS)} else {_case(minutes, SPEED_BUCKETS)} end"
    return read_table(
        con,
        f"""with {PEOPLE}
        select p.persona, p.cohort, {bucket} as bucket, count(*) as persons, sum({minutes}) as total_minutes
        from marts.customer_journeys as j join people as p using (person_key)
        where j.first_inquiry_at is not null
        group by all order by all""",
    )


def attributed_revenue(con: duckdb.DuckDBPyConnection) -> Table:
    """fct_attribution's revenue credit and conversion credit by model, channel, persona and cohort."""
    return read_table(
        con,
        f"""with {PEOPLE}
        select a.attribution_model as model, coalesce(a.channel, '(unattributed)') as channel,
               p.persona, p.cohort, sum(a.revenue_credit) as revenue, sum(a.credit) as conversions
        from marts.fct_attribution as a join people as p using (person_key)
        group by all order by all""",
    )


def attributed_revenue_whole(con: duckdb.DuckDBPyConnection) -> Table:
    """The standard Markov models' channel totals (fct_attribution_channel_totals): credit over the whole data set,
    which has no per-person split, so persona and cohort filters do not apply to it."""
    return read_table(
        con,
        """select attribution_model as model, channel, sum(revenue) as revenue, sum(conversions) as conversions
        from marts.fct_attribution_channel_totals
        group by all order by all""",
    )


def spend(con: duckdb.DuckDBPyConnection) -> Table:
    """Ad spend per channel from rpt_channel_performance. Each model's rows repeat the same spend, so one model's
    rows are summed. Spend belongs to no person, so persona and cohort filters do not apply to it."""
    return read_table(
        con,
        """select channel, sum(spend) as spend
        from marts.rpt_channel_performance
        where attribution_model = (select min(attribution_model) from marts.rpt_channel_performance)
        group by all having sum(spend) > 0 order by all""",
    )


def stage_sequences(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, list[tuple[str, bool, str | None]]]]:
    """Each person's stages in ladder order: (stage, entered by a rule of its own?, channel of the entering touch)."""
    rows = con.execute(
        f"""with {PEOPLE}
        select p.persona, p.cohort,
               list({{'stage': s.stage, 'own': not s.is_inferred, 'channel': t.channel}} order by s.stage_rank)
        from marts.fct_stage_transitions as s
        join people as p using (person_key)
        left join marts.fct_touchpoints as t on t.touchpoint_id = s.entered_by_touchpoint_id
        group by s.person_key, p.persona, p.cohort
        order by s.person_key"""
    ).fetchall()
    return [(persona, cohort, [(x["stage"], x["own"], x["channel"]) for x in seq]) for persona, cohort, seq in rows]


def summary(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Headline counts for the report header and the Dagster metadata."""
    row = con.execute(
        """select count(*), count(*) filter (where is_anonymous), count(*) filter (where is_converted),
               count(*) filter (where is_dropped_off), max(as_of)
        from marts.customer_journeys"""
    ).fetchone()
    assert row is not None  # an aggregate without group by always answers one row
    persons, anonymous, converted, dropped, as_of = row
    return {
        "persons": int(persons),
        # visitors of the website who never identified: persons of their own (customer_journeys.is_anonymous)
        "anonymous_visitors": int(anonymous),
        "converted": int(converted),
        "dropped_off": int(dropped),
        "as_of": str(as_of) if as_of is not None else None,
    }


def connect(serving: Path) -> duckdb.DuckDBPyConnection:
    if not serving.exists():
        raise FileNotFoundError(f"no serving copy at {serving}: materialize publish/serving_copy first")
    return duckdb.connect(str(serving), read_only=True)
