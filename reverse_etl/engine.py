"""One sync run: read, validate, diff, guard, send, commit.

    1. under the warehouse lock: read the source rows and the ledger state (snapshot, learned ids, erasures);
    2. plan: invalid rows out, diff the rest against the last delivered snapshot, ask the circuit breaker;
       a dry run returns the plan here and writes nothing at all;
    3. under the lock: record the run as ``running`` with its planned operations (intent);
    4. without the lock: send to HubSpot (idempotent: upsert by id or email, list add/remove);
    5. under the lock, in one transaction: outcomes, learned ids, and the new snapshot without the rejected rows.

A crash between 4 and 5 leaves the snapshot as it was, so the next run plans the same diff and re-sends it; the
upserts and membership calls are idempotent, so nothing is duplicated (Castled's committed/uncommitted snapshot).
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from filelock import FileLock, Timeout

from reverse_etl.breaker import check
from reverse_etl.config import ContactPropertiesDestination, ListDestination, SyncDefinition
from reverse_etl.hubspot import HubSpotWriter, WriteInput
from reverse_etl.ledger import Ledger
from reverse_etl.models import Change, ChangeStatus, Plan, RunResult
from reverse_etl.plan import build_plan
from reverse_etl.source import read_source

log = logging.getLogger(__name__)

SAMPLE_ROWS = 5


class SyncRefused(RuntimeError):
    """The circuit breaker refused the run; the refusal is recorded in ``reverse_etl._sync_runs``."""

    def __init__(self, result: RunResult) -> None:
        super().__init__(f"sync {result.sync_name} refused: {result.message}")
        self.result = result


@dataclass
class RunOptions:
    dry_run: bool | None = None  # None: the definition's default
    allow_large_changes: bool = False
    # Called after sending, before the commit: tests raise here to simulate a crash at the worst moment.
    after_send: Callable[[list[Change]], None] | None = None
    raise_on_refusal: bool = False
    tags: dict[str, Any] = field(default_factory=dict)


class SyncBusy(RuntimeError):
    """Another process is running the same sync right now."""


@contextlib.contextmanager
def _single_run(ledger: Ledger, sync_name: str) -> Iterator[None]:
    """One run per sync at a time across processes (the Dagster pool limits runs it launches; this also covers the
    CLI and tests). Fail fast: a second run would plan against a snapshot the first is about to move."""
    if ledger.lock_path is None:
        yield
        return
    lock = FileLock(f"{ledger.lock_path}.reverse_etl.{sync_name}.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise SyncBusy(f"sync {sync_name} is already running in another process") from None
    try:
        yield
    finally:
        lock.release()


def run_sync(
    sync: SyncDefinition, ledger: Ledger, writer: HubSpotWriter, options: RunOptions | None = None
) -> RunResult:
    options = options or RunOptions()
    with _single_run(ledger, sync.name):
        return _run(sync, ledger, writer, options)


def _run(sync: SyncDefinition, ledger: Ledger, writer: HubSpotWriter, options: RunOptions) -> RunResult:
    dry_run = sync.dry_run if options.dry_run is None else options.dry_run

    with ledger.transaction() as conn:
        rows = read_source(conn, sync)
        state = ledger.state(conn, sync.name)
    plan = build_plan(sync, rows, state)
    counts = plan.counts()
    verdict = check(plan, sync.thresholds, allow_large_changes=options.allow_large_changes)

    if dry_run:
        # The plan only: no HubSpot call, no ledger row, no snapshot move (drt-hub/drt#978).
        message = "dry run: nothing sent, nothing recorded"
        if not verdict.allowed:
            message += f"; a real run would be refused: {verdict.reason}"
        return RunResult(
            None, sync.name, "dry_run", True, counts, message, samples=_samples(plan), invalid=_invalid(plan)
        )

    run_id = uuid.uuid4().hex
    if not verdict.allowed:
        with ledger.transaction() as conn:
            ledger.record_refused(conn, run_id, sync.name, counts, verdict.reason)
        result = RunResult(
            run_id, sync.name, "refused", False, counts, verdict.reason, samples=_samples(plan), invalid=_invalid(plan)
        )
        if options.raise_on_refusal:
            raise SyncRefused(result)
        return result
    if verdict.overridden:
        log.warning("sync %s: breaker overridden by allow_large_changes: %s", sync.name, verdict.reason)

    with ledger.transaction() as conn:
        ledger.start_run(conn, run_id, sync.name, counts, plan.changes)

    calls_before = writer.batch_calls
    try:
        learned, notes = _send(sync, plan, writer, state.interrupted_adds)
    except Exception as exc:
        with ledger.transaction() as conn:
            ledger.finish_run(
                conn,
                run_id=run_id,
                sync_name=sync.name,
                status="failed",
                counts=counts,
                done=[],
                invalid=[],
                learned_ids={},
                message=writer._clean(f"{type(exc).__name__}: {exc}"),
            )
        raise
    for c in plan.changes:
        if c.status == "pending":  # defensive: a row the writer never answered for is not delivered
            _mark(c, "rejected", None, error="not sent")
    if options.after_send is not None:
        options.after_send(plan.changes)

    rejected = [c for c in plan.changes if c.status == "rejected"]
    delivered = sum(1 for c in plan.changes if c.status == "delivered")
    counts = {
        **counts,
        "rejected": len(rejected),
        "delivered": delivered,
        "batch_calls": writer.batch_calls - calls_before,
    }
    status = "partial" if rejected else "success"
    message = "; ".join(notes)
    with ledger.transaction() as conn:
        ledger.finish_run(
            conn,
            run_id=run_id,
            sync_name=sync.name,
            status=status,
            counts=counts,
            done=plan.changes,
            invalid=[(i.key, i.reason) for i in plan.invalid],
            learned_ids=learned,
            message=message,
            changes_retention_days=sync.changes_retention_days,
        )
    return RunResult(
        run_id,
        sync.name,
        status,
        False,
        counts,
        message,
        samples=_samples(plan),
        rejected=[{"record_key": c.key, "operation": c.operation, "error": c.error or ""} for c in rejected],
        invalid=_invalid(plan),
        http=writer.http.stats.as_metadata(),
    )


# -- sending -----------------------------------------------------------------------------------------------------


def _send(
    sync: SyncDefinition, plan: Plan, writer: HubSpotWriter, interrupted_adds: frozenset[str]
) -> tuple[dict[str, str], list[str]]:
    dest = sync.destination
    if isinstance(dest, ListDestination):
        return _send_list(sync, dest, plan, writer, interrupted_adds)
    return _send_properties(sync, dest, plan, writer)


def _send_properties(
    sync: SyncDefinition, dest: ContactPropertiesDestination, plan: Plan, writer: HubSpotWriter
) -> tuple[dict[str, str], list[str]]:
    notes: list[str] = []
    learned: dict[str, str] = {}
    writes = [c for c in plan.changes if c.operation in ("add", "change")]
    removes = [c for c in plan.changes if c.operation == "remove"]
    if writes or (removes and sync.mode == "mirror"):
        created, warnings = writer.ensure_properties(sync.mappings, dest.property_group)
        notes += [f"created HubSpot properties: {', '.join(created)}"] if created else []
        notes += warnings

    by_key = {c.key: c for c in writes}
    if sync.mode == "create_only":
        # Only records we have never matched are created; known contacts are left alone (and recorded as such).
        to_create = [c for c in writes if c.row and not c.row.object_id]
        for c in writes:
            if c not in to_create:
                _mark(c, "skipped", c.row.object_id if c.row else None, owned=c.previous.owned if c.previous else False)
        inputs = [
            WriteInput(c.key, None, None, {**c.row.payload, "email": c.row.email or ""}) for c in to_create if c.row
        ]
        results = writer.create(inputs, sync.batch_size)
    else:
        inputs = []
        for c in writes:
            if c.row is None:  # build_plan gives every add and change the row it sends
                raise RuntimeError(f"planned {c.operation} of {c.key!r} carries no row to send")
            id_property, ident = c.row.match
            inputs.append(WriteInput(c.key, id_property, ident, dict(c.row.payload)))
        results = (
            writer.update(inputs, sync.batch_size)
            if sync.mode == "update_only"
            else writer.upsert(inputs, sync.batch_size)
        )
    for r in results:
        c = by_key[r.ref]
        if r.ok:
            owned = bool(r.new) or (c.previous.owned if c.previous else False)
            _mark(c, "delivered", r.hubspot_id, owned=owned)
            if r.hubspot_id and c.row and c.row.object_id != r.hubspot_id:
                learned[c.key] = r.hubspot_id  # match on the id from now on: an email change must not duplicate
        else:
            _mark(c, "rejected", c.row.object_id if c.row else None, error=r.error)

    if removes:
        if sync.mode == "mirror":
            # Mirror clears the mapped properties this tool wrote on records that left the model; it never
            # deletes contacts (only erasure does).
            clear = {m.property: "" for m in sync.mappings}
            targets = [c for c in removes if c.previous and c.previous.destination_id]
            for c in removes:
                if c not in targets:
                    _mark(c, "skipped", None)
            res = writer.update(
                [WriteInput(c.key, "hs_object_id", c.previous.destination_id, clear) for c in targets if c.previous]
            )
            rm = {c.key: c for c in targets}
            for r in res:
                _mark(rm[r.ref], "delivered" if r.ok else "rejected", r.hubspot_id, error=r.error)
        else:
            for c in removes:
                _mark(c, "skipped", c.previous.destination_id if c.previous else None)
    return learned, notes


def _send_list(
    sync: SyncDefinition, dest: ListDestination, plan: Plan, writer: HubSpotWriter, interrupted_adds: frozenset[str]
) -> tuple[dict[str, str], list[str]]:
    notes: list[str] = []
    learned: dict[str, str] = {}
    if not plan.changes:
        return learned, notes
    list_id, created = writer.ensure_list(dest.list_name)
    if created:
        notes.append(f"created HubSpot list {dest.list_name!r} ({list_id})")
    # Members before we touch the list: anyone already there that we did not add (now or in a run that died before
    # its commit) was added by a person, and mirror mode must never remove them.
    before = writer.list_members(list_id)

    adds = [c for c in plan.changes if c.operation in ("add", "change")]
    # People without a HubSpot contact yet: upsert by email (idempotent) to get their id.
    need_ids = [c for c in adds if c.row and not c.row.object_id]
    ids: dict[str, str] = {c.key: c.row.object_id for c in adds if c.row and c.row.object_id}
    new_contacts: set[str] = set()
    if need_ids:
        results = writer.upsert([WriteInput(c.key, "email", c.row.email, {}) for c in need_ids if c.row])
        for r in results:
            if r.ok and r.hubspot_id:
                ids[r.ref] = r.hubspot_id
                learned[r.ref] = r.hubspot_id
                if r.new:
                    new_contacts.add(r.ref)
            else:
                _mark(next(c for c in need_ids if c.key == r.ref), "rejected", None, error=r.error)

    to_add = [c for c in adds if c.key in ids]
    added, missing, failed = writer.change_members(list_id, sorted({ids[c.key] for c in to_add}), add=True)
    for c in to_add:
        cid = ids[c.key]
        if cid in failed:
            _mark(c, "rejected", cid, error=failed[cid])
        elif cid in missing:
            _mark(c, "rejected", cid, error="OBJECT_NOT_FOUND: HubSpot has no live contact with this id")
        else:
            owned = (
                cid in added
                or cid not in before
                or cid in interrupted_adds
                or (c.previous.owned if c.previous else False)
            )
            _mark(c, "delivered", cid, owned=owned)

    # The old membership of a record whose contact changed (a merge) goes the same way as a removal.
    stale = [c for c in plan.changes if c.operation == "change" and c.previous and c.previous.destination_id]
    stale = [
        c for c in stale if c.status == "delivered" and c.previous and c.previous.destination_id != c.destination_id
    ]
    removes = [c for c in plan.changes if c.operation == "remove"]
    if sync.mode != "mirror":
        for c in removes:
            _mark(c, "skipped", c.previous.destination_id if c.previous else None)
        return learned, notes
    remove_ids: dict[str, Change] = {}
    for c in removes:
        prev = c.previous
        if prev and prev.owned and prev.destination_id:
            remove_ids[prev.destination_id] = c
        else:
            _mark(c, "skipped", prev.destination_id if prev else None)  # a human's member: left alone
    for c in stale:
        if c.previous and c.previous.owned and c.previous.destination_id:
            remove_ids.setdefault(c.previous.destination_id, c)
    if remove_ids:
        _removed, _missing, failed = writer.change_members(list_id, sorted(remove_ids), add=False)
        for cid, c in remove_ids.items():
            if c.operation != "remove":
                continue
            if cid in failed:
                _mark(c, "rejected", cid, error=failed[cid])
            else:
                _mark(c, "delivered", cid)  # removed now, or already gone (a deleted contact is no member)
    return learned, notes


def _mark(
    c: Change, status: ChangeStatus, destination_id: str | None, *, owned: bool = False, error: str | None = None
) -> None:
    c.status = status
    c.destination_id = destination_id
    c.owned = owned
    c.error = error


# -- reporting ---------------------------------------------------------------------------------------------------


def _samples(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    """A few rows per operation for a dry run or the run's metadata: keys and payloads, never emails."""
    out: dict[str, list[dict[str, Any]]] = {}
    for op in ("add", "change", "remove"):
        rows = [c for c in plan.changes if c.operation == op][:SAMPLE_ROWS]
        out[op] = [
            {
                "record_key": c.key,
                "match": c.row.match[0] if c.row else "hs_object_id",
                "hubspot_id": (c.row.object_id if c.row else None)
                or (c.previous.destination_id if c.previous else None),
                **({"payload": c.row.payload} if c.row else {}),
            }
            for c in rows
        ]
    return out


def _invalid(plan: Plan) -> list[dict[str, str]]:
    return [{"record_key": i.key or "", "reason": i.reason} for i in plan.invalid]
