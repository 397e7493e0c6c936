"""``python -m benchmarks.scale --scale N [--out docs/benchmarks.md]``: the whole path at N touchpoints, one run.

Steps, each in its own process (wall time and peak RSS of that process; see measure.py):
world (cached setup) -> reference query -> full dbt build to customer_journeys -> attribution -> reverse-ETL plan
-> append 1 % new people's raw records -> incremental dbt build -> connector vs bare loop. Results go to
``var/bench/results_<N>.json`` and, with ``--out``, into that markdown file (one section per scale).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.scale import world as bench_world
from benchmarks.scale.measure import Measured, machine_facts, run_child
from benchmarks.scale.report import merge_section, render

ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT = ROOT / "dbt_project"
# dbt's "build to customer_journeys": seeds and every model upstream of it, no data tests (they are a separate
# concern with their own cost and not part of producing the table)
DBT_SELECT = ["--select", "+customer_journeys", "--exclude-resource-type", "test", "unit_test"]

PROFILE = """\
# written by benchmarks.scale: the project's dev target plus DuckDB's memory and thread settings
journeyhub:
  target: bench
  outputs:
    bench:
      type: duckdb
      path: "{{{{ env_var('JOURNEYHUB_WAREHOUSE') }}}}"
      schema: main
      threads: 1
      settings:
        threads: {threads}
        memory_limit: "{memory_limit}"
"""


def _python(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def _dbt(run_dir: Path, name: str, *extra: str) -> list[str]:
    dbt = str(Path(sys.executable).with_name("dbt"))
    return [
        dbt,
        "build",
        *DBT_SELECT,
        *extra,
        "--project-dir",
        str(DBT_PROJECT),
        "--profiles-dir",
        str(run_dir / "profiles"),
        "--target-path",
        str(run_dir / f"target_{name}"),
        "--log-path",
        str(run_dir / "logs"),
        "--no-use-colors",
        "--quiet",
    ]


def model_timings(run_dir: Path, name: str, top: int = 12) -> list[dict[str, Any]]:
    """The slowest nodes of a dbt run (run_results.json): the profile of the build."""
    path = run_dir / f"target_{name}" / "run_results.json"
    if not path.exists():
        return []
    results = json.loads(path.read_text())["results"]
    rows = [
        {"node": r["unique_id"].split(".")[-1], "seconds": r["execution_time"], "status": r["status"]} for r in results
    ]
    rows.sort(key=lambda r: -r["seconds"])
    total = sum(r["seconds"] for r in rows)
    return [{"node": "(all nodes)", "seconds": total, "status": f"{len(rows)} nodes"}, *rows[:top]]


def _reuse_parse_state(run_dir: Path, source: str, target: str) -> None:
    """Copy dbt's partial-parse file from one run's target folder to another's (a fresh folder otherwise)."""
    state = run_dir / f"target_{source}" / "partial_parse.msgpack"
    destination = run_dir / f"target_{target}"
    shutil.rmtree(destination, ignore_errors=True)
    if state.exists():
        destination.mkdir(parents=True)
        shutil.copyfile(state, destination / state.name)


def _step(m: Measured) -> dict[str, Any]:
    if m.returncode != 0:
        raise SystemExit(f"step {m.name} failed (exit {m.returncode}); see {m.log}")
    return {"seconds": m.seconds, "peak_mb": m.peak_mb, "info": m.info}


def run(args: argparse.Namespace) -> dict[str, Any]:
    cache = args.cache_dir.resolve()
    bw = bench_world.plan(args.scale, cache)
    run_dir = cache / f"run_{args.scale}"
    logs = run_dir / "steps"
    results: dict[str, Any] = {
        "scale": args.scale,
        "people": bw.people,
        "new_people": bw.new_people,
        "world": repr(bw.config),
        "machine": machine_facts(),
        "settings": {
            "duckdb_threads": args.threads,
            "duckdb_memory_limit": args.memory_limit,
            "attribution_memory_limit": args.attribution_memory_limit,
        },
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "steps": {},
    }
    steps = results["steps"]

    # -- setup (not a target): the cached world, copied into a fresh run folder ----------------------------------
    started = time.perf_counter()
    gen = run_child(
        "world", _python("benchmarks.scale.world", "--scale", str(args.scale), "--cache-dir", str(cache)), log_dir=logs
    )
    steps["world"] = _step(gen) | {"cached": time.perf_counter() - started < 30}
    for p in run_dir.glob("warehouse.duckdb*"):
        p.unlink()
    (run_dir / "profiles").mkdir(parents=True, exist_ok=True)
    (run_dir / "profiles" / "profiles.yml").write_text(
        PROFILE.format(threads=args.threads, memory_limit=args.memory_limit)
    )
    warehouse = run_dir / "warehouse.duckdb"
    t = time.perf_counter()
    shutil.copyfile(bw.base, warehouse)
    steps["copy"] = {"seconds": time.perf_counter() - t, "bytes": warehouse.stat().st_size}
    env = {**os.environ, "JOURNEYHUB_WAREHOUSE": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    wh = ["--warehouse", str(warehouse)]
    duck = ["--threads", str(args.threads), "--memory-limit", args.memory_limit]

    # -- timed steps -----------------------------------------------------------------------------------------------
    steps["reference"] = _step(
        run_child("reference", _python("benchmarks.scale.steps", "reference", *wh, *duck), log_dir=logs)
    )
    steps["dbt_full"] = _step(run_child("dbt_full", _dbt(run_dir, "full"), env=env, log_dir=logs))
    steps["dbt_full"]["profile"] = model_timings(run_dir, "full")
    steps["counts"] = _step(run_child("counts", _python("benchmarks.scale.steps", "counts", *wh), log_dir=logs))
    # the attribution process holds the touch arrays itself (about 4 GB at 10M): DuckDB gets a smaller share
    attribution_env = {**env, "JOURNEYHUB_DUCKDB_MEMORY_LIMIT": args.attribution_memory_limit}
    steps["attribution"] = _step(
        run_child(
            "attribution", _python("benchmarks.scale.steps", "attribution", *wh), env=attribution_env, log_dir=logs
        )
    )
    steps["reverse_etl"] = _step(
        run_child(
            "reverse_etl",
            _python("benchmarks.scale.steps", "reverse_etl", *wh, "--rows", str(args.retl_rows)),
            log_dir=logs,
        )
    )
    steps["append_new"] = _step(
        run_child(
            "append_new", _python("benchmarks.scale.steps", "append_new", *wh, "--new", str(bw.new)), log_dir=logs
        )
    )
    # a deployed project keeps its target folder between runs, so dbt re-parses only what changed (partial parsing):
    # the incremental run starts from the full build's parse state, as the next scheduled run would
    _reuse_parse_state(run_dir, "full", "incremental")
    steps["dbt_incremental"] = _step(run_child("dbt_incremental", _dbt(run_dir, "incremental"), env=env, log_dir=logs))
    steps["dbt_incremental"]["profile"] = model_timings(run_dir, "incremental")
    steps["counts_after"] = _step(
        run_child("counts_after", _python("benchmarks.scale.steps", "counts", *wh), log_dir=logs)
    )
    if not args.skip_connector:
        steps["connector"] = _step(
            run_child(
                "connector",
                _python("benchmarks.scale.steps", "connector", "--people", str(args.connector_people)),
                log_dir=logs,
            )
        )
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    results["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, default=1_000_000, help="target fct_touchpoints rows (default 1,000,000)")
    ap.add_argument("--out", type=Path, help="markdown file to update (docs/benchmarks.md)")
    ap.add_argument("--cache-dir", type=Path, default=ROOT / "var" / "bench")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="DuckDB threads (dbt and reference)")
    ap.add_argument("--memory-limit", default="4GB", help="DuckDB memory_limit (dbt and reference)")
    ap.add_argument("--attribution-memory-limit", default="2GB", help="DuckDB memory_limit of the attribution step")
    ap.add_argument("--connector-people", type=int, default=20_000, help="people of the connector sandbox world")
    ap.add_argument("--retl-rows", type=int, default=100_000, help="changed rows of the reverse-ETL plan")
    ap.add_argument("--skip-connector", action="store_true")
    ap.add_argument("--render-only", type=Path, help="re-render a results JSON into --out without running")
    args = ap.parse_args(argv)
    if args.render_only:
        results = json.loads(args.render_only.read_text())
    else:
        results = run(args)
        path = args.cache_dir.resolve() / f"results_{args.scale}.json"
        path.write_text(json.dumps(results, indent=1, default=str))
        print(f"[bench] results: {path}", file=sys.stderr)
    section = render(results)
    print(section)
    if args.out:
        merge_section(args.out, results["scale"], section)
        print(f"[bench] updated {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
