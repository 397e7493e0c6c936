"""An independent Markov attribution solve for tests: ChannelAttribution's definition, written from scratch.

Nothing here calls the engine (attribution.markov): journeys are counted into an order-k chain in plain Python with
ChannelAttribution's states (sliding windows of k channels; a journey shorter than k is one state of its whole
sequence), self-transitions are kept, and every absorption probability comes from the absorbing chain's fundamental
matrix ``N = (I - Q)^-1`` (``B = N R``). The standard whole-data-set allocation is then

    conversions_c = total conversions x RE_c / sum(RE),   RE_c = 1 - P(conversion | c removed) / P(conversion)

and, per currency, revenue with the value-weighted removal effects (the conversion's revenue as its value).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

START, CONV, NULL = "(start)", "(conversion)", "(null)"


@dataclass(frozen=True)
class Journey:
    """One walk: its channels, whether it converted, and the conversion's revenue, currency and first flag."""

    channels: tuple[str, ...]
    converted: bool
    revenue: float = 0.0
    currency: str | None = None
    is_first: bool = False


@dataclass
class ReferenceSolve:
    channels: list[str]
    currencies: list[str | None]
    journeys: int
    conversions: int
    p: float
    p_without: dict[str, float]
    value: dict[str | None, float]
    value_without: dict[tuple[str, str | None], float]
    removal_effect: dict[str, float] = field(default_factory=dict)
    value_removal_effect: dict[tuple[str, str | None], float] = field(default_factory=dict)
    #: (channel, currency) -> the standard allocation of conversions, first conversions and revenue.
    conversions_credited: dict[tuple[str, str | None], float] = field(default_factory=dict)
    new_customers_credited: dict[tuple[str, str | None], float] = field(default_factory=dict)
    revenue_credited: dict[tuple[str, str | None], float] = field(default_factory=dict)


def _states(channels: tuple[str, ...], order: int) -> list[tuple[str, ...]]:
    if len(channels) <= order:
        return [channels]
    return [channels[i : i + order] for i in range(len(channels) - order + 1)]


def _absorption(transitions: dict, states: list, rhs: dict[str, dict], removed: str | None) -> dict[str, float]:
    """From START: the expected value of each right-hand side (per-state reward of moving to CONV)."""
    kept = [s for s in states if s == START or removed is None or removed not in s]
    index = {s: i for i, s in enumerate(kept)}
    n = len(kept)
    q = np.zeros((n, n))
    for s in kept:
        total = sum(transitions[s].values())
        for t, count in transitions[s].items():
            if t in index:  # a removed state, CONV and NULL are all outside Q
                q[index[s], index[t]] += count / total
    fundamental = np.linalg.inv(np.eye(n) - q)
    out = {}
    for name, reward in rhs.items():
        r = np.array([reward.get(s, 0.0) for s in kept])
        out[name] = float((fundamental @ r)[index[START]])
    return out


def solve(journeys: list[Journey], order: int) -> ReferenceSolve:
    transitions: dict = defaultdict(lambda: defaultdict(int))
    reward_conv: dict = defaultdict(float)
    reward_value: dict = defaultdict(lambda: defaultdict(float))
    for j in journeys:
        if not j.channels:
            continue
        prev = START
        for s in _states(j.channels, order):
            transitions[prev][s] += 1
            prev = s
        transitions[prev][CONV if j.converted else NULL] += 1
        if j.converted:
            reward_conv[prev] += 1
            reward_value[j.currency][prev] += j.revenue
    states = [START, *sorted((s for s in transitions if s != START), key=str)]
    for s in states:
        transitions.setdefault(s, defaultdict(int))
    outflow = {s: sum(transitions[s].values()) for s in states}
    # rewards per visit of a state: P(next is CONV) and the expected revenue of that move, per currency
    rhs = {"conv": {s: reward_conv[s] / outflow[s] for s in reward_conv}}
    walked = [j for j in journeys if j.channels]
    currencies = sorted({j.currency for j in walked if j.converted}, key=lambda c: (c is None, c or ""))
    for cur in currencies:
        rhs[f"value:{cur}"] = {s: v / outflow[s] for s, v in reward_value[cur].items()}
    channels = sorted({c for j in walked for c in j.channels})

    full = _absorption(transitions, states, rhs, None)
    without = {c: _absorption(transitions, states, rhs, c) for c in channels}
    ref = ReferenceSolve(
        channels=channels,
        currencies=currencies,
        journeys=len(walked),
        conversions=sum(j.converted for j in walked),
        p=full["conv"],
        p_without={c: without[c]["conv"] for c in channels},
        value={cur: full[f"value:{cur}"] for cur in currencies},
        value_without={(c, cur): without[c][f"value:{cur}"] for c in channels for cur in currencies},
    )
    ref.removal_effect = {c: 1 - ref.p_without[c] / ref.p for c in channels}
    total_re = sum(ref.removal_effect.values())
    for cur in currencies:
        in_cur = [j for j in walked if j.converted and j.currency == cur]
        revenue = sum(j.revenue for j in in_cur)
        for c in channels:
            ref.value_removal_effect[(c, cur)] = 1 - ref.value_without[(c, cur)] / ref.value[cur]
        total_value_re = sum(ref.value_removal_effect[(c, cur)] for c in channels)
        for c in channels:
            share = ref.removal_effect[c] / total_re
            ref.conversions_credited[(c, cur)] = len(in_cur) * share
            ref.new_customers_credited[(c, cur)] = sum(j.is_first for j in in_cur) * share
            ref.revenue_credited[(c, cur)] = revenue * ref.value_removal_effect[(c, cur)] / total_value_re
    return ref
