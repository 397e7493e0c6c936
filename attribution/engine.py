"""Run every configured model and hold the result: fct_attribution rows, a channel summary and diagnostics."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from attribution.config import (
    RULE_MODELS,
    SHAPLEY,
    UNATTRIBUTED,
    AttributionConfig,
    AttributionError,
    markov_model_name,
)
from attribution.credits import ModelCredits, channel_weight_credits
from attribution.data import Conversions, Touches
from attribution.markov import MarkovResult, markov_model
from attribution.paths import Paths, build_paths
from attribution.rules import rule_based_credits
from attribution.shapley import ShapleyResult, fit_game


@dataclass
class ConservationReport:
    """Worst deviation per model of sum(credit) from 1 and of sum(revenue_credit) from revenue, over conversions."""

    max_credit_error: dict[str, float]
    max_revenue_error: dict[str, float]
    n_conversions_checked: int
    atol: float

    @property
    def ok(self) -> bool:
        errors = [*self.max_credit_error.values(), *self.max_revenue_error.values()]
        return all(e <= self.atol for e in errors)


@dataclass
class AttributionResult:
    """Credits of every model, plus the Markov and Shapley diagnostics and run statistics."""

    paths: Paths
    config: AttributionConfig
    credits: dict[str, ModelCredits]
    markov: dict[int, MarkovResult] = field(default_factory=dict)
    shapley: ShapleyResult | None = None
    #: Attributed conversions that fell back to last touch, per data-driven model (all channel weights zero).
    fallbacks: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    conversions: Conversions | None = None
    touches: Touches | None = None

    @property
    def models(self) -> list[str]:
        return list(self.credits)

    @property
    def n_conversions(self) -> int:
        return self.paths.n_conversions

    @property
    def n_unattributed(self) -> int:
        return int((self.paths.lengths == 0).sum())

    def revenue_credit(self, model: str) -> np.ndarray:
        mc = self.credits[model]
        return mc.credit * self.paths.revenue[mc.conversion]

    def rows(self, model: str) -> dict[str, np.ndarray]:
        """fct_attribution rows of one model as columns.

        ``conversion_index`` / ``touch_index`` index the input arrays (-1: no touch); ``conversion_id`` /
        ``touch_id`` are the input ids when the result kept its inputs (``touch_id`` is a masked array where
        there is no touch), ``channel`` the touch's channel (``(unattributed)`` where there is none).
        """
        mc = self.credits[model]
        has = mc.row >= 0
        touch_index = np.full(len(mc), -1, dtype=np.int64)
        touch_index[has] = self.paths.touch_index[mc.row[has]]
        channel_code = np.full(len(mc), -1, dtype=np.int64)
        channel_code[has] = self.paths.channel[mc.row[has]]
        names = np.array([*self.paths.channel_names, UNATTRIBUTED], dtype=object)
        out: dict[str, np.ndarray] = {
            "conversion_index": self.paths.conversion_index[mc.conversion],
            "touch_index": touch_index,
            "channel": names[channel_code],
            "credit": mc.credit,
            "revenue_credit": self.revenue_credit(model),
        }
        if self.conversions is not None:
            out["conversion_id"] = np.asarray(self.conversions.conversion_id)[out["conversion_index"]]
        if self.touches is not None:
            ids = np.asarray(self.touches.touch_id)[np.maximum(touch_index, 0)]
            out["touch_id"] = np.ma.masked_array(ids, mask=~has) if not has.all() else ids
        return out

    def summary(self) -> dict[str, np.ndarray]:
        """Channel summary: one row per (model, channel, currency) with credited conversions and revenue.

        Totals equal the fct rows' sums (so they inherit conservation); unattributed conversions appear under
        ``(unattributed)``. ``currency`` is None when conversions carry none.
        """
        names = [*self.paths.channel_names, UNATTRIBUTED]
        n_ch = len(names)
        cur_codes, currencies = self._currency_codes()
        n_cur = len(currencies)
        cols: dict[str, list] = {"model": [], "channel": [], "currency": [], "conversions": [], "revenue": []}
        for model, mc in self.credits.items():
            ch = np.full(len(mc), n_ch - 1, dtype=np.int64)
            has = mc.row >= 0
            ch[has] = self.paths.channel[mc.row[has]]
            key = ch * n_cur + cur_codes[mc.conversion]
            conv = np.bincount(key, weights=mc.credit, minlength=n_ch * n_cur)
            rev = np.bincount(key, weights=self.revenue_credit(model), minlength=n_ch * n_cur)
            present = np.bincount(key, minlength=n_ch * n_cur) > 0
            for k in np.flatnonzero(present):
                cols["model"].append(model)
                cols["channel"].append(names[k // n_cur])
                cols["currency"].append(currencies[k % n_cur])
                cols["conversions"].append(conv[k])
                cols["revenue"].append(rev[k])
        return {
            "model": np.array(cols["model"], dtype=object),
            "channel": np.array(cols["channel"], dtype=object),
            "currency": np.array(cols["currency"], dtype=object),
            "conversions": np.array(cols["conversions"], dtype=np.float64),
            "revenue": np.array(cols["revenue"], dtype=np.float64),
        }

    def _currency_codes(self) -> tuple[np.ndarray, list]:
        n = self.paths.n_conversions
        if self.conversions is None or self.conversions.currency is None:
            return np.zeros(n, dtype=np.int64), [None]
        cur = np.asarray(self.conversions.currency, dtype=object)[self.paths.conversion_index]
        uniq: dict = {}
        codes = np.fromiter((uniq.setdefault(c, len(uniq)) for c in cur), dtype=np.int64, count=n)
        return codes, list(uniq)

    def check_conservation(self, raise_on_failure: bool = True) -> ConservationReport:
        """For every model and every counted conversion: sum(credit) == 1 and sum(revenue_credit) == revenue.

        With ``emit_unattributed`` off, conversions without touches are checked to have no rows instead.
        """
        atol = self.config.conservation_atol
        n = self.paths.n_conversions
        expect = np.ones(n)
        if not self.config.emit_unattributed:
            expect[self.paths.lengths == 0] = 0.0
        revenue = self.paths.revenue
        credit_err: dict[str, float] = {}
        revenue_err: dict[str, float] = {}
        problems = []
        for model, mc in self.credits.items():
            total = np.bincount(mc.conversion, weights=mc.credit, minlength=n)
            rev = np.bincount(mc.conversion, weights=self.revenue_credit(model), minlength=n)
            ce = float(np.abs(total - expect).max()) if n else 0.0
            re_abs = np.abs(rev - revenue * expect)
            re = float((re_abs / np.maximum(1.0, np.abs(revenue))).max()) if n else 0.0
            credit_err[model], revenue_err[model] = ce, re
            if not (ce <= atol and re <= atol):
                problems.append(f"{model}: max |sum(credit) - 1| = {ce:.3g}, max relative revenue error = {re:.3g}")
        report = ConservationReport(credit_err, revenue_err, n, atol)
        if problems and raise_on_failure:
            raise AttributionError("credit not conserved: " + "; ".join(problems))
        return report


def unattributed_credits(paths: Paths, model: str) -> ModelCredits:
    idx = paths.unattributed.astype(np.int64)
    return ModelCredits(model, idx, np.full(len(idx), -1, dtype=np.int64), np.ones(len(idx)))


def _with_unattributed(paths: Paths, mc: ModelCredits, config: AttributionConfig) -> ModelCredits:
    if not config.emit_unattributed or paths.n_conversions == len(paths.attributed):
        return mc
    extra = unattributed_credits(paths, mc.model)
    return ModelCredits(
        mc.model,
        np.concatenate([mc.conversion, extra.conversion]),
        np.concatenate([mc.row, extra.row]),
        np.concatenate([mc.credit, extra.credit]),
    )


def attribute_paths(paths: Paths, config: AttributionConfig | None = None) -> AttributionResult:
    """Run the configured models on already built paths."""
    config = config or AttributionConfig()
    result = AttributionResult(paths=paths, config=config, credits={})
    keep_zero = config.emit_zero_credit_rows

    t0 = time.perf_counter()
    rule_models = tuple(m for m in config.models if m in RULE_MODELS)
    for mc in rule_based_credits(paths, config, rule_models):
        result.credits[mc.model] = _with_unattributed(paths, mc, config)
    result.timings["rule_based"] = time.perf_counter() - t0

    for order in config.markov_orders:
        t0 = time.perf_counter()
        name = markov_model_name(order)
        mr = markov_model(paths, order, config)
        result.markov[order] = mr
        row_w = mr.removal_effects[paths.channel] if paths.n_rows else np.zeros(0)
        mc, fallback = channel_weight_credits(paths, name, row_w, paths.channel, paths.n_channels, keep_zero)
        result.credits[name] = _with_unattributed(paths, mc, config)
        result.fallbacks[name] = int(fallback.sum())
        result.timings[name] = time.perf_counter() - t0

    if SHAPLEY in config.models:
        t0 = time.perf_counter()
        channel, offsets, converted, _ = paths.sequences()
        sr, game_channel = fit_game(channel, offsets, converted, paths.channel_names, config)
        n_att = len(paths.attributed)
        row_game = game_channel[: paths.n_rows]
        conv_masks = np.zeros(paths.n_conversions, dtype=np.int64)
        if n_att:
            conv_masks[paths.attributed] = np.bitwise_or.reduceat(np.left_shift(1, row_game), paths.segment_starts)
        row_mask = conv_masks[paths.row_conversion]
        row_w = sr.phi[row_mask, row_game] if paths.n_rows else np.zeros(0)
        if n_att:
            neg = np.minimum.reduceat(row_w, paths.segment_starts) < 0
            sr.n_clipped = int(neg.sum()) if config.shapley_clip_negative else 0
        mc, fallback = channel_weight_credits(
            paths, SHAPLEY, row_w, row_game, len(sr.channel_names), keep_zero, config.shapley_clip_negative
        )
        result.credits[SHAPLEY] = _with_unattributed(paths, mc, config)
        result.shapley = sr
        result.fallbacks[SHAPLEY] = int(fallback.sum())
        result.timings[SHAPLEY] = time.perf_counter() - t0

    ordered = {m: result.credits[m] for m in config.models if m in result.credits}
    result.credits = ordered
    if config.check_conservation:
        t0 = time.perf_counter()
        result.check_conservation()
        result.timings["conservation_check"] = time.perf_counter() - t0
    return result


def attribute(touches: Touches, conversions: Conversions, config: AttributionConfig | None = None) -> AttributionResult:
    """Build paths from the touch timeline and conversions, run every configured model, check conservation.

    The returned result keeps references to the inputs, so :meth:`AttributionResult.rows` can give ids.
    """
    config = config or AttributionConfig()
    t0 = time.perf_counter()
    paths = build_paths(touches, conversions, config)
    build = time.perf_counter() - t0
    result = attribute_paths(paths, config)
    result.timings = {"build_paths": build, **result.timings}
    result.touches, result.conversions = touches, conversions
    return result
