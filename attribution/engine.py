"""Run every configured model and hold the result: fct_attribution rows (touch-level models), the standard Markov
channel credits (channel-level models), a channel summary of both, and diagnostics."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from attribution.arrays import AnyArray, Float64Array, Int64Array, weighted_bincount
from attribution.config import (
    RULE_MODELS,
    SHAPLEY,
    UNATTRIBUTED,
    AttributionConfig,
    AttributionError,
    markov_model_name,
    markov_path_model_name,
    parse_markov_order,
)
from attribution.credits import ModelCredits, channel_weight_credits
from attribution.data import Conversions, Touches
from attribution.markov import MarkovResult, markov_model
from attribution.paths import Paths, build_paths
from attribution.rules import rule_based_credits
from attribution.shapley import ShapleyResult, fit_game
from attribution.standard_markov import ChannelCredits, removal_effects_table, standard_credits

_SUMMARY_FIELDS = ("conversions", "new_customers", "revenue")


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
    """Credits of every model, plus the Markov and Shapley diagnostics and run statistics.

    Touch-level models (rule-based, ``markov_path_k``, ``shapley``) give each touch of a conversion a share
    (``credits``, :meth:`rows`); channel-level models (the standard ``markov_k``) credit channels over the whole data
    set (``channel_credits``, :meth:`channel_totals`). :meth:`summary` holds both at the channel grain.
    """

    paths: Paths
    config: AttributionConfig
    credits: dict[str, ModelCredits]
    markov: dict[int, MarkovResult] = field(default_factory=dict)
    shapley: ShapleyResult | None = None
    #: Per data-driven touch-level model: attributed conversions that fell back to last touch (all channel weights
    #: zero). Per standard Markov model: currencies whose revenue summed to <= 0 and followed the conversion shares.
    fallbacks: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    conversions: Conversions | None = None
    touches: Touches | None = None
    channel_credits: dict[str, ChannelCredits] = field(default_factory=dict)

    @property
    def models(self) -> list[str]:
        """Every model that ran, in the configured order."""
        return [m for m in self.config.models if m in self.credits or m in self.channel_credits]

    @property
    def touch_models(self) -> list[str]:
        """Models with per-touch rows (fct_attribution)."""
        return list(self.credits)

    @property
    def channel_models(self) -> list[str]:
        """Models that credit channels over the whole data set (fct_attribution_channel_totals)."""
        return list(self.channel_credits)

    @property
    def n_conversions(self) -> int:
        return self.paths.n_conversions

    @property
    def n_unattributed(self) -> int:
        return int((self.paths.lengths == 0).sum())

    def revenue_credit(self, model: str) -> Float64Array:
        mc = self.credits[model]
        return mc.credit * self.paths.revenue[mc.conversion]

    def rows(self, model: str) -> dict[str, AnyArray]:
        """fct_attribution rows of one model as columns.

        ``conversion_index`` / ``touch_index`` index the input arrays (-1: no touch); ``conversion_id`` /
        ``touch_id`` are the input ids when the result kept its inputs (``touch_id`` is a masked array where
        there is no touch), ``channel`` the touch's channel (``(unattributed)`` where there is none).
        """
        if model in self.channel_credits:
            order = parse_markov_order(model)
            raise AttributionError(
                f"{model} is the standard whole-data-set Markov allocation: it credits channels, not touches "
                f"(channel_totals()); {markov_path_model_name(order or 1)} splits each conversion over its own path"
            )
        mc = self.credits[model]
        has = mc.row >= 0
        touch_index = np.full(len(mc), -1, dtype=np.int64)
        touch_index[has] = self.paths.touch_index[mc.row[has]]
        channel_code = np.full(len(mc), -1, dtype=np.int64)
        channel_code[has] = self.paths.channel[mc.row[has]]
        names = np.array([*self.paths.channel_names, UNATTRIBUTED], dtype=object)
        out: dict[str, AnyArray] = {
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

    def summary(self) -> dict[str, AnyArray]:
        """Channel summary of every model: one row per (model, channel, currency) with credited conversions, new
        customers (credit of people's first conversions) and revenue.

        Touch-level models: the sums of their rows (so they inherit conservation). Standard Markov models: their
        whole-data-set credits (:meth:`channel_totals`). Unattributed conversions appear under ``(unattributed)``;
        ``currency`` is None when conversions carry none.
        """
        names = [*self.paths.channel_names, UNATTRIBUTED]
        n_ch = len(names)
        cur_codes, currencies = self._currency_codes()
        n_cur = len(currencies)
        first = self.paths.first_conversion.astype(np.float64)
        cols: dict[str, list[Any]] = {"model": [], "channel": [], "currency": [], **{f: [] for f in _SUMMARY_FIELDS}}
        for model in self.models:
            if model in self.channel_credits:
                cc = self.channel_credits[model]
                cols["model"] += [model] * len(cc)
                cols["channel"] += cc.channel.tolist()
                cols["currency"] += cc.currency.tolist()
                for f in _SUMMARY_FIELDS:
                    cols[f] += getattr(cc, f).tolist()
                continue
            mc = self.credits[model]
            ch = np.full(len(mc), n_ch - 1, dtype=np.int64)
            has = mc.row >= 0
            ch[has] = self.paths.channel[mc.row[has]]
            key = ch * n_cur + cur_codes[mc.conversion]
            sums = {
                "conversions": weighted_bincount(key, weights=mc.credit, minlength=n_ch * n_cur),
                "new_customers": weighted_bincount(
                    key, weights=mc.credit * first[mc.conversion], minlength=n_ch * n_cur
                ),
                "revenue": weighted_bincount(key, weights=self.revenue_credit(model), minlength=n_ch * n_cur),
            }
            present = np.bincount(key, minlength=n_ch * n_cur) > 0
            for k in np.flatnonzero(present):
                cols["model"].append(model)
                cols["channel"].append(names[k // n_cur])
                cols["currency"].append(currencies[k % n_cur])
                for f in _SUMMARY_FIELDS:
                    cols[f].append(sums[f][k])
        return {
            "model": np.array(cols["model"], dtype=object),
            "channel": np.array(cols["channel"], dtype=object),
            "currency": np.array(cols["currency"], dtype=object),
            **{f: np.array(cols[f], dtype=np.float64) for f in _SUMMARY_FIELDS},
        }

    def channel_totals(self) -> dict[str, AnyArray]:
        """The channel-level (standard Markov) models' credits: one row per (model, channel, currency) with
        conversions, new customers and revenue (see :mod:`attribution.standard_markov`)."""
        cc = list(self.channel_credits.values())
        return {
            "model": np.array([c.model for c in cc for _ in range(len(c))], dtype=object),
            "channel": np.concatenate([c.channel for c in cc]) if cc else np.zeros(0, dtype=object),
            "currency": np.concatenate([c.currency for c in cc]) if cc else np.zeros(0, dtype=object),
            **{f: np.concatenate([getattr(c, f) for c in cc]) if cc else np.zeros(0) for f in _SUMMARY_FIELDS},
        }

    def removal_effects_table(self) -> dict[str, AnyArray]:
        """Removal effects of every fitted chain, with what reproduces the standard allocation from them."""
        return removal_effects_table(self.markov)

    def _currency_codes(self) -> tuple[Int64Array, list[Any]]:
        return self.paths.currency_codes()

    def check_conservation(self, raise_on_failure: bool = True) -> ConservationReport:
        """For every touch-level model and every counted conversion: sum(credit) == 1 and sum(revenue_credit) ==
        revenue. For every channel-level model and every currency: its conversions, new customers and revenue add up to
        those of the counted conversions (relative to max(1, total)).

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
            total = weighted_bincount(mc.conversion, weights=mc.credit, minlength=n)
            rev = weighted_bincount(mc.conversion, weights=self.revenue_credit(model), minlength=n)
            ce = float(np.abs(total - expect).max()) if n else 0.0
            re_abs = np.abs(rev - revenue * expect)
            re = float((re_abs / np.maximum(1.0, np.abs(revenue))).max()) if n else 0.0
            credit_err[model], revenue_err[model] = ce, re
            if not (ce <= atol and re <= atol):
                problems.append(f"{model}: max |sum(credit) - 1| = {ce:.3g}, max relative revenue error = {re:.3g}")
        if self.channel_credits:
            codes, currencies = self._currency_codes()
            index = {c: i for i, c in enumerate(currencies)}
            first = self.paths.first_conversion.astype(np.float64)
            expected = {
                "conversions": weighted_bincount(codes, weights=expect, minlength=len(currencies)),
                "new_customers": weighted_bincount(codes, weights=expect * first, minlength=len(currencies)),
                "revenue": weighted_bincount(codes, weights=expect * revenue, minlength=len(currencies)),
            }
            for model, cc in self.channel_credits.items():
                cur = np.fromiter((index[c] for c in cc.currency), dtype=np.int64, count=len(cc))
                errors = {}
                for f, want in expected.items():
                    got = weighted_bincount(cur, weights=getattr(cc, f), minlength=len(currencies))
                    errors[f] = float((np.abs(got - want) / np.maximum(1.0, np.abs(want))).max()) if n else 0.0
                ce, re = max(errors["conversions"], errors["new_customers"]), errors["revenue"]
                credit_err[model], revenue_err[model] = ce, re
                if not (ce <= atol and re <= atol):
                    problems.append(
                        f"{model}: channel totals off by {ce:.3g} (relative, conversions or new customers) and "
                        f"{re:.3g} (relative, revenue) from the counted conversions"
                    )
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

    for order in config.fitted_markov_orders:
        t0 = time.perf_counter()
        mr = markov_model(paths, order, config)
        result.markov[order] = mr
        if order in config.markov_orders:
            name = markov_model_name(order)
            result.channel_credits[name] = standard_credits(paths, mr, config.emit_unattributed)
            result.fallbacks[name] = int(mr.value_fallback[mr.value_conversions > 0].sum())
            result.timings[name] = time.perf_counter() - t0
            t0 = time.perf_counter()
        if order in config.markov_path_orders:
            name = markov_path_model_name(order)
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

    result.credits = {m: result.credits[m] for m in config.models if m in result.credits}
    result.channel_credits = {m: result.channel_credits[m] for m in config.models if m in result.channel_credits}
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
