"""Seeded synthetic customer journeys for the attribution benchmark (and large-scale smoke tests)."""

from __future__ import annotations

import numpy as np

from attribution import Conversions, Touches

CHANNELS = (
    "direct",
    "organic_search",
    "paid_search",
    "email",
    "paid_social",
    "organic_social",
    "display",
    "referral",
    "affiliate",
    "sms",
    "video",
    "crm_activity",
)
#: Share of touches per channel (a typical B2C mix).
MIX = np.array([0.16, 0.17, 0.15, 0.14, 0.10, 0.06, 0.06, 0.05, 0.03, 0.03, 0.03, 0.02])
#: Additive effect of a channel's presence on the log-odds of converting.
EFFECT = np.array([0.10, 0.35, 0.55, 0.45, 0.20, 0.05, -0.10, 0.30, 0.40, 0.25, 0.00, 0.60])
DAY_US = 86_400_000_000


def generate(n_journeys: int, seed: int = 7, max_len: int = 20) -> tuple[Touches, Conversions]:
    """``n_journeys`` people, one journey each of 1..max_len touches; about a quarter convert.

    Touches come out ordered by (person, time), as a warehouse query with ``order by`` returns them. Times span
    about half a year; gaps between touches average 2 days, so the 30-day lookback trims some long journeys.
    Converting journeys end with a conversion within a day of their last touch; 10% of converters come back for
    1-3 more touches afterwards (null tails). Some touches carry lead / opportunity creation flags.
    """
    rng = np.random.default_rng(seed)
    n = n_journeys
    length = np.minimum(1 + rng.negative_binomial(2, 0.33, size=n), max_len).astype(np.int64)
    total = int(length.sum())
    person = np.repeat(np.arange(n, dtype=np.int64), length)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(length, out=offsets[1:])
    pos = np.arange(total, dtype=np.int64) - offsets[person]

    draws = rng.choice(len(CHANNELS), size=total, p=MIX / MIX.sum()).astype(np.int32)
    repeat = (rng.random(total) < 0.3) & (pos > 0)
    src = np.maximum.accumulate(np.where(repeat, 0, np.arange(total)))
    channel = draws[src]

    masks = np.bitwise_or.reduceat(np.left_shift(np.int64(1), channel.astype(np.int64)), offsets[:-1])
    logit = -2.45 + 0.08 * length
    for c, eff in enumerate(EFFECT):
        logit = logit + eff * ((masks >> c) & 1)
    converts = rng.random(n) < 1.0 / (1.0 + np.exp(-logit))

    start = rng.integers(0, 180 * DAY_US, size=n)
    gaps = rng.exponential(2.0 * DAY_US, size=total).astype(np.int64) + 1_000_000
    gaps[offsets[:-1]] = 0
    t = np.cumsum(gaps)
    t = t - np.repeat(t[offsets[:-1]], length) + np.repeat(start, length)

    conv_person = np.flatnonzero(converts)
    last_t = t[offsets[1:] - 1]
    conv_time = last_t[conv_person] + rng.exponential(0.5 * DAY_US, size=len(conv_person)).astype(np.int64) + 1
    revenue = np.round(rng.lognormal(4.0, 0.8, size=len(conv_person)), 2)

    # Null tails after a conversion for 10% of converters.
    back = conv_person[rng.random(len(conv_person)) < 0.1]
    extra_len = rng.integers(1, 4, size=len(back))
    e_person = np.repeat(back, extra_len)
    e_channel = rng.choice(len(CHANNELS), size=len(e_person), p=MIX / MIX.sum()).astype(np.int32)
    conv_time_of = np.zeros(n, dtype=np.int64)
    conv_time_of[conv_person] = conv_time
    e_off = np.zeros(len(back) + 1, dtype=np.int64)
    np.cumsum(extra_len, out=e_off[1:])
    e_gap = rng.exponential(3.0 * DAY_US, size=len(e_person)).astype(np.int64) + 1_000_000
    e_t = np.cumsum(e_gap)
    e_t = e_t - np.repeat(e_t[e_off[:-1]] - e_gap[e_off[:-1]], extra_len) + conv_time_of[e_person]

    all_person = np.concatenate([person, e_person])
    all_time = np.concatenate([t, e_t])
    all_channel = np.concatenate([channel, e_channel])
    order = np.lexsort((all_time, all_person))
    all_person, all_time, all_channel = all_person[order], all_time[order], all_channel[order]
    m = len(all_person)
    lead = rng.random(m) < 0.04
    opp = rng.random(m) < 0.02

    touches = Touches(
        person_key=all_person,
        touch_id=np.arange(m, dtype=np.int64),
        occurred_at=all_time.astype("datetime64[us]"),
        channel=all_channel,
        channel_names=list(CHANNELS),
        is_lead_creation=lead,
        is_opportunity_creation=opp,
    )
    conversions = Conversions(
        conversion_id=np.arange(len(conv_person), dtype=np.int64),
        person_key=conv_person,
        converted_at=conv_time.astype("datetime64[us]"),
        conversion_type=np.full(len(conv_person), "purchase", dtype=object),
        revenue=revenue,
        currency=np.full(len(conv_person), "EUR", dtype=object),
    )
    return touches, conversions
