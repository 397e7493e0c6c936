"""Bookkeeping tables beside a source's streams, written in the same transaction as the pages they describe.

A file-based source (Segment's event files) must remember which files it loaded, and that memory must never disagree
with the events: a file recorded as loaded whose events were lost would never be read again, and events whose file
is not recorded would be read twice by the next sync (their quarantine rows twice too). So a page may carry rows for
a *side table* of its source (``raw_segment._files``), and :meth:`connectors.raw.store.RawStore.commit_page` writes
them in the page's transaction, together with its records, quarantine rows and state. A reader that declares side
tables gets their rows before it starts (:func:`connectors.raw.sync.run_stream_sync`), so it knows what is done.

Side tables are named like the raw layer's own tables (a leading underscore), so nothing takes them for a stream;
each row also gets the ``_sync_id`` and ``_extracted_at`` of the page that wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

_NAME = re.compile(r"^_[a-z][a-z0-9_]*$")
_COLUMN = re.compile(r"^[a-z][a-z0-9_]*$")
# The raw layer's own tables: a side table may not take their names.
RESERVED = frozenset({"_sync_state", "_sync_runs", "_quarantine"})
TYPES = frozenset({"varchar", "bigint", "integer", "boolean", "date", "timestamp", "double", "json"})


@dataclass(frozen=True)
class SideTable:
    """A bookkeeping table of a source: its name, its columns (``(name, DuckDB type)``) and its primary key."""

    name: str
    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]

    def __post_init__(self) -> None:
        if not _NAME.match(self.name) or self.name in RESERVED:
            raise ValueError(f"side table name {self.name!r}: '_' then lower-case letters, digits, _; not {RESERVED}")
        names = [c for c, _ in self.columns]
        bad = [c for c, t in self.columns if not _COLUMN.match(c) or t not in TYPES]
        if bad or not self.key or not set(self.key) <= set(names) or len(set(names)) != len(names):
            raise ValueError(f"side table {self.name}: bad columns {bad or names} or key {self.key}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.columns)


@dataclass(frozen=True)
class SideRows:
    """Rows for one side table, carried by a page; each row maps every column of the table to its value."""

    table: SideTable
    rows: tuple[dict[str, Any], ...]


def ensure_side_table(con: duckdb.DuckDBPyConnection, schema: str, table: SideTable) -> str:
    qualified = f"{schema}.{table.name}"
    columns = ", ".join(f"{c} {t}" for c, t in table.columns)
    con.execute(
        f"""create table if not exists {qualified} (
                {columns}, _extracted_at timestamp not null, _sync_id varchar not null,
                primary key ({", ".join(table.key)})
            )"""
    )
    return qualified


def write_side_rows(
    con: duckdb.DuckDBPyConnection, schema: str, batch: SideRows, *, sync_id: str, extracted_at: datetime
) -> None:
    """Insert or replace ``batch`` on the table's key (inside the caller's transaction)."""
    table = batch.table
    qualified = ensure_side_table(con, schema, table)
    names = table.column_names
    for row in batch.rows:
        if set(row) != set(names):
            raise ValueError(f"{qualified}: a row must set exactly {names}, got {sorted(row)}")
    others = [c for c in (*names, "_extracted_at", "_sync_id") if c not in table.key]
    con.executemany(
        f"""insert into {qualified} ({", ".join(names)}, _extracted_at, _sync_id)
            values ({", ".join("?" for _ in names)}, ?, ?)
            on conflict ({", ".join(table.key)}) do update set
                {", ".join(f"{c} = excluded.{c}" for c in others)}""",
        [[row[c] for c in names] + [extracted_at, sync_id] for row in batch.rows],
    )


def read_side_table(con: duckdb.DuckDBPyConnection, schema: str, table: SideTable) -> list[dict[str, Any]]:
    """Every row of the table (created empty when missing), columns as declared, in key order."""
    qualified = ensure_side_table(con, schema, table)
    names = table.column_names
    rows = con.execute(f"select {', '.join(names)} from {qualified} order by {', '.join(table.key)}").fetchall()
    return [dict(zip(names, r, strict=True)) for r in rows]
