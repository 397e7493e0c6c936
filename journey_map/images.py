"""PNG versions of the report's key charts, for places that cannot run the HTML report (the Dagster UI metadata).

Drawn with matplotlib's Agg backend from the same data island as the report, so both show the same numbers.
"""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display in a Dagster run or a test; must precede pyplot
import matplotlib.pyplot as plt

from journey_map.labels import CONVERTED, DROPPED, GREY, REVENUE, SPEND, label


def _rows(chart_data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    table = chart_data["data"][name]
    return [dict(zip(table["columns"], row, strict=True)) for row in table["rows"]]


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def stage_reach_png(chart_data: dict[str, Any]) -> bytes:
    """People who reached each stage, split into moved on / still there / dropped off there."""
    stages = chart_data["meta"]["stages"]
    parts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in _rows(chart_data, "stage_flow"):
        kind = r["target"] if r["target"] in ("still_here", "dropped_off") else "moved_on"
        parts[r["source"]][kind] += r["persons"]
    stages = [s for s in stages if s in parts]
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(stages) + 1.2))
    left = [0] * len(stages)
    for kind, name, color in (
        ("moved_on", "Moved on", REVENUE),
        ("still_here", "Still there", GREY),
        ("dropped_off", "Dropped off there", DROPPED),
    ):
        values = [parts[s][kind] for s in stages]
        ax.barh([label(s) for s in stages], values, left=left, color=color, label=name)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel("People who reached the stage")
    ax.set_title("How far people got in the journey")
    ax.legend(loc="lower right", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def revenue_spend_png(chart_data: dict[str, Any]) -> bytes:
    """Attributed revenue per channel under the default model, next to ad spend."""
    model = chart_data["meta"]["default_model"]
    # the standard Markov models are channel totals (revenue_whole); the others are summed from per-person rows
    table = "revenue_whole" if model in chart_data["meta"]["whole_data_set_models"] else "revenue"
    revenue: dict[str, float] = defaultdict(float)
    for r in _rows(chart_data, table):
        if r["model"] == model:
            revenue[r["channel"]] += r["revenue"]
    spend = {r["channel"]: r["spend"] for r in _rows(chart_data, "spend")}
    channels = sorted(set(revenue) | set(spend), key=lambda c: -revenue.get(c, 0))
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(channels) + 1.2))
    y = range(len(channels))
    ax.barh(
        [i - 0.2 for i in y],
        [revenue.get(c, 0) for c in channels],
        height=0.4,
        color=REVENUE,
        label=f"Attributed revenue ({label(model)})",
    )
    ax.barh([i + 0.2 for i in y], [spend.get(c, 0) for c in channels], height=0.4, color=SPEND, label="Ad spend")
    ax.set_yticks(list(y), [label(c) for c in channels])
    ax.invert_yaxis()
    ax.set_xlabel("USD")
    ax.set_title("Revenue credited to each channel, next to what it cost")
    ax.legend(loc="lower right", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def design_png(chart_data: dict[str, Any]) -> bytes | None:
    """Per persona with a designed journey: followed it all, on it so far, departed from it."""
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in _rows(chart_data, "design"):
        totals[r["persona"]][r["outcome"]] += r["persons"]
    if not totals:
        return None
    personas = sorted(totals)
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(personas) + 1.2))
    left = [0] * len(personas)
    for outcome, name, color in (
        ("completed", "Followed the whole design", CONVERTED),
        ("on_track", "On the design so far", "#56B4E9"),
        ("departed", "Departed from it", DROPPED),
    ):
        values = [totals[p][outcome] for p in personas]
        ax.barh([label(p) for p in personas], values, left=left, color=color, label=name)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel("People")
    ax.set_title("Designed journey: who follows it")
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def key_chart_images(chart_data: dict[str, Any]) -> dict[str, bytes]:
    """Title -> PNG of the charts worth a glance in the Dagster UI."""
    images = {
        "How far people got in the journey": stage_reach_png(chart_data),
        "Revenue by channel next to spend": revenue_spend_png(chart_data),
    }
    design = design_png(chart_data)
    if design is not None:
        images["Designed journey: who follows it"] = design
    return images
