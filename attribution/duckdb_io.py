"""Optional I/O: read touches and conversions from a DuckDB connection; write fct_attribution (touch-level models),
the standard Markov channel totals, the removal effects and the channel summary.

Only this module imports duckdb (lazily, through the connection it is given); the algorithms never do.
Inputs are any SQL relation (a table name or a ``select``) with the column names given as arguments.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from attribution.arrays import AnyArray, ObjectArray
from attribution.data import Conversions, Touches
from attribution.engine import AttributionResult
from attribution.standard_markov import REMOVAL_EFFECT_COLUMNS

#: Columns of the standard Markov channel totals (marts.fct_attribution_channel_totals), in order.
CHANNEL_TOTAL_COLUMNS = ("attribution_model", "channel", "currency", "conversions", "new_customers", "revenue")


def _relation(source: str) -> str:
    return f"({source})" if " " in source.strip() else source


def read_touches(
    con: Any,
    source: str,
    *,
    person_key: str = "person_key",
    touch_id: str = "touch_id",
    occurred_at: str = "occurred_at",
    channel: str = "channel",
    is_direct: str | None = None,
    is_lead_creation: str | None = None,
    is_opportunity_creation: str | None = None,
    where: str | None = None,
) -> Touches:
    """Touches ordered by (person, time, touch id) with channels dictionary-encoded in SQL (fast path in numpy)."""
    rel = _relation(source)
    flags = {
        "is_direct": is_direct,
        "is_lead_creation": is_lead_creation,
        "is_opportunity_creation": is_opportunity_creation,
    }
    flag_sql = "".join(f", coalesce({col}, false) as {name}" for name, col in flags.items() if col)
    filt = f"where {where}" if where else ""
    names = [r[0] for r in con.execute(f"select distinct {channel}::varchar from {rel} {filt} order by 1").fetchall()]
    if any(n is None for n in names):
        raise ValueError(f"{source}.{channel} has nulls")
    data = con.execute(
        f"""
        select {person_key} as person_key, {touch_id} as touch_id, epoch_us({occurred_at}) as occurred_us,
               (dense_rank() over (order by {channel}::varchar) - 1)::integer as channel_code{flag_sql}
        from {rel} {filt}
        order by person_key, occurred_us, touch_id
        """
    ).fetchnumpy()
    return Touches(
        person_key=np.asarray(data["person_key"]),
        touch_id=np.asarray(data["touch_id"]),
        occurred_at=np.asarray(data["occurred_us"], dtype=np.int64).view("datetime64[us]"),
        channel=np.asarray(data["channel_code"], dtype=np.int32),
        channel_names=names,
        **{name: np.asarray(data[name], dtype=bool) for name, col in flags.items() if col},
    )


def read_conversions(
    con: Any,
    source: str,
    *,
    conversion_id: str = "conversion_id",
    person_key: str = "person_key",
    converted_at: str = "converted_at",
    conversion_type: str | None = "conversion_type",
    revenue: str | None = "revenue",
    currency: str | None = "currency",
    is_first_conversion: str | None = None,
    where: str | None = None,
) -> Conversions:
    """Conversions ordered by (person, time). ``is_first_conversion`` is a boolean column or SQL expression marking a
    person's first conversion (new customers); without it no conversion counts as one."""
    rel = _relation(source)
    cols = [
        f"{conversion_id} as conversion_id",
        f"{person_key} as person_key",
        f"epoch_us({converted_at}) as converted_us",
        f"{conversion_type}::varchar as conversion_type" if conversion_type else "null::varchar as conversion_type",
        f"coalesce({revenue}, 0)::double as revenue" if revenue else "0::double as revenue",
        f"{currency}::varchar as currency" if currency else "null::varchar as currency",
        f"coalesce({is_first_conversion or 'false'}, false) as is_first_conversion",
    ]
    filt = f"where {where}" if where else ""
    data = con.execute(f"select {', '.join(cols)} from {rel} {filt} order by person_key, converted_us").fetchnumpy()

    def plain(a: Any) -> AnyArray:
        # NULLs become None (np.ma.filled(..., None) would use the masked array's default fill value, '?')
        if isinstance(a, np.ma.MaskedArray):
            values: ObjectArray = np.ma.getdata(a).astype(object)  # a copy: setting None below leaves `a` alone
            values[np.ma.getmaskarray(a)] = None
            return values
        return np.asarray(a)

    return Conversions(
        conversion_id=plain(data["conversion_id"]),
        person_key=plain(data["person_key"]),
        converted_at=np.asarray(data["converted_us"], dtype=np.int64).view("datetime64[us]"),
        conversion_type=plain(data["conversion_type"]),
        revenue=np.asarray(data["revenue"], dtype=np.float64),
        currency=plain(data["currency"]),
        is_first_conversion=np.asarray(data["is_first_conversion"], dtype=bool) if is_first_conversion else None,
    )


def write_attribution(
    con: Any,
    result: AttributionResult,
    table: str = "fct_attribution",
    summary_table: str | None = "rpt_attribution_channels",
) -> int:
    """(Re)create ``table`` with one row per conversion x touch x touch-level model and, optionally, the channel
    summary of every model (touch-level and standard Markov).

    Columns: conversion_id, touch_id (null for unattributed conversions), model, channel, credit, revenue_credit.
    Needs a result made by :func:`attribution.attribute` (it keeps the input ids). Returns the rows written.
    """
    if result.conversions is None or result.touches is None:
        raise ValueError("write_attribution needs a result from attribute() (with its inputs)")
    written = 0
    created = False
    for model in result.touch_models:
        rows = result.rows(model)
        frame = {  # noqa: F841 - read by DuckDB's replacement scan below
            "conversion_id": rows["conversion_id"],
            "touch_id": rows["touch_id"],
            "channel": rows["channel"],
            "credit": rows["credit"],
            "revenue_credit": rows["revenue_credit"],
        }
        select = (
            "select conversion_id, touch_id, ?::varchar as model, channel::varchar as channel, "
            "credit::double as credit, revenue_credit::double as revenue_credit from frame"
        )
        if not created:
            con.execute(f"create or replace table {table} as {select}", [model])
            created = True
        else:
            con.execute(f"insert into {table} {select}", [model])
        written += len(rows["credit"])
    if summary_table:
        summary = result.summary()  # noqa: F841 - read by DuckDB's replacement scan below
        con.execute(
            f"create or replace table {summary_table} as select model::varchar as model, channel::varchar as channel,"
            " currency::varchar as currency, conversions::double as conversions,"
            " new_customers::double as new_customers, revenue::double as revenue from summary"
        )
    return written


def _varchar(values: AnyArray) -> ObjectArray:
    # object arrays holding None are read as NULL only when every other value is a str
    return np.array([None if v is None else str(v) for v in values], dtype=object)


def write_channel_totals(con: Any, result: AttributionResult, table: str) -> int:
    """(Re)create ``table`` with the standard Markov models' credits: one row per model x channel x currency
    (:data:`CHANNEL_TOTAL_COLUMNS`). Returns the rows written."""
    totals = result.channel_totals()
    frame = {  # also read by DuckDB's replacement scan below
        "attribution_model": _varchar(totals["model"]),
        "channel": _varchar(totals["channel"]),
        "currency": _varchar(totals["currency"]),
        "conversions": totals["conversions"],
        "new_customers": totals["new_customers"],
        "revenue": totals["revenue"],
    }
    types = {c: "varchar" if frame[c].dtype == object else "double" for c in CHANNEL_TOTAL_COLUMNS}
    con.execute(f"create or replace table {table} ({', '.join(f'{c} {t}' for c, t in types.items())})")
    if len(totals["model"]):
        con.execute(f"insert into {table} select {', '.join(CHANNEL_TOTAL_COLUMNS)} from frame")
    return len(totals["model"])


_REMOVAL_EFFECT_TYPES = {
    "attribution_model": "varchar",
    "markov_order": "integer",
    "channel": "varchar",
    "currency": "varchar",
    "journeys": "bigint",
    "converting_journeys": "bigint",
    "chain_states": "bigint",
    "chain_transitions": "bigint",
    "solver": "varchar",
}


def write_removal_effects(con: Any, result: AttributionResult, table: str) -> int:
    """(Re)create ``table`` with the removal effects of every fitted chain (:data:`REMOVAL_EFFECT_COLUMNS`): a NaN
    (an undefined value-weighted effect) is written as NULL. Returns the rows written."""
    effects = result.removal_effects_table()
    frame = {  # noqa: F841 - read by DuckDB's replacement scan below
        c: _varchar(v) if v.dtype == object else v for c, v in effects.items()
    }
    types = {c: _REMOVAL_EFFECT_TYPES.get(c, "double") for c in REMOVAL_EFFECT_COLUMNS}
    con.execute(f"create or replace table {table} ({', '.join(f'{c} {t}' for c, t in types.items())})")
    if len(effects["channel"]):
        select = ", ".join(
            f"case when isnan({c}) then null else {c} end" if t == "double" else c for c, t in types.items()
        )
        con.execute(f"insert into {table} select {select} from frame")
    return len(effects["channel"])


__all__ = [
    "CHANNEL_TOTAL_COLUMNS",
    "read_conversions",
    "read_touches",
    "write_attribution",
    "write_channel_totals",
    "write_removal_effects",
]
