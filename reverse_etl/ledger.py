"""The sync ledger in the warehouse (schema ``reverse_etl``), through SQLAlchemy Core so it runs on DuckDB (through
duckdb-engine) and on PostgreSQL alike.

Tables: ``_sync_runs`` (one row per run), ``_changes`` (one row per planned operation), ``_snapshots`` (what each
sync last delivered, per record), ``_id_map`` (HubSpot ids learned when this tool created a contact), ``_erasures``
(hashed proof of processed erasure requests) and ``erasure_requests`` (the queue people add to).

A DuckDB file has one writer at a time. Every transaction here holds ``connectors.raw.locking.warehouse_lock`` and opens
its own connection (``NullPool``), so the file is released while a sync talks to HubSpot.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from connectors.raw.locking import warehouse_lock
from reverse_etl.models import Change, SnapshotEntry

SCHEMA = "reverse_etl"
metadata = sa.MetaData(schema=SCHEMA)

sync_runs = sa.Table(
    "_sync_runs",
    metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("sync_name", sa.String(200), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    # running | success | partial | refused | failed | interrupted
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("dry_run", sa.Boolean, nullable=False, default=False),
    sa.Column("queried", sa.Integer, default=0),
    sa.Column("added", sa.Integer, default=0),
    sa.Column("changed", sa.Integer, default=0),
    sa.Column("removed", sa.Integer, default=0),
    sa.Column("unchanged", sa.Integer, default=0),
    sa.Column("invalid", sa.Integer, default=0),
    sa.Column("rejected", sa.Integer, default=0),
    sa.Column("delivered", sa.Integer, default=0),
    sa.Column("message", sa.Text),
)

changes = sa.Table(
    "_changes",
    metadata,
    sa.Column("run_id", sa.String(64), nullable=False),
    sa.Column("sync_name", sa.String(200), nullable=False),
    sa.Column("record_key", sa.String(200)),
    sa.Column("operation", sa.String(20), nullable=False),  # add | change | remove | invalid
    sa.Column("status", sa.String(20), nullable=False),  # pending | delivered | rejected | skipped | invalid
    sa.Column("destination_id", sa.String(64)),
    sa.Column("error", sa.Text),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
)

snapshots = sa.Table(
    "_snapshots",
    metadata,
    sa.Column("sync_name", sa.String(200), primary_key=True),
    sa.Column("record_key", sa.String(200), primary_key=True),
    sa.Column("payload_hash", sa.String(64), nullable=False),
    sa.Column("destination_id", sa.String(64)),
    sa.Column("owned", sa.Boolean, nullable=False, default=False),
    sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
)

id_map = sa.Table(
    "_id_map",
    metadata,
    sa.Column("person_key", sa.String(200), primary_key=True),
    sa.Column("object_type", sa.String(40), primary_key=True),
    sa.Column("hubspot_id", sa.String(64), nullable=False),
    sa.Column("learned_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("learned_by", sa.String(200)),
)

erasures = sa.Table(
    "_erasures",
    metadata,
    sa.Column("identifier_hash", sa.String(64), primary_key=True),
    sa.Column("requested_at", sa.DateTime(timezone=True)),
    sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("result", sa.String(40), nullable=False),  # erased | not_in_crm | failed
    sa.Column("detail", sa.Text),
)

# Rows HubSpot rejected with the same payload on consecutive runs; a row rejected hold_after_rejections times is held
# back (planned as invalid) until its payload changes. Delete a row here to send it again as it is.
rejections = sa.Table(
    "_rejections",
    metadata,
    sa.Column("sync_name", sa.String(200), primary_key=True),
    sa.Column("record_key", sa.String(200), primary_key=True),
    sa.Column("payload_hash", sa.String(64), nullable=False),
    sa.Column("rejections", sa.Integer, nullable=False),
    sa.Column("last_error", sa.Text),
    sa.Column("last_rejected_at", sa.DateTime(timezone=True), nullable=False),
)

erasure_requests = sa.Table(
    "erasure_requests",
    metadata,
    sa.Column("email", sa.String(320)),
    sa.Column("person_key", sa.String(200)),
    sa.Column("requested_at", sa.DateTime(timezone=True)),
)


def now() -> datetime:
    return datetime.now(UTC)


def identifier_hash(kind: str, value: str) -> str:
    """The pseudonymous identifier kept for an erased person: sha256 of ``kind:value`` (emails lower-cased)."""
    norm = value.strip().lower() if kind == "email" else value.strip()
    return hashlib.sha256(f"{kind}:{norm}".encode()).hexdigest()


@dataclass(frozen=True)
class Rejection:
    """A row HubSpot rejected ``count`` runs in a row with the payload ``payload_hash``."""

    payload_hash: str
    count: int
    last_error: str | None


@dataclass(frozen=True)
class LedgerState:
    """What a run needs from the ledger before it plans: the last snapshot, learned ids, erased identifiers, list
    adds of earlier runs that died before committing (their members are ours even if the list has them), and the
    rows HubSpot keeps rejecting."""

    snapshot: dict[str, SnapshotEntry]
    id_map: dict[str, str]
    erased_hashes: frozenset[str]
    interrupted_adds: frozenset[str]
    rejections: dict[str, Rejection] = field(default_factory=dict)


class Ledger:
    """The ledger of one warehouse. ``url`` is a SQLAlchemy URL; a DuckDB path is locked for every transaction."""

    def __init__(self, url: str, *, lock_path: Path | None = None, lock_timeout_s: float = 600.0) -> None:
        self.url = url
        self.lock_path = lock_path
        self.lock_timeout_s = lock_timeout_s
        # NullPool: every transaction opens and closes its connection, so the DuckDB file is not held between them.
        self.engine = sa.create_engine(url, poolclass=NullPool)
        self._ready = False

    @classmethod
    def for_duckdb(cls, path: str | Path) -> Ledger:
        resolved = Path(path).expanduser().resolve()
        return cls(f"duckdb:///{resolved}", lock_path=resolved)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One atomic transaction under the warehouse write lock (DuckDB) — commit on success, roll back on error."""
        lock = (
            warehouse_lock(self.lock_path, timeout_s=self.lock_timeout_s)
            if self.lock_path
            else contextlib.nullcontext()
        )
        with lock, self.engine.begin() as conn:
            if not self._ready:
                conn.execute(sa.schema.CreateSchema(SCHEMA, if_not_exists=True))
                metadata.create_all(conn)
                self._ready = True
            yield conn

    # -- reads -------------------------------------------------------------------------------------------------

    def state(self, conn: Connection, sync_name: str) -> LedgerState:
        snap = {
            r.record_key: SnapshotEntry(r.record_key, r.payload_hash, r.destination_id, bool(r.owned))
            for r in conn.execute(sa.select(snapshots).where(snapshots.c.sync_name == sync_name))
        }
        ids = {
            r.person_key: r.hubspot_id
            for r in conn.execute(
                sa.select(id_map.c.person_key, id_map.c.hubspot_id).where(id_map.c.object_type == "contacts")
            )
        }
        rejected = {
            r.record_key: Rejection(r.payload_hash, r.rejections, r.last_error)
            for r in conn.execute(sa.select(rejections).where(rejections.c.sync_name == sync_name))
        }
        return LedgerState(
            snap,
            ids,
            frozenset(self.erased_hashes(conn)),
            frozenset(self._interrupted_adds(conn, sync_name)),
            rejected,
        )

    def erased_hashes(self, conn: Connection) -> set[str]:
        """Identifiers of people who asked to be erased: processed (hashed) and still queued (hashed here)."""
        out = {r.identifier_hash for r in conn.execute(sa.select(erasures.c.identifier_hash))}
        for r in conn.execute(sa.select(erasure_requests.c.email, erasure_requests.c.person_key)):
            if r.email:
                out.add(identifier_hash("email", r.email))
            if r.person_key:
                out.add(identifier_hash("person_key", r.person_key))
        return out

    def _interrupted_adds(self, conn: Connection, sync_name: str) -> set[str]:
        stale = sa.select(sync_runs.c.run_id).where(sync_runs.c.sync_name == sync_name, sync_runs.c.status == "running")
        rows = conn.execute(
            sa.select(changes.c.destination_id).where(
                changes.c.run_id.in_(stale),
                changes.c.operation.in_(("add", "change")),
                changes.c.destination_id.is_not(None),
            )
        )
        return {r.destination_id for r in rows}

    def runs(self, sync_name: str | None = None) -> list[dict[str, Any]]:
        with self.transaction() as conn:
            q = sa.select(sync_runs).order_by(sync_runs.c.started_at)
            if sync_name:
                q = q.where(sync_runs.c.sync_name == sync_name)
            return [dict(r._mapping) for r in conn.execute(q)]

    # -- writes ------------------------------------------------------------------------------------------------

    def start_run(
        self, conn: Connection, run_id: str, sync_name: str, counts: dict[str, int], planned: list[Change]
    ) -> None:
        """Record the run as running with its planned operations (intent), before anything is sent."""
        conn.execute(
            sync_runs.insert().values(
                run_id=run_id,
                sync_name=sync_name,
                started_at=now(),
                status="running",
                dry_run=False,
                **_run_counts(counts),
            )
        )
        self._insert_changes(conn, run_id, sync_name, planned, pending=True)

    def record_refused(
        self, conn: Connection, run_id: str, sync_name: str, counts: dict[str, int], message: str
    ) -> None:
        """A run the circuit breaker stopped: logged, and nothing else moves."""
        at = now()
        conn.execute(
            sync_runs.insert().values(
                run_id=run_id,
                sync_name=sync_name,
                started_at=at,
                finished_at=at,
                status="refused",
                dry_run=False,
                message=message,
                **_run_counts(counts),
            )
        )

    def finish_run(
        self,
        conn: Connection,
        *,
        run_id: str,
        sync_name: str,
        status: str,
        counts: dict[str, int],
        done: list[Change],
        invalid: Iterable[tuple[str | None, str]],
        learned_ids: dict[str, str],
        message: str = "",
        changes_retention_days: int | None = None,
    ) -> None:
        """Commit a run atomically: outcomes, learned ids and the new snapshot (without rejected rows). With
        ``changes_retention_days``, the sync's ``_changes`` rows older than that go in the same transaction."""
        at = now()
        conn.execute(changes.delete().where(changes.c.run_id == run_id))
        self._insert_changes(conn, run_id, sync_name, done, pending=False)
        invalid_rows = [
            {
                "run_id": run_id,
                "sync_name": sync_name,
                "record_key": key,
                "operation": "invalid",
                "status": "invalid",
                "destination_id": None,
                "error": reason,
                "recorded_at": at,
            }
            for key, reason in invalid
        ]
        if invalid_rows:
            conn.execute(changes.insert(), invalid_rows)
        for person_key, hubspot_id in learned_ids.items():
            conn.execute(id_map.delete().where(id_map.c.person_key == person_key, id_map.c.object_type == "contacts"))
            conn.execute(
                id_map.insert().values(
                    person_key=person_key,
                    object_type="contacts",
                    hubspot_id=hubspot_id,
                    learned_at=at,
                    learned_by=sync_name,
                )
            )
        self._apply_snapshot(conn, sync_name, done, at)
        self._count_rejections(conn, sync_name, done, at)
        # Runs of this sync that died between sending and committing: this run re-planned and re-sent their diff.
        conn.execute(
            sync_runs.update()
            .where(sync_runs.c.sync_name == sync_name, sync_runs.c.status == "running", sync_runs.c.run_id != run_id)
            .values(status="interrupted", finished_at=at)
        )
        conn.execute(
            sync_runs.update()
            .where(sync_runs.c.run_id == run_id)
            .values(status=status, finished_at=at, message=message or None, **_run_counts(counts))
        )
        if changes_retention_days is not None:
            conn.execute(
                changes.delete().where(
                    changes.c.sync_name == sync_name,
                    changes.c.recorded_at < at - timedelta(days=changes_retention_days),
                )
            )

    def _apply_snapshot(self, conn: Connection, sync_name: str, done: list[Change], at: datetime) -> None:
        """Delivered adds/changes replace their snapshot row; delivered removes delete it; rejected rows keep the
        previous state, so the next run sees them as still different and sends them again."""
        touched = [c for c in done if c.status in ("delivered", "skipped")]
        keys = [c.key for c in touched]
        for chunk in _chunks(keys, 500):
            conn.execute(
                snapshots.delete().where(snapshots.c.sync_name == sync_name, snapshots.c.record_key.in_(chunk))
            )
        rows = [
            {
                "sync_name": sync_name,
                "record_key": c.key,
                "payload_hash": c.row.payload_hash,
                "destination_id": c.destination_id,
                "owned": c.owned,
                "synced_at": at,
            }
            for c in touched
            if c.operation != "remove" and c.row is not None
        ]
        if rows:
            conn.execute(snapshots.insert(), rows)

    def _count_rejections(self, conn: Connection, sync_name: str, done: list[Change], at: datetime) -> None:
        """A rejected add or change counts one more rejection of its payload (a new payload starts again at 1); a
        delivered one clears the count."""
        sent = [(c, c.row) for c in done if c.operation in ("add", "change") and c.row is not None]
        if not sent:
            return
        keys = [c.key for c, _ in sent]
        before: dict[str, tuple[str, int]] = {}
        for chunk in _chunks(keys, 500):
            where = (rejections.c.sync_name == sync_name, rejections.c.record_key.in_(chunk))
            for r in conn.execute(sa.select(rejections).where(*where)):
                before[r.record_key] = (r.payload_hash, r.rejections)
            conn.execute(rejections.delete().where(*where))
        rows = []
        for c, row in sent:
            if c.status != "rejected":
                continue
            previous_hash, count = before.get(c.key, ("", 0))
            rows.append(
                {
                    "sync_name": sync_name,
                    "record_key": c.key,
                    "payload_hash": row.payload_hash,
                    "rejections": (count if previous_hash == row.payload_hash else 0) + 1,
                    "last_error": c.error,
                    "last_rejected_at": at,
                }
            )
        if rows:
            conn.execute(rejections.insert(), rows)

    def _insert_changes(
        self, conn: Connection, run_id: str, sync_name: str, items: list[Change], *, pending: bool
    ) -> None:
        at = now()
        rows = [
            {
                "run_id": run_id,
                "sync_name": sync_name,
                "record_key": c.key,
                "operation": c.operation,
                "status": "pending" if pending else c.status,
                "destination_id": c.destination_id
                or (c.row.object_id if c.row else None)
                or (c.previous.destination_id if c.previous else None),
                "error": None if pending else c.error,
                "recorded_at": at,
            }
            for c in items
        ]
        if rows:
            conn.execute(changes.insert(), rows)

    # -- erasure -----------------------------------------------------------------------------------------------

    def purge_person(self, conn: Connection, person_key: str) -> None:
        """Forget a person everywhere the ledger knows them: snapshots, learned ids, change logs."""
        conn.execute(snapshots.delete().where(snapshots.c.record_key == person_key))
        conn.execute(id_map.delete().where(id_map.c.person_key == person_key))
        conn.execute(changes.delete().where(changes.c.record_key == person_key))
        conn.execute(rejections.delete().where(rejections.c.record_key == person_key))


def _run_counts(counts: dict[str, int]) -> dict[str, int]:
    cols = ("queried", "added", "changed", "removed", "unchanged", "invalid", "rejected", "delivered")
    return {c: int(counts.get(c, 0)) for c in cols}


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
