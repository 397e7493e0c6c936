"""Markdown for one scale run, merged into docs/benchmarks.md between per-scale markers (other sections kept)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

GIB = 1024.0
# the targets on a 2-core, 24 GiB machine
FULL_VS_REFERENCE = 4.0
INCREMENTAL_SHARE = 0.10
PEAK_MB = 6 * GIB
CONNECTOR_OVERHEAD = 1.5
ATTRIBUTION_S_PER_1M = 5.0
TIMED = ("reference", "dbt_full", "attribution", "reverse_etl", "append_new", "dbt_incremental", "connector")


def _n(x: float) -> str:
    return f"{x:,.0f}"


def _ops(rv: dict[str, Any]) -> str:
    parts = [f"{_n(n)} {op}" for op, n in sorted(rv["changes"].items())]
    return ", ".join([*parts, f"{_n(rv['invalid'])} invalid"])


def _met(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def attribution_core_seconds(info: dict[str, Any]) -> float:
    """Engine time of paths + rule-based models + Markov order 1 (what the target counts), from the run's timings."""
    t = info.get("timings", {})
    keys = [k for k in t if k in ("build_paths", "rule_based", "markov_1")]
    return sum(float(t[k]) for k in keys) if keys else float(info.get("seconds", 0.0))


def targets(r: dict[str, Any]) -> list[dict[str, Any]]:
    s = r["steps"]
    ref = s["reference"]["info"]["seconds"]
    full = s["dbt_full"]["seconds"]
    inc = s["dbt_incremental"]["seconds"]
    peak_step = max((k for k in TIMED if k in s and k != "connector"), key=lambda k: s[k]["peak_mb"])
    peak = s[peak_step]["peak_mb"]
    out = [
        {
            "target": f"full build <= {FULL_VS_REFERENCE:g} x reference query",
            "value": f"{full:,.1f} s vs {ref:,.2f} s",
            "ratio": full / ref,
            "limit": FULL_VS_REFERENCE,
            "met": full / ref <= FULL_VS_REFERENCE,
        },
        {
            "target": f"incremental run after 1 % new data <= {INCREMENTAL_SHARE:.0%} of full build",
            "value": f"{inc:,.1f} s vs {full:,.1f} s",
            "ratio": inc / full,
            "limit": INCREMENTAL_SHARE,
            "met": inc / full <= INCREMENTAL_SHARE,
        },
        {
            "target": "peak memory <= 6 GiB (largest step)",
            "value": f"{peak / GIB:,.2f} GiB ({peak_step})",
            "ratio": peak / PEAK_MB,
            "limit": 1.0,
            "met": peak <= PEAK_MB,
        },
    ]
    if "connector" in s:
        streams = s["connector"]["info"]["streams"]
        worst = max(streams, key=lambda k: streams[k]["connector_s"] / streams[k]["bare_s"])
        w = streams[worst]
        ratio = w["connector_s"] / w["bare_s"]
        out.append(
            {
                "target": f"connector overhead <= {CONNECTOR_OVERHEAD:g} x bare requests+json loop",
                "value": f"{w['connector_s']:,.2f} s vs {w['bare_s']:,.2f} s (mailchimp {worst}, worst stream)",
                "ratio": ratio,
                "limit": CONNECTOR_OVERHEAD,
                "met": ratio <= CONNECTOR_OVERHEAD,
            }
        )
    a = s["attribution"]["info"]
    core = attribution_core_seconds(a)
    per_1m = core / max(a["journeys"], 1) * 1_000_000
    out.append(
        {
            "target": "Markov order 1 + all rule-based models, 1M journeys < 5 s",
            "value": f"{core:,.2f} s on {_n(a['journeys'])} journeys (~{per_1m:,.2f} s per 1M)",
            "ratio": per_1m / ATTRIBUTION_S_PER_1M,
            "limit": 1.0,
            "met": per_1m < ATTRIBUTION_S_PER_1M,
        }
    )
    return out


def render(r: dict[str, Any]) -> str:
    s, m = r["steps"], r["machine"]
    c, ca = s["counts"]["info"], s["counts_after"]["info"]
    touches = c["marts.fct_touchpoints"]
    lines = [
        f"### {_n(r['scale'])} touchpoints (`make bench SCALE={r['scale']}`)",
        "",
        f"Run {r['started']} to {r['finished']}. Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, "
        f"{m['os']}, Python {m['python']}, DuckDB {m['duckdb']}, dbt-core {m['dbt-core']}, dbt-duckdb "
        f"{m['dbt-duckdb']}; load average {m['load_average']} at the start and {m.get('load_average_end')} at the "
        f"end (shared machine: compare ratios within this run). DuckDB: {r['settings']['duckdb_threads']} threads, "
        f"memory_limit {r['settings']['duckdb_memory_limit']} (attribution: "
        f"{r['settings'].get('attribution_memory_limit', 'default')}).",
        "",
        f"World: {_n(r['people'])} people over 365 days (seed 42), {_n(c['raw_records'])} raw records -> "
        f"{_n(touches)} fct_touchpoints rows, {_n(c['marts.customer_journeys'])} customer_journeys rows, "
        f"{_n(c['marts.fct_conversions'])} conversions. 1 % new data: the next {_n(r['new_people'])} people, "
        f"{_n(s['append_new']['info']['total'])} raw records appended "
        f"(-> {_n(ca['marts.fct_touchpoints'])} touchpoints).",
        "",
        "| target | measured | ratio | limit | status |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for t in targets(r):
        lines.append(f"| {t['target']} | {t['value']} | {t['ratio']:.2f} | {t['limit']:g} | {_met(t['met'])} |")
    lines += ["", "| step | wall s | peak MB | rows | rows/s | note |", "| --- | ---: | ---: | ---: | ---: | --- |"]

    def row(name: str, rows: int, note: str, seconds: float | None = None) -> None:
        st = s[name]
        sec = st["seconds"] if seconds is None else seconds
        lines.append(f"| {name} | {sec:,.2f} | {_n(st['peak_mb'])} | {_n(rows)} | {_n(rows / sec)} | {note} |")

    ref = s["reference"]["info"]
    row(
        "reference",
        ref["touches"],
        f"query only (process {s['reference']['seconds']:.1f} s); {_n(ref['people'])} person ids",
        ref["seconds"],
    )
    row("dbt_full", touches, "`dbt build --select +customer_journeys` (models + seeds), wall incl. dbt start-up")
    a = s["attribution"]["info"]
    row(
        "attribution",
        a["touches"],
        f"run_attribution end to end: {_n(a['journeys'])} journeys, {_n(a['conversions'])} conversions, "
        f"{len(a['models'])} models",
    )
    rv = s["reverse_etl"]["info"]
    row(
        "reverse_etl",
        rv["rows"],
        f"build_plan of {_n(rv['rows'])} rows ({_ops(rv)}); reading the "
        f"{_n(rv['source_rows'])} source rows took {rv['read_source_s']:.2f} s more",
        rv["seconds"],
    )
    row("append_new", s["append_new"]["info"]["total"], "setup: append the new raw records")
    row(
        "dbt_incremental",
        ca["marts.fct_touchpoints"],
        "same command after the append (incremental models, partial parse)",
    )
    if "connector" in s:
        people = _n(s["connector"]["info"]["people"])
        for name, st in s["connector"]["info"]["streams"].items():
            n, cs, bs = st["records"], st["connector_s"], st["bare_s"]
            lines.append(
                f"| connector {name} | {cs:,.2f} | {_n(s['connector']['peak_mb'])} | {_n(n)} | {_n(n / cs)} | "
                f"bare loop {bs:.2f} s ({_n(n / bs)}/s), best of 3, sandbox world of {people} people |"
            )
    for name in ("dbt_full", "dbt_incremental"):
        prof = s[name].get("profile") or []
        if prof:
            lines += ["", f"Slowest nodes of `{name}` (run_results.json execution time, s):", ""]
            lines.append(", ".join(f"{p['node']} {p['seconds']:.1f}" for p in prof))
    return "\n".join(lines) + "\n"


def _markers(scale: int) -> tuple[str, str]:
    return f"<!-- bench-scale:{scale}:start -->", f"<!-- bench-scale:{scale}:end -->"


def merge_section(path: Path, scale: int, section: str) -> None:
    """Replace this scale's section (or add it, ordered by scale) under "## Scale"; everything else is kept."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    start, end = _markers(scale)
    block = f"{start}\n{section}{end}"
    if start in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
        path.write_text(text)
        return
    heading = "## The whole path at scale (`benchmarks/scale`)"
    if heading not in text:
        text = text.rstrip("\n") + f"\n\n{heading}\n\n<!-- bench-scale:sections -->\n"
    found = sorted((int(x), x) for x in re.findall(r"<!-- bench-scale:(\d+):start -->", text))
    after = [x for n, x in found if n > scale]
    if after:
        anchor = _markers(int(after[0]))[0]
        text = text.replace(anchor, f"{block}\n\n{anchor}", 1)
    else:
        text = text.replace("<!-- bench-scale:sections -->", f"<!-- bench-scale:sections -->\n\n{block}", 1)
        if found:  # keep ascending order: after the last existing section
            last_end = _markers(int(found[-1][1]))[1]
            text = text.replace(f"<!-- bench-scale:sections -->\n\n{block}", "<!-- bench-scale:sections -->", 1)
            text = text.replace(last_end, f"{last_end}\n\n{block}", 1)
    path.write_text(text)
