"""Conservation for every model on randomised data (seeded), and determinism."""

from __future__ import annotations

import numpy as np
import pytest

from attribution import ALL_MODELS, AttributionConfig, attribute

from .util import conversions, random_dataset, touches

CONFIGS = [
    {},
    {"lookback_days": 7.0, "half_life_days": 0.5},
    {"lookback_days": None, "restart_after_conversion": False},
    {"conversion_types": ("purchase",), "emit_zero_credit_rows": True},
    {"emit_unattributed": False, "markov_dense_max_states": 0},
    {"models": (*ALL_MODELS, "markov_4", "markov_path_4"), "markov_collapse_repeats": True, "shapley_max_channels": 3},
    {"shapley_clip_negative": False, "w_weights": (0.25, 0.25, 0.25, 0.25), "position_weights": (0.3, 0.4, 0.3)},
]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: ",".join(c) or "default")
def test_credit_sums_to_one_and_revenue_to_revenue_per_conversion_and_model(seed, config):
    t_rows, c_rows = random_dataset(seed, n_channels=3 + seed % 5)
    cfg = AttributionConfig(check_conservation=False, **config)
    result = attribute(touches(t_rows), conversions(c_rows), cfg)
    assert result.models == list(cfg.models)
    report = result.check_conservation(raise_on_failure=False)
    assert report.ok, report
    revenue = {r[0]: (0.0 if np.isnan(r[3]) else r[3]) for r in c_rows}
    counted = {r[0] for r in c_rows if cfg.conversion_types is None or r[4] in cfg.conversion_types}
    unattributed = {
        result.conversions.conversion_id[result.paths.conversion_index[i]] for i in result.paths.unattributed
    }
    assert result.touch_models + result.channel_models == sorted(
        result.models, key=result.touch_models.__contains__, reverse=True
    )
    for model in result.touch_models:
        rows = result.rows(model)
        credit: dict = {}
        money: dict = {}
        for cid, cr, rv in zip(rows["conversion_id"], rows["credit"], rows["revenue_credit"], strict=True):
            credit[cid] = credit.get(cid, 0.0) + cr
            money[cid] = money.get(cid, 0.0) + rv
        expected = counted if cfg.emit_unattributed else counted - unattributed
        assert set(credit) == expected, model
        for cid in expected:
            assert credit[cid] == pytest.approx(1.0, abs=1e-9), (model, cid)
            assert money[cid] == pytest.approx(revenue[cid], abs=1e-9), (model, cid)
        if model != "shapley" or cfg.shapley_clip_negative:
            assert (rows["credit"] >= 0).all(), model
    # The summary carries the same totals, for touch-level and channel-level (standard Markov) models alike.
    summary = result.summary()
    for model in result.models:
        sel = summary["model"] == model
        n_expected = len(counted) if cfg.emit_unattributed else len(counted - unattributed)
        assert summary["conversions"][sel].sum() == pytest.approx(n_expected, abs=1e-9)
        total_revenue = sum(revenue[c] for c in counted if cfg.emit_unattributed or c not in unattributed)
        assert summary["revenue"][sel].sum() == pytest.approx(total_revenue, abs=1e-6)


def _canonical(result):
    out = {}
    totals = result.channel_totals()
    for model in result.channel_models:
        sel = totals["model"] == model
        out[model] = sorted(
            zip(totals["channel"][sel].tolist(), np.round(totals["conversions"][sel], 12).tolist(), strict=True)
        )
    for model in result.touch_models:
        rows = result.rows(model)
        tid = np.ma.filled(np.ma.masked_array(rows["touch_id"]).astype(object), None)
        credit = np.round(rows["credit"], 12).tolist()
        out[model] = sorted(zip(rows["conversion_id"].tolist(), tid.tolist(), credit, strict=True))
    return out


def test_deterministic_and_independent_of_input_order():
    t_rows, c_rows = random_dataset(42, n_people=60)
    first = attribute(touches(t_rows), conversions(c_rows))
    second = attribute(touches(t_rows), conversions(c_rows))
    assert _canonical(first) == _canonical(second)
    rng = np.random.default_rng(0)
    shuffled_t = [t_rows[i] for i in rng.permutation(len(t_rows))]
    shuffled_c = [c_rows[i] for i in rng.permutation(len(c_rows))]
    third = attribute(touches(shuffled_t), conversions(shuffled_c))
    assert _canonical(first) == _canonical(third)
    for order in (1, 2, 3):
        np.testing.assert_array_equal(first.markov[order].removal_effects, third.markov[order].removal_effects)


def test_conservation_failure_is_reported():
    t_rows, c_rows = random_dataset(1)
    result = attribute(touches(t_rows), conversions(c_rows), AttributionConfig(models=("linear",)))
    result.credits["linear"].credit[0] += 0.01
    assert not result.check_conservation(raise_on_failure=False).ok
    with pytest.raises(ValueError, match="not conserved"):
        result.check_conservation()


def test_empty_inputs():
    result = attribute(touches([]), conversions([]))
    assert result.n_conversions == 0
    assert all(len(mc) == 0 for mc in result.credits.values())
    only_null = attribute(touches([("p", "t", 0, "email")]), conversions([]))
    assert only_null.markov[1].p_conversion == 0.0
