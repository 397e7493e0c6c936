"""The raw layer: one DuckDB table per stream holding the vendor's JSON payload plus load metadata.

Every write goes through :meth:`RawStore.commit_page`, which merges a page of records on the primary key (the newest
version wins, archived records stay as a flag), records quarantined rows and saves the stream's sync state, all in
one transaction. A sync that dies between two pages therefore leaves the warehouse at the last committed page, and the
next run resumes from the state saved with it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from connectors.core.redaction import scrub
from connectors.raw.bookkeeping import SideRows, SideTable, ensure_side_table, read_side_table, write_side_rows
from connectors.raw.jsontext import payload_json, quarantine_text, state_json, storable
from connectors.raw.locking import connect_warehouse, warehouse_lock

_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class RawRecord:
    """One record as it will be stored: the vendor payload untouched except for keys the connector documents."""

    record_id: str
    payload: dict[str, Any]
    updated_at: datetime | None
    is_archived: bool = False


@dataclass(frozen=True)
class QuarantinedRecord:
    """A record that broke its stream's contract. It is kept, with the reason, instead of being dropped.

    ``reason`` is a code from :class:`connectors.raw.contracts.Reason` (stable, counted); ``detail`` says which field
    and value broke the contract, for a person reading the row.
    """

    reason: str
    payload: Any
    record_id: str | None = None
    detail: str = ""

    @classmethod
    def of(cls, violation: Any, payload: Any, record_id: str | None = None) -> QuarantinedRecord:
        """From a :class:`connectors.raw.contracts.Violation`."""
        return cls(str(violation.reason), payload, record_id, violation.detail)


@dataclass
class SyncState:
    """What a stream's last sync left behind: its cursor, and where to resume if it did not finish."""

    stream: str
    state: dict[str, Any] = field(default_factory=dict)
    status: str = "never_run"  # never_run | running | complete | partial | failed | unavailable
    sync_id: str | None = None
    updated_at: datetime | None = None


def _check_ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"{name!r} is not a valid raw table or schema name (lower-case letters, digits, _)")
    return name


def utc_now() -> datetime:
    """Naive UTC timestamp: DuckDB TIMESTAMP columns in this project always hold UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


class RawStore:
    """Writer for schema ``raw_<source>`` in the warehouse file.

    Holds one DuckDB connection and the cross-process warehouse lock for as long as it is open, because DuckDB
    allows a single writing process per file.
    """

    def __init__(self, warehouse_path: str | Path, source: str, *, lock_timeout_s: float = 600.0) -> None:
        self.path = Path(warehouse_path).expanduser().resolve()
        self.source = _check_ident(source)
        self.schema = f"raw_{self.source}"
        self._lock_timeout_s = lock_timeout_s
        self._lock_cm: AbstractContextManager[None] | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        # Set by share(): the connection belongs to another store, which closes it and releases the lock.
        self._borrowed = False
        self._known_tables: set[str] = set()
        # Tables where a plain INSERT met a stored record_id: their later pages go straight to the upsert.
        self._upsert_tables: set[str] = set()

    # -- lifecycle -------------------------------------------------------------------------------------------

    def open(self) -> RawStore:
        if self._con is not None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = warehouse_lock(self.path, timeout_s=self._lock_timeout_s)
        lock.__enter__()
        self._lock_cm = lock
        try:
            self._con = connect_warehouse(self.path)
            self._ensure_meta_tables()
        except BaseException:
            lock.__exit__(None, None, None)
            self._lock_cm = None
            raise
        return self

    def share(self, owner: RawStore) -> RawStore:
        """Open on the connection of ``owner``, an open store of the same warehouse, so one process writing several
        sources opens the warehouse and takes its lock once. :meth:`close` then only lets go of the connection;
        ``owner`` closes it and releases the lock."""
        if owner.path != self.path:
            raise ValueError(f"cannot share a connection to another warehouse ({owner.path} is not {self.path})")
        self._con, self._borrowed = owner.con, True
        self._ensure_meta_tables()
        return self

    def close(self) -> None:
        if self._borrowed:
            self._con, self._borrowed = None, False
            return
        if self._con is not None:
            self._con.close()
            self._con = None
        if self._lock_cm is not None:
            self._lock_cm.__exit__(None, None, None)
            self._lock_cm = None

    def __enter__(self) -> RawStore:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            raise RuntimeError("RawStore is not open; use it as a context manager")
        return self._con

    # -- schema ----------------------------------------------------------------------------------------------

    def _ensure_meta_tables(self) -> None:
        s = self.schema
        self.con.execute(f"create schema if not exists {s}")
        self.con.execute(
            f"""
            create table if not exists {s}._sync_state (
                stream varchar primary key,
                state json,
                status varchar not null,
                sync_id varchar,
                updated_at timestamp not null
            )"""
        )
        self.con.execute(
            f"""
            create table if not exists {s}._sync_runs (
                sync_id varchar not null,
                stream varchar not null,
                mode varchar not null,
                started_at timestamp not null,
                finished_at timestamp,
                status varchar not null,
                pages integer not null default 0,
                records integer not null default 0,
                quarantined integer not null default 0,
                error varchar,
                primary key (sync_id, stream)
            )"""
        )
        # Added after the first release: warehouses created before get the columns here.
        self.con.execute(f"alter table {s}._sync_runs add column if not exists quarantined_by_reason json")
        # What a reader reports beyond pages and records (files seen and loaded, why a stream was unavailable).
        self.con.execute(f"alter table {s}._sync_runs add column if not exists details json")
        self.con.execute(
            f"""
            create table if not exists {s}._quarantine (
                source varchar not null,
                stream varchar not null,
                sync_id varchar not null,
                record_id varchar,
                reason varchar not null,
                payload varchar,
                quarantined_at timestamp not null
            )"""
        )
        self.con.execute(f"alter table {s}._quarantine add column if not exists detail varchar")

    def ensure_stream(self, stream: str) -> str:
        """Create the stream's raw table if needed and return its qualified name."""
        table = f"{self.schema}.{_check_ident(stream)}"
        if table in self._known_tables:
            return table
        self.con.execute(
            f"""
            create table if not exists {table} (
                record_id varchar primary key,
                payload json not null,
                record_updated_at timestamp,
                is_archived boolean not null default false,
                _extracted_at timestamp not null,
                _sync_id varchar not null
            )"""
        )
        self._known_tables.add(table)
        return table

    def ensure_side_table(self, table: SideTable) -> str:
        """Create a bookkeeping table of this source (:mod:`connectors.raw.bookkeeping`) if needed."""
        return ensure_side_table(self.con, self.schema, table)

    def side_rows(self, table: SideTable) -> list[dict[str, Any]]:
        """Every row of a bookkeeping table of this source, in key order."""
        return read_side_table(self.con, self.schema, table)

    # -- writes ----------------------------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self.con.execute("begin transaction")
        try:
            yield self.con
        except BaseException:
            self.con.execute("rollback")
            raise
        else:
            self.con.execute("commit")

    def commit_page(
        self,
        stream: str,
        records: Sequence[RawRecord],
        *,
        sync_id: str,
        state: dict[str, Any] | None,
        status: str = "running",
        quarantined: Sequence[QuarantinedRecord] = (),
        side_rows: Sequence[SideRows] = (),
    ) -> int:
        """Merge one page and save the stream's state in a single transaction; returns rows written.

        Within the page, and against what is already stored, the version with the latest ``updated_at`` wins; a
        re-read of the same version (a lookback window, a resumed page) changes nothing but the load metadata.
        ``side_rows`` (bookkeeping the page carries, e.g. the file it finished) are written in the same transaction.
        """
        table = self.ensure_stream(stream)
        extracted_at = utc_now()
        rows = _dedupe_newest(records)
        # One statement over column lists: DuckDB's executemany runs a statement per row (a few hundred rows per
        # second); unnesting lists inserts tens of thousands.
        values = [
            [r.record_id for r in rows],
            [payload_json(r.payload, r.record_id) for r in rows],
            [r.updated_at for r in rows],
            [r.is_archived for r in rows],
            extracted_at,
            sync_id,
        ]
        # Most pages hold only records the table has never seen (a first sync, the new records of an incremental
        # one), and a plain INSERT writes them in about 60 % of the upsert's time. A page that meets a stored
        # record_id fails its INSERT, the whole transaction rolls back (nothing half-written), and the page is
        # merged by the upsert, which the table then keeps for the rest of this store's life.
        upsert = table in self._upsert_tables
        while True:
            try:
                self._write_page(
                    table, stream, rows, values, upsert, sync_id, state, status, quarantined, extracted_at, side_rows
                )
                return len(rows)
            except duckdb.ConstraintException:
                if upsert:
                    raise
                upsert = True
                self._upsert_tables.add(table)

    def _write_page(
        self,
        table: str,
        stream: str,
        rows: list[RawRecord],
        values: list[Any],
        upsert: bool,
        sync_id: str,
        state: dict[str, Any] | None,
        status: str,
        quarantined: Sequence[QuarantinedRecord],
        extracted_at: datetime,
        side_rows: Sequence[SideRows] = (),
    ) -> None:
        with self._transaction() as con:
            if rows:
                merge = (
                    """
                    on conflict (record_id) do update set
                        payload = excluded.payload,
                        record_updated_at = excluded.record_updated_at,
                        is_archived = excluded.is_archived,
                        _extracted_at = excluded._extracted_at,
                        _sync_id = excluded._sync_id
                    where t.record_updated_at is null
                       or excluded.record_updated_at is null
                       or excluded.record_updated_at >= t.record_updated_at
                    """
                    if upsert
                    else ""
                )
                con.execute(
                    f"""
                    insert into {table} as t
                        (record_id, payload, record_updated_at, is_archived, _extracted_at, _sync_id)
                    select unnest(?::varchar[]), unnest(?::varchar[])::json, unnest(?::timestamp[]),
                           unnest(?::boolean[]), ?::timestamp, ?::varchar
                    {merge}
                    """,
                    values,
                )
            if quarantined:
                con.executemany(
                    f"""insert into {self.schema}._quarantine
                        (source, stream, sync_id, record_id, reason, detail, payload, quarantined_at)
                        values (?, ?, ?, ?, ?, ?, ?, ?)""",
                    [
                        (
                            self.source,
                            stream,
                            sync_id,
                            None if q.record_id is None else storable(scrub(q.record_id)),
                            q.reason,
                            storable(scrub(q.detail)),
                            quarantine_text(q.payload),
                            extracted_at,
                        )
                        for q in quarantined
                    ],
                )
            for batch in side_rows:
                write_side_rows(con, self.schema, batch, sync_id=sync_id, extracted_at=extracted_at)
            if state is not None:
                self._save_state(con, stream, state, status=status, sync_id=sync_id)

    def _save_state(
        self, con: duckdb.DuckDBPyConnection, stream: str, state: dict[str, Any], *, status: str, sync_id: str
    ) -> None:
        values = [state_json(state), status, sync_id, utc_now(), stream]
        # Saved with every page: a plain update costs a third of an upsert's index probe, and only a stream's
        # first save inserts.
        updated = _scalar(
            con,
            f"""update {self.schema}._sync_state set state = ?, status = ?, sync_id = ?, updated_at = ?
                where stream = ?""",
            values,
        )
        if not updated:
            con.execute(
                f"""insert into {self.schema}._sync_state (state, status, sync_id, updated_at, stream)
                    values (?, ?, ?, ?, ?)""",
                values,
            )

    def save_state(self, stream: str, state: dict[str, Any], *, status: str, sync_id: str) -> None:
        with self._transaction() as con:
            self._save_state(con, stream, state, status=status, sync_id=sync_id)

    # -- sync runs -------------------------------------------------------------------------------------------

    def start_run(self, sync_id: str, stream: str, mode: str, *, resumes: str | None = None) -> list[str]:
        """Record that ``sync_id`` starts syncing ``stream``, and close the stream's runs that died.

        A run still ``running`` when another one starts was killed (this store holds the warehouse's single-writer
        lock, so no other process is syncing): it becomes ``failed`` with ``interrupted: resumed by sync <id>`` (the
        run ``resumes`` names, whose position this run continues) or ``interrupted: superseded by sync <id>``. Its
        ``finished_at`` stays null: when it died is not known. Returns the sync ids it closed.
        """
        with self._transaction() as con:
            dead = [
                r[0]
                for r in con.execute(
                    f"""select sync_id from {self.schema}._sync_runs
                        where stream = ? and status = 'running' and sync_id <> ? order by started_at""",
                    [stream, sync_id],
                ).fetchall()
            ]
            for old in dead:
                how = "resumed" if old == resumes else "superseded"
                con.execute(
                    f"""update {self.schema}._sync_runs set status = 'failed', error = ?
                        where sync_id = ? and stream = ?""",
                    [f"interrupted: {how} by sync {sync_id}", old, stream],
                )
            con.execute(
                f"""insert into {self.schema}._sync_runs (sync_id, stream, mode, started_at, status)
                    values (?, ?, ?, ?, 'running')
                    on conflict (sync_id, stream) do update set status = 'running', finished_at = null""",
                [sync_id, stream, mode, utc_now()],
            )
        return dead

    def finish_run(
        self,
        sync_id: str,
        stream: str,
        *,
        status: str,
        pages: int,
        records: int,
        quarantined: int,
        error: str | None = None,
        quarantined_by_reason: dict[str, int] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.con.execute(
            f"""update {self.schema}._sync_runs
                set finished_at = ?, status = ?, pages = ?, records = ?, quarantined = ?, error = ?,
                    quarantined_by_reason = ?, details = ?
                where sync_id = ? and stream = ?""",
            [
                utc_now(),
                status,
                pages,
                records,
                quarantined,
                None if error is None else storable(scrub(error)),
                json.dumps(dict(sorted((quarantined_by_reason or {}).items()))),
                None if details is None else storable(scrub(json.dumps(details, default=str))),
                sync_id,
                stream,
            ],
        )

    # -- reads -----------------------------------------------------------------------------------------------

    def get_state(self, stream: str) -> SyncState:
        row = self.con.execute(
            f"select state, status, sync_id, updated_at from {self.schema}._sync_state where stream = ?",
            [stream],
        ).fetchone()
        if row is None:
            return SyncState(stream=stream)
        return SyncState(
            stream=stream,
            state=json.loads(row[0]) if row[0] else {},
            status=row[1],
            sync_id=row[2],
            updated_at=row[3],
        )

    def count(self, stream: str) -> int:
        table = self.ensure_stream(stream)
        return _scalar(self.con, f"select count(*) from {table}")

    def quarantine_count(self, stream: str, sync_id: str | None = None) -> int:
        sql = f"select count(*) from {self.schema}._quarantine where stream = ?"
        params: list[Any] = [stream]
        if sync_id is not None:
            sql += " and sync_id = ?"
            params.append(sync_id)
        return _scalar(self.con, sql, params)

    def quarantine_counts(self, sync_id: str | None = None) -> dict[tuple[str, str, str], int]:
        """``{(source, stream, reason): rows}`` of this source's quarantine, for one sync or all of them."""
        return _quarantine_counts(self.con, [self.source], sync_id)


QuarantineKey = tuple[str, str, str]


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> int:
    """The one number a count or an update answers with (DuckDB reports an update's row count as a row)."""
    row = con.execute(sql, params).fetchone()
    if row is None:
        raise RuntimeError(f"DuckDB returned no row for: {sql.split()[0]} ...")
    return int(row[0])


def quarantine_counts(warehouse_path: str | Path, sync_id: str | None = None) -> dict[QuarantineKey, int]:
    """Quarantined rows per ``(source, stream, reason)`` across every ``raw_<source>`` schema of a warehouse.

    Opens the file read-only, so it must not be called while this process holds a :class:`RawStore` on it (use
    :meth:`RawStore.quarantine_counts` then).
    """
    path = Path(warehouse_path).expanduser().resolve()
    if not path.exists():
        return {}
    with duckdb.connect(str(path), read_only=True) as con:
        sources = [
            r[0].removeprefix("raw_")
            for r in con.execute(
                "select table_schema from information_schema.tables where table_name = '_quarantine' "
                "and table_schema like 'raw!_%' escape '!' order by 1"
            ).fetchall()
        ]
        return _quarantine_counts(con, sources, sync_id)


def _quarantine_counts(
    con: duckdb.DuckDBPyConnection, sources: Sequence[str], sync_id: str | None
) -> dict[QuarantineKey, int]:
    out: dict[QuarantineKey, int] = {}
    for source in sources:
        sql = f"select source, stream, reason, count(*) from raw_{_check_ident(source)}._quarantine"
        params: list[Any] = []
        if sync_id is not None:
            sql += " where sync_id = ?"
            params.append(sync_id)
        for src, stream, reason, n in con.execute(sql + " group by all order by all", params).fetchall():
            out[(src, stream, reason)] = int(n)
    return out


def _dedupe_newest(records: Iterable[RawRecord]) -> list[RawRecord]:
    """Keep one version per record id within a page: the newest, the last seen on a tie."""
    best: dict[str, RawRecord] = {}
    for r in records:
        cur = best.get(r.record_id)
        if cur is None or cur.updated_at is None or (r.updated_at is not None and r.updated_at >= cur.updated_at):
            best[r.record_id] = r
    return list(best.values())
