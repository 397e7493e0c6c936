"""marts.fct_attribution, marts.fct_attribution_channel_totals and marts.fct_markov_removal_effects: the attribution
engine (attribution/) run over the journey marts, as one Dagster multi-asset that writes the three in one transaction.

The engine runs in Python with numpy over paths read from fct_touchpoints and fct_conversions (exact Markov
chains and exact Shapley values have no practical SQL form; 1M journeys take about a second, docs/benchmarks.md).
fct_attribution holds the touch-level models (rule-based, markov_path_k, shapley); the standard Markov models
(markov_k: total conversions x RE_c / sum RE over the whole data set) credit channels, not touches, so they live in
fct_attribution_channel_totals, and the removal effects behind both in fct_markov_removal_effects. The dbt reports
read them through the dbt sources ``attribution.*``.
"""

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import numpy as np

from attribution import ALL_MODELS, AttributionConfig, AttributionResult, attribute
from attribution.duckdb_io import (
    read_conversions,
    read_touches,
    write_attribution,
    write_channel_totals,
    write_removal_effects,
)
from connectors.raw.locking import connect_warehouse, warehouse_lock
from pipelines.ingest.factory import OWNERS
from pipelines.settings import warehouse_path

ATTRIBUTION_KEY = dg.AssetKey(["marts", "fct_attribution"])
CHANNEL_TOTALS_KEY = dg.AssetKey(["marts", "fct_attribution_channel_totals"])
REMOVAL_EFFECTS_KEY = dg.AssetKey(["marts", "fct_markov_removal_effects"])
CHANNEL_TOTALS_TABLE = "marts.fct_attribution_channel_totals"
REMOVAL_EFFECTS_TABLE = "marts.fct_markov_removal_effects"
TOUCHPOINTS_KEY = dg.AssetKey(["marts", "fct_touchpoints"])
CONVERSIONS_KEY = dg.AssetKey(["marts", "fct_conversions"])

CREDITS_TABLE = "marts._attribution_credits"
# Same columns, in the same order, as the empty table of dbt_project/macros/attribution.sql.
ATTRIBUTION_COLUMNS = (
    "attribution_id",
    "attribution_model",
    "conversion_id",
    "touchpoint_id",
    "person_key",
    "conversion_type",
    "is_first_conversion",
    "converted_at",
    "currency",
    "channel",
    "sub_channel",
    "campaign_key",
    "campaign",
    "touched_at",
    "credit",
    "revenue_credit",
)


class AttributionSettings(dg.Config):
    """Which conversions count, the lookback window and the models (editable per run in the launchpad)."""

    lookback_days: float | None = 90.0
    # lead_became_customer is the lifecycle echo of a won deal or a first purchase (same instant): counting both
    # would give the second an empty path. Set to null to count every type of fct_conversions.
    conversion_types: list[str] | None = ["deal_won", "purchase"]
    models: list[str] = list(ALL_MODELS)
    half_life_days: float = 7.0
    # CRM bookkeeping touches (lifecycle and deal stage changes, the purchase itself) are outcomes, not touches
    # a channel earned; sales activities stay in (a meeting is part of the journey).
    excluded_channels: list[str] = ["crm"]

    def engine_config(self) -> AttributionConfig:
        return AttributionConfig(
            lookback_days=self.lookback_days,
            conversion_types=tuple(self.conversion_types) if self.conversion_types else None,
            models=tuple(self.models),
            half_life_days=self.half_life_days,
        )


@dataclass(frozen=True)
class AttributionRun:
    """What one run wrote, for logs and metadata."""

    result: AttributionResult
    rows_written: int
    touches: int
    seconds: float
    channel_total_rows: int = 0
    removal_effect_rows: int = 0


def touch_filter(excluded_channels: list[str]) -> str | None:
    if not excluded_channels:
        return None
    quoted = ", ".join("'" + c.replace("'", "''") + "'" for c in excluded_channels)
    return f"channel not in ({quoted})"


MEMORY_LIMIT_ENV = "JOURNEYHUB_DUCKDB_MEMORY_LIMIT"


def _duckdb_config() -> dict[str, str]:
    """DuckDB takes 80 % of RAM by default, on top of the touch arrays this process holds (about 4 GB at 10M
    touchpoints): ``JOURNEYHUB_DUCKDB_MEMORY_LIMIT`` (e.g. ``2GB``) caps it, and DuckDB spills instead."""
    limit = os.environ.get(MEMORY_LIMIT_ENV)
    return {"memory_limit": limit} if limit else {}


def run_attribution(warehouse: Path, config: AttributionConfig, excluded_channels: list[str]) -> AttributionRun:
    """Read the marts, attribute every counted conversion under every model, replace marts.fct_attribution, the
    standard Markov channel totals and the removal effects (one transaction)."""
    started = time.perf_counter()
    with warehouse_lock(warehouse), connect_warehouse(warehouse, config=_duckdb_config()) as con:
        touches = read_touches(
            con,
            "marts.fct_touchpoints",
            touch_id="touchpoint_id",
            is_direct="is_direct",
            is_lead_creation="is_lead_creation",
            is_opportunity_creation="is_opportunity_creation",
            where=touch_filter(excluded_channels),
        )
        # a person's first conversion of any type is an acquisition (new customers, CAC), as in fct_attribution
        conversions = read_conversions(con, "marts.fct_conversions", is_first_conversion="conversion_number = 1")
        result = attribute(touches, conversions, config)
        con.execute("begin transaction")
        # the engine's narrow rows go to a work table, then one statement joins the touch and conversion context in;
        # all three tables in one transaction, so readers see the old ones or the new ones, never a mix
        written = write_attribution(con, result, table=CREDITS_TABLE, summary_table=None)
        if not written:
            con.execute(
                f"create or replace table {CREDITS_TABLE} (conversion_id varchar, touch_id varchar, "
                "model varchar, channel varchar, credit double, revenue_credit double)"
            )
        con.execute(
            f"""
            create or replace table marts.fct_attribution as
            select
                md5(c.model || '|' || c.conversion_id || '|' || coalesce(c.touch_id, '')) as attribution_id,
                c.model as attribution_model,
                c.conversion_id,
                c.touch_id as touchpoint_id,
                v.person_key,
                v.conversion_type,
                v.conversion_number = 1 as is_first_conversion,
                v.converted_at,
                v.currency,
                c.channel,
                t.sub_channel,
                t.campaign_key,
                t.campaign,
                t.occurred_at as touched_at,
                c.credit,
                c.revenue_credit
            from {CREDITS_TABLE} as c
            join marts.fct_conversions as v on v.conversion_id = c.conversion_id
            left join marts.fct_touchpoints as t on t.touchpoint_id = c.touch_id
            order by v.converted_at, c.conversion_id, c.model, t.occurred_at
            """
        )
        con.execute(f"drop table {CREDITS_TABLE}")
        totals = write_channel_totals(con, result, CHANNEL_TOTALS_TABLE)
        effects = write_removal_effects(con, result, REMOVAL_EFFECTS_TABLE)
        con.execute("commit")
    return AttributionRun(result, written, len(touches.touch_id), time.perf_counter() - started, totals, effects)


def _credit_table(result: AttributionResult, field: str) -> str:
    """Markdown: one row per channel, one column per model, the credited conversions or revenue."""
    summary = result.summary()
    models = result.models
    channels = sorted({str(c) for c in summary["channel"]})
    cell: dict[tuple[str, str], float] = {}
    for model, channel, value in zip(summary["model"], summary["channel"], summary[field], strict=True):
        cell[(str(channel), str(model))] = cell.get((str(channel), str(model)), 0.0) + float(value)
    fmt = "{:,.1f}" if field == "conversions" else "{:,.0f}"
    lines = ["| channel | " + " | ".join(models) + " |", "|---" * (len(models) + 1) + "|"]
    for channel in channels:
        lines.append(f"| {channel} | " + " | ".join(fmt.format(cell.get((channel, m), 0.0)) for m in models) + " |")
    return "\n".join(lines)


def attribution_metadata(run: AttributionRun) -> dict[str, Any]:
    result = run.result
    meta: dict[str, Any] = {
        "dagster/row_count": run.rows_written,
        "conversions": result.n_conversions,
        "unattributed_conversions": result.n_unattributed,
        "touches_read": run.touches,
        "models": dg.MetadataValue.json(result.models),
        "conversions_by_channel": dg.MetadataValue.md(_credit_table(result, "conversions")),
        "revenue_by_channel": dg.MetadataValue.md(_credit_table(result, "revenue")),
        "duration_s": round(run.seconds, 2),
        "engine_timings_s": dg.MetadataValue.json({k: round(v, 3) for k, v in result.timings.items()}),
    }
    if result.markov:
        meta["markov_removal_effects"] = dg.MetadataValue.json(
            {
                f"markov_{order}": {
                    str(name): round(float(v), 4)
                    for name, v in zip(m.channel_names, np.asarray(m.removal_effects), strict=True)
                }
                for order, m in result.markov.items()
            }
        )
    return meta


def _removal_effects_md(result: AttributionResult) -> str:
    """Markdown: one row per channel, per fitted order the removal effect and the channel's share of conversions."""
    orders = list(result.markov)
    header = "| channel | " + " | ".join(f"RE order {k} | share order {k}" for k in orders) + " |"
    lines = [header, "|---" * (2 * len(orders) + 1) + "|"]
    channels = sorted(
        {c for m in result.markov.values() for c, seen in zip(m.channel_names, m.seen, strict=True) if seen}
    )
    for channel in channels:
        cells = []
        for k in orders:
            m = result.markov[k]
            i = m.channel_names.index(channel)
            cells += [f"{m.removal_effects[i]:.4f}", f"{m.weights[i]:.2%}"]
        lines.append(f"| {channel} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _mart_spec(key: dg.AssetKey, description: str) -> dg.AssetSpec:
    """One of the three tables the attribution asset writes: all read the same marts and sit in the marts group."""
    return dg.AssetSpec(
        key,
        description=description,
        deps=[TOUCHPOINTS_KEY, CONVERSIONS_KEY],
        group_name="marts",
        kinds={"python", "numpy", "duckdb"},
        owners=OWNERS,
        tags={"layer": "marts"},
    )


@dg.multi_asset(
    name="fct_attribution",
    specs=[
        _mart_spec(
            ATTRIBUTION_KEY,
            (
                "One row per conversion, touch and touch-level attribution model (first/last touch, last non-direct,"
                " linear, time decay, position based, W-shaped, Markov per path of order 1-3, exact Shapley): each"
                " touch's share of the conversion and its revenue. Computed in Python (numpy) from fct_touchpoints"
                " and fct_conversions."
            ),
        ),
        _mart_spec(
            CHANNEL_TOTALS_KEY,
            (
                "The standard Markov models (markov_1..3, ChannelAttribution's definition): one row per model,"
                " channel and currency with the conversions (total conversions x RE_c / sum RE), new customers and"
                " revenue (value-weighted removal effects) credited over the whole data set. Written with"
                " fct_attribution, in the same transaction."
            ),
        ),
        _mart_spec(
            REMOVAL_EFFECTS_KEY,
            (
                "Removal effects of every fitted Markov chain (order 1-3), one row per order, channel and currency:"
                " conversion probabilities with and without the channel, the removal effect, value-weighted"
                " effects and the shares that reproduce the standard Markov totals."
            ),
        ),
    ],
    pool="dbt_warehouse",
)
def fct_attribution(context: dg.AssetExecutionContext, config: AttributionSettings) -> Iterator[dg.MaterializeResult]:
    run = run_attribution(warehouse_path(), config.engine_config(), config.excluded_channels)
    result = run.result
    context.log.info(
        f"attributed {result.n_conversions} conversions ({result.n_unattributed} without a touch in the window) "
        f"from {run.touches} touches under {len(result.models)} models in {run.seconds:.1f}s"
    )
    yield dg.MaterializeResult(asset_key=ATTRIBUTION_KEY, metadata=attribution_metadata(run))
    yield dg.MaterializeResult(
        asset_key=CHANNEL_TOTALS_KEY,
        metadata={
            "dagster/row_count": run.channel_total_rows,
            "models": dg.MetadataValue.json(result.channel_models),
            "fallbacks": dg.MetadataValue.json({m: result.fallbacks.get(m, 0) for m in result.channel_models}),
        },
    )
    yield dg.MaterializeResult(
        asset_key=REMOVAL_EFFECTS_KEY,
        metadata={
            "dagster/row_count": run.removal_effect_rows,
            "removal_effects": dg.MetadataValue.md(_removal_effects_md(result)),
        },
    )
