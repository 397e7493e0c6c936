"""Exact Markov-chain attribution of any order: absorbing-chain solve, no simulation.

States. A path ``c_1 .. c_n`` visits the states ``s_i = (c_{i-k+1}, .., c_i)`` (order k; positions before the path
are a padding symbol, so ``(start)`` is the all-padding state and the first states of a path are padded tuples),
then ``(conversion)`` if the journey converted, else ``(null)``. Transition probabilities are the observed counts
normalised per state. Self-transitions (a state followed by itself, e.g. a channel repeated at order 1) are
dropped, as ChannelAttribution's ``markov_model`` does; that does not change any absorption probability.

Removal effect of channel c: send every transition into a state whose tuple contains c to ``(null)``;
``RE_c = 1 - P_without_c(conversion | start) / P(conversion | start)``, which equals the probability that a converting
walk visits c (what ChannelAttribution estimates by simulation). The value-weighted removal effect does the same
with each conversion weighted by its revenue (ChannelAttribution's ``removal_effects_conversion_value``), once per
value column (one per currency: revenue in different currencies is never added).

The standard allocation (ChannelAttribution's ``total_conversions`` / ``total_conversion_value``, the model
``markov_k``) is over the whole data set: channel c gets ``conversions x RE_c / sum(RE)`` and, per currency,
``revenue x REvalue_c / sum(REvalue)``. The path-level variant (``markov_path_k``, in :mod:`attribution.engine`)
splits each conversion over its own path's channels by the same removal effects instead.

Solvers. Up to ``markov_dense_max_states`` states: one dense LU solve of ``(I - Q) x = R`` per scenario (full chain,
and one per removed channel). Larger chains: forward propagation of the walk distribution of all scenarios at once
over the sparse transitions until the mass not yet absorbed is below ``markov_tol``; that mass bounds the error of
every probability, so the result is exact to that tolerance and the bound is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from attribution.arrays import BoolArray, CodeArray, Float64Array, Int64Array, weighted_bincount
from attribution.config import AttributionConfig, AttributionError
from attribution.paths import Paths, collapse_consecutive


@dataclass
class MarkovChain:
    """An order-k chain fitted on paths. States ``0..n_states-1`` are transient (``start`` among them)."""

    order: int
    n_channels: int
    #: Encoded tuple of each transient state: base-(n_channels+1) digits, digit j = channel code + 1 of the touch
    #: j steps back (0 = padding).
    state_codes: Int64Array
    start: int
    #: Transient-to-transient transitions (self-transitions dropped): source, target, probability.
    src: Int64Array
    dst: Int64Array
    prob: Float64Array
    #: Per transient state: probability of moving to (conversion), and the expected value of that move, one column
    #: per value (``conv_value[s, j]``).
    conv_prob: Float64Array
    conv_value: Float64Array
    #: ``contains[s, c]``: state s's tuple holds channel c.
    contains: BoolArray
    n_journeys: int
    n_conversions: int
    #: Sum of each value column over the converting journeys.
    value_totals: Float64Array

    @property
    def total_revenue(self) -> float:
        return float(self.value_totals.sum())

    @property
    def n_states(self) -> int:
        return len(self.state_codes)

    def state_channels(self, s: int) -> tuple[int, ...]:
        """Channels of a state's tuple, oldest first (padding omitted)."""
        code, base, out = int(self.state_codes[s]), self.n_channels + 1, []
        for _ in range(self.order):
            code, digit = divmod(code, base)
            if digit:
                out.append(digit - 1)
        return tuple(reversed(out))


@dataclass
class MarkovResult:
    """Removal effects of an order-k chain and what they give each channel over the whole data set.

    Value arrays have one column per value the chain was fitted with; :func:`markov_model` fits one per currency of
    the conversions (``currencies``). The 1-D ``removal_effects_value`` / ``revenue`` lump every column together,
    which is ChannelAttribution's result when there is one currency.
    """

    order: int
    channel_names: list[str]
    n_states: int
    n_transitions: int
    #: P(conversion | start) of the fitted chain (= converting journeys / journeys).
    p_conversion: float
    removal_effects: Float64Array
    removal_effects_value: Float64Array
    #: Removal effects normalised to sum 1 (all 0 when no channel has an effect): the channel weights.
    weights: Float64Array
    #: Whole-data-set split, ChannelAttribution's: conversions * RE_c / sum(RE),
    #: revenue * REvalue_c / sum(REvalue) (all value columns together).
    conversions: Float64Array
    revenue: Float64Array
    solver: str
    iterations: int
    #: Upper bound of the absolute error of every conversion probability (0 for the dense solve, up to rounding).
    error_bound: float
    n_journeys: int = 0
    n_conversions: int = 0
    #: P(conversion | start) with each channel removed.
    p_without: Float64Array = field(default_factory=lambda: np.zeros(0))
    #: Label of each value column (currencies for :func:`markov_model`).
    currencies: list[Any] = field(default_factory=lambda: [None])
    #: Per value column: its total over converting journeys, the expected value per journey from start, the same with
    #: each channel removed (channels x columns), the value-weighted removal effects (channels x columns).
    value_totals: Float64Array = field(default_factory=lambda: np.zeros(1))
    value_per_journey: Float64Array = field(default_factory=lambda: np.zeros(1))
    value_without: Float64Array = field(default_factory=lambda: np.zeros((0, 1)))
    removal_effects_by_value: Float64Array = field(default_factory=lambda: np.zeros((0, 1)))
    #: Channel shares of each value column (channels x columns): REvalue / sum(REvalue), or the conversion weights
    #: where a column's total is not positive (value-weighted effects are undefined there; ``value_fallback``).
    value_weights: Float64Array = field(default_factory=lambda: np.zeros((0, 1)))
    value_fallback: BoolArray = field(default_factory=lambda: np.zeros(1, dtype=bool))
    #: Converting journeys per value column (per currency for :func:`markov_model`).
    value_conversions: Int64Array = field(default_factory=lambda: np.zeros(1, dtype=np.int64))

    #: Channels on at least one journey of the chain.
    seen: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))


def _encode_states(
    channel: CodeArray, offsets: Int64Array, lens: Int64Array, order: int, base: int
) -> tuple[Int64Array, Int64Array]:
    """Each row's state (its last ``order`` channels, padded at a path's start) as base-``base`` digits, compacted
    to ids ``0..n_states-1``; code 0, the all-padding state, is (start). Returns (state codes, each row's id)."""
    n_rows = len(channel)
    seg = np.repeat(np.arange(len(lens), dtype=np.int64), lens)
    pos = np.arange(n_rows, dtype=np.int64) - offsets[:-1][seg]
    digit = channel.astype(np.int64) + 1
    code = digit.copy()
    for j in range(1, order):
        shifted = np.zeros(n_rows, dtype=np.int64)
        shifted[j:] = digit[:-j]
        shifted[pos < j] = 0
        code += shifted * base**j
    space = base**order
    if space <= 1 << 24:
        present = np.zeros(space, dtype=bool)
        present[0] = True
        present[code] = True
        lookup = np.cumsum(present) - 1
        return np.flatnonzero(present), lookup[code]
    found = np.unique_inverse(np.concatenate([[0], code]))
    return found.values, found.inverse_indices.reshape(-1)[1:]


def _state_contains(state_codes: Int64Array, order: int, base: int, n_channels: int) -> BoolArray:
    """``contains[s, c]``: state ``s`` holds channel ``c`` among its digits (what removing ``c`` cuts)."""
    contains = np.zeros((len(state_codes), n_channels), dtype=bool)
    rest = state_codes.copy()
    for _ in range(order):
        rest, d = np.divmod(rest, base)
        has = d > 0
        contains[np.flatnonzero(has), d[has] - 1] = True
    return contains


def fit_chain(
    channel: CodeArray,
    offsets: Int64Array,
    converted: BoolArray,
    revenue: Float64Array,
    order: int,
    n_channels: int,
    collapse_repeats: bool = False,
) -> MarkovChain:
    """Count transitions of non-empty paths ``channel[offsets[i]:offsets[i+1]]`` into an order-k chain.

    ``revenue`` is each path's conversion value: one value per path, or one row of value columns per path
    (``(n_paths, n_values)``, e.g. revenue per currency), each column solved on its own.
    """
    if order < 1:
        raise AttributionError("Markov order must be >= 1")
    lens = np.diff(offsets)
    if (lens <= 0).any():
        raise AttributionError("fit_chain needs non-empty paths")
    if collapse_repeats:
        channel, offsets = collapse_consecutive(channel, offsets)
        lens = np.diff(offsets)
    n_paths = len(lens)
    base = n_channels + 1
    if float(base) ** order >= 2**62:
        raise AttributionError(f"order {order} with {n_channels} channels overflows the state encoding")
    n_rows = len(channel)
    state_codes, sid = _encode_states(channel, offsets, lens, order, base)
    starts = offsets[:-1]
    lasts = offsets[1:] - 1
    n_states = len(state_codes)
    start = 0
    conv_state, null_state = n_states, n_states + 1
    width = n_states + 2

    # Every row is the target of one transition: from the previous row's state, or from (start) for a path's first.
    prev = np.empty(n_rows, dtype=np.int64)
    prev[1:] = sid[:-1]
    prev[starts] = start
    move_key = prev * width + sid
    absorb_key = sid[lasts] * width + np.where(converted, conv_state, null_state)
    values = np.asarray(revenue, dtype=np.float64)
    values = values.reshape(len(lens), -1) if values.ndim == 1 else values
    if values.shape[0] != n_paths:
        raise AttributionError(f"fit_chain: {values.shape[0]} value rows for {n_paths} paths")
    absorb_value = np.where(converted[:, None], values, 0.0)
    if width * width <= 1 << 26:
        counts = np.bincount(move_key, minlength=width * width) + np.bincount(absorb_key, minlength=width * width)
        nz = np.flatnonzero(counts)
        e_src, e_dst, e_cnt = nz // width, nz % width, counts[nz].astype(np.float64)
        edge_keys = nz
    else:
        found = np.unique_inverse(np.concatenate([move_key, absorb_key]))
        edge_keys, inv = found.values, found.inverse_indices
        e_src, e_dst = edge_keys // width, edge_keys % width
        e_cnt = np.bincount(inv.reshape(-1), minlength=len(edge_keys)).astype(np.float64)
    # Values only ride on absorbing moves: sum each column per edge (edge keys are sorted, so a search finds them).
    absorb_edge = np.searchsorted(edge_keys, absorb_key)
    e_val = np.stack(
        [
            weighted_bincount(absorb_edge, weights=absorb_value[:, j], minlength=len(edge_keys))
            for j in range(values.shape[1])
        ],
        axis=1,
    )
    # Self-transitions do not change absorption probabilities: drop them (as ChannelAttribution does).
    not_self = e_src != e_dst
    e_src, e_dst, e_cnt, e_val = e_src[not_self], e_dst[not_self], e_cnt[not_self], e_val[not_self]
    out = weighted_bincount(e_src, weights=e_cnt, minlength=n_states)
    p = e_cnt / out[e_src]
    to_conv = e_dst == conv_state
    conv_prob = weighted_bincount(e_src[to_conv], weights=p[to_conv], minlength=n_states)
    conv_src = e_src[to_conv]
    conv_value = np.stack(
        [
            weighted_bincount(conv_src, weights=e_val[to_conv, j] / out[conv_src], minlength=n_states)
            for j in range(values.shape[1])
        ],
        axis=1,
    )
    trans = e_dst < n_states
    order_dst = np.argsort(e_dst[trans], kind="stable")

    contains = _state_contains(state_codes, order, base, n_channels)
    return MarkovChain(
        order=order,
        n_channels=n_channels,
        state_codes=state_codes,
        start=start,
        src=e_src[trans][order_dst],
        dst=e_dst[trans][order_dst],
        prob=p[trans][order_dst],
        conv_prob=conv_prob,
        conv_value=conv_value,
        contains=contains,
        n_journeys=n_paths,
        n_conversions=int(converted.sum()),
        value_totals=values[converted].sum(axis=0),
    )


def solve_scenarios(
    chain: MarkovChain, config: AttributionConfig
) -> tuple[Float64Array, Float64Array, str, int, float]:
    """P(conversion | start) and the expected value of each value column from start, for the full chain (index 0)
    and each channel removed (index c + 1). Returns ``(p, value, solver, iterations, error_bound)`` with ``value`` of
    shape (scenarios, value columns)."""
    if chain.n_states <= config.markov_dense_max_states:
        p, v = _solve_dense(chain)
        return p, v, "dense", 0, 0.0
    return _solve_iterative(chain, config.markov_tol, config.markov_max_iter)


def _solve_dense(chain: MarkovChain) -> tuple[Float64Array, Float64Array]:
    s = chain.n_states
    m = np.eye(s)
    np.add.at(m, (chain.src, chain.dst), -chain.prob)
    rhs = np.column_stack([chain.conv_prob, chain.conv_value])
    n_sc = chain.n_channels + 1
    x_start = np.zeros((n_sc, rhs.shape[1]))
    for sc in range(n_sc):
        if sc == 0:
            keep = np.ones(s, dtype=bool)
        else:
            keep = ~chain.contains[:, sc - 1]
            if keep.all():
                x_start[sc] = x_start[0]
                continue
        idx = np.flatnonzero(keep)
        x = np.linalg.solve(m[np.ix_(idx, idx)], rhs[idx])
        x_start[sc] = x[np.searchsorted(idx, chain.start)]
    return x_start[:, 0], x_start[:, 1:]


def _solve_iterative(
    chain: MarkovChain, tol: float, max_iter: int
) -> tuple[Float64Array, Float64Array, str, int, float]:
    s = chain.n_states
    n_sc = chain.n_channels + 1
    alive = np.ones((s, n_sc), dtype=bool)
    alive[:, 1:] = ~chain.contains
    dist = np.zeros((s, n_sc))
    dist[chain.start, :] = 1.0
    p = np.zeros(n_sc)
    v = np.zeros((chain.conv_value.shape[1], n_sc))
    if len(chain.dst):
        udst, dst_start = np.unique(chain.dst, return_index=True)
    else:
        udst = dst_start = np.zeros(0, dtype=np.int64)
    prob = chain.prob[:, None]
    mass = 1.0
    it = 0
    while it < max_iter:
        it += 1
        p += chain.conv_prob @ dist
        v += chain.conv_value.T @ dist
        nxt = np.zeros_like(dist)
        if len(udst):
            nxt[udst] = np.add.reduceat(dist[chain.src] * prob, dst_start, axis=0)
        nxt *= alive
        dist = nxt
        mass = float(dist.sum(axis=0).max())
        if mass < tol:
            break
    else:
        raise AttributionError(
            f"order-{chain.order} Markov solve did not reach tolerance {tol} in {max_iter} iterations "
            f"(unabsorbed mass {mass:.3g}); raise markov_max_iter or markov_dense_max_states"
        )
    return p, v.T, "iterative", it, mass


def _effects(full: float | Float64Array, without: Float64Array, seen: BoolArray) -> Float64Array:
    """``1 - without / full`` clipped to [0, 1], 0 where full is not positive and for channels on no journey (the
    division can leave rounding dust there)."""
    full = np.asarray(full, dtype=np.float64)
    safe = np.where(full > 0, full, 1.0)
    re = np.where(full > 0, np.clip(1.0 - without / safe, 0.0, 1.0), 0.0)
    return np.where(seen.reshape(-1, *([1] * (re.ndim - 1))), re, 0.0)


def _shares(effects: Float64Array) -> Float64Array:
    total = effects.sum(axis=0)
    return np.where(total > 0, effects / np.where(total > 0, total, 1.0), 0.0)


def removal_effects(chain: MarkovChain, config: AttributionConfig | None = None) -> MarkovResult:
    """Solve the chain and every removal scenario; weights and whole-data-set conversions/revenue per channel."""
    config = config or AttributionConfig()
    p, v, solver, iterations, bound = solve_scenarios(chain, config)
    # One flag per channel. np.asarray changes nothing (any over an axis of the 2-D `contains` is an array): numpy's
    # stub, blind to the rank, types the reduction "a bool or an array".
    seen = np.asarray(chain.contains.any(axis=0))
    re = _effects(p[0], p[1:], seen)
    weights = _shares(re)
    re_v = _effects(v[0], v[1:], seen)
    # A value column whose total is not positive (refunds bigger than sales) has no value-weighted removal effect:
    # its value follows the conversion weights rather than vanishing.
    fallback = ~(chain.value_totals > 0) & (chain.value_totals != 0)
    value_weights = np.where(fallback[None, :], weights[:, None], _shares(re_v))
    total_v = v.sum(axis=1)
    re_v_all = _effects(total_v[0], total_v[1:], seen)
    total = chain.total_revenue
    weights_v_all = weights if (total < 0) else _shares(re_v_all)
    return MarkovResult(
        order=chain.order,
        channel_names=[],
        n_states=chain.n_states,
        n_transitions=len(chain.src),
        p_conversion=float(p[0]),
        removal_effects=re,
        removal_effects_value=re_v_all,
        weights=weights,
        conversions=weights * chain.n_conversions,
        revenue=weights_v_all * total,
        solver=solver,
        iterations=iterations,
        error_bound=bound,
        n_journeys=chain.n_journeys,
        n_conversions=chain.n_conversions,
        p_without=np.asarray(p[1:], dtype=np.float64),
        value_totals=chain.value_totals,
        value_per_journey=v[0],
        value_without=v[1:],
        removal_effects_by_value=re_v,
        value_weights=value_weights,
        value_fallback=fallback,
        seen=seen,
    )


def markov_model(paths: Paths, order: int, config: AttributionConfig | None = None) -> MarkovResult:
    """Fit an order-k chain on converting and null paths and compute its removal effects, with revenue as one value
    column per currency of the conversions."""
    config = config or AttributionConfig()
    channel, offsets, converted, revenue = paths.sequences()
    codes, currencies = paths.currency_codes()
    n_cur = len(currencies)
    values = np.zeros((len(converted), n_cur))
    n_att = len(paths.attributed)
    values[np.arange(n_att), codes[paths.attributed]] = revenue[:n_att]
    if len(offsets) == 1:
        z = np.zeros(paths.n_channels)
        zv = np.zeros((paths.n_channels, n_cur))
        return MarkovResult(
            order, list(paths.channel_names), 1, 0, 0.0, z, z, z, z, z, "none", 0, 0.0,
            p_without=z, currencies=currencies, value_totals=np.zeros(n_cur), value_per_journey=np.zeros(n_cur),
            value_without=zv, removal_effects_by_value=zv, value_weights=zv, value_fallback=np.zeros(n_cur, dtype=bool),
            seen=np.zeros(paths.n_channels, dtype=bool), value_conversions=np.zeros(n_cur, dtype=np.int64),
        )  # fmt: skip
    chain = fit_chain(channel, offsets, converted, values, order, paths.n_channels, config.markov_collapse_repeats)
    result = removal_effects(chain, config)
    result.channel_names = list(paths.channel_names)
    result.currencies = currencies
    result.value_conversions = np.bincount(codes[paths.attributed], minlength=n_cur)
    return result
