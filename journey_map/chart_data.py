"""Turn the serving copy into the report's data island: every chart's rows plus the labels and choices it needs.

The browser only filters and sums these rows, so every number on screen traces back to one query here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from journey_map import queries, website
from journey_map.designed import DesignedJourneys, conformance
from journey_map.labels import CHANNELS, MODEL_NOTES, NO_COHORT, STAGES, UNKNOWN_PERSONA, label

# The model selected when the report opens: a data-driven model that credits every step of the path (the standard
# Markov model first; it shows everyone under persona and cohort filters, and says so).
PREFERRED_MODELS = ("markov_1", "markov_path_1", "shapley", "linear")
PREFERRED_FUNNEL = "journey_stages"
FUNNEL_LABELS = {
    "journey_stages": "Journey stages",
    "demo_to_deal": "Demo request to deal won",
    "ad_click_to_purchase": "Ad click to purchase",
}


def build_chart_data(serving: Path, designs: DesignedJourneys, *, max_path_steps: int = 6) -> dict[str, Any]:
    with queries.connect(serving) as con:
        tables = {
            "stage_flow": queries.stage_flow(con),
            "stage_feedback": queries.stage_feedback(con),
            "channel_paths": queries.channel_paths(con, max_path_steps),
            "funnels": queries.funnels(con),
            "time_in_stage": queries.time_in_stage(con),
            "speed_to_lead": queries.speed_to_lead(con),
            "revenue": queries.attributed_revenue(con),
            "revenue_whole": queries.attributed_revenue_whole(con),
            "spend": queries.spend(con),
            "landing_pages": website.landing_pages(con),
            "devices": website.devices(con),
            "visitor_exits": website.visitor_exits(con),
        }
        sequences = queries.stage_sequences(con)
        summary = queries.summary(con)
    design_rows = conformance(designs, sequences)
    data: dict[str, Any] = {name: table.as_json() for name, table in tables.items()}
    data["design"] = {
        "columns": ["persona", "cohort", "outcome", "steps_followed", "departure", "persons"],
        "rows": design_rows,
    }
    return {"meta": _meta(tables, designs, summary, serving, max_path_steps), "data": data}


def _distinct(table: queries.Table, column: str) -> list[Any]:
    i = table.columns.index(column)
    return sorted({row[i] for row in table.rows if row[i] is not None})


def _meta(
    tables: dict[str, queries.Table],
    designs: DesignedJourneys,
    summary: dict[str, Any],
    serving: Path,
    max_path_steps: int,
) -> dict[str, Any]:
    personas = sorted(
        set(_distinct(tables["stage_flow"], "persona")) | set(_distinct(tables["funnels"], "persona")),
        key=lambda p: (p == UNKNOWN_PERSONA, p),
    )
    cohorts = sorted(
        set(_distinct(tables["stage_flow"], "cohort")) | set(_distinct(tables["funnels"], "cohort")),
        key=lambda c: (c == NO_COHORT, c),
    )
    whole_models = _distinct(tables["revenue_whole"], "model")
    models = sorted({*_distinct(tables["revenue"], "model"), *whole_models})
    funnels = _distinct(tables["funnels"], "funnel")
    channels = {*_distinct(tables["revenue"], "channel"), *_distinct(tables["revenue_whole"], "channel")}
    codes = {*STAGES, *CHANNELS, *personas, *models, *channels, "conversion", "drop_off"}
    codes |= set(_distinct(tables["funnels"], "entry_channel")) | set(_distinct(tables["devices"], "device"))
    labels = {code: label(code) for code in codes}
    labels.update({f: FUNNEL_LABELS.get(f, label(f)) for f in funnels})
    labels.update({c: _month_label(c) for c in cohorts})
    return {
        "title": "Customer journey map",
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "source": str(serving),
        "summary": summary,
        "stages": list(STAGES),
        "personas": personas,
        "cohorts": cohorts,
        "models": models,
        # models credited over the whole data set (rows of revenue_whole, not of revenue): no persona or cohort split
        "whole_data_set_models": whole_models,
        "model_notes": {m: MODEL_NOTES[m] for m in models if m in MODEL_NOTES},
        "default_model": next((m for m in PREFERRED_MODELS if m in models), models[0] if models else None),
        "funnels": funnels,
        "default_funnel": PREFERRED_FUNNEL if PREFERRED_FUNNEL in funnels else (funnels[0] if funnels else None),
        "max_path_steps": max_path_steps,
        "speed_buckets": [name for name, _ in queries.SPEED_BUCKETS] + [queries.NO_RESPONSE],
        "stage_time_buckets": [name for name, _ in queries.STAGE_TIME_BUCKETS],
        "designs": {
            persona: {"description": d.description, "steps": [s.model_dump() for s in d.steps]}
            for persona, d in designs.personas.items()
        },
        "labels": labels,
    }


def _month_label(cohort: str) -> str:
    try:
        return datetime.strptime(cohort, "%Y-%m").strftime("%B %Y")
    except ValueError:
        return label(cohort)
