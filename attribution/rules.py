"""Rule-based models, vectorised over the expanded (conversion, touch) rows.

Weights of touch i (0-based) in a path of n touches, all summing to 1 per conversion:

- ``first_touch``: 1 for i = 0.  ``last_touch``: 1 for i = n - 1.
- ``last_non_direct``: 1 for the last touch that is not direct; a path of direct touches only -> last touch.
- ``linear``: 1/n for every touch (a channel on the path twice gets two shares).
- ``time_decay``: ``2 ** (-d_i / h)`` normalised, d_i = days (continuous) from touch to conversion, h = half-life.
- ``position_based`` (U, 40/20/40): n = 1 -> 1; n = 2 -> first + middle/2 and last + middle/2 (0.5/0.5);
  n >= 3 -> first, last, and middle / (n - 2) for each touch in between.
- ``w_shaped`` (30/30/30/10): roles first touch, lead-creation touch (first touch flagged ``is_lead_creation``) and
  opportunity-creation touch (first touch flagged ``is_opportunity_creation``) get their weights (one touch can hold
  several roles and then adds them up); the rest weight is shared equally by the touches holding no role. A missing
  role (no flagged touch), or no touch left for the rest, drops that weight and the others are rescaled to sum 1:
  without stage flags a path of n >= 2 gives 0.75 to the first touch and 0.25 / (n - 1) to each other touch.
"""

from __future__ import annotations

import numpy as np

from attribution.arrays import Float64Array, Int64Array
from attribution.config import (
    FIRST_TOUCH,
    LAST_NON_DIRECT,
    LAST_TOUCH,
    LINEAR,
    POSITION_BASED,
    RULE_MODELS,
    TIME_DECAY,
    W_SHAPED,
    AttributionConfig,
    AttributionError,
)
from attribution.credits import (
    ModelCredits,
    dense_credits,
    normalise_or_last,
    one_touch_credits,
    repeat_per_row,
)
from attribution.data import MICROS_PER_DAY
from attribution.paths import Paths


def rule_based_credits(
    paths: Paths, config: AttributionConfig | None = None, models: tuple[str, ...] | None = None
) -> list[ModelCredits]:
    """Credits of the requested rule-based models (default: those in ``config.models``)."""
    config = config or AttributionConfig()
    models = tuple(m for m in config.models if m in RULE_MODELS) if models is None else models
    keep_zero = config.emit_zero_credit_rows
    out = []
    for model in models:
        if model == FIRST_TOUCH:
            out.append(one_touch_credits(paths, model, paths.segment_starts, keep_zero))
        elif model == LAST_TOUCH:
            out.append(one_touch_credits(paths, model, paths.segment_lasts, keep_zero))
        elif model == LAST_NON_DIRECT:
            out.append(one_touch_credits(paths, model, last_non_direct_rows(paths), keep_zero))
        elif model == LINEAR:
            out.append(dense_credits(paths, model, linear_weights(paths), keep_zero))
        elif model == TIME_DECAY:
            out.append(dense_credits(paths, model, time_decay_weights(paths, config.half_life_days), keep_zero))
        elif model == POSITION_BASED:
            out.append(dense_credits(paths, model, position_weights(paths, config.position_weights), keep_zero))
        elif model == W_SHAPED:
            out.append(dense_credits(paths, model, w_shaped_weights(paths, config.w_weights), keep_zero))
        else:
            raise AttributionError(f"{model!r} is not a rule-based model")
    return out


def last_non_direct_rows(paths: Paths) -> Int64Array:
    if paths.n_rows == 0:
        return np.zeros(0, dtype=np.int64)
    candidate = np.where(paths.is_direct, -1, np.arange(paths.n_rows, dtype=np.int64))
    last_nd = np.maximum.reduceat(candidate, paths.segment_starts)
    return np.where(last_nd >= paths.segment_starts, last_nd, paths.segment_lasts)


def _row_lengths(paths: Paths) -> Float64Array:
    return repeat_per_row(paths, paths.lengths[paths.attributed]).astype(np.float64)


def linear_weights(paths: Paths) -> Float64Array:
    return 1.0 / _row_lengths(paths)


def time_decay_weights(paths: Paths, half_life_days: float) -> Float64Array:
    if paths.n_rows == 0:
        return np.zeros(0)
    conv_time = paths.conversion_time[paths.row_conversion]
    days = (conv_time - paths.time).astype(np.float64) / MICROS_PER_DAY
    # Relative to the newest touch of each path (weight 1), so old touches cannot underflow the whole path to 0.
    newest = repeat_per_row(paths, days[paths.segment_lasts])
    weight = np.exp2(-(days - newest) / half_life_days)
    return normalise_or_last(paths, weight)[0]


def position_weights(paths: Paths, weights: tuple[float, float, float]) -> Float64Array:
    first, middle, last = weights
    n = _row_lengths(paths)
    pos = paths.row_position
    is_first = pos == 0
    is_last = pos == n - 1
    w = np.where(n >= 3, middle / np.maximum(n - 2, 1), 0.0)
    w = np.where(is_first, first + np.where(n == 2, middle / 2, 0.0), w)
    w = np.where(is_last, last + np.where(n == 2, middle / 2, 0.0), w)
    w = np.where(n == 1, 1.0, w)
    return normalise_or_last(paths, w)[0]


def w_shaped_weights(paths: Paths, weights: tuple[float, float, float, float]) -> Float64Array:
    if paths.n_rows == 0:
        return np.zeros(0)
    w_first, w_lead, w_opp, w_rest = weights
    pos = paths.row_position
    starts = paths.segment_starts
    big = np.iinfo(np.int64).max
    lead = repeat_per_row(paths, np.minimum.reduceat(np.where(paths.is_lead_creation, pos, big), starts))
    opp = repeat_per_row(paths, np.minimum.reduceat(np.where(paths.is_opportunity_creation, pos, big), starts))
    is_first, is_lead, is_opp = pos == 0, pos == lead, pos == opp
    anchor = w_first * is_first + w_lead * is_lead + w_opp * is_opp
    rest = ~(is_first | is_lead | is_opp)
    n_rest = repeat_per_row(paths, np.add.reduceat(rest.astype(np.int64), starts))
    weight = anchor + np.where(rest, w_rest / np.maximum(n_rest, 1), 0.0)
    return normalise_or_last(paths, weight)[0]
