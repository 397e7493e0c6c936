"""`make demo`: start the sandbox, run the whole platform once through Dagster, print what it built."""

from __future__ import annotations

import argparse
import collections
import sys
import time

import duckdb

from journeyhub.launch import export, sandbox_process
from pipelines.settings import (
    DEFAULT_SANDBOX_ENV_FILE,
    apply_environment_defaults,
    quality_dir,
    serving_paths,
    warehouse_path,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=500, help="people in the synthetic world (default 500)")
    parser.add_argument("--days", type=int, default=90, help="days of history (default 90)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)

    apply_environment_defaults()
    print(f"journeyhub demo: a synthetic world of {args.people} people over {args.days} days (seed {args.seed})")
    started = time.monotonic()
    with sandbox_process(DEFAULT_SANDBOX_ENV_FILE, people=args.people, days=args.days, seed=args.seed) as env:
        export(env)
        for var in (
            "HUBSPOT_BASE_URL",
            "MAILCHIMP_BASE_URL",
            "META_BASE_URL",
            "GOOGLE_ADS_BASE_URL",
            "TYPEFORM_BASE_URL",
            "TRUSTPILOT_BASE_URL",
            "GOOGLE_BUSINESS_BASE_URL",
        ):
            if env.get(var):
                print(f"  sandbox {var.split('_BASE_URL')[0].replace('_', ' ').title():<12} {env[var]}")
        # Import after the environment is set: the definitions read it.
        from dagster import DagsterInstance

        from pipelines.definitions import defs, range_tags
        from pipelines.settings import start_date, today

        job = defs.resolve_job_def("refresh_all")
        first, last = start_date().isoformat(), today().isoformat()
        print(f"running the Dagster job refresh_all: every source (ad metrics {first} to {last}), then dbt build")
        with DagsterInstance.get() as instance:
            result = job.execute_in_process(
                instance=instance,
                raise_on_error=False,
                tags=range_tags(first, last),
                # Progress lines (per stream and per model) without Dagster's debug event stream.
                run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
            )
        if not result.success:
            failed = [e.step_key or "?" for e in result.all_events if e.is_step_failure]
            print(f"the run failed in: {', '.join(sorted(set(failed)))}; see `make ui` for logs", file=sys.stderr)
            return 1
        print(f"run {result.run_id} succeeded in {time.monotonic() - started:.0f}s\n")
        checks = list(result.get_asset_check_evaluations())
        pushes = {
            key.path[-1]: e.materialization.metadata
            for e in result.get_asset_materialization_events()
            if (key := e.asset_key) is not None and key.path[0] == "reverse_etl" and key.path[-1] != "erasure"
        }
    report(str(warehouse_path()))
    report_checks(checks)
    report_pushes(pushes)
    print("\nnext: `make ui` to browse the assets, checks and this run in Dagster")
    return 0


def _count(con: duckdb.DuckDBPyConnection, relation: str) -> int:
    row = con.execute(f"select count(*) from {relation}").fetchone()
    return int(row[0]) if row else 0


def report(path: str) -> None:
    with duckdb.connect(path, read_only=True) as con:
        tables = con.execute(
            """select table_schema, table_name from information_schema.tables
               where table_type = 'BASE TABLE' and table_name not like '\\_%' escape '\\'
               order by table_schema, table_name"""
        ).fetchall()
        print(f"warehouse: {path}")
        for title, wanted in (("raw layer", lambda s: s.startswith("raw_")), ("marts", lambda s: s == "marts")):
            print(f"\n{title}:")
            for schema, table in tables:
                if wanted(schema):
                    n = _count(con, f'"{schema}"."{table}"')
                    print(f"  {schema + '.' + table:<44} {n:>9,} rows")
        quarantined = sum(
            _count(con, f'"{schema}"._quarantine') for schema in sorted({s for s, _ in tables if s.startswith("raw_")})
        )
        print(f"\nquarantined records (raw_*._quarantine): {quarantined}")
        if ("marts", "fct_touchpoints") in tables:
            print("\nfct_touchpoints by source and touch type:")
            rows = con.execute(
                "select source_system, touch_type, count(*) from marts.fct_touchpoints group by 1, 2 order by 1, 3 desc"
            ).fetchall()
            for source, touch_type, n in rows:
                print(f"  {source:<12} {touch_type:<31} {n:>9,}")
        if ("marts", "customer_journeys") in tables:
            report_stage_flow(con)
        if ("marts", "rpt_channel_performance_total") in tables:
            # markov_1 is the standard whole-data-set allocation: a channel total, so the whole-period report
            print("\nchannel economics under exact Markov attribution (marts.rpt_channel_performance_total, markov_1):")
            rows = con.execute(
                """select channel, sum(attributed_conversions), sum(attributed_revenue), sum(spend),
                          sum(attributed_revenue) / nullif(sum(spend), 0)
                   from marts.rpt_channel_performance_total where attribution_model = 'markov_1'
                   group by 1 order by 3 desc"""
            ).fetchall()
            print(f"  {'channel':<16} {'conversions':>11} {'revenue':>12} {'spend':>10} {'ROAS':>7}")
            for channel, conversions, revenue, spend, roas in rows:
                ratio = f"{roas:7.1f}" if roas is not None else "      -"
                print(f"  {channel:<16} {conversions:>11.1f} {revenue:>12,.0f} {spend:>10,.0f} {ratio}")
    serving, _ = serving_paths()
    print(f"\nserving copy for BI tools (read-only, DuckDB 1.4+ or Parquet): {serving}")
    from pipelines.report.assets import report_path

    if report_path().exists():
        print(f"\njourney map (open in a browser, no server needed): {report_path()}")


STAGES = ("awareness", "engagement", "consideration", "conversion", "retention", "advocacy")


def report_stage_flow(con: duckdb.DuckDBPyConnection) -> None:
    """How many people ever reached each stage, CRM contacts and anonymous visitors apart: the flow the journey
    map draws, starting at the first visit."""
    reached = ", ".join(f"count({stage}_entered_at)" for stage in STAGES)
    rows = con.execute(f"select is_anonymous, {reached} from marts.customer_journeys group by 1 order by 1").fetchall()
    print("\nstage flow (marts.customer_journeys, people who ever reached each stage):")
    print(f"  {'':<20}" + "".join(f"{stage:>14}" for stage in STAGES))
    for is_anonymous, *counts in rows:
        label = "anonymous visitors" if is_anonymous else "known people"
        print(f"  {label:<20}" + "".join(f"{n:>14,}" for n in counts))


# Check names the platform defines itself; every other check of the run is a dbt test.
OWN_CHECKS = ("gx_contract", "quarantine_rate", "dbt_source_freshness")


def report_checks(checks: list) -> None:
    """Asset checks of the run: dbt tests, Great Expectations suites, quarantine rates, source freshness."""
    failed = [c for c in checks if not c.passed]
    kinds = collections.Counter(c.check_name if c.check_name in OWN_CHECKS else "dbt tests" for c in checks)
    summary = ", ".join(f"{name} {n}" for name, n in sorted(kinds.items()))
    print(f"\nchecks: {len(checks) - len(failed)} of {len(checks)} passed ({summary})")
    for c in failed:
        print(f"  {c.severity.value.lower():<5} {c.asset_key.to_user_string()}: {c.check_name}")
    docs = quality_dir() / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    print(f"Great Expectations Data Docs: {docs}")


def report_pushes(pushes: dict) -> None:
    """What reverse ETL sent to the (sandbox) CRM, per sync."""
    if not pushes:
        return
    print("\nreverse ETL to HubSpot (rows: added / changed / removed / invalid / rejected):")
    for name, meta in sorted(pushes.items()):
        counts = [meta[k].value if k in meta else 0 for k in ("added", "changed", "removed", "invalid", "rejected")]
        print(f"  {name:<36} " + " / ".join(f"{n:,}" for n in counts))


if __name__ == "__main__":
    raise SystemExit(main())
