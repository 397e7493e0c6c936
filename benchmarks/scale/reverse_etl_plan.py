"""The reverse-ETL plan for changed rows: read the journey-fields sync's source rows from the built warehouse, then
``reverse_etl.plan.build_plan`` against a last-delivered snapshot in which every one of those rows had another
payload (so every row is a change: validation, payload hashing and the diff all run for each)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

SYNC = "journey_fields_to_contacts"


def _widen(rows: list[Any], n: int) -> list[Any]:
    """Small worlds have fewer persons than ``n``: repeat them under new keys and emails, so the plan still sees
    ``n`` distinct rows."""
    from dataclasses import replace

    out = list(rows[:n])
    k = 0
    while len(out) < n and rows:
        k += 1
        for r in rows:
            if len(out) >= n:
                break
            email = f"copy{k}.{r.email}" if r.email else None
            out.append(replace(r, key=f"{r.key}~{k}", email=email, object_id=None))
    return out


def run_plan_benchmark(warehouse: Path, n: int) -> dict[str, Any]:
    from reverse_etl.config import load_syncs
    from reverse_etl.ledger import LedgerState
    from reverse_etl.models import SnapshotEntry
    from reverse_etl.plan import build_plan
    from reverse_etl.source import read_source

    sync = load_syncs()[SYNC]
    engine = sa.create_engine(f"duckdb:///{warehouse}", connect_args={"read_only": True})
    started = time.perf_counter()
    with engine.connect() as conn:
        source = read_source(conn, sync)
    read_s = time.perf_counter() - started
    engine.dispose()
    rows = _widen(source, n)
    snapshot = {str(r.key): SnapshotEntry(str(r.key), "previous-payload", None, True) for r in rows}
    state = LedgerState(snapshot=snapshot, id_map={}, erased_hashes=frozenset(), interrupted_adds=frozenset())
    started = time.perf_counter()
    plan = build_plan(sync, rows, state)
    plan_s = time.perf_counter() - started
    ops: dict[str, int] = {}
    for c in plan.changes:
        ops[c.operation] = ops.get(c.operation, 0) + 1
    return {
        "sync": SYNC,
        "source_rows": len(source),
        "rows": len(rows),
        "read_source_s": read_s,
        "seconds": plan_s,
        "changes": ops,
        "invalid": len(plan.invalid),
        "unchanged": plan.unchanged,
    }
