"""`dbt build --target postgres`: the same dbt project on PostgreSQL gives the same tables as on DuckDB.

A real PostgreSQL server is started for the session (conftest.py, cluster.py). The standard sandbox world's raw
layer is copied into it from DuckDB, and the project is built on both databases from the same raw rows: every seed,
model, data test and unit test must pass on PostgreSQL, and every staging, intermediate and marts relation must
hold the same rows as on DuckDB. Only the change-detection fingerprints and the per-touch hash keys (`*_hash`)
differ by design (row_hash is hash() on DuckDB and md5 on PostgreSQL, macros/fingerprints.sql). A second scenario
advances the world and checks that an incremental PostgreSQL run equals a full DuckDB build of the newer raw data.
"""

from __future__ import annotations

import collections
import datetime as dt
import decimal
import json
import math
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sandbox.loader import ALL_SOURCES, load_world
from sandbox.world import World
from tests.journey.dbt_helpers import problems, run_dbt, statuses
from tests.postgres.cluster import Server, copy_raw_layer, postgres_query
from tests.postgres.conftest import CONFIG, Builds, run_dbt_postgres

pytestmark = [pytest.mark.slow]

KEY_MARTS = (
    "dim_persons",
    "fct_touchpoints",
    "fct_conversions",
    "customer_journeys",
    "fct_stage_transitions",
    "segment_membership",
    "fct_ad_spend_daily",
)

# Portable aggregates over the key marts, run on both databases.
AGGREGATES = {
    "persons per current stage": """
        select current_stage, count(*) from marts.customer_journeys group by current_stage""",
    "persons per entry channel and conversion": """
        select entry_channel, is_converted, count(*), sum(touch_count), sum(revenue), avg(days_to_convert)
        from marts.customer_journeys group by entry_channel, is_converted""",
    "touches per channel and sub-channel": """
        select channel, sub_channel, count(*), count(distinct person_key), count(distinct session_id)
        from marts.fct_touchpoints group by channel, sub_channel""",
    "conversions per type": """
        select conversion_type, count(*), sum(revenue), min(converted_at), max(converted_at)
        from marts.fct_conversions group by conversion_type""",
    "stage transitions": """
        select stage, is_inferred, count(*), count(distinct person_key), sum(seconds_in_stage)
        from marts.fct_stage_transitions group by stage, is_inferred""",
    "segment sizes": "select segment_name, count(*) from marts.segment_membership group by segment_name",
    "ad spend per platform": """
        select platform, count(*), sum(spend), sum(impressions), sum(clicks), min(date_day), max(date_day)
        from marts.fct_ad_spend_daily group by platform""",
}

Rows = collections.Counter
MODELS_ONLY = ("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")


def _norm(value: Any) -> Any:
    """One representation for values both drivers return in their own types."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | decimal.Decimal):
        number = float(value)
        if math.isfinite(number) and number == int(number):
            return int(number)
        return float(f"{number:.9g}")
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return value


def _duckdb_query(path: Path) -> Callable[[str], tuple[list[str], list[tuple]]]:
    # not read_only: dbt's in-process DuckDB adapter may still hold the file, and DuckDB refuses a second
    # connection to it with a different configuration
    def query(sql: str) -> tuple[list[str], list[tuple]]:
        with duckdb.connect(str(path)) as con:
            result = con.execute(sql)
            return [d[0] for d in result.description], result.fetchall()

    return query


def _rows(query: Callable[[str], tuple[list[str], list[tuple]]], sql: str) -> Rows:
    _, rows = query(sql)
    return collections.Counter(tuple(_norm(v) for v in row) for row in rows)


def _relations(query: Callable[[str], tuple[list[str], list[tuple]]], schemas: tuple[str, ...]) -> list[str]:
    _, rows = query(
        "select table_schema, table_name from information_schema.tables "
        f"where table_schema in ({', '.join(repr(s) for s in schemas)}) order by 1, 2"
    )
    return [f"{s}.{t}" for s, t in rows]


def _is_hash_column(column: str) -> bool:
    """row_hash values: equal within a database, different across them by design."""
    return "fingerprint" in column or column.endswith("_hash")


def _compare_relations(
    duck: Callable[[str], tuple[list[str], list[tuple]]],
    pg: Callable[[str], tuple[list[str], list[tuple]]],
    schemas: tuple[str, ...],
) -> dict[str, Any]:
    """{relation: what differs} over every table and view of ``schemas``; fingerprint and hash columns are left out."""
    relations = _relations(duck, schemas)
    assert relations == _relations(pg, schemas)
    differences: dict[str, Any] = {}
    for relation in relations:
        columns, _ = duck(f"select * from {relation} limit 0")
        pg_columns, _ = pg(f"select * from {relation} limit 0")
        if columns != pg_columns:
            differences[relation] = ("columns", columns, pg_columns)
            continue
        compared = ", ".join(f'"{c}"' for c in columns if not _is_hash_column(c))
        want, got = _rows(duck, f"select {compared} from {relation}"), _rows(pg, f"select {compared} from {relation}")
        if want != got:
            only_duck, only_pg = want - got, got - want
            differences[relation] = {
                "rows": sum(want.values()),
                "only_duckdb": sum(only_duck.values()),
                "only_postgres": sum(only_pg.values()),
                "e.g. duckdb": list(only_duck)[:2],
                "e.g. postgres": list(only_pg)[:2],
            }
    return differences


def test_postgres_build_passes(builds: Builds) -> None:
    assert builds.postgres.success and not problems(builds.postgres), problems(builds.postgres)
    counts = statuses(builds.postgres)
    kinds = collections.Counter(r.node.resource_type for r in builds.postgres.result.results)
    print(f"\ndbt build --target postgres: {dict(counts)} over {dict(kinds)}")
    assert kinds["seed"] > 0 and kinds["model"] > 0 and kinds["test"] > 0 and kinds["unit_test"] > 0


def test_duckdb_build_passes(builds: Builds) -> None:
    assert builds.duckdb_result.success and not problems(builds.duckdb_result), problems(builds.duckdb_result)
    assert statuses(builds.duckdb_result) == statuses(builds.postgres)


def test_raw_layer_copied(builds: Builds) -> None:
    duck = _duckdb_query(builds.raw)
    _, tables = duck(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_schema like 'raw\\_%' escape '\\' and table_type = 'BASE TABLE'"
    )
    assert {t for (t,) in tables} == set(builds.raw_rows)
    for table, copied in builds.raw_rows.items():
        assert duck(f"select count(*) from {table}")[1][0][0] == copied, table
    assert builds.raw_rows["raw_hubspot.contacts"] > 0


def test_key_marts_have_the_same_row_counts(builds: Builds) -> None:
    duck, pg = _duckdb_query(builds.duckdb), postgres_query(builds.server)
    counts = {
        mart: (duck(f"select count(*) from marts.{mart}")[1][0][0], pg(f"select count(*) from marts.{mart}")[1][0][0])
        for mart in KEY_MARTS
    }
    assert all(d > 0 for d, _ in counts.values()), counts
    assert {m: d for m, (d, _) in counts.items()} == {m: p for m, (_, p) in counts.items()}


@pytest.mark.parametrize("name", sorted(AGGREGATES))
def test_key_aggregates_match(builds: Builds, name: str) -> None:
    sql = AGGREGATES[name]
    assert _rows(postgres_query(builds.server), sql) == _rows(_duckdb_query(builds.duckdb), sql)


def test_every_relation_holds_the_same_rows(builds: Builds) -> None:
    differences = _compare_relations(
        _duckdb_query(builds.duckdb),
        postgres_query(builds.server),
        ("staging", "intermediate", "marts", "reference"),
    )
    assert not differences, differences


@pytest.mark.parametrize("table", ["fct_attribution", "fct_attribution_channel_totals", "fct_markov_removal_effects"])
def test_attribution_table_created_by_the_hook(builds: Builds, table: str) -> None:
    columns, rows = postgres_query(builds.server)(f"select * from marts.{table}")
    duck_columns, _ = _duckdb_query(builds.duckdb)(f"select * from marts.{table}")
    assert columns == duck_columns and rows == []


def test_second_build_changes_nothing(builds: Builds) -> None:
    """An incremental run without new raw data: same rows (no placeholder left, no type drift)."""
    pg = postgres_query(builds.server)
    before = {m: _rows(pg, f"select * from marts.{m}") for m in KEY_MARTS}
    again = run_dbt_postgres(builds.server, builds.raw, builds.scratch / "pg_again", "build", *MODELS_ONLY)
    assert again.success and not problems(again), problems(again)
    assert {m: _rows(pg, f"select * from marts.{m}") for m in KEY_MARTS} == before


def test_incremental_run_equals_full_duckdb_build(pg_server: Server, tmp_path: Path) -> None:
    """Built at an early clock, then the clock advances (new touches, stage changes, identity links): the
    incremental PostgreSQL run must equal a full DuckDB build of the newer raw data."""
    server = pg_server.create_database("journeyhub_incremental")
    world = World(CONFIG, now=CONFIG.start + timedelta(days=35))
    raw = tmp_path / "raw.duckdb"
    load_world(raw, world, vendors=ALL_SOURCES)
    copy_raw_layer(raw, server)
    # the first PostgreSQL run and the DuckDB reference only build tables (the tests ran in the main build)
    first = run_dbt_postgres(server, raw, tmp_path / "first", "build", *MODELS_ONLY)
    assert first.success and not problems(first), problems(first)
    pg = postgres_query(server)
    before = dict(pg("select person_key, person_fingerprint from marts.dim_persons")[1])

    world.advance(days=25)
    load_world(raw, world, vendors=ALL_SOURCES)
    copy_raw_layer(raw, server)
    second = run_dbt_postgres(server, raw, tmp_path / "second", "build")
    assert second.success and not problems(second), problems(second)
    after = dict(pg("select person_key, person_fingerprint from marts.dim_persons")[1])
    changed = {k for k, v in after.items() if before.get(k) != v}
    assert 0 < len(changed) < len(after), "the second run should recompute some persons but not all"

    full = tmp_path / "full.duckdb"
    shutil.copy(raw, full)
    refreshed = run_dbt(full, tmp_path / "duckdb", "build", *MODELS_ONLY)
    assert refreshed.success and not problems(refreshed), problems(refreshed)
    differences = _compare_relations(_duckdb_query(full), pg, ("intermediate", "marts"))
    assert not differences, differences
