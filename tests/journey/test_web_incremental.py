"""Incremental web stitching equals a full refresh, over several advances of the world's clock.

A world is loaded at an early clock and built; then, three times, the clock advances (new visits, new identifies
that turn anonymous devices into known persons' devices, late app calls, identity merges) and the raw layer is
loaded and built incrementally. A copy built with --full-refresh must hold the same rows in every web model and
in the person models that read them, every column. Each run re-stitches only the devices whose views or evidence
changed: some devices keep their rows untouched, and some anonymous visitors become identified persons.
"""

from __future__ import annotations

import collections
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from sandbox.loader import ALL_SOURCES, load_world
from sandbox.world import World, WorldConfig
from tests.journey.dbt_helpers import problems, run_dbt

pytestmark = [pytest.mark.slow]

CONFIG = WorldConfig(seed=7, people=200)
COMPARED = (
    "intermediate.int_web__page_views",
    "intermediate.int_web__identifications",
    "intermediate.int_web__page_views_stitched",
    "intermediate.int_web__sessions",
    "marts.fct_page_views",
    "marts.fct_web_sessions",
    "marts.fct_touchpoints",
    "marts.dim_persons",
    "marts.fct_stage_transitions",
    "marts.customer_journeys",
)


def _devices(path: Path) -> dict[str, str]:
    with duckdb.connect(str(path)) as c:
        return dict(
            c.execute(
                "select distinct device_key, device_fingerprint from intermediate.int_web__page_views_stitched"
            ).fetchall()
        )


def _owners(path: Path) -> dict[str, tuple[str, bool]]:
    with duckdb.connect(str(path)) as c:
        rows = c.execute(
            "select page_view_id, person_key, is_anonymous_person from intermediate.int_web__page_views_stitched"
        ).fetchall()
    return {view: (key, anonymous) for view, key, anonymous in rows}


def _build(path: Path, scratch: Path, *args: str) -> None:
    result = run_dbt(path, scratch, "build", *args)
    assert result.success and not problems(result), problems(result)


def test_incremental_stitching_over_several_advances_equals_full_refresh(tmp_path: Path) -> None:
    start = datetime(CONFIG.start_date.year, CONFIG.start_date.month, CONFIG.start_date.day, tzinfo=UTC)
    world = World(CONFIG, now=start + timedelta(days=30))
    incremental = tmp_path / "incremental.duckdb"
    load_world(incremental, world, vendors=ALL_SOURCES)
    _build(incremental, tmp_path / "first")

    untouched, restitched, identified_later = [], [], 0
    for step in range(3):
        before_devices, before_owners = _devices(incremental), _owners(incremental)
        world.advance(days=12)
        load_world(incremental, world, vendors=ALL_SOURCES)
        _build(incremental, tmp_path / f"step{step}")
        after_devices, after_owners = _devices(incremental), _owners(incremental)
        untouched.append(sum(1 for d, f in after_devices.items() if before_devices.get(d) == f))
        restitched.append(sum(1 for d, f in after_devices.items() if before_devices.get(d) != f))
        identified_later += sum(
            1 for v, (_, was_anonymous) in before_owners.items() if was_anonymous and not after_owners[v][1]
        )
    print(
        f"\nweb incremental runs: devices kept {untouched}, re-stitched {restitched}; "
        f"{identified_later} views of anonymous visitors moved to the person who identified later"
    )
    assert all(n > 0 for n in untouched) and all(n > 0 for n in restitched), (untouched, restitched)
    assert identified_later > 0

    with duckdb.connect(str(incremental)) as c:
        c.execute("checkpoint")
    full = tmp_path / "full.duckdb"
    shutil.copy(incremental, full)
    _build(full, tmp_path / "refresh", "--full-refresh")

    differences = {}
    for table in COMPARED:
        rows = {}
        for name, path in (("incremental", incremental), ("full", full)):
            with duckdb.connect(str(path)) as c:
                rows[name] = collections.Counter(c.execute(f"select * from {table}").fetchall())
        if rows["incremental"] != rows["full"]:
            differences[table] = (
                sum((rows["incremental"] - rows["full"]).values()),
                sum((rows["full"] - rows["incremental"]).values()),
                sum(rows["full"].values()),
            )
    assert not differences, differences  # {table: (rows only incremental, rows only full refresh, rows)}
