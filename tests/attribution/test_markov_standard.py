"""Markov attribution under its standard definition (``markov_k``) and the path-level variant (``markov_path_k``).

The standard allocation (ChannelAttribution's, the literature's) credits channel c with
``total conversions x RE_c / sum(RE)`` over the whole data set, and revenue likewise with value-weighted removal
effects. It is checked here against an independent solve (tests/attribution/markov_reference.py: plain-Python counts
and the fundamental matrix, no engine code).
"""

from __future__ import annotations

import numpy as np
import pytest

from attribution import ALL_MODELS, AttributionConfig, AttributionError, Conversions, attribute

from .markov_reference import Journey, solve
from .test_markov import HAND_CONVERSIONS, HAND_TOUCHES
from .util import conversions, credit_map, run, touches

TOL = 1e-9


def random_journeys(seed: int, n: int = 160, channels: str = "ABCDE", max_len: int = 7) -> list[Journey]:
    """Journeys with repeats and cycles (A > B > A), about 40 % converting, revenue of 0 to 500, a few unattributed
    conversions (no touch) and about two thirds of the conversions a person's first."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        length = int(rng.integers(1, max_len + 1))
        weights = np.linspace(1.0, 2.0, len(channels))
        seq = tuple(channels[int(i)] for i in rng.choice(len(channels), size=length, p=weights / weights.sum()))
        converted = bool(rng.random() < 0.25 + 0.05 * seq.count("C"))
        out.append(
            Journey(seq, converted, float(rng.integers(0, 500)) if converted else 0.0, "USD", rng.random() < 0.7)
        )
    out += [Journey((), True, 40.0, "USD", True), Journey((), True, 0.0, "USD", False)]
    return out


def to_inputs(journeys: list[Journey], with_first: bool = False) -> tuple:
    """One person per journey: touches on days 0..n-1, the conversion (if any) on day n."""
    t_rows, c_rows, first = [], [], []
    for i, j in enumerate(journeys):
        for k, ch in enumerate(j.channels):
            t_rows.append((f"p{i}", f"t{i}_{k}", k, ch))
        if j.converted:
            c_rows.append((f"c{i}", f"p{i}", len(j.channels), j.revenue, "purchase", j.currency))
            first.append(j.is_first)
    c = conversions(c_rows)
    if with_first:
        c = Conversions(
            conversion_id=c.conversion_id,
            person_key=c.person_key,
            converted_at=c.converted_at,
            conversion_type=c.conversion_type,
            revenue=c.revenue,
            currency=c.currency,
            is_first_conversion=np.array(first),
        )
    return touches(t_rows), c


def summary_cells(result, model: str, field: str) -> dict[tuple[str, str | None], float]:
    s = result.summary()
    sel = s["model"] == model
    return {
        (str(ch), cur): float(v)
        for ch, cur, v in zip(s["channel"][sel], s["currency"][sel], s[field][sel], strict=True)
    }


def assert_cells(got: dict, expected: dict, what: str) -> None:
    nonzero = {k: v for k, v in got.items() if v != 0}
    assert set(nonzero) <= set(expected), (what, set(nonzero) - set(expected))
    for key, value in expected.items():
        assert got.get(key, 0.0) == pytest.approx(value, rel=TOL, abs=TOL), (what, key)


def unattributed(journeys: list[Journey], field: str) -> dict[tuple[str, str | None], float]:
    cells: dict = {}
    for j in journeys:
        if j.converted and not j.channels:
            value = {"conversions": 1.0, "revenue": j.revenue, "new_customers": float(j.is_first)}[field]
            cells[("(unattributed)", j.currency)] = cells.get(("(unattributed)", j.currency), 0.0) + value
    return cells


@pytest.mark.parametrize(("order", "seed"), [(1, 1), (1, 2), (2, 3), (3, 4)])
def test_standard_totals_equal_an_independent_fundamental_matrix_solve(order: int, seed: int) -> None:
    journeys = random_journeys(seed)
    ref = solve(journeys, order)
    assert ref.conversions > 30 and len(ref.channels) == 5
    model = f"markov_{order}"
    result = attribute(*to_inputs(journeys), AttributionConfig(models=(model,), lookback_days=None))
    # What every user-facing table is built from: the model's channel summary.
    assert_cells(
        summary_cells(result, model, "conversions"),
        {**ref.conversions_credited, **unattributed(journeys, "conversions")},
        "conversions",
    )
    assert_cells(
        summary_cells(result, model, "revenue"),
        {**ref.revenue_credited, **unattributed(journeys, "revenue")},
        "revenue",
    )
    # The engine's own whole-data-set arrays agree with the same solve.
    mr = result.markov[order]
    assert mr.channel_names == ref.channels
    np.testing.assert_allclose(mr.removal_effects, [ref.removal_effect[c] for c in ref.channels], rtol=TOL, atol=TOL)
    np.testing.assert_allclose(mr.conversions, [ref.conversions_credited[(c, "USD")] for c in ref.channels], rtol=TOL)
    np.testing.assert_allclose(mr.revenue, [ref.revenue_credited[(c, "USD")] for c in ref.channels], rtol=TOL)
    # The standard split is not the per-path one: on this data some channel differs by far more than rounding.
    path = attribute(*to_inputs(journeys), AttributionConfig(models=(f"markov_path_{order}",), lookback_days=None))
    path_cells = summary_cells(path, f"markov_path_{order}", "conversions")
    assert max(abs(path_cells.get(k, 0.0) - v) for k, v in ref.conversions_credited.items()) > 0.5


def test_revenue_is_split_per_currency_and_conversions_add_up_to_the_standard_totals() -> None:
    base = random_journeys(5, n=200)
    rng = np.random.default_rng(0)
    journeys = [
        Journey(j.channels, j.converted, j.revenue, "EUR" if rng.random() < 0.4 else "USD", j.is_first) for j in base
    ]
    ref = solve(journeys, 1)
    assert ref.currencies == ["EUR", "USD"]
    result = attribute(*to_inputs(journeys), AttributionConfig(models=("markov_1",), lookback_days=None))
    assert_cells(
        summary_cells(result, "markov_1", "conversions"),
        {**ref.conversions_credited, **unattributed(journeys, "conversions")},
        "conversions",
    )
    assert_cells(
        summary_cells(result, "markov_1", "revenue"),
        {**ref.revenue_credited, **unattributed(journeys, "revenue")},
        "revenue",
    )
    # Summed over currencies, each channel's conversions are exactly total conversions x RE_c / sum(RE).
    all_usd = solve([Journey(j.channels, j.converted, j.revenue, "USD") for j in journeys], 1)
    for c in ref.channels:
        assert sum(ref.conversions_credited[(c, cur)] for cur in ref.currencies) == pytest.approx(
            all_usd.conversions_credited[(c, "USD")], rel=TOL
        )
    # ... while each currency's revenue follows its own value-weighted removal effects.
    shares = {
        cur: [
            ref.revenue_credited[(c, cur)] / sum(ref.revenue_credited[(x, cur)] for x in ref.channels)
            for c in ref.channels
        ]
        for cur in ref.currencies
    }
    assert max(abs(a - b) for a, b in zip(shares["EUR"], shares["USD"], strict=True)) > 1e-3


def test_new_customers_are_first_conversions_shared_by_the_removal_effects() -> None:
    journeys = random_journeys(6)
    ref = solve(journeys, 2)
    result = attribute(
        *to_inputs(journeys, with_first=True), AttributionConfig(models=("markov_2", "linear"), lookback_days=None)
    )
    totals = result.channel_totals()
    sel = totals["model"] == "markov_2"
    got = {
        (str(c), cur): float(v)
        for c, cur, v in zip(totals["channel"][sel], totals["currency"][sel], totals["new_customers"][sel], strict=True)
    }
    assert_cells(got, {**ref.new_customers_credited, **unattributed(journeys, "new_customers")}, "new_customers")
    # Touch-level models count a first conversion's credit as new customers.
    linear = summary_cells(result, "linear", "new_customers")
    assert sum(linear.values()) == pytest.approx(sum(j.is_first for j in journeys if j.converted), abs=TOL)


def test_the_removal_effects_table_holds_what_reproduces_the_totals() -> None:
    journeys = random_journeys(7)
    ref = solve(journeys, 1)
    result = attribute(
        *to_inputs(journeys), AttributionConfig(models=("markov_1", "markov_path_2"), lookback_days=None)
    )
    table = result.removal_effects_table()
    assert set(table["markov_order"].tolist()) == {1, 2}
    assert set(table["attribution_model"].tolist()) == {"markov_1", "markov_2"}
    one = table["markov_order"] == 1
    rows = {str(c): i for i, c in zip(np.flatnonzero(one), table["channel"][one], strict=True)}
    assert sorted(rows) == ref.channels
    for c, i in rows.items():
        assert table["currency"][i] == "USD"
        assert table["journeys"][i] == ref.journeys and table["converting_journeys"][i] == ref.conversions
        assert table["conversion_probability"][i] == pytest.approx(ref.p, rel=TOL)
        assert table["conversion_probability_without_channel"][i] == pytest.approx(ref.p_without[c], rel=TOL, abs=TOL)
        assert table["removal_effect"][i] == pytest.approx(ref.removal_effect[c], rel=TOL, abs=TOL)
        assert table["revenue_per_journey"][i] == pytest.approx(ref.value["USD"], rel=TOL)
        assert table["revenue_per_journey_without_channel"][i] == pytest.approx(
            ref.value_without[(c, "USD")], rel=TOL, abs=TOL
        )
        assert table["revenue_removal_effect"][i] == pytest.approx(
            ref.value_removal_effect[(c, "USD")], rel=TOL, abs=TOL
        )
        # conversion_share x converting journeys is the channel's standard total.
        assert table["conversion_share"][i] * ref.conversions == pytest.approx(
            ref.conversions_credited[(c, "USD")], rel=TOL
        )
        revenue = sum(j.revenue for j in journeys if j.converted and j.channels)
        assert table["revenue_share"][i] * revenue == pytest.approx(ref.revenue_credited[(c, "USD")], rel=TOL)


def test_the_path_level_variant_keeps_per_touch_rows_under_its_own_name() -> None:
    # The hand-solved chain of test_markov: RE_A = 1/3, RE_B = 1, so the conversion weights are 1/4 and 3/4.
    result = run(HAND_TOUCHES, HAND_CONVERSIONS, models=("markov_1", "markov_path_1"))
    assert result.models == ["markov_1", "markov_path_1"]
    assert result.touch_models == ["markov_path_1"] and result.channel_models == ["markov_1"]
    # Path level: c1's path holds A and B -> 1/4, 3/4; c3's holds only B -> 1.
    assert credit_map(result, "markov_path_1") == pytest.approx(
        {("c1", "p1a"): 0.25, ("c1", "p1b"): 0.75, ("c3", "p3b"): 1}
    )
    # Standard: 2 conversions x (1/4, 3/4); revenue 150 x (1/4, 3/4) (value-weighted effects are also 1/3 and 1).
    assert summary_cells(result, "markov_1", "conversions") == pytest.approx({("A", "EUR"): 0.5, ("B", "EUR"): 1.5})
    assert summary_cells(result, "markov_1", "revenue") == pytest.approx({("A", "EUR"): 37.5, ("B", "EUR"): 112.5})
    assert summary_cells(result, "markov_path_1", "revenue") == pytest.approx({("A", "EUR"): 25.0, ("B", "EUR"): 125.0})
    with pytest.raises(AttributionError, match="markov_path_1"):
        result.rows("markov_1")


def test_model_names() -> None:
    assert {"markov_1", "markov_2", "markov_3", "markov_path_1", "markov_path_2", "markov_path_3"} <= set(ALL_MODELS)
    config = AttributionConfig(models=("markov_path_4", "markov_2"))
    assert config.markov_path_orders == (4,) and config.markov_orders == (2,)
    for bad in ("markov_path_0", "markov_path_", "markov_paths_1"):
        with pytest.raises(AttributionError, match="unknown model"):
            AttributionConfig(models=(bad,))


def test_a_currency_whose_revenue_sums_below_zero_is_split_by_the_conversion_shares() -> None:
    # A refund bigger than the sales: value-weighted removal effects are undefined for that currency, so its revenue
    # follows the conversion shares instead of being dropped, and the result says so.
    t = [("p", "p1", 0, "A"), ("p", "p2", 1, "B"), ("q", "q1", 0, "B"), ("r", "r1", 0, "A")]
    c = [("cp", "p", 2, 30.0, "purchase", "USD"), ("cq", "q", 1, -80.0, "purchase", "USD")]
    result = run(t, c, models=("markov_1",))
    conv = summary_cells(result, "markov_1", "conversions")
    revenue = summary_cells(result, "markov_1", "revenue")
    assert sum(revenue.values()) == pytest.approx(-50.0)
    for key in conv:
        assert revenue[key] == pytest.approx(-50.0 * conv[key] / 2.0)
    assert result.fallbacks["markov_1"] == 1


def test_conservation_covers_the_standard_totals() -> None:
    journeys = random_journeys(8, n=60)
    result = attribute(*to_inputs(journeys), AttributionConfig(models=("markov_1",), lookback_days=None))
    assert result.check_conservation().ok
    result.channel_credits["markov_1"].conversions[0] += 0.01
    assert not result.check_conservation(raise_on_failure=False).ok
    with pytest.raises(AttributionError, match="markov_1"):
        result.check_conservation()


def test_unattributed_conversions_are_left_out_when_asked() -> None:
    journeys = random_journeys(9, n=60)
    ref = solve(journeys, 1)
    result = attribute(
        *to_inputs(journeys), AttributionConfig(models=("markov_1",), lookback_days=None, emit_unattributed=False)
    )
    conv = summary_cells(result, "markov_1", "conversions")
    assert ("(unattributed)", "USD") not in conv
    assert_cells(conv, ref.conversions_credited, "conversions")
