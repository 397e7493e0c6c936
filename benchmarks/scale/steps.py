"""The Python steps of the scale benchmark, each run in its own process by the harness (so its peak memory is its
own): ``python -m benchmarks.scale.steps <step> [options]``. Each prints one JSON object as its last stdout line."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import duckdb


def append_new(warehouse: Path, new: Path) -> dict[str, Any]:
    """Append the raw records of the next 1 % of people that the warehouse does not hold yet (records of shared
    objects, such as companies or campaigns, that it already has are left as they are)."""
    started = time.perf_counter()
    rows: dict[str, int] = {}
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"attach '{new}' as new_world (read_only)")
        tables = con.execute(
            """
            select schema_name, table_name from duckdb_tables()
            where database_name = 'new_world' and schema_name like 'raw_%' and table_name not like '\\_%' escape '\\'
            order by 1, 2
            """
        ).fetchall()
        for schema, table in tables:
            n = con.execute(
                f"""
                insert into {schema}.{table}
                select n.* from new_world.{schema}.{table} as n
                anti join {schema}.{table} as b on b.record_id = n.record_id
                """
            ).fetchone()[0]  # type: ignore[index]
            rows[f"{schema}.{table}"] = int(n)
        con.execute("detach new_world")
        con.execute("checkpoint")
    return {"seconds": time.perf_counter() - started, "rows": rows, "total": sum(rows.values())}


def counts(warehouse: Path) -> dict[str, Any]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        out: dict[str, Any] = {}
        for table in ("marts.fct_touchpoints", "marts.customer_journeys", "marts.fct_conversions"):
            out[table] = con.execute(f"select count(*) from {table}").fetchone()[0]  # type: ignore[index]
        out["raw_records"] = sum(
            con.execute(f"select count(*) from {s}.{t}").fetchone()[0]  # type: ignore[index]
            for s, t in con.execute(
                "select schema_name, table_name from duckdb_tables() where schema_name like 'raw_%' "
                "and table_name not like '\\_%' escape '\\'"
            ).fetchall()
        )
    return out


def reference(warehouse: Path, threads: int, memory_limit: str) -> dict[str, Any]:
    from benchmarks.scale.reference import run_reference

    return run_reference(warehouse, threads=threads, memory_limit=memory_limit)


def attribution(warehouse: Path) -> dict[str, Any]:
    from pipelines.transform.attribution import AttributionSettings, run_attribution

    settings = AttributionSettings()
    run = run_attribution(warehouse, settings.engine_config(), settings.excluded_channels)
    r = run.result
    return {
        "seconds": run.seconds,
        "touches": run.touches,
        "conversions": r.n_conversions,
        # converting paths plus the null (non-converting) paths Markov models see: the attribution benchmark's unit
        "journeys": r.n_conversions + len(r.paths.null_offsets) - 1,
        "null_paths": len(r.paths.null_offsets) - 1,
        "rows_written": run.rows_written,
        "models": r.models,
        "timings": r.timings,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("step", choices=["append_new", "counts", "reference", "attribution", "connector", "reverse_etl"])
    ap.add_argument("--warehouse", type=Path)
    ap.add_argument("--new", type=Path)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--memory-limit", default="4GB")
    ap.add_argument("--people", type=int, default=20_000, help="connector: people of the sandbox world")
    ap.add_argument("--rows", type=int, default=100_000, help="reverse_etl: changed rows to plan")
    args = ap.parse_args(argv)
    if args.step == "append_new":
        out = append_new(args.warehouse, args.new)
    elif args.step == "counts":
        out = counts(args.warehouse)
    elif args.step == "reference":
        out = reference(args.warehouse, args.threads, args.memory_limit)
    elif args.step == "attribution":
        out = attribution(args.warehouse)
    elif args.step == "connector":
        from benchmarks.scale.connector import run_connector_benchmark

        out = run_connector_benchmark(args.people)
    else:
        from benchmarks.scale.reverse_etl_plan import run_plan_benchmark

        out = run_plan_benchmark(args.warehouse, args.rows)
    print(json.dumps(out, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
