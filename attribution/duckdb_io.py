"""Optional I/O: read touches and conversions from a DuckDB connection, write fct_attribution and the channel summary.

Only this module imports duckdb (lazily, through the connection it is given); the algorithms never do.
Inputs are any SQL relation (a table name or a ``select``) with the column names given as arguments.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from attribution.data import Conversions, Touches
from attribution.engine import AttributionResult


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
    where: str | None = None,
) -> Conversions:
    rel = _relation(source)
    cols = [
        f"{conversion_id} as conversion_id",
        f"{person_key} as person_key",
        f"epoch_us({converted_at}) as converted_us",
        f"{conversion_type}::varchar as conversion_type" if conversion_type else "null::varchar as conversion_type",
        f"coalesce({revenue}, 0)::double as revenue" if revenue else "0::double as revenue",
        f"{currency}::varchar as currency" if currency else "null::varchar as currency",
    ]
    filt = f"where {where}" if where else ""
    data = con.execute(f"select {', '.join(cols)} from {rel} {filt} order by person_key, converted_us").fetchnumpy()

    def plain(a: Any) -> np.ndarray:
        return np.ma.filled(a.astype(object), None) if isinstance(a, np.ma.MaskedArray) else np.asarray(a)

    return Conversions(
        conversion_id=plain(data["conversion_id"]),
        person_key=plain(data["person_key"]),
        converted_at=np.asarray(data["converted_us"], dtype=np.int64).view("datetime64[us]"),
        conversion_type=plain(data["conversion_type"]),
        revenue=np.asarray(data["revenue"], dtype=np.float64),
        currency=plain(data["currency"]),
    )


def write_attribution(
    con: Any,
    result: AttributionResult,
    table: str = "fct_attribution",
    summary_table: str | None = "rpt_attribution_channels",
) -> int:
    """(Re)create ``table`` with one row per conversion x touch x model and, optionally, the channel summary.

    Columns: conversion_id, touch_id (null for unattributed conversions), model, channel, credit, revenue_credit.
    Needs a result made by :func:`attribution.attribute` (it keeps the input ids). Returns the rows written.
    """
    if result.conversions is None or result.touches is None:
        raise ValueError("write_attribution needs a result from attribute() (with its inputs)")
    written = 0
    created = False
    for model in result.models:
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
            " currency::varchar as currency, conversions::double as conversions, revenue::double as revenue"
            " from summary"
        )
    return written


__all__ = ["read_conversions", "read_touches", "write_attribution"]
