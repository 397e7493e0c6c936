"""Incremental runs equal a full refresh.

A world is loaded at an early clock and built; the clock advances (new touches, contacts, stage changes, identity
links) and the raw layer is loaded again, and a few raw records get new versions that drop JSON array items
(associations, property history, submitted form values); one copy of the warehouse is built incrementally, another
with --full-refresh, and every table of the staging, intermediate and marts schemas must hold the same rows.
"""

from __future__ import annotations

import collections
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from sandbox.loader import ALL_SOURCES, load_world
from sandbox.world import World, WorldConfig
from tests.journey.dbt_helpers import problems, run_dbt

pytestmark = [pytest.mark.slow]

CONFIG = WorldConfig(seed=11, people=300)


def _fingerprints(path: Path) -> dict[str, str]:
    with duckdb.connect(str(path)) as c:
        return dict(c.execute("select person_key, person_fingerprint from marts.dim_persons").fetchall())


def _tables(path: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(path)) as c:
        return c.execute(
            """
            select table_schema, table_name from information_schema.tables
            where table_schema in ('staging', 'intermediate', 'marts') and table_type = 'BASE TABLE'
            order by 1, 2
            """
        ).fetchall()


def _drop_array_items(path: Path) -> dict[str, str]:
    """New versions of a few raw records whose JSON arrays lost items: incremental staging must delete the items'
    old rows (macros/staging.sql, select_staged_children), not keep them beside the new version's."""
    edits = {
        # stream: (JSON path of the array, where it is non-empty)
        "contacts": ("associations", "json_array_length(payload, '$.associations.companies') > 0"),
        "deals": ("propertiesWithHistory", "json_array_length(payload, '$.propertiesWithHistory.dealstage') > 1"),
        "form_submissions": ("values", "json_array_length(payload, '$.values') > 1"),
    }
    edited = {}
    with duckdb.connect(str(path)) as c:
        for stream, (key, where) in edits.items():
            record_id, payload = c.execute(
                f"select record_id, payload from raw_hubspot.{stream} where {where} order by record_id limit 1"
            ).fetchone()
            payload = json.loads(payload)
            if key == "values":
                payload[key] = payload[key][:1]
            elif key == "associations":
                payload[key] = {}
            else:
                payload[key] = {name: history[:1] for name, history in payload[key].items()}
            c.execute(
                f"update raw_hubspot.{stream} set payload = ?, _extracted_at = _extracted_at + interval 1 second"
                " where record_id = ?",
                [json.dumps(payload), record_id],
            )
            edited[stream] = record_id
    return edited


def test_incremental_run_equals_full_refresh(tmp_path: Path) -> None:
    start = datetime(CONFIG.start_date.year, CONFIG.start_date.month, CONFIG.start_date.day, tzinfo=UTC)
    world = World(CONFIG, now=start + timedelta(days=50))
    incremental = tmp_path / "incremental.duckdb"
    load_world(incremental, world, vendors=ALL_SOURCES)
    first = run_dbt(incremental, tmp_path / "first", "build")
    assert first.success and not problems(first), problems(first)
    before = _fingerprints(incremental)

    world.advance(days=21)
    load_world(incremental, world, vendors=ALL_SOURCES)
    assert len(_drop_array_items(incremental)) == 3
    with duckdb.connect(str(incremental)) as c:
        c.execute("checkpoint")  # dbt's in-process connection keeps the file open: flush the WAL before copying
    full = tmp_path / "full.duckdb"
    shutil.copy(incremental, full)

    second = run_dbt(incremental, tmp_path / "second", "build")
    assert second.success and not problems(second), problems(second)
    refreshed = run_dbt(full, tmp_path / "refresh", "build", "--full-refresh")
    assert refreshed.success and not problems(refreshed), problems(refreshed)

    after = _fingerprints(incremental)
    changed = {k for k, v in after.items() if before.get(k) != v}
    gone = set(before) - set(after)
    print(
        f"\nincremental run: {len(after)} persons, {len(changed)} recomputed (new or changed data), "
        f"{len(gone)} keys gone (merged)"
    )
    assert 0 < len(changed) < len(after), "the second run should touch some persons but not all"

    tables = _tables(incremental)
    assert tables == _tables(full)
    assert ("marts", "fct_touchpoints") in tables and ("marts", "customer_journeys") in tables
    differences = {}
    for schema, table in tables:
        rows = {}
        for name, path in (("incremental", incremental), ("full", full)):
            with duckdb.connect(str(path)) as c:
                rows[name] = collections.Counter(c.execute(f"select * from {schema}.{table}").fetchall())
        if rows["incremental"] != rows["full"]:
            differences[f"{schema}.{table}"] = (
                sum((rows["incremental"] - rows["full"]).values()),
                sum((rows["full"] - rows["incremental"]).values()),
                sum(rows["full"].values()),
            )
    assert not differences, differences  # {table: (rows only incremental, rows only full refresh, rows)}
