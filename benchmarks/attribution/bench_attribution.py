"""Benchmark the attribution engine on synthetic journeys, next to ChannelAttribution's simulated Markov model.

    python -m benchmarks.attribution.bench_attribution --journeys 1000000 [--out report.md]

Times (each step on the same paths): path building, all rule-based models, Markov order 1 (the standard whole-data-set
totals ``markov_1`` and the per-path split ``markov_path_1``), rule-based + Markov 1 end to end (the <5 s target),
Markov orders 2 and 3, Shapley, and ChannelAttribution ``markov_model`` (order 1, ``max_step`` well above the longest
path) in a separate process, several seeds per simulation size. The standard totals are compared with
ChannelAttribution's per channel against its simulation noise (the spread of its estimates over the seeds). Prints a
markdown report.

ChannelAttribution is GPL-3.0: it is only ever imported here, in a child process, never by ``attribution``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from attribution import (
    RULE_MODELS,
    AttributionConfig,
    AttributionResult,
    Paths,
    Touches,
    aggregate_paths,
    attribute,
    attribute_paths,
    build_paths,
    fit_chain,
)
from benchmarks.attribution.synthetic import generate


@dataclass
class Step:
    name: str
    seconds: float
    peak_mb: float
    rows_in: int
    rows_out: int
    note: str = ""


def measure(fn: Callable[[], Any], repeat: int = 1) -> tuple[Any, float, float]:
    """Best wall time of ``repeat`` runs, then one more run under tracemalloc for the peak of traced allocations."""
    best = float("inf")
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    del out
    tracemalloc.start()
    out = fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return out, best, peak / 2**20


def output_rows(result: AttributionResult) -> int:
    return sum(len(mc) for mc in result.credits.values())


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM; unlike ru_maxrss it is not inherited across fork + exec)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def blas_name() -> str:
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # pragma: no cover - informational only
        return "unknown"


def _run_channelattribution(frame: Any, settings: dict, queue: Any) -> None:
    """Child process: import ChannelAttribution, run markov_model and heuristic_models, report timings and RSS."""
    try:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the package's banner in this child process
        import ChannelAttribution as ca

        version = getattr(ca, "__version__", None)
        if version is None:
            from importlib.metadata import version as dist_version

            version = dist_version("channelattribution")
        t0 = time.perf_counter()
        res = ca.markov_model(frame, "path", "conv", var_value="value", var_null="null", **settings)
        seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        heur = ca.heuristic_models(frame, "path", "conv", var_value="value", sep=settings["sep"], flg_pro=False)
        heur_seconds = time.perf_counter() - t0
        queue.put(
            {
                "ok": True,
                "version": version,
                "seed": settings.get("seed"),
                "seconds": seconds,
                "heuristic_seconds": heur_seconds,
                "maxrss_mb": peak_rss_mb(),
                "result": res["result"].to_dict("list"),
                "removal_effects": res["removal_effects"].to_dict("list"),
                "transition_matrix": res["transition_matrix"].to_dict("list"),
                "heuristic": heur.to_dict("list"),
            }
        )
    except BaseException as exc:  # report exactly why it could not run
        queue.put({"ok": False, "error": f"{type(exc).__name__}: {exc}"})


def run_channelattribution(frame: Any, settings: dict, timeout: float) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_run_channelattribution, args=(frame, settings, queue))
    t0 = time.perf_counter()
    proc.start()
    try:
        out = queue.get(timeout=timeout)
    except Exception as exc:
        proc.kill()
        return {"ok": False, "error": f"no answer within {timeout:.0f} s ({type(exc).__name__})"}
    proc.join()
    out["process_seconds"] = time.perf_counter() - t0
    return out


def agreement(ours: np.ndarray, theirs: np.ndarray) -> str:
    diff = np.abs(ours - theirs)
    rel = diff / np.maximum(np.abs(theirs), 1e-12)
    corr = float(np.corrcoef(ours, theirs)[0, 1]) if len(ours) > 1 else float("nan")
    share = diff.sum() / max(np.abs(theirs).sum(), 1e-12)
    return (
        f"max abs diff {diff.max():,.3f}, max rel diff {rel.max():.4%}, "
        f"sum |diff| / total {share:.4%}, Pearson r {corr:.6f}"
    )


@dataclass
class NoiseCheck:
    """Exact totals against the spread of ChannelAttribution's simulated ones over several seeds."""

    conv_sd: np.ndarray
    conv_t: np.ndarray
    value_sd: np.ndarray
    value_t: np.ndarray
    verdict: str


def noise_check(
    ours_conv: np.ndarray, conv_runs: np.ndarray, ours_value: np.ndarray, value_runs: np.ndarray, alpha: float = 0.01
) -> NoiseCheck:
    """Per channel, t = (exact - mean of the runs) / (sd / sqrt(runs)): if ChannelAttribution's simulation is an
    unbiased estimate of the exact totals, every |t| stays below the Student-t quantile at ``alpha`` split over all
    channels and both measures (Bonferroni)."""
    runs, n_channels = conv_runs.shape
    if runs < 2:
        nan = np.full(n_channels, np.nan)
        return NoiseCheck(nan, nan, nan, nan, "simulation noise not estimated (one seed; use --ca-seeds 2 or more)")
    sqrt_n = np.sqrt(runs)
    conv_sd, value_sd = conv_runs.std(axis=0, ddof=1), value_runs.std(axis=0, ddof=1)
    conv_t = (ours_conv - conv_runs.mean(axis=0)) / np.maximum(conv_sd / sqrt_n, 1e-300)
    value_t = (ours_value - value_runs.mean(axis=0)) / np.maximum(value_sd / sqrt_n, 1e-300)
    tests = 2 * n_channels
    try:
        from scipy.stats import t as student_t

        critical = float(student_t.ppf(1 - alpha / (2 * tests), runs - 1))
        what = f"Student t, {runs - 1} df"
    except ImportError:  # pragma: no cover - scipy is optional here; the normal quantile is a looser bound
        from statistics import NormalDist

        critical = NormalDist().inv_cdf(1 - alpha / (2 * tests))
        what = "normal approximation (scipy not installed)"
    worst = float(max(np.abs(conv_t).max(), np.abs(value_t).max()))
    within = worst <= critical
    verdict = (
        f"within simulation noise: {'yes' if within else 'NO'} (max |t| {worst:.2f} over {tests} channel totals; "
        f"critical value {critical:.2f} at alpha {alpha} with Bonferroni, {what})"
    )
    return NoiseCheck(conv_sd, conv_t, value_sd, value_t, verdict)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--journeys", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default=None, help="write the markdown report here (default: print it)")
    parser.add_argument("--repeat", type=int, default=1, help="best of N timed runs per step")
    parser.add_argument(
        "--ca-nsim", default="100000,1000000,10000000", help="ChannelAttribution nsim_start values to run"
    )
    parser.add_argument(
        "--ca-seeds", type=int, default=5, help="ChannelAttribution runs (seeds nfold apart) per nsim_start: its noise"
    )
    parser.add_argument("--ca-max-step", type=int, default=100)
    parser.add_argument("--ca-ncore", type=int, default=2)
    parser.add_argument("--ca-timeout", type=float, default=1800)
    parser.add_argument("--skip-ca", action="store_true")
    return parser.parse_args(argv)


@dataclass
class EngineRun:
    """The engine's timed steps on one data set, and what the report compares."""

    paths: Paths
    steps: list[Step]
    full: AttributionResult  # the end-to-end run: rule-based and Markov 1, both forms
    markov1: Any  # MarkovResult of order 1


def time_engine(args: argparse.Namespace, touches: Touches, conversions: Any) -> EngineRun:
    n_touches = len(touches)
    config = AttributionConfig()
    steps: list[Step] = []
    paths, secs, peak = measure(lambda: build_paths(touches, conversions, config), args.repeat)
    assert isinstance(paths, Paths)
    steps.append(Step("build paths (lookback 30 d, cycles, null paths)", secs, peak, n_touches, paths.n_rows))

    shuffle = np.random.default_rng(args.seed).permutation(n_touches)
    shuffled = Touches(
        person_key=touches.person_key[shuffle],
        touch_id=touches.touch_id[shuffle],
        occurred_at=touches.occurred_at[shuffle],
        channel=touches.channel[shuffle],
        channel_names=touches.channel_names,
        is_lead_creation=touches.is_lead_creation[shuffle],
        is_opportunity_creation=touches.is_opportunity_creation[shuffle],
    )
    _, secs, peak = measure(lambda: build_paths(shuffled, conversions, config), args.repeat)
    steps.append(Step("build paths, touches in random order (adds the sort)", secs, peak, n_touches, paths.n_rows))

    markov1 = None
    for label, models in (
        ("(a) rule-based: 7 models", RULE_MODELS),
        ("(b) Markov order 1 (exact): standard totals + per-path split", ("markov_1", "markov_path_1")),
        ("(c) Markov order 2 (exact): standard totals + per-path split", ("markov_2", "markov_path_2")),
        ("(c) Markov order 3 (exact): standard totals + per-path split", ("markov_3", "markov_path_3")),
        ("(d) Shapley (exact, channel sets) + allocation", ("shapley",)),
    ):
        run_config = AttributionConfig(models=models, check_conservation=False)
        res, secs, peak = measure(lambda c=run_config: attribute_paths(paths, c), args.repeat)
        note = ""
        for order, mr in res.markov.items():
            note = f"{mr.n_states} states, {mr.n_transitions} transitions, {mr.solver} solve"
            if mr.solver == "iterative":
                note += f" ({mr.iterations} iterations, error bound {mr.error_bound:.1e})"
            if order == 1:
                markov1 = mr
        if res.shapley is not None:
            note = f"{len(res.shapley.channel_names)} channels, 2^{len(res.shapley.channel_names)} coalitions"
        steps.append(Step(label, secs, peak, paths.n_rows + len(paths.null_channel), output_rows(res), note))

    headline_config = AttributionConfig(models=(*RULE_MODELS, "markov_1", "markov_path_1"))
    full, secs, peak = measure(lambda: attribute(touches, conversions, headline_config), args.repeat)
    note = f"target < 5 s: {'met' if secs < 5 else 'MISSED'}"
    label = "(a)+(b) end to end: build paths + 7 rule-based + Markov 1 (both forms) + conservation check"
    steps.append(Step(label, secs, peak, n_touches, output_rows(full), note))
    return EngineRun(paths, steps, full, markov1)


@dataclass
class CaRuns:
    """ChannelAttribution's runs on the engine's aggregated paths: (settings, one output per seed) per nsim."""

    summary: Any  # PathSummary
    prep_seconds: float
    runs: list[tuple[dict, list[dict]]]
    error: str | None


def run_channelattribution_series(args: argparse.Namespace, paths: Paths, steps: list[Step]) -> CaRuns:
    t0 = time.perf_counter()
    summary = aggregate_paths(paths)
    strings = summary.as_strings(" > ")
    found = CaRuns(summary, time.perf_counter() - t0, [], None)
    if args.skip_ca:
        found.error = "skipped (--skip-ca)"
        return found
    try:
        import pandas as pd
    except ImportError as exc:
        found.error = f"pandas not importable ({exc}); ChannelAttribution needs it"
        return found
    frame = pd.DataFrame(
        {"path": strings, "conv": summary.conversions, "value": summary.revenue, "null": summary.nulls}
    )
    for nsim in [int(float(x)) for x in args.ca_nsim.split(",") if x.strip()]:
        settings = {
            "order": 1,
            "nsim_start": nsim,
            "max_step": args.ca_max_step,
            "out_more": True,
            "sep": ">",
            "ncore": args.ca_ncore,
            "nfold": 10,
            "conv_par": 0.05,
            "rate_step_sim": 1.5,
            "verbose": False,
            "flg_pro": False,
        }
        outs = []
        # ChannelAttribution seeds fold r of a run with seed + r and reports one fold's result: seeds closer than
        # nfold share folds (seeds 0 and 1 often give identical results), so runs are nfold apart.
        for seed in range(0, max(1, args.ca_seeds) * settings["nfold"], settings["nfold"]):
            out = run_channelattribution(frame, {**settings, "seed": seed}, args.ca_timeout)
            if not out.get("ok"):
                found.error = out.get("error")
                return found
            outs.append(out)
        found.runs.append((settings, outs))
        steps.append(
            Step(
                f"(e) ChannelAttribution markov_model order 1, nsim_start={nsim:,} (mean of {len(outs)} seeds)",
                float(np.mean([o["seconds"] for o in outs])),
                max(o["maxrss_mb"] for o in outs),
                len(summary),
                len(outs[0]["result"]["channel_name"]),
                "peak = child process peak RSS (VmHWM), incl. interpreter, pandas and the input frame",
            )
        )
    return found


def report_header(
    args: argparse.Namespace, engine: EngineRun, ca: CaRuns, n_touches: int, n_conversions: int, gen_seconds: float
) -> list[str]:
    paths, names, summary = engine.paths, engine.paths.channel_names, ca.summary
    lines = [f"# Attribution benchmark: {args.journeys:,} synthetic journeys", ""]
    lines.append(
        f"- machine: {os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()}, numpy "
        f"{np.__version__} ({blas_name()}), {platform.system()} {platform.release()}"
    )
    omp = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS") if k in os.environ}
    if omp:
        lines.append(f"- environment: {omp}")
    lines.append(
        f"- data (seed {args.seed}, generated in {gen_seconds:.1f} s, not timed): {n_touches:,} touches, "
        f"{n_conversions:,} conversions ({n_conversions / args.journeys:.1%} of journeys), "
        f"{len(names)} channels; after lookback/cycles: {paths.n_rows:,} touches on {paths.n_conversions:,} "
        f"conversion paths ({int((paths.lengths == 0).sum()):,} unattributed), "
        f"{paths.n_null_paths:,} null paths with {len(paths.null_channel):,} touches; "
        f"{len(summary):,} distinct paths, longest {int(summary.lengths.max())}"
    )
    lines.append(
        "- touches arrive ordered by (person, time), as `attribution.duckdb_io.read_touches` (SQL `order by`) "
        "returns them; the second row shows the cost of sorting them in numpy instead"
    )
    lines.append(
        "- peak memory: tracemalloc peak of traced (Python + numpy) allocations during the step, excluding the "
        "inputs; ChannelAttribution: its child process's peak RSS"
    )
    lines.append(f"- benchmark process peak RSS (VmHWM) at the end: {peak_rss_mb():,.0f} MB")
    lines.append("")
    lines.append("| step | wall s | peak MB | input rows | output rows | input rows/s | notes |")
    lines.append("|---|---:|---:|---:|---:|---:|---|")
    for s in engine.steps:
        rate = s.rows_in / s.seconds if s.seconds > 0 else float("inf")
        lines.append(
            f"| {s.name} | {s.seconds:.3f} | {s.peak_mb:,.0f} | {s.rows_in:,} | {s.rows_out:,} | {rate:,.0f} | "
            f"{s.note} |"
        )
    conservation = engine.full.check_conservation()
    lines.append("")
    lines.append(
        f"Conservation over {conservation.n_conversions_checked:,} conversions: max |sum(credit) - 1| = "
        f"{max(conservation.max_credit_error.values()):.2e}, max relative revenue error = "
        f"{max(conservation.max_revenue_error.values()):.2e} (all models of the end-to-end run)."
    )
    lines.append("")
    lines.append("## Exact Markov (order 1) vs ChannelAttribution")
    lines.append("")
    lines.append(
        f"ChannelAttribution input: the same {len(summary):,} distinct paths with conversion, null and revenue "
        f"counts (built in {ca.prep_seconds:.1f} s, not timed)."
    )
    if ca.error:
        lines += ["", f"**ChannelAttribution did not run:** {ca.error}"]
    return lines


def per_channel(summary: dict, names: list[str], model: str, field: str) -> np.ndarray:
    """A model's credited ``field`` per channel, from ``AttributionResult.summary()``."""
    out = np.zeros(len(names))
    for ch, m, v in zip(summary["channel"], summary["model"], summary[field], strict=True):
        if m == model and ch in names:
            out[names.index(ch)] += v
    return out


def transition_diff(engine: EngineRun, ca_summary: Any, matrix: dict) -> tuple[int, int, float]:
    """Our order-1 transition probabilities against ChannelAttribution's: (its edges, ours, max abs difference)."""
    paths, names = engine.paths, engine.paths.channel_names
    # ChannelAttribution numbers channels 1.. in order of first appearance in its input paths.
    flat = ca_summary.codes[ca_summary.codes >= 0]
    _, first_at = np.unique(flat, return_index=True)
    appearance = np.unique(flat)[np.argsort(first_at)]
    ca_name = {str(i + 1): names[c] for i, c in enumerate(appearance)}
    chain = fit_chain(*paths.sequences(), 1, len(names))
    label = {0: "(start)"}
    for st in range(1, chain.n_states):
        label[st] = names[chain.state_channels(st)[0]]
    ours_p: dict = {}
    for a, b, p in zip(chain.src, chain.dst, chain.prob, strict=True):
        ours_p[(label[int(a)], label[int(b)])] = float(p)
    out_sum = np.bincount(chain.src, weights=chain.prob, minlength=chain.n_states) + chain.conv_prob
    for st in range(chain.n_states):
        if chain.conv_prob[st] > 0:
            ours_p[(label[st], "(conversion)")] = float(chain.conv_prob[st])
        if out_sum[st] < 1 - 1e-12:
            ours_p[(label[st], "(null)")] = float(1 - out_sum[st])
    ca_p = {
        (ca_name.get(a, a), ca_name.get(b, b)): p
        for a, b, p in zip(matrix["channel_from"], matrix["channel_to"], matrix["transition_probability"], strict=True)
    }
    keys = set(ours_p) | set(ca_p)
    return len(ca_p), len(ours_p), max(abs(ours_p.get(k, 0.0) - ca_p.get(k, 0.0)) for k in keys)


def heuristic_diff(summary: dict, names: list[str], heur: dict) -> float:
    """Max abs difference of first/last/linear conversions per channel between ChannelAttribution and our rows."""
    h_idx = {n: i for i, n in enumerate(heur["channel_name"])}
    worst = 0.0
    for ours_model, col in (
        ("first_touch", "first_touch_conversions"),
        ("last_touch", "last_touch_conversions"),
        ("linear", "linear_touch_conversions"),
    ):
        for n in names:
            sel = (summary["model"] == ours_model) & (summary["channel"] == n)
            ours_h = float(summary["conversions"][sel].sum())
            worst = max(worst, abs(ours_h - (heur[col][h_idx[n]] if n in h_idx else 0.0)))
    return worst


def report_ca_run(engine: EngineRun, ca_summary: Any, settings: dict, outs: list[dict]) -> list[str]:
    """One ChannelAttribution simulation size against the exact standard totals, per channel."""
    names, markov1 = engine.paths.channel_names, engine.markov1
    # What users see as markov_1 (the standard totals) and markov_path_1 (the per-path split), from the summary.
    fct_sum = engine.full.summary()
    ours_conv, ours_value = (
        per_channel(fct_sum, names, "markov_1", "conversions"),
        per_channel(fct_sum, names, "markov_1", "revenue"),
    )
    path_conv = per_channel(fct_sum, names, "markov_path_1", "conversions")
    assert np.allclose(ours_conv, markov1.conversions, rtol=1e-12, atol=1e-9)
    out = outs[0]

    def ca_column(table: str, column: str, o: dict) -> np.ndarray:
        got = dict(zip(o[table]["channel_name"], o[table][column], strict=True))
        return np.array([got.get(n, 0.0) for n in names])

    theirs_runs = np.array([ca_column("result", "total_conversions", o) for o in outs])
    value_runs = np.array([ca_column("result", "total_conversion_value", o) for o in outs])
    re_runs = np.array([ca_column("removal_effects", "removal_effects_conversion", o) for o in outs])
    theirs, theirs_value, theirs_re = theirs_runs.mean(axis=0), value_runs.mean(axis=0), re_runs.mean(axis=0)
    shown = {k: v for k, v in settings.items() if k not in ("verbose", "flg_pro", "out_more")}
    seeds = ", ".join(str(o["seed"]) for o in outs)
    noise = noise_check(ours_conv, theirs_runs, ours_value, value_runs)
    edges_theirs, edges_ours, tdiff = transition_diff(engine, ca_summary, out["transition_matrix"])
    lines = ["", f"### ChannelAttribution {out['version']} `markov_model({shown})`, seeds {seeds}", ""]
    lines.append(
        f"- wall {np.mean([o['seconds'] for o in outs]):.2f} s in markov_model, mean of {len(outs)} seeds "
        f"({out['process_seconds']:.1f} s with process start and data transfer, seed 0); heuristic_models "
        f"{out['heuristic_seconds']:.2f} s"
    )
    lines.append(f"- attributed conversions, exact markov_1 vs the mean of the seeds: {agreement(ours_conv, theirs)}")
    lines.append(
        f"- attributed revenue, exact markov_1 vs the mean of the seeds: {agreement(ours_value, theirs_value)}"
    )
    lines.append(
        f"- removal effects: max abs diff {np.abs(markov1.removal_effects - theirs_re).max():.5f}; "
        f"P(conversion) exact {markov1.p_conversion:.6f}"
    )
    lines.append(f"- {noise.verdict}")
    lines.append(
        f"- transition matrices (deterministic counts, no simulation): {edges_theirs} edges in ChannelAttribution's, "
        f"{edges_ours} in ours, max abs diff {tdiff:.2e}"
    )
    lines.append(
        f"- heuristic_models (first/last/linear conversions per channel) vs our rule-based rows: "
        f"max abs diff {heuristic_diff(fct_sum, names, out['heuristic']):.2e}"
    )
    lines.append("")
    lines.append(
        "| channel | RE exact | RE CA | conversions exact (markov_1) | CA mean ± sd | t | revenue exact "
        "(markov_1) | CA mean ± sd | t | markov_path_1 (per-path split) |"
    )
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for i, n in enumerate(names):
        lines.append(
            f"| {n} | {markov1.removal_effects[i]:.5f} | {theirs_re[i]:.5f} | {ours_conv[i]:,.1f} | "
            f"{theirs[i]:,.1f} ± {noise.conv_sd[i]:,.1f} | {noise.conv_t[i]:+.2f} | {ours_value[i]:,.0f} | "
            f"{theirs_value[i]:,.0f} ± {noise.value_sd[i]:,.0f} | {noise.value_t[i]:+.2f} | {path_conv[i]:,.1f} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    t0 = time.perf_counter()
    touches, conversions = generate(args.journeys, seed=args.seed)
    gen_seconds = time.perf_counter() - t0
    engine = time_engine(args, touches, conversions)
    ca = run_channelattribution_series(args, engine.paths, engine.steps)
    lines = report_header(args, engine, ca, len(touches), len(conversions), gen_seconds)
    for settings, outs in ca.runs:
        lines += report_ca_run(engine, ca.summary, settings, outs)
    lines.append("")
    lines.append(
        "'exact (markov_1)' is the standard definition, what the platform reports as markov_1: total conversions x "
        "RE_c / sum RE, revenue with value-weighted removal effects (ChannelAttribution's total_conversions and "
        "total_conversion_value). t = (exact - CA mean) / (CA sd / sqrt(seeds)): how many standard errors of "
        "ChannelAttribution's simulation the exact value lies from its mean. markov_path_1 splits each conversion "
        "over the channels on its own path by RE, so its per-channel totals differ by design (both sum to the same "
        "total)."
    )
    report = "\n".join(lines) + "\n"
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(report)
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
