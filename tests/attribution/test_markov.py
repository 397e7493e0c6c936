"""Exact Markov attribution: a hand-solved chain, brute-force walk enumeration (orders 1-3), solver agreement."""

from __future__ import annotations

import itertools
from collections import defaultdict
from fractions import Fraction

import numpy as np
import pytest

from attribution import AttributionConfig, build_paths, fit_chain, markov_model, removal_effects

from .util import conversions, credit_map, run, touches

# Four journeys: "A > B" converts (revenue 100), "A" does not, "B" converts (revenue 50), "B > A" does not.
HAND_TOUCHES = [
    ("p1", "p1a", 0, "A"),
    ("p1", "p1b", 1, "B"),
    ("p2", "p2a", 0, "A"),
    ("p3", "p3b", 0, "B"),
    ("p4", "p4b", 0, "B"),
    ("p4", "p4a", 1, "A"),
]
HAND_CONVERSIONS = [("c1", "p1", 2, 100.0), ("c3", "p3", 1, 50.0)]


def test_hand_solved_order_1_chain():
    # Transitions: start->A 2, start->B 2; A->B 1, A->null 2 (so 1/3, 2/3); B->conv 2, B->A 1 (2/3, 1/3).
    # x_A = 1/3 x_B, x_B = 2/3 + 1/3 x_A  =>  x_B = 3/4, x_A = 1/4;  P = (x_A + x_B) / 2 = 1/2 (= 2 conv / 4 journeys).
    # Without A: x_B = 2/3 (B->A goes to null), P = (0 + 2/3) / 2 = 1/3  =>  RE_A = 1 - (1/3)/(1/2) = 1/3.
    # Without B: x_A = 0, P = 0  =>  RE_B = 1.  Weights: A = (1/3)/(4/3) = 1/4, B = 3/4.
    # Revenue: the same chain with B->conv worth 150/3 = 50 per visit: V = 150/4; without A: 25 (RE 1/3); without B: 0.
    result = run(HAND_TOUCHES, HAND_CONVERSIONS, models=("markov_path_1",))
    mr = result.markov[1]
    names = mr.channel_names
    assert names == ["A", "B"]
    assert mr.p_conversion == pytest.approx(0.5, abs=1e-15)
    assert mr.removal_effects.tolist() == pytest.approx([1 / 3, 1.0], abs=1e-15)
    assert mr.removal_effects_value.tolist() == pytest.approx([1 / 3, 1.0], abs=1e-15)
    assert mr.weights.tolist() == pytest.approx([0.25, 0.75], abs=1e-15)
    # Whole-data-set split (ChannelAttribution's): 2 conversions x weights.
    assert mr.conversions.tolist() == pytest.approx([0.5, 1.5], abs=1e-15)
    # Path level: c1's path holds A and B -> 1/4, 3/4; c3's holds only B -> 1.
    assert credit_map(result, "markov_path_1") == pytest.approx(
        {("c1", "p1a"): 0.25, ("c1", "p1b"): 0.75, ("c3", "p3b"): 1}
    )


def _chain_from_paths(paths_list, order, padded=True):
    """Transition probabilities of an order-k chain counted in pure Python; padded or ChannelAttribution states."""
    counts: dict = defaultdict(lambda: defaultdict(int))
    value: dict = defaultdict(float)
    for seq, converted, revenue in paths_list:
        if padded:
            states = [tuple(([None] * order + list(seq))[i + 1 : i + 1 + order]) for i in range(len(seq))]
        else:  # ChannelAttribution: sliding windows of k channels, or the whole path when shorter than k
            states = [tuple(seq[i : i + order]) for i in range(max(1, len(seq) - order + 1))]
        prev = "start"
        for s in states:
            counts[prev][s] += 1  # self-transitions kept: the brute force does not rely on dropping them
            prev = s
        counts[prev]["conv" if converted else "null"] += 1
        if converted:
            value[prev] += revenue
    probs = {}
    for s, nxt in counts.items():
        total = sum(nxt.values())
        probs[s] = [(t, Fraction(c, total)) for t, c in nxt.items()]
    mean_value = {s: value[s] / counts[s]["conv"] for s in counts if counts[s].get("conv")}
    return probs, mean_value


def _enumerate_walks(probs, mean_value, channels, eps=1e-15):
    """Sum the probability of every walk from start, step by step, by the definition of the removal effect:
    P(conv and the walk visited c) / P(conv), and the same weighted by the conversion's value.

    Walks are grouped by (current state, channels visited so far), which merges walks whose futures and
    bookkeeping are identical, so the sum is exact up to the mass still walking when it stops (returned).
    """
    p_conv = 0.0
    v_conv = 0.0
    p_visit = dict.fromkeys(channels, 0.0)
    v_visit = dict.fromkeys(channels, 0.0)
    walking = {("start", frozenset()): 1.0}
    while walking and sum(walking.values()) >= eps:
        nxt_walking: dict = defaultdict(float)
        for (state, seen), prob in walking.items():
            for nxt, p in probs[state]:
                q = prob * float(p)
                if nxt == "conv":
                    p_conv += q
                    v_conv += q * mean_value[state]
                    for c in seen:
                        p_visit[c] += q
                        v_visit[c] += q * mean_value[state]
                elif nxt != "null":
                    nxt_walking[(nxt, seen | {c for c in nxt if c is not None})] += q
        walking = nxt_walking
    re = {c: p_visit[c] / p_conv for c in channels}
    re_v = {c: v_visit[c] / v_conv for c in channels}
    return re, re_v, sum(walking.values())


def _random_journeys(seed, n=30, channels="ABC", max_len=4):
    rng = np.random.default_rng(seed)
    t_rows, c_rows, plain = [], [], []
    for i in range(n):
        seq = [channels[int(rng.integers(0, len(channels)))] for _ in range(int(rng.integers(1, max_len + 1)))]
        for k, ch in enumerate(seq):
            t_rows.append((f"p{i}", f"t{i}_{k}", k, ch))
        converted = bool(rng.random() < 0.4)
        revenue = float(rng.integers(1, 100))
        if converted:
            c_rows.append((f"c{i}", f"p{i}", len(seq), revenue))
        plain.append((seq, converted, revenue))
    return t_rows, c_rows, plain


@pytest.mark.parametrize(("order", "seed"), [(1, 1), (1, 2), (2, 3), (2, 4), (3, 5)])
def test_exact_solve_matches_brute_force_walk_enumeration(order, seed):
    t_rows, c_rows, plain = _random_journeys(seed)
    paths = build_paths(touches(t_rows), conversions(c_rows))
    mr = markov_model(paths, order, AttributionConfig())
    probs, mean_value = _chain_from_paths(plain, order)
    re, re_v, truncated = _enumerate_walks(probs, mean_value, mr.channel_names)
    assert truncated < 1e-9
    tol = 1e-8
    assert mr.removal_effects.tolist() == pytest.approx([re[c] for c in mr.channel_names], abs=tol)
    assert mr.removal_effects_value.tolist() == pytest.approx([re_v[c] for c in mr.channel_names], abs=tol)
    n_conv = sum(1 for _, converted, _ in plain if converted)
    assert mr.p_conversion == pytest.approx(n_conv / len(plain), abs=1e-12)


@pytest.mark.parametrize("order", [2, 3])
def test_padded_states_equal_channelattribution_states(order):
    # ChannelAttribution starts an order-k walk at the first k-window; padding gives the same absorption law.
    t_rows, c_rows, plain = _random_journeys(11, n=40)
    paths = build_paths(touches(t_rows), conversions(c_rows))
    mr = markov_model(paths, order, AttributionConfig())
    probs, mean_value = _chain_from_paths(plain, order, padded=False)
    re, _, truncated = _enumerate_walks(probs, mean_value, mr.channel_names)
    assert truncated < 1e-9
    assert mr.removal_effects.tolist() == pytest.approx([re[c] for c in mr.channel_names], abs=1e-8)


@pytest.mark.parametrize("order", [1, 2, 3])
def test_dense_and_iterative_solvers_agree(order):
    t_rows, c_rows, _ = _random_journeys(21, n=80, channels="ABCDE", max_len=6)
    paths = build_paths(touches(t_rows), conversions(c_rows))
    dense = markov_model(paths, order, AttributionConfig(markov_dense_max_states=10_000))
    iterative = markov_model(paths, order, AttributionConfig(markov_dense_max_states=0, markov_tol=1e-14))
    assert dense.solver == "dense" and iterative.solver == "iterative"
    assert iterative.error_bound < 1e-14
    np.testing.assert_allclose(iterative.removal_effects, dense.removal_effects, atol=1e-12)
    np.testing.assert_allclose(iterative.removal_effects_value, dense.removal_effects_value, atol=1e-12)
    assert iterative.p_conversion == pytest.approx(dense.p_conversion, abs=1e-13)


def test_repeated_channels_do_not_change_order_1_removal_effects():
    # Self-transitions only delay a walk: "A > A > B" and "A > B" give the same order-1 absorption law.
    base = [("p", "p1", 0, "A"), ("p", "p2", 1, "B"), ("q", "q1", 0, "B"), ("r", "r1", 0, "A")]
    repeated = [*base, ("p", "p0", -1, "A"), ("r", "r0", -1, "A"), ("r", "r00", -2, "A")]
    c = [("cp", "p", 2, 1.0), ("cq", "q", 2, 1.0)]
    a = markov_model(build_paths(touches(base), conversions(c)), 1)
    b = markov_model(build_paths(touches(repeated), conversions(c)), 1)
    np.testing.assert_allclose(a.removal_effects, b.removal_effects, atol=1e-15)


def test_collapse_repeats_equals_fitting_on_collapsed_paths():
    t = [("p", "p1", 0, "A"), ("p", "p2", 1, "A"), ("p", "p3", 2, "B"), ("q", "q1", 0, "B"), ("q", "q2", 1, "A")]
    c = [("cp", "p", 3, 1.0)]
    collapsed_input = [("p", "p1", 0, "A"), ("p", "p3", 2, "B"), ("q", "q1", 0, "B"), ("q", "q2", 1, "A")]
    a = markov_model(build_paths(touches(t), conversions(c)), 2, AttributionConfig(markov_collapse_repeats=True))
    b = markov_model(build_paths(touches(collapsed_input), conversions(c)), 2)
    np.testing.assert_allclose(a.removal_effects, b.removal_effects, atol=1e-15)
    assert a.n_states == b.n_states


def test_chain_structure_order_2():
    # Paths "A > B" (conv) and "B" (null). Padded order-2 states: (start), (_,A), (A,B), (_,B).
    paths = build_paths(
        touches([("p", "1", 0, "A"), ("p", "2", 1, "B"), ("q", "3", 0, "B")]), conversions([("c", "p", 2, 1.0)])
    )
    channel, offsets, converted, revenue = paths.sequences()
    chain = fit_chain(channel, offsets, converted, revenue, 2, paths.n_channels)
    states = {chain.state_channels(s) for s in range(chain.n_states)}
    assert states == {(), (0,), (0, 1), (1,)}  # (start), (_,A), (A,B), (_,B) as channel codes
    assert chain.contains.sum(axis=0).tolist() == [2, 2]  # A in (_,A), (A,B); B in (A,B), (_,B)
    mr = removal_effects(chain)
    assert mr.removal_effects.tolist() == [1.0, 1.0]


def test_zero_weight_paths_fall_back_to_last_touch():
    # "B > A" converts, "C" converts: start->B 1/2, start->C 1/2, B->A->conv, C->conv. P = 1 and removing any one
    # channel loses half the conversions: RE = 1/2 each; p's conversion splits 1/2, 1/2 between its two touches.
    t = [("p", "p1", 0, "B"), ("p", "p2", 1, "A"), ("q", "q1", 0, "C")]
    c = [("cp", "p", 2, 1.0), ("cq", "q", 1, 1.0)]
    result = run(t, c, models=("markov_path_1",))
    mr = result.markov[1]
    assert mr.removal_effects.tolist() == pytest.approx([0.5, 0.5, 0.5])
    assert result.fallbacks["markov_path_1"] == 0
    assert credit_map(result, "markov_path_1") == pytest.approx(
        {("cp", "p1"): 0.5, ("cp", "p2"): 0.5, ("cq", "q1"): 1.0}
    )


def test_all_null_data_gives_zero_effects_and_last_touch():
    t = [("p", "p1", 0, "A"), ("p", "p2", 1, "B")]
    mr = markov_model(build_paths(touches(t), conversions([])), 1)
    assert mr.p_conversion == 0 and mr.removal_effects.tolist() == [0.0, 0.0]
    # A conversion whose path has only zero-weight channels falls back to last touch.
    t2 = [("p", "p1", 0, "A"), ("q", "q1", 0, "B"), ("q", "q2", 1, "A")]
    result = run(t2, [("cq", "q", 0.5, 1.0)], models=("markov_path_1",))
    assert credit_map(result, "markov_path_1") == {("cq", "q1"): 1.0}


def _absorption_fraction(probs, removed=None):
    """P(conversion | start) in exact rational arithmetic (Gauss-Jordan), self-transitions kept; states holding the
    removed channel lead to null."""
    states = [s for s in probs if s == "start" or removed is None or removed not in s]
    index = {s: i for i, s in enumerate(states)}
    n = len(states)
    rows = []
    for s in states:
        row = [Fraction(0)] * (n + 1)
        row[index[s]] += 1
        for t, p in probs[s]:
            if t == "conv":
                row[n] += p
            elif t != "null" and t in index:
                row[index[t]] -= p
        rows.append(row)
    for col in range(n):
        pivot = next(r for r in range(col, n) if rows[r][col] != 0)
        rows[col], rows[pivot] = rows[pivot], rows[col]
        rows[col] = [x / rows[col][col] for x in rows[col]]
        for r in range(n):
            if r != col and rows[r][col] != 0:
                f = rows[r][col]
                rows[r] = [x - f * y for x, y in zip(rows[r], rows[col], strict=True)]
    return rows[index["start"]][n]


@pytest.mark.parametrize("order", [1, 2])
def test_small_chain_against_exact_rational_solve(order):
    # Every sequence over {A, B} of length 1..3 with a fixed outcome: a small cyclic chain (A <-> B) with
    # self-transitions, solved in exact fractions with the self-transitions kept.
    seqs = [s for n in (1, 2, 3) for s in itertools.product("AB", repeat=n)]
    plain = [(list(s), i % 3 != 1, 1.0) for i, s in enumerate(seqs)]
    t_rows = [(f"p{i}", f"t{i}_{k}", k, ch) for i, (s, _, _) in enumerate(plain) for k, ch in enumerate(s)]
    c_rows = [(f"c{i}", f"p{i}", 5, 1.0) for i, (_, o, _) in enumerate(plain) if o]
    mr = markov_model(build_paths(touches(t_rows), conversions(c_rows)), order)
    probs, _ = _chain_from_paths(plain, order)
    p = _absorption_fraction(probs)
    assert p == Fraction(sum(o for _, o, _ in plain), len(plain))
    for i, c in enumerate(mr.channel_names):
        exact = 1 - _absorption_fraction(probs, removed=c) / p
        assert mr.removal_effects[i] == pytest.approx(float(exact), abs=1e-14)
