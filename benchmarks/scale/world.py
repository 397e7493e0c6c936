"""The benchmark world: a sandbox world sized by touchpoints, loaded straight into the raw tables and cached.

Generating a world is pure Python (about 3 ms a person with every vendor projection and the raw-store writes), so
it is setup, not a timed step: the raw warehouse of a scale is written once under ``var/bench/`` and copied for
every run. Large worlds are generated in shards (contiguous person ranges, one process each, a world of N people
being a prefix of one of N + k) and merged on ``record_id``. Every person's records are exact; world-level records
built from many people (companies and info@ contacts, Mailchimp campaigns, ad insights and daily metrics, posts,
crowd engagement, anonymous clicks) come from the first shard that has them, so their counters cover that shard's
people only. They are a few thousand rows of the tens of millions and feed no person's touch order.

    python -m benchmarks.scale.world --scale 10000000 [--shards 3]   # generate (or reuse) the cached warehouses
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from sandbox.loader import load_world
from sandbox.world import WorldConfig

# fct_touchpoints rows per person of this world (measured: 10,000 people over 365 days gave 119,504 touchpoints);
# used only to size the world, the report gives the real count.
TOUCHES_PER_PERSON = 11.95
# A year of data that ends in the past: connectors quarantine timestamps after now + 24 h, and the loader shapes
# records through the connectors' own checks.
START_DATE = date(2025, 1, 1)
DAYS = 365
SEED = 42
# "1 % new data": the next 1 % of people (a world of N people is a prefix of a world of N + k people).
NEW_SHARE = 0.01
# below this many people one process is quicker than starting shards and merging them
SHARD_MIN_PEOPLE = 50_000
CACHE_VERSION = 1


@dataclass(frozen=True)
class BenchWorld:
    scale: int
    config: WorldConfig
    new_people: int
    base: Path  # raw tables of persons 0..people
    new: Path  # raw tables of the next new_people persons (appended for the incremental run)

    @property
    def people(self) -> int:
        return self.config.people


def plan(scale: int, cache_dir: Path) -> BenchWorld:
    people = max(100, round(scale / TOUCHES_PER_PERSON))
    config = WorldConfig(seed=SEED, people=people, days=DAYS, start_date=START_DATE)
    new_people = max(1, math.ceil(people * NEW_SHARE))
    stem = f"world_s{SEED}_p{people}_d{DAYS}_{START_DATE.isoformat()}_v{CACHE_VERSION}"
    return BenchWorld(
        scale, config, new_people, cache_dir / f"{stem}.duckdb", cache_dir / f"{stem}_new{new_people}.duckdb"
    )


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal"), path.with_name(path.name + ".lock")):
        p.unlink(missing_ok=True)


def load_range(path: Path, config: WorldConfig, first: int, stop: int) -> dict[str, int]:
    """Persons ``first..stop`` of ``config``'s world into ``path`` (written to a temporary name, then renamed, so an
    interrupted run never leaves a half world behind)."""
    tmp = path.with_name(path.name + ".tmp")
    _remove(tmp)
    started = time.perf_counter()

    def progress(i: int, n: int) -> None:
        if i > first and (i - first) % 20_000 == 0:
            rate = (i - first) / (time.perf_counter() - started)
            print(f"[world] {path.name}: {i - first:,}/{stop - first:,} persons, {rate:,.0f}/s", file=sys.stderr)

    results = load_world(tmp, config.with_(people=stop), first_person=first, progress=progress)
    os.replace(tmp, path)
    _remove(tmp)
    rows = {f"raw_{src}.{stream}": n for src, r in results.items() for stream, n in r.rows.items()}
    meta = {"persons": [first, stop], "rows": rows, "seconds": round(time.perf_counter() - started, 1)}
    path.with_suffix(".json").write_text(json.dumps(meta, indent=1))
    return rows


def _raw_tables(con: duckdb.DuckDBPyConnection, database: str) -> list[tuple[str, str]]:
    return con.execute(
        """
        select schema_name, table_name from duckdb_tables()
        where database_name = ? and schema_name like 'raw_%' and table_name not like '\\_%' escape '\\'
        order by 1, 2
        """,
        [database],
    ).fetchall()


def merge_into(target: Path, other: Path) -> dict[str, int]:
    """Insert the raw records of ``other`` that ``target`` does not hold yet (by ``record_id``)."""
    rows: dict[str, int] = {}
    with duckdb.connect(str(target)) as con:
        con.execute(f"attach '{other}' as other_world (read_only)")
        mine = set(_raw_tables(con, con.execute("select current_database()").fetchone()[0]))  # type: ignore[index]
        for schema, table in _raw_tables(con, "other_world"):
            if (schema, table) not in mine:
                con.execute(f"create schema if not exists {schema}")
                con.execute(f"create table {schema}.{table} as select * from other_world.{schema}.{table}")
                continue
            inserted = con.execute(
                f"""
                insert into {schema}.{table}
                select o.* from other_world.{schema}.{table} as o
                anti join {schema}.{table} as t on t.record_id = o.record_id
                """
            ).fetchone()
            rows[f"{schema}.{table}"] = int(inserted[0]) if inserted else 0
        con.execute("detach other_world")
        con.execute("checkpoint")
    return rows


def generate(world: BenchWorld, shards: int) -> None:
    n = world.people
    if shards <= 1 or n < SHARD_MIN_PEOPLE:
        load_range(world.base, world.config, 0, n)
        return
    bounds = [round(n * k / shards) for k in range(shards + 1)]
    parts = [world.base.with_name(f"{world.base.stem}.shard{k}.duckdb") for k in range(shards)]
    tmp = world.base.with_name(world.base.name + ".tmp")
    procs = []
    for k, part in enumerate(parts):
        # shards of an interrupted generation are reused (merging is idempotent: it inserts missing record ids)
        if part.exists() or (k == 0 and tmp.exists()):
            continue
        cmd = [sys.executable, "-m", "benchmarks.scale.world", "--scale", str(world.scale), "--cache-dir"]
        cmd += [str(world.base.parent), "--range", f"{bounds[k]}:{bounds[k + 1]}", "--part", str(part)]
        procs.append(subprocess.Popen(cmd))
    if any(p.wait() != 0 for p in procs):
        raise RuntimeError("a shard of the world failed")
    if parts[0].exists():
        _remove(tmp)
        os.replace(parts[0], tmp)
    for part in parts[1:]:
        started = time.perf_counter()
        merge_into(tmp, part)
        print(f"[world] merged {part.name} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    os.replace(tmp, world.base)
    for part in parts:
        _remove(part)
        part.with_suffix(".json").unlink(missing_ok=True)


def ensure(world: BenchWorld, *, shards: int = 2, fresh: bool = False) -> BenchWorld:
    """Generate the cached raw warehouses of ``world`` unless they exist (``fresh`` regenerates them)."""
    world.base.parent.mkdir(parents=True, exist_ok=True)
    if fresh or not world.new.exists():
        load_range(world.new, world.config, world.people, world.people + world.new_people)
    if fresh or not world.base.exists():
        generate(world, shards)
    return world


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, required=True, help="target fct_touchpoints rows")
    ap.add_argument("--cache-dir", type=Path, default=Path("var/bench"))
    ap.add_argument("--shards", type=int, default=max(2, os.cpu_count() or 1))
    ap.add_argument("--fresh", action="store_true", help="regenerate even when cached")
    ap.add_argument("--range", help=argparse.SUPPRESS)  # internal: one shard, FIRST:STOP
    ap.add_argument("--part", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    world = plan(args.scale, args.cache_dir.resolve())
    if args.range:
        first, stop = (int(x) for x in args.range.split(":"))
        load_range(args.part, world.config, first, stop)
        return 0
    ensure(world, shards=args.shards, fresh=args.fresh)
    print(world.base, world.new)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
