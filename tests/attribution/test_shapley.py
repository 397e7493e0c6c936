"""Exact Shapley values over channel sets: the textbook permutation definition, a hand example, scale, overflow."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from attribution import AttributionError, shapley_values, subgame_shapley
from attribution.shapley import popcount, subset_sum

from .util import credit_map, run


def permutation_shapley(v: np.ndarray, players: list[int]) -> dict[int, float]:
    """Textbook definition: average over all orderings of the players of each one's marginal contribution."""
    phi = dict.fromkeys(players, 0.0)
    for perm in itertools.permutations(players):
        mask = 0
        for c in perm:
            phi[c] += v[mask | (1 << c)] - v[mask]
            mask |= 1 << c
    n_perm = math.factorial(len(players))
    return {c: x / n_perm for c, x in phi.items()}


@pytest.mark.parametrize("n", [3, 4, 5])
def test_subgame_values_match_the_permutation_definition_for_every_coalition(n):
    rng = np.random.default_rng(n)
    v = rng.random(1 << n)
    v[rng.random(1 << n) < 0.3] = 0.0  # unobserved channel sets
    v[0] = 0.0
    phi = subgame_shapley(v)
    for mask in range(1, 1 << n):
        players = [c for c in range(n) if mask >> c & 1]
        expected = permutation_shapley(v, players)
        for c in range(n):
            assert phi[mask, c] == pytest.approx(expected.get(c, 0.0), abs=1e-12)
        assert phi[mask].sum() == pytest.approx(v[mask], abs=1e-12)  # efficiency
    assert shapley_values(v) == pytest.approx(phi[-1])


def test_subset_transforms_invert_each_other():
    x = np.random.default_rng(0).random(1 << 6)
    assert subset_sum(subset_sum(x), inverse=True) == pytest.approx(x)
    assert popcount(3).tolist() == [0, 1, 1, 2, 1, 2, 2, 3]
    with pytest.raises(AttributionError):
        subset_sum(np.zeros(6))


def test_hand_computed_two_channel_game():
    # Journeys with channel set {A}: 2, one converts -> v(A) = 1/2.  {B}: 4, one converts -> v(B) = 1/4.
    # {A, B}: 2, both convert -> v(AB) = 1.
    # phi_A(AB) = 1/2 (v(A) - 0) + 1/2 (v(AB) - v(B)) = 1/4 + 3/8 = 5/8;  phi_B(AB) = 1/8 + 1/4 = 3/8 (sum 1 = v(AB)).
    # A conversion whose path meets A and B gives A 5/8 and B 3/8; one that meets only A gives A 1.
    t = [
        ("a1", "a1.1", 0, "A"),
        ("a2", "a2.1", 0, "A"),
        *[(f"b{i}", f"b{i}.1", 0, "B") for i in range(4)],
        ("ab1", "ab1.1", 0, "A"),
        ("ab1", "ab1.2", 1, "B"),
        ("ab1", "ab1.3", 2, "A"),
        ("ab2", "ab2.1", 0, "B"),
        ("ab2", "ab2.2", 1, "A"),
    ]
    c = [("ca1", "a1", 1, 10.0), ("cb0", "b0", 1, 10.0), ("cab1", "ab1", 3, 80.0), ("cab2", "ab2", 3, 8.0)]
    result = run(t, c, models=("shapley",))
    sr = result.shapley
    assert sr.channel_names == ["A", "B"]
    assert sr.v.tolist() == pytest.approx([0, 0.5, 0.25, 1.0])
    assert sr.phi[3].tolist() == pytest.approx([5 / 8, 3 / 8])
    got = credit_map(result, "shapley")
    # ab1 has A twice: A's 5/8 is split equally over its two touches.
    assert got == pytest.approx(
        {
            ("ca1", "a1.1"): 1.0,
            ("cb0", "b0.1"): 1.0,
            ("cab1", "ab1.1"): 5 / 16,
            ("cab1", "ab1.2"): 3 / 8,
            ("cab1", "ab1.3"): 5 / 16,
            ("cab2", "ab2.1"): 3 / 8,
            ("cab2", "ab2.2"): 5 / 8,
        }
    )
    rows = result.rows("shapley")
    assert rows["revenue_credit"][rows["conversion_id"] == "cab1"].sum() == pytest.approx(80.0)


def test_negative_values_are_clipped_or_kept():
    # {A}: 1 journey, converts; {B}: 2 journeys, 1 converts; {A, B}: 4 journeys, 1 converts.
    # v(A) = 1, v(B) = 1/2, v(AB) = 1/4: phi_A = 1/2 + 1/2 (1/4 - 1/2) = 3/8, phi_B = 1/4 + 1/2 (1/4 - 1) = -1/8.
    # Clipped: B gets 0 and A the whole conversion.
    t = [("a", "a.1", 0, "A"), ("b1", "b1.1", 0, "B"), ("b2", "b2.1", 0, "B")]
    t += [(f"ab{i}", f"ab{i}.{k}", k, ch) for i in range(4) for k, ch in enumerate("AB")]
    c = [("ca", "a", 1, 1.0), ("cb", "b1", 1, 1.0), ("cab", "ab0", 2, 1.0)]
    clipped = run(t, c, models=("shapley",))
    assert clipped.shapley.phi[3].tolist() == pytest.approx([3 / 8, -1 / 8])
    assert credit_map(clipped, "shapley")[("cab", "ab0.0")] == pytest.approx(1.0)
    assert clipped.shapley.n_clipped == 1
    kept = run(t, c, models=("shapley",), shapley_clip_negative=False)
    got = credit_map(kept, "shapley")
    # Normalised by v(AB) = 1/4: A 3/2, B -1/2 (sum 1).
    assert got[("cab", "ab0.0")] == pytest.approx(1.5) and got[("cab", "ab0.1")] == pytest.approx(-0.5)


def test_fifteen_channels_exact():
    """Every coalition of 15 channels at once (its speed is measured in benchmarks/attribution, not here)."""
    n = 15
    rng = np.random.default_rng(15)
    v = np.where(rng.random(1 << n) < 0.1, rng.random(1 << n), 0.0)
    phi = subgame_shapley(v)
    v[0] = 0
    np.testing.assert_allclose(phi.sum(axis=1), v, atol=1e-9)
    # Spot-check one 6-channel coalition against the permutation definition.
    mask = 0b101100100011
    players = [c for c in range(n) if mask >> c & 1]
    expected = permutation_shapley(v, players)
    for c in players:
        assert phi[mask, c] == pytest.approx(expected[c], abs=1e-12)


def _many_channel_data(n_channels):
    t, c = [], []
    for i in range(n_channels):
        for j in range(i + 1):  # i + 1 journeys start with channel i, then go to channel i + 1 (mod n)
            person = f"p{i}_{j}"
            t.append((person, f"{person}.1", 0, f"ch{i:02d}"))
            t.append((person, f"{person}.2", 1, f"ch{(i + 1) % n_channels:02d}"))
            if j % 2 == 0:
                c.append((f"c{person}", person, 2, 1.0))
    return t, c


def test_channels_beyond_the_limit_are_grouped_or_rejected():
    t, c = _many_channel_data(17)
    result = run(t, c, models=("shapley",), shapley_max_channels=15)
    sr = result.shapley
    assert len(sr.channel_names) == 15 and sr.channel_names[-1] == "(other)"
    # Journeys per channel: ch00 1 + 17 (after ch16); ch_i (i >= 1) (i + 1) + i: 3, 5, 7, ...
    assert set(sr.grouped) == {"ch01", "ch02", "ch03"}  # the three rarest
    assert result.check_conservation().ok
    with pytest.raises(AttributionError, match="shapley_max_channels"):
        run(t, c, models=("shapley",), shapley_max_channels=15, shapley_overflow="error")
