"""Conversion paths and null paths, built with vectorised segment operations (no per-person Python loops).

Rows of a :class:`Paths` are (conversion, touch) pairs grouped by conversion and ordered by time inside each group,
so every per-conversion quantity is a segment reduction (``np.add.reduceat`` and friends) over ``offsets``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from attribution.arrays import (
    AnyArray,
    BoolArray,
    Float64Array,
    Int32Array,
    Int64Array,
    ObjectArray,
    ScalarT,
    weighted_bincount,
)
from attribution.config import AttributionConfig, AttributionError
from attribution.data import (
    MICROS_PER_DAY,
    Conversions,
    Touches,
    bool_array,
    channel_codes,
    check_lengths,
    factorize,
    person_codes,
    to_micros,
)


@dataclass
class Paths:
    """The paths of every counted conversion (possibly empty) and every person's null path.

    Conversion ``i`` (``0 <= i < n_conversions``; row ``conversion_index[i]`` of the input) owns expanded rows
    ``offsets[i]:offsets[i + 1]``; each row is one touch (``touch_index`` = row of the input touches), in time order.
    Null path ``j`` owns ``null_channel[null_offsets[j]:null_offsets[j + 1]]`` (never empty).
    """

    channel_names: list[str]
    conversion_index: Int64Array
    #: Conversion time and touch ``time``: int64 microseconds since the epoch.
    conversion_time: Int64Array
    revenue: Float64Array
    offsets: Int64Array
    touch_index: Int64Array
    channel: Int32Array
    time: Int64Array
    is_direct: BoolArray
    is_lead_creation: BoolArray
    is_opportunity_creation: BoolArray
    null_offsets: Int64Array
    null_channel: Int32Array
    null_touch_index: Int64Array
    #: Input conversions left out because their type does not count.
    n_conversions_excluded: int = 0
    #: Per counted conversion: its currency (object array; None when the conversions carry none) and whether it is the
    #: person's first conversion (None when not given).
    currency: ObjectArray | None = None
    is_first_conversion: BoolArray | None = None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def n_conversions(self) -> int:
        return len(self.conversion_index)

    @property
    def n_channels(self) -> int:
        return len(self.channel_names)

    @property
    def n_null_paths(self) -> int:
        return len(self.null_offsets) - 1

    @property
    def n_rows(self) -> int:
        return len(self.touch_index)

    @property
    def lengths(self) -> Int64Array:
        if "lengths" not in self._cache:
            self._cache["lengths"] = np.diff(self.offsets)
        return self._cache["lengths"]

    @property
    def row_conversion(self) -> Int64Array:
        """For each expanded row, the conversion (0..n_conversions-1) it belongs to."""
        if "row_conversion" not in self._cache:
            self._cache["row_conversion"] = np.repeat(np.arange(self.n_conversions, dtype=np.int64), self.lengths)
        return self._cache["row_conversion"]

    @property
    def row_position(self) -> Int64Array:
        """For each expanded row, its 0-based position in its path."""
        if "row_position" not in self._cache:
            self._cache["row_position"] = np.arange(self.n_rows, dtype=np.int64) - self.offsets[self.row_conversion]
        return self._cache["row_position"]

    @property
    def attributed(self) -> Int64Array:
        """Indices of conversions with at least one touch."""
        if "attributed" not in self._cache:
            self._cache["attributed"] = np.flatnonzero(self.lengths > 0)
        return self._cache["attributed"]

    @property
    def unattributed(self) -> Int64Array:
        """Indices of conversions with no touch in their window."""
        return np.flatnonzero(self.lengths == 0)

    @property
    def segment_starts(self) -> Int64Array:
        """First row of each attributed conversion: the ``indices`` for ``reduceat`` over rows."""
        return self.offsets[self.attributed]

    @property
    def segment_lasts(self) -> Int64Array:
        """Last row of each attributed conversion."""
        return self.offsets[self.attributed + 1] - 1

    def currency_codes(self) -> tuple[Int64Array, list[Any]]:
        """Per conversion, a code into the returned currencies (in order of first appearance; ``[None]`` without)."""
        if "currency_codes" not in self._cache:
            n = self.n_conversions
            if self.currency is None:
                self._cache["currency_codes"] = (np.zeros(n, dtype=np.int64), [None])
            else:
                uniq: dict[Any, int] = {}
                codes = np.fromiter((uniq.setdefault(c, len(uniq)) for c in self.currency), dtype=np.int64, count=n)
                self._cache["currency_codes"] = (codes, list(uniq) or [None])
        return self._cache["currency_codes"]

    @property
    def first_conversion(self) -> BoolArray:
        """Per conversion: the person's first (all False when the input did not say)."""
        if self.is_first_conversion is None:
            return np.zeros(self.n_conversions, dtype=bool)
        return self.is_first_conversion

    def sequences(self) -> tuple[Int32Array, Int64Array, BoolArray, Float64Array]:
        """All non-empty paths, converting first then null: ``(channel, offsets, converted, revenue)``."""
        att = self.attributed
        lens = np.concatenate([self.lengths[att], np.diff(self.null_offsets)])
        offsets = np.zeros(len(lens) + 1, dtype=np.int64)
        np.cumsum(lens, out=offsets[1:])
        channel = np.concatenate([self.channel, self.null_channel])
        converted = np.zeros(len(lens), dtype=bool)
        converted[: len(att)] = True
        revenue = np.zeros(len(lens), dtype=np.float64)
        revenue[: len(att)] = self.revenue[att]
        return channel, offsets, converted, revenue


def segment_search(
    values: Int64Array, lo: Int64Array, hi: Int64Array, target: Int64Array, side: Literal["left", "right"]
) -> Int64Array:
    """Vectorised ``searchsorted`` of ``target[i]`` inside the sorted slice ``values[lo[i]:hi[i]]`` (global index)."""
    lo = lo.astype(np.int64, copy=True)
    hi = hi.astype(np.int64, copy=True)
    active = lo < hi
    while active.any():
        idx = np.flatnonzero(active)
        mid = (lo[idx] + hi[idx]) // 2
        v = values[mid]
        right = v < target[idx] if side == "left" else v <= target[idx]
        lo[idx] = np.where(right, mid + 1, lo[idx])
        hi[idx] = np.where(right, hi[idx], mid)
        active[idx] = lo[idx] < hi[idx]
    return lo


def expand(start: Int64Array, length: Int64Array) -> tuple[Int64Array, Int64Array]:
    """Concatenate the index ranges ``start[i]:start[i] + length[i]``: returns ``(offsets, indices)``."""
    offsets = np.zeros(len(length) + 1, dtype=np.int64)
    np.cumsum(length, out=offsets[1:])
    seg = np.repeat(np.arange(len(length), dtype=np.int64), length)
    idx = np.arange(offsets[-1], dtype=np.int64) - offsets[seg] + start[seg]
    return offsets, idx


def _tiebreak_key(ids: AnyArray) -> AnyArray:
    arr = np.asarray(ids)
    if np.issubdtype(arr.dtype, np.number) or arr.dtype.kind in "USb":
        return arr
    return factorize(arr)[0]


def _ties_in_order(ids: AnyArray, tie: Int64Array) -> bool:
    """Whether each tied row's id is >= the id of the row before it. Only the tied pairs are compared: coding every
    id to check a few ties was most of build_paths on sorted warehouse input (docs/benchmarks.md)."""
    arr = np.asarray(ids)
    try:
        return bool(np.all(arr[tie + 1] >= arr[tie]))
    except TypeError:  # ids of mixed types: compare their codes
        key = _tiebreak_key(arr)
        return bool((key[tie + 1] >= key[tie]).all())


def _sort_order(person: Int64Array, time: Int64Array, ids: AnyArray) -> Int64Array | None:
    """Order by (person, time, id); ``None`` when the input is already in that order (the fast path)."""
    if len(person) < 2:
        return None
    p_gt, p_eq = person[1:] > person[:-1], person[1:] == person[:-1]
    t_gt, t_eq = time[1:] > time[:-1], time[1:] == time[:-1]
    if (p_gt | (p_eq & t_gt)).all():
        return None
    key = None
    if (p_gt | (p_eq & (t_gt | t_eq))).all():
        tie = np.flatnonzero(p_eq & t_eq)
        if _ties_in_order(ids, tie):
            return None
        return np.lexsort((_tiebreak_key(ids), time, person))
    order = np.lexsort((time, person))
    sp, st = person[order], time[order]
    if not ((sp[1:] == sp[:-1]) & (st[1:] == st[:-1])).any():
        return order
    key = _tiebreak_key(ids)
    return np.lexsort((key, time, person))


def build_paths(touches: Touches, conversions: Conversions, config: AttributionConfig | None = None) -> Paths:
    """Cut every counted conversion's path and every person's null path out of the touch timeline.

    See :class:`attribution.AttributionConfig` for the rules. Touches at the same instant are ordered by
    ``touch_id``; two counted conversions of one person at the same instant: the second gets an empty path.
    """
    config = config or AttributionConfig()
    nt = check_lengths(touches)
    nc = check_lengths(conversions)
    t_person, c_person = person_codes(touches.person_key, conversions.person_key)
    t_time = to_micros(touches.occurred_at, "touches.occurred_at")
    c_time = to_micros(conversions.converted_at, "conversions.converted_at")
    channel, names = channel_codes(touches)
    is_direct = bool_array(touches.is_direct, nt, "is_direct")
    if config.direct_channel in names:
        is_direct = is_direct | (channel == names.index(config.direct_channel))
    is_lead = bool_array(touches.is_lead_creation, nt, "is_lead_creation")
    is_opp = bool_array(touches.is_opportunity_creation, nt, "is_opportunity_creation")

    # Counted conversions, sorted by (person, time, id).
    if config.conversion_types is None:
        counted = np.arange(nc, dtype=np.int64)
    else:
        if conversions.conversion_type is None:
            raise AttributionError("conversion_types is configured but conversions have no conversion_type")
        ctype = np.asarray(conversions.conversion_type).astype(object)
        counted = np.flatnonzero(np.isin(ctype, np.array(list(config.conversion_types), dtype=object)))
    corder = _sort_order(c_person[counted], c_time[counted], _tiebreak_key(conversions.conversion_id)[counted])
    if corder is not None:
        counted = counted[corder]
    cp, ct = c_person[counted], c_time[counted]
    if conversions.revenue is None:
        revenue = np.zeros(len(counted), dtype=np.float64)
    else:
        revenue = np.asarray(conversions.revenue, dtype=np.float64)[counted]
        revenue = np.where(np.isfinite(revenue), revenue, 0.0)
    currency = None if conversions.currency is None else np.asarray(conversions.currency, dtype=object)[counted]
    is_first = None
    if conversions.is_first_conversion is not None:
        is_first = bool_array(conversions.is_first_conversion, nc, "is_first_conversion")[counted]

    # Touches sorted by (person, time, touch_id); person blocks.
    order = _sort_order(t_person, t_time, touches.touch_id)
    sp = t_person if order is None else t_person[order]
    st = t_time if order is None else t_time[order]
    bstart = np.flatnonzero(np.concatenate([[True], sp[1:] != sp[:-1]])) if nt else np.zeros(0, dtype=np.int64)
    bend = np.concatenate([bstart[1:], [nt]]).astype(np.int64)
    persons = sp[bstart]

    blk = np.searchsorted(persons, cp)
    has = blk < len(persons)
    has[has] = persons[blk[has]] == cp[has]
    if len(bstart):
        b = np.minimum(blk, len(bstart) - 1)
        lo = np.where(has, bstart[b], 0).astype(np.int64)
        hi = np.where(has, bend[b], 0).astype(np.int64)
    else:
        lo = hi = np.zeros(len(cp), dtype=np.int64)
    end = segment_search(st, lo, hi, ct, "right")
    lookback_us = None if config.lookback_days is None else round(config.lookback_days * MICROS_PER_DAY)
    start = lo if lookback_us is None else segment_search(st, lo, hi, ct - lookback_us, "left")
    if config.restart_after_conversion and len(cp) > 1:
        same = np.concatenate([[False], cp[1:] == cp[:-1]])
        floor = np.where(same, np.concatenate([[0], end[:-1]]), lo)
        start = np.maximum(start, floor)
    length = np.maximum(end - start, 0)
    offsets, rows_sorted = expand(start, length)
    touch_index = rows_sorted if order is None else order[rows_sorted]

    # Null paths: each person's touches after their last counted conversion, within the lookback of their last touch.
    null_lo = bstart.copy()
    if has.any():
        np.maximum.at(null_lo, blk[has], end[has])
    if lookback_us is not None and len(bstart):
        wl = segment_search(st, bstart, bend, st[bend - 1] - lookback_us, "left")
        null_lo = np.maximum(null_lo, wl)
    keep = bend > null_lo
    null_offsets, null_sorted = expand(null_lo[keep], bend[keep] - null_lo[keep])
    null_touch_index = null_sorted if order is None else order[null_sorted]

    return Paths(
        channel_names=names,
        conversion_index=counted.astype(np.int64),
        conversion_time=ct,
        revenue=revenue,
        offsets=offsets,
        touch_index=touch_index,
        channel=channel[touch_index],
        time=t_time[touch_index],
        is_direct=is_direct[touch_index],
        is_lead_creation=is_lead[touch_index],
        is_opportunity_creation=is_opp[touch_index],
        null_offsets=null_offsets,
        null_channel=channel[null_touch_index],
        null_touch_index=null_touch_index,
        n_conversions_excluded=nc - len(counted),
        currency=currency,
        is_first_conversion=is_first,
    )


@dataclass
class PathSummary:
    """Distinct channel sequences with how many journeys on each converted, did not, and the revenue they brought."""

    channel_names: list[str]
    #: Channel codes, row ``i`` holds sequence ``i`` in its first ``lengths[i]`` columns (padded with -1).
    codes: Int32Array
    lengths: Int64Array
    conversions: Int64Array
    nulls: Int64Array
    revenue: Float64Array

    def __len__(self) -> int:
        return len(self.lengths)

    def as_strings(self, sep: str = " > ") -> list[str]:
        names = self.channel_names
        rows = zip(self.codes.tolist(), self.lengths.tolist(), strict=True)
        return [sep.join(names[c] for c in row[:n]) for row, n in rows]


def aggregate_paths(paths: Paths, collapse_repeats: bool = False) -> PathSummary:
    """Group identical channel sequences (converting and null) into counts: ChannelAttribution's input shape."""
    channel, offsets, converted, revenue = paths.sequences()
    if collapse_repeats:
        channel, offsets = collapse_consecutive(channel, offsets)
    lens = np.diff(offsets)
    n = len(lens)
    width = int(lens.max()) if n else 0
    n_ch = len(paths.channel_names)
    small = np.int8 if n_ch < 127 else np.int16 if n_ch < 32767 else np.int32
    pad = np.full((n, max(width, 1)), -1, dtype=small)
    if n:
        seg = np.repeat(np.arange(n), lens)
        pad[seg, np.arange(len(channel)) - offsets[seg]] = channel
    keys = np.ascontiguousarray(pad).view(np.dtype((np.void, pad.dtype.itemsize * pad.shape[1]))).ravel()
    found = np.unique_all(keys)
    first, inverse = found.indices, found.inverse_indices
    inverse = inverse.reshape(-1)
    k = len(first)
    conv = weighted_bincount(inverse, weights=converted, minlength=k)
    journeys = np.bincount(inverse, minlength=k)
    rev = weighted_bincount(inverse, weights=revenue, minlength=k)
    return PathSummary(
        channel_names=list(paths.channel_names),
        codes=pad[first].astype(np.int32),
        lengths=lens[first],
        conversions=conv.astype(np.int64),
        nulls=(journeys - conv).astype(np.int64),
        revenue=rev,
    )


def collapse_consecutive(channel: NDArray[ScalarT], offsets: Int64Array) -> tuple[NDArray[ScalarT], Int64Array]:
    """Drop a touch whose channel equals the previous touch's in the same path (the "exposure" transform)."""
    if len(channel) == 0:
        return channel, offsets
    keep = np.ones(len(channel), dtype=bool)
    keep[1:] = channel[1:] != channel[:-1]
    keep[offsets[:-1][np.diff(offsets) > 0]] = True
    counts = np.diff(np.concatenate([[0], np.cumsum(keep)])[offsets])
    new_offsets = np.zeros(len(offsets), dtype=np.int64)
    np.cumsum(counts, out=new_offsets[1:])
    return channel[keep], new_offsets
