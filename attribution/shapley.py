"""Exact Shapley values over channel sets.

The game: the value of a set S of channels is ``v(S)`` = conversions / journeys among the journeys (converting and
null paths) whose set of channels is exactly S; 0 when no journey has that set (and for the empty set).

For a conversion whose path has channel set T, a channel's credit is its Shapley value in the game restricted to the
subsets of T (the coalition is the channels the customer actually met), over *all* subsets and orderings:
``phi_c(T) = sum_{S subset of T minus c} |S|! (|T|-|S|-1)! / |T|! * (v(S + c) - v(S))``; they add up to
``v(T) > 0``. Computed for every T at once in O(2**n * n**2) with the Harsanyi dividends ``m = Moebius(v)``:
``phi_c(T) = sum_{U subset of T, c in U} m(U) / |U|`` (a subset-sum transform). The grand-coalition values
``phi(N)`` are the classical Shapley values of the whole game. A channel with a negative value in T gets 0
(``shapley_clip_negative``) before the conversion's credit is normalised to 1.

More channels than ``shapley_max_channels``: the rarest (fewest journeys) are folded into one ``other`` channel
(or :class:`AttributionError`, per ``shapley_overflow``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from attribution.arrays import BoolArray, CodeArray, Float64Array, Int64Array, weighted_bincount
from attribution.config import AttributionConfig, AttributionError

MAX_EXACT_CHANNELS = 20


def popcount(n_bits: int) -> Int64Array:
    """Number of set bits of every integer in ``0 .. 2**n_bits - 1``."""
    pc = np.zeros(1 << n_bits, dtype=np.int64)
    idx = np.arange(1 << n_bits, dtype=np.int64)
    for i in range(n_bits):
        pc += (idx >> i) & 1
    return pc


def subset_sum(values: ArrayLike, inverse: bool = False) -> Float64Array:
    """Zeta transform over subsets along axis 0: ``out[T] = sum_{S subset of T} values[S]`` (inverse: Moebius)."""
    out = np.array(values, dtype=np.float64, copy=True)
    size = out.shape[0]
    n = size.bit_length() - 1
    if 1 << n != size:
        raise AttributionError("subset transforms need 2**n values")
    tail = out.shape[1:]
    for i in range(n):
        view = out.reshape((size >> (i + 1), 2, 1 << i, *tail))
        if inverse:
            view[:, 1] -= view[:, 0]
        else:
            view[:, 1] += view[:, 0]
    return out


def subgame_shapley(v: ArrayLike) -> Float64Array:
    """``phi[T, c]``: Shapley value of channel c in the game v restricted to the subsets of T (0 if c not in T).

    ``v`` has ``2**n`` entries indexed by bitmask (bit c = channel c); ``v[0]`` is taken as 0.
    """
    v = np.asarray(v, dtype=np.float64).copy()
    size = len(v)
    n = size.bit_length() - 1
    if 1 << n != size:
        raise AttributionError("v must have 2**n entries")
    if n > MAX_EXACT_CHANNELS:
        raise AttributionError(f"exact Shapley is limited to {MAX_EXACT_CHANNELS} channels")
    v[0] = 0.0
    dividends = subset_sum(v, inverse=True)
    pc = popcount(n)
    share = np.where(pc > 0, dividends / np.maximum(pc, 1), 0.0)
    idx = np.arange(size, dtype=np.int64)
    per_channel = np.zeros((size, n))
    for c in range(n):
        per_channel[:, c] = np.where((idx >> c) & 1, share, 0.0)
    return subset_sum(per_channel)


def shapley_values(v: ArrayLike) -> Float64Array:
    """Classical Shapley values of the grand coalition of the game v (``2**n`` entries by bitmask)."""
    return subgame_shapley(v)[-1]


@dataclass
class ShapleyResult:
    """The channel-set game and its values. Channel ``i`` of the game is ``channel_names[i]``."""

    channel_names: list[str]
    #: For each original channel code, its game channel (-1: never on any path).
    channel_map: Int64Array
    #: Per bitmask: conversions, journeys and v = conversions / journeys (0 where no journey).
    conversions: Float64Array
    journeys: Float64Array
    v: Float64Array
    #: ``phi[T, c]`` for every coalition T (see :func:`subgame_shapley`).
    phi: Float64Array
    #: Classical Shapley values of the grand coalition (sum to v(all channels), often 0: few journeys meet all).
    grand_coalition: Float64Array
    #: Attributed conversions where a negative channel value was clipped to 0.
    n_clipped: int = 0
    grouped: tuple[str, ...] = ()


def channel_groups(
    journeys_per_channel: Int64Array, channel_names: list[str], config: AttributionConfig
) -> tuple[Int64Array, list[str], tuple[str, ...]]:
    """Map original channel codes to game channels: channels never seen are dropped (-1); beyond the limit, the
    rarest go into ``config.other_channel``. Returns ``(channel_map, game_names, grouped_names)``."""
    seen = np.flatnonzero(journeys_per_channel > 0)
    limit = min(config.shapley_max_channels, MAX_EXACT_CHANNELS)
    channel_map = np.full(len(channel_names), -1, dtype=np.int64)
    if len(seen) <= limit:
        channel_map[seen] = np.arange(len(seen))
        return channel_map, [channel_names[c] for c in seen], ()
    if config.shapley_overflow == "error":
        raise AttributionError(
            f"Shapley over {len(seen)} channels exceeds shapley_max_channels={config.shapley_max_channels}"
        )
    ranked = sorted(seen.tolist(), key=lambda c: (-int(journeys_per_channel[c]), channel_names[c]))
    keep = sorted(ranked[: limit - 1])
    grouped = sorted(ranked[limit - 1 :])
    channel_map[keep] = np.arange(len(keep))
    channel_map[grouped] = len(keep)
    names = [channel_names[c] for c in keep] + [config.other_channel]
    return channel_map, names, tuple(channel_names[c] for c in grouped)


def path_masks(channel: CodeArray, offsets: Int64Array) -> Int64Array:
    """Bitmask of the channel set of each non-empty path."""
    if len(offsets) == 1:
        return np.zeros(0, dtype=np.int64)
    return np.bitwise_or.reduceat(np.left_shift(np.int64(1), channel.astype(np.int64)), offsets[:-1])


def fit_game(
    channel: CodeArray,
    offsets: Int64Array,
    converted: BoolArray,
    channel_names: list[str],
    config: AttributionConfig | None = None,
) -> tuple[ShapleyResult, Int64Array]:
    """Build the channel-set game from non-empty paths and solve it. Returns the result and the game channel of each
    element of ``channel`` (so callers can reuse the mapping)."""
    config = config or AttributionConfig()
    lens = np.diff(offsets)
    n_orig = len(channel_names)
    per_channel = np.zeros(n_orig, dtype=np.int64)
    if len(channel) and n_orig <= 62:
        orig_masks = path_masks(channel, offsets)
        for c in range(n_orig):
            per_channel[c] = np.count_nonzero((orig_masks >> c) & 1)
    elif len(channel):
        seg = np.repeat(np.arange(len(lens), dtype=np.int64), lens)
        first_in_path = np.unique(seg * n_orig + channel)
        per_channel = np.bincount(first_in_path % n_orig, minlength=n_orig)
    channel_map, names, grouped = channel_groups(per_channel, channel_names, config)
    game_channel = channel_map[channel]
    n = len(names)
    masks = path_masks(game_channel, offsets)
    size = 1 << n
    conv = weighted_bincount(masks, weights=converted.astype(np.float64), minlength=size)
    journeys = np.bincount(masks, minlength=size).astype(np.float64)
    v = np.divide(conv, journeys, out=np.zeros(size), where=journeys > 0)
    v[0] = 0.0
    phi = subgame_shapley(v) if n else np.zeros((1, 0))
    result = ShapleyResult(
        channel_names=names,
        channel_map=channel_map,
        conversions=conv,
        journeys=journeys,
        v=v,
        phi=phi,
        grand_coalition=phi[-1].copy(),
        grouped=grouped,
    )
    return result, game_channel
