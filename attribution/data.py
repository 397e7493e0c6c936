"""Columnar inputs: touches and conversions as numpy arrays, and their normalisation to integer codes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from attribution.arrays import AnyArray, BoolArray, Int32Array, Int64Array
from attribution.config import AttributionError

_NAT = np.iinfo(np.int64).min
MICROS_PER_DAY = 86_400_000_000


@dataclass
class Touches:
    """One element per touch. All arrays have the same length.

    ``occurred_at`` is ``datetime64`` (any unit; naive = UTC) or numbers of seconds since the epoch.
    ``channel`` holds channel names (``str``/``object``), or integer codes into ``channel_names``.
    A touch is *direct* when ``is_direct`` is true or its channel equals the configured direct channel.
    ``is_lead_creation`` / ``is_opportunity_creation`` mark the stage touches of the W-shaped model.
    """

    person_key: AnyArray
    touch_id: AnyArray
    occurred_at: AnyArray
    channel: AnyArray
    channel_names: Sequence[str] | None = None
    is_direct: AnyArray | None = None
    is_lead_creation: AnyArray | None = None
    is_opportunity_creation: AnyArray | None = None

    def __len__(self) -> int:
        return len(self.touch_id)


@dataclass
class Conversions:
    """One element per conversion. ``revenue`` NaN or missing counts as 0; ``currency`` is carried to summaries.

    ``is_first_conversion`` marks a person's first conversion (an acquisition): its credit counts as new customers.
    """

    conversion_id: AnyArray
    person_key: AnyArray
    converted_at: AnyArray
    conversion_type: AnyArray | None = None
    revenue: AnyArray | None = None
    currency: AnyArray | None = None
    is_first_conversion: AnyArray | None = None

    def __len__(self) -> int:
        return len(self.conversion_id)


def to_micros(values: AnyArray, what: str) -> Int64Array:
    """Timestamps (datetime64 of any unit, or epoch seconds) as int64 microseconds since the epoch."""
    arr = np.asarray(values)
    if np.issubdtype(arr.dtype, np.datetime64):
        out = arr.astype("datetime64[us]").view(np.int64)
        if (out == _NAT).any():
            raise AttributionError(f"{what} has missing timestamps (NaT)")
        return out
    if np.issubdtype(arr.dtype, np.number):
        f = arr.astype(np.float64)
        if not np.isfinite(f).all():
            raise AttributionError(f"{what} has missing or infinite timestamps")
        return np.rint(f * 1e6).astype(np.int64)
    raise AttributionError(f"{what} must be datetime64 or epoch seconds, got dtype {arr.dtype}")


def _all_str(arr: AnyArray) -> bool:
    from pandas.api.types import infer_dtype

    return infer_dtype(arr, skipna=False) == "string"


def factorize(values: AnyArray) -> tuple[Int64Array, list[Any]]:
    """Integer codes (int64) and the sorted distinct values they index."""
    arr = np.asarray(values)
    if arr.dtype == object and len(arr) and _all_str(arr):
        # Keys and ids read from a warehouse are str objects: a hash table in C codes them in a fraction of the
        # dict-and-sorted pass below (which took 90 % of build_paths at scale, docs/benchmarks.md). Same result:
        # codes index the distinct values in sorted order.
        # The distinct values are then sorted as a fixed-width unicode array (code point order, as Python's str
        # comparison): sorting them as Python objects took longer than everything else.
        import pandas as pd

        codes, uniques = pd.factorize(arr, sort=False)
        order = np.argsort(uniques.astype(str), kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order), dtype=np.int64)
        return rank[codes], uniques[order].tolist()
    if arr.dtype == object:
        seen: dict[Any, int] = {}
        codes = np.fromiter((seen.setdefault(v, len(seen)) for v in arr), dtype=np.int64, count=len(arr))
        if any(v is None for v in seen):
            raise AttributionError("missing (None) value where a key or channel is required")
        names = sorted(seen, key=lambda v: (str(type(v)), v))
        remap = np.empty(len(names), dtype=np.int64)
        for new, name in enumerate(names):
            remap[seen[name]] = new
        return remap[codes], names
    found = np.unique_inverse(arr)
    uniq, inverse = found.values, found.inverse_indices
    return inverse.astype(np.int64).reshape(-1), uniq.tolist()


def channel_codes(touches: Touches) -> tuple[Int32Array, list[str]]:
    """Channel codes (int32) and names, whichever way the touches gave them."""
    ch = np.asarray(touches.channel)
    if touches.channel_names is not None:
        if not np.issubdtype(ch.dtype, np.integer):
            raise AttributionError("channel_names given but channel is not an integer code array")
        names = [str(n) for n in touches.channel_names]
        if len(ch) and (ch.min() < 0 or ch.max() >= len(names)):
            raise AttributionError("channel code out of range of channel_names")
        if len(set(names)) != len(names):
            raise AttributionError("channel_names has duplicates")
        return ch.astype(np.int32, copy=False), names
    codes, names = factorize(ch)
    return codes.astype(np.int32), [str(n) for n in names]


def person_codes(touch_keys: AnyArray, conversion_keys: AnyArray) -> tuple[Int64Array, Int64Array]:
    """Person keys of touches and conversions as comparable int64 codes (the same code for the same person)."""
    t = np.asarray(touch_keys)
    c = np.asarray(conversion_keys)
    if np.issubdtype(t.dtype, np.integer) and np.issubdtype(c.dtype, np.integer):
        return t.astype(np.int64, copy=False), c.astype(np.int64, copy=False)
    codes, _ = factorize(np.concatenate([t.astype(object), c.astype(object)]))
    return codes[: len(t)], codes[len(t) :]


def bool_array(values: AnyArray | None, n: int, what: str) -> BoolArray:
    if values is None:
        return np.zeros(n, dtype=bool)
    arr = np.asarray(values)
    if arr.shape != (n,):
        raise AttributionError(f"{what} must have {n} elements, one per row of its input")
    if arr.dtype == object:
        arr = np.array([bool(v) if v is not None else False for v in arr], dtype=bool)
    return arr.astype(bool, copy=False)


def check_lengths(obj: Touches | Conversions) -> int:
    n = len(obj)
    for name, value in vars(obj).items():
        if isinstance(value, np.ndarray | list | tuple) and name != "channel_names" and len(value) != n:
            raise AttributionError(f"{type(obj).__name__}.{name} has {len(value)} elements, expected {n}")
    return n
