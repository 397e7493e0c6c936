"""Per-model credit rows and the segment helpers every model shares."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from attribution.arrays import BoolArray, CodeArray, Float64Array, Int64Array, ScalarT
from attribution.paths import Paths


@dataclass
class ModelCredits:
    """Credit of one model: row ``i`` gives conversion ``conversion[i]`` (0..n_conversions-1 of the paths)
    and expanded path row ``row[i]`` (-1: the conversion had no touch) the share ``credit[i]``."""

    model: str
    conversion: Int64Array
    row: Int64Array
    credit: Float64Array

    def __len__(self) -> int:
        return len(self.credit)


def repeat_per_row(paths: Paths, per_segment: NDArray[ScalarT]) -> NDArray[ScalarT]:
    """Broadcast one value per attributed conversion to each of its rows."""
    return np.repeat(per_segment, paths.lengths[paths.attributed])


def normalise_or_last(paths: Paths, weight: Float64Array) -> tuple[Float64Array, BoolArray]:
    """Divide row weights by their conversion's total. A conversion whose total is not > 0 falls back to last touch.

    Returns ``(credit, fallback)`` where ``fallback`` flags the attributed conversions that fell back.
    """
    if paths.n_rows == 0:
        return np.zeros(0), np.zeros(0, dtype=bool)
    total = np.add.reduceat(weight, paths.segment_starts)
    fallback = ~(total > 0) | ~np.isfinite(total)
    safe = np.where(fallback, 1.0, total)
    credit = weight / repeat_per_row(paths, safe)
    if fallback.any():
        rows = repeat_per_row(paths, fallback)
        credit[rows] = 0.0
        credit[paths.segment_lasts[fallback]] = 1.0
    return credit, fallback


def dense_credits(paths: Paths, model: str, credit: Float64Array, keep_zero: bool) -> ModelCredits:
    """One row per (conversion, touch) from a credit per expanded row, optionally without the zero ones."""
    if keep_zero:
        rows = np.arange(paths.n_rows, dtype=np.int64)
        return ModelCredits(model, paths.row_conversion, rows, credit)
    rows = np.flatnonzero(credit != 0)
    return ModelCredits(model, paths.row_conversion[rows], rows, credit[rows])


def one_touch_credits(paths: Paths, model: str, rows: Int64Array, keep_zero: bool) -> ModelCredits:
    """Credit 1 to one chosen row per attributed conversion."""
    if keep_zero:
        credit = np.zeros(paths.n_rows)
        credit[rows] = 1.0
        return dense_credits(paths, model, credit, True)
    return ModelCredits(model, paths.attributed.astype(np.int64), rows.astype(np.int64), np.ones(len(rows)))


def channel_touch_counts(paths: Paths, channel: CodeArray, n_channels: int) -> Int64Array:
    """For each expanded row, how many rows of the same conversion share its channel."""
    conv = paths.row_conversion
    if paths.n_conversions * max(n_channels, 1) <= 1 << 26:
        key = conv * n_channels + channel
        return np.bincount(key, minlength=paths.n_conversions * n_channels)[key]
    key = conv * n_channels + channel
    found = np.unique_all(key)
    inverse, counts = found.inverse_indices, found.counts
    return counts[inverse.reshape(-1)]


def channel_weight_credits(
    paths: Paths,
    model: str,
    row_channel_weight: Float64Array,
    channel: CodeArray,
    n_channels: int,
    keep_zero: bool,
    clip_negative: bool = True,
) -> tuple[ModelCredits, BoolArray]:
    """Turn per-(conversion, channel) weights into touch credits.

    Each conversion's credit is split over the distinct channels on its path in proportion to their weights, and a
    channel's part is split equally over that channel's touches on the path. A conversion whose channels all weigh
    zero (negative weights count as zero unless ``clip_negative`` is off; then only a total <= 0) falls back to
    last touch. ``row_channel_weight[i]`` is the weight of row i's channel for row i's
    conversion. Returns the credits and the per-attributed-conversion fallback flags.
    """
    counts = channel_touch_counts(paths, channel, n_channels)
    weight = row_channel_weight / counts
    if clip_negative:
        weight = np.where(weight > 0, weight, 0.0)
    credit, fallback = normalise_or_last(paths, weight)
    return dense_credits(paths, model, credit, keep_zero), fallback
