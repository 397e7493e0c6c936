"""The standard Markov allocation (``markov_k``): channel credits over the whole data set, and the removal effects
that reproduce them.

ChannelAttribution and the literature credit channel c with ``total conversions x RE_c / sum(RE)`` and revenue with
the value-weighted removal effects. That is a property of the whole data set, not of any one conversion, so it has
no per-touch rows: a channel can be credited with conversions whose paths never touched it. Here it is one cell per
(channel, currency):

- conversions: the currency's attributed conversions x ``RE_c / sum(RE)``; summed over currencies this is exactly
  ``total conversions x RE_c / sum(RE)`` (counts have no currency, so every currency shares them the same way);
- new customers: the currency's first conversions x the same shares;
- revenue: the currency's revenue x its own value-weighted shares (``REvalue_c / sum(REvalue)`` with the revenue in
  that currency as each conversion's value; currencies are never added). A currency whose revenue sums to 0 or less
  (refunds) has no value-weighted effect; its revenue follows the conversion shares (``value_fallback``).

Conversions with no touch in their window are not in the chain; like the touch-level models, they are credited in
full to ``(unattributed)`` (unless ``emit_unattributed`` is off).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from attribution.arrays import AnyArray, Float64Array, ObjectArray, weighted_bincount
from attribution.config import UNATTRIBUTED, markov_model_name
from attribution.markov import MarkovResult
from attribution.paths import Paths


@dataclass
class ChannelCredits:
    """A channel-level model's credit: cell ``i`` gives ``channel[i]`` in ``currency[i]`` its share."""

    model: str
    channel: ObjectArray
    #: None where the conversions carry no currency.
    currency: ObjectArray
    conversions: Float64Array
    new_customers: Float64Array
    revenue: Float64Array

    def __len__(self) -> int:
        return len(self.channel)


def standard_credits(paths: Paths, mr: MarkovResult, emit_unattributed: bool = True) -> ChannelCredits:
    """The whole-data-set allocation of one fitted chain: every channel on a journey x every currency converted in."""
    codes, currencies = paths.currency_codes()
    n_cur = len(currencies)
    att = paths.attributed
    first = paths.first_conversion
    n_conv = np.bincount(codes[att], minlength=n_cur).astype(np.float64)
    n_first = weighted_bincount(codes[att], weights=first[att].astype(np.float64), minlength=n_cur)
    revenue = weighted_bincount(codes[att], weights=paths.revenue[att], minlength=n_cur)
    seen = np.flatnonzero(mr.seen)
    cur_present = np.flatnonzero(n_conv > 0)
    ch_idx = np.repeat(seen, len(cur_present))
    cur_idx = np.tile(cur_present, len(seen))
    names = np.array(list(paths.channel_names), dtype=object)
    cur_names = np.array(currencies, dtype=object)
    channel = names[ch_idx] if len(ch_idx) else np.zeros(0, dtype=object)
    currency = cur_names[cur_idx] if len(cur_idx) else np.zeros(0, dtype=object)
    conversions = mr.weights[ch_idx] * n_conv[cur_idx]
    new_customers = mr.weights[ch_idx] * n_first[cur_idx]
    credited_revenue = mr.value_weights[ch_idx, cur_idx] * revenue[cur_idx] if len(ch_idx) else np.zeros(0)
    if emit_unattributed and len(paths.unattributed):
        un = paths.unattributed
        u_conv = np.bincount(codes[un], minlength=n_cur).astype(np.float64)
        u_first = weighted_bincount(codes[un], weights=first[un].astype(np.float64), minlength=n_cur)
        u_rev = weighted_bincount(codes[un], weights=paths.revenue[un], minlength=n_cur)
        present = np.flatnonzero(u_conv > 0)
        channel = np.concatenate([channel, np.full(len(present), UNATTRIBUTED, dtype=object)])
        currency = np.concatenate([currency, cur_names[present]])
        conversions = np.concatenate([conversions, u_conv[present]])
        new_customers = np.concatenate([new_customers, u_first[present]])
        credited_revenue = np.concatenate([credited_revenue, u_rev[present]])
    return ChannelCredits(markov_model_name(mr.order), channel, currency, conversions, new_customers, credited_revenue)


#: Columns of :func:`removal_effects_table`, in order (the warehouse table marts.fct_markov_removal_effects).
REMOVAL_EFFECT_COLUMNS = (
    "attribution_model",
    "markov_order",
    "channel",
    "currency",
    "journeys",
    "converting_journeys",
    "conversion_probability",
    "conversion_probability_without_channel",
    "removal_effect",
    "conversion_share",
    "revenue",
    "revenue_per_journey",
    "revenue_per_journey_without_channel",
    "revenue_removal_effect",
    "revenue_share",
    "chain_states",
    "chain_transitions",
    "solver",
    "error_bound",
)


def removal_effects_table(markov: dict[int, MarkovResult]) -> dict[str, AnyArray]:
    """One row per fitted order x channel on a journey x currency: what reproduces the standard allocation.

    ``conversion_share = removal_effect / sum(removal_effect)`` (the same on every currency row: counts have no
    currency) and ``revenue_share`` likewise from the value-weighted effects of that currency's revenue (or the
    conversion share where that revenue sums to 0 or less; ``revenue_removal_effect`` is NaN there). The channel's
    standard credit is ``converting_journeys x conversion_share`` and ``revenue x revenue_share``.
    """
    cols: dict[str, list[Any]] = {c: [] for c in REMOVAL_EFFECT_COLUMNS}
    for order, mr in markov.items():
        for c in np.flatnonzero(mr.seen):
            for j, cur in enumerate(mr.currencies):
                if not mr.value_conversions[j]:
                    continue  # a currency only unattributed conversions carry is not in the chain
                row = {
                    "attribution_model": markov_model_name(order),
                    "markov_order": order,
                    "channel": mr.channel_names[c],
                    "currency": cur,
                    "journeys": mr.n_journeys,
                    "converting_journeys": mr.n_conversions,
                    "conversion_probability": mr.p_conversion,
                    "conversion_probability_without_channel": float(mr.p_without[c]),
                    "removal_effect": float(mr.removal_effects[c]),
                    "conversion_share": float(mr.weights[c]),
                    "revenue": float(mr.value_totals[j]),
                    "revenue_per_journey": float(mr.value_per_journey[j]),
                    "revenue_per_journey_without_channel": float(mr.value_without[c, j]),
                    "revenue_removal_effect": np.nan
                    if mr.value_fallback[j]
                    else float(mr.removal_effects_by_value[c, j]),
                    "revenue_share": float(mr.value_weights[c, j]),
                    "chain_states": mr.n_states,
                    "chain_transitions": mr.n_transitions,
                    "solver": mr.solver,
                    "error_bound": mr.error_bound,
                }
                for k, v in row.items():
                    cols[k].append(v)
    kinds = {"markov_order": np.int64, "journeys": np.int64, "converting_journeys": np.int64}
    kinds |= {"chain_states": np.int64, "chain_transitions": np.int64}
    out: dict[str, AnyArray] = {}
    for k, values in cols.items():
        if k in ("attribution_model", "channel", "currency", "solver"):
            out[k] = np.array(values, dtype=object)
        else:
            out[k] = np.array(values, dtype=kinds.get(k, np.float64))
    return out
