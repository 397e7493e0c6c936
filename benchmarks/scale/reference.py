"""The reference: the least work that still turns the raw touches into per-person journeys, in plain DuckDB.

One row per touch-bearing raw record (a person identifier and a time read from the payload), then one sort by
person and time with one window pass (the gap to the previous touch, for 30-minute sessions) and one group-by per
person. It skips everything the dbt project adds on top: typed staging, history explosion (a contact's lifecycle
changes, a deal's stage changes), identity resolution across sources, channel rules, fingerprints for incremental
runs. It is the floor the full build is compared with, not a replacement for it.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

# (raw table, person identifier, event time): the raw streams whose records become touchpoints
TOUCH_STREAMS: tuple[tuple[str, str, str], ...] = (
    ("raw_hubspot.contacts", "record_id", "payload->>'$.createdAt'"),
    ("raw_hubspot.deals", "payload->>'$.associations.contacts[0].toObjectId'", "payload->>'$.createdAt'"),
    ("raw_hubspot.form_submissions", "lower(payload->>'$.values[0].value')", "payload->>'$.submittedAt'"),
    ("raw_hubspot.calls", "payload->>'$.associations.contacts[0].toObjectId'", "payload->>'$.properties.hs_timestamp'"),
    (
        "raw_hubspot.emails",
        "payload->>'$.associations.contacts[0].toObjectId'",
        "payload->>'$.properties.hs_timestamp'",
    ),
    (
        "raw_hubspot.meetings",
        "payload->>'$.associations.contacts[0].toObjectId'",
        "payload->>'$.properties.hs_timestamp'",
    ),
    ("raw_hubspot.notes", "payload->>'$.associations.contacts[0].toObjectId'", "payload->>'$.properties.hs_timestamp'"),
    ("raw_hubspot.tasks", "payload->>'$.associations.contacts[0].toObjectId'", "payload->>'$.properties.hs_timestamp'"),
    (
        "raw_hubspot.feedback_submissions",
        "payload->>'$.associations.contacts[0].toObjectId'",
        "payload->>'$.properties.hs_submission_timestamp'",
    ),
    ("raw_mailchimp.list_members", "lower(payload->>'$.email_address')", "payload->>'$.timestamp_opt'"),
    ("raw_mailchimp.campaign_recipients", "lower(payload->>'$.email_address')", "record_updated_at"),
    ("raw_mailchimp.email_activity", "lower(payload->>'$.email_address')", "payload->>'$.timestamp'"),
    ("raw_meta_ads.leads", "lower(payload->>'$.field_data[0].values[0]')", "payload->>'$.created_time'"),
    ("raw_google_ads.click_views", "payload->>'$.clickView.gclid'", "payload->>'$.segments.date'"),
    ("raw_social.facebook_comments", "payload->>'$.from.id'", "payload->>'$.created_time'"),
    ("raw_social.facebook_reactions", "record_id", "record_updated_at"),
    ("raw_social.instagram_comments", "payload->>'$.from.id'", "payload->>'$.timestamp'"),
)


def _time(expr: str) -> str:
    if expr == "record_updated_at":
        return expr
    if expr.endswith("submittedAt'"):  # epoch milliseconds
        return f"make_timestamp(cast({expr} as bigint) * 1000)"
    # ISO 8601 with Z, +00:00 or +0000, or a bare date: one cast reads them all
    return f"cast(cast({expr} as timestamptz) at time zone 'UTC' as timestamp)"


def reference_sql(table: str = "main.bench_reference_journeys") -> str:
    touches = "\n    union all\n    ".join(
        f"select {person} as person_id, {_time(ts)} as occurred_at, '{name}' as stream from {name}"
        for name, person, ts in TOUCH_STREAMS
    )
    return f"""
create or replace table {table} as
with touches as (
    {touches}
),
gaps as (
    select
        person_id,
        occurred_at,
        stream,
        occurred_at - lag(occurred_at) over (partition by person_id order by occurred_at) as gap
    from touches
    where person_id is not null
)
select
    person_id,
    count(*) as touches,
    count(*) filter (where gap is null or gap > interval 30 minute) as sessions,
    arg_min(stream, occurred_at) as first_stream,
    min(occurred_at) as first_touch_at,
    max(occurred_at) as last_touch_at
from gaps
group by person_id
"""


def run_reference(warehouse: Path, *, threads: int, memory_limit: str) -> dict[str, float | int]:
    with duckdb.connect(str(warehouse), config={"threads": threads, "memory_limit": memory_limit}) as con:
        sql = reference_sql()
        started = time.perf_counter()
        con.execute(sql)
        seconds = time.perf_counter() - started
        people, touches = con.execute("select count(*), sum(touches) from main.bench_reference_journeys").fetchone()  # type: ignore[misc]
        con.execute("drop table main.bench_reference_journeys")
    return {"seconds": seconds, "people": int(people), "touches": int(touches or 0)}
