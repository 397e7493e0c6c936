"""The sync engine shared by every vendor: pages in, one transaction per page, resumable state.

A vendor module supplies a :class:`StreamReader` that yields :class:`Page` objects. Each page carries the records,
anything quarantined, and the stream state *after* that page (cursor plus where to resume). The engine commits the
three together, so a run killed at any moment resumes exactly after its last committed page.

A page that stays malformed after the HTTP layer's retries (:class:`~connectors.core.errors.MalformedPageError`) does
not fail the run: the engine writes one ``malformed_page`` quarantine row (request path and a body excerpt, secrets
masked), keeps the state of the last good page and ends the stream as ``partial``. The cursor does not move, and the
next run resumes at the bad page, exactly like after a crash. A paging cursor that repeats
(:class:`~connectors.core.errors.RepeatedCursorError`, raised by every reader's
:class:`~connectors.core.paging.PageGuard`) ends the stream the same way, with one ``repeated_cursor`` row.

Files that cannot be read (:class:`~connectors.core.errors.UnreadableFileError`, a corrupt gzip member of a Segment
export) end the stream the same way, with one ``corrupt_file`` row per file naming it.

A stream the account does not offer (:class:`~connectors.core.errors.StreamUnavailableError`: a HubSpot portal
without the Events API) ends ``unavailable``: not an error, its state is kept, and the reason is the result's
``note``. A reader may report more than pages and records (files seen and loaded): its optional ``details()`` goes
into the progress lines, the result and ``_sync_runs.details``. A reader that declares ``side_tables``
(:mod:`connectors.raw.bookkeeping`) gets their rows through ``use_side_rows`` before it reads, and its pages may carry
rows for them, committed with the page.

A run that was killed leaves its ``_sync_runs`` row ``running``; the next run of the stream marks it ``failed``
(``interrupted: resumed by sync <id>`` when it continues that run's position, ``superseded`` otherwise).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from connectors.core.errors import (
    ConnectorError,
    MalformedPageError,
    PageError,
    RepeatedCursorError,
    StreamUnavailableError,
    UnreadableFileError,
)
from connectors.raw.bookkeeping import SideRows
from connectors.raw.contracts import Reason
from connectors.raw.store import QuarantinedRecord, RawRecord, RawStore, utc_now

log = logging.getLogger("connectors.raw.sync")

SyncMode = Literal["incremental", "full_refresh"]
# complete: every page read. partial: stopped at a malformed page (quarantined); the next run resumes there.
# unavailable: the account does not offer the stream (the result's note says why); nothing read, nothing failed.
SyncStatus = Literal["complete", "partial", "unavailable"]
# Statuses whose saved run position the next sync finishes first.
RESUMABLE = ("running", "failed", "partial", "unavailable")


@dataclass
class Page:
    records: list[RawRecord]
    state: dict[str, Any]
    quarantined: list[QuarantinedRecord] = field(default_factory=list)
    # bookkeeping rows committed with the page (connectors.raw.bookkeeping), e.g. the file it finished
    side_rows: list[SideRows] = field(default_factory=list)


class StreamReader(Protocol):
    """Reads one stream. ``state`` is what the last committed page saved (empty on a first run)."""

    name: str

    def read(self, state: dict[str, Any], mode: SyncMode, *, resuming: bool) -> Iterator[Page]: ...

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        """The state to keep once every page is in: the new cursor, no resume position."""
        ...


@dataclass
class SyncResult:
    """What one stream's sync did. ``quarantined`` is the total quarantine rows written by this run (records plus a
    malformed page), ``quarantined_by_reason`` the same split by reason code; ``status`` is ``complete`` or
    ``partial`` (then ``error`` says which request was malformed)."""

    source: str
    stream: str
    sync_id: str
    mode: str
    status: str
    pages: int
    records: int
    quarantined: int
    resumed: bool
    started_at: datetime
    finished_at: datetime
    cursor: Any = None
    error: str | None = None
    quarantined_by_reason: dict[str, int] = field(default_factory=dict)
    # what the reader reported beyond pages and records (files seen, loaded, late), and why a stream was unavailable
    details: dict[str, Any] = field(default_factory=dict)
    note: str | None = None

    @property
    def seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()


ProgressFn = Callable[[str], None]


def new_sync_id() -> str:
    return f"{utc_now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def run_stream_sync(
    store: RawStore,
    reader: StreamReader,
    *,
    mode: SyncMode = "incremental",
    sync_id: str | None = None,
    progress: ProgressFn | None = None,
    progress_every_s: float = 5.0,
) -> SyncResult:
    """Sync one stream into the raw store. Raises the connector's error after recording the failed run."""
    sync_id = sync_id or new_sync_id()
    previous = store.get_state(reader.name)
    # An unfinished previous run left a resume position: finish that run first, whatever mode was asked for,
    # because its pages are already merged and its cursor has not moved yet.
    resuming = previous.status in RESUMABLE and bool(previous.state.get("run"))
    state = dict(previous.state)
    effective_mode: SyncMode = state["run"].get("mode", mode) if resuming else mode
    started = utc_now()
    closed = store.start_run(
        sync_id,
        reader.name,
        effective_mode + (" (resumed)" if resuming else ""),
        resumes=previous.sync_id if resuming else None,
    )
    pages = records = 0
    reasons: Counter[str] = Counter()
    last_report = time.monotonic()
    say = progress or (lambda msg: log.info(msg))
    _prepare(store, reader)
    note: str | None = None
    if resuming:
        say(f"{store.source}.{reader.name}: resuming the unfinished sync {previous.sync_id} after its last page")
    if closed:
        log.warning("%s.%s: marked interrupted sync(s) %s failed", store.source, reader.name, ", ".join(closed))

    def finish(status: str, error: str | None = None) -> None:
        store.finish_run(
            sync_id,
            reader.name,
            status=status,
            pages=pages,
            records=records,
            quarantined=sum(reasons.values()),
            error=error,
            quarantined_by_reason=dict(reasons),
            details={**reader_details(reader), **({"note": note} if note else {})} or None,
        )

    status: SyncStatus = "complete"
    error: str | None = None
    final: dict[str, Any] = state
    try:
        for page in read_ahead(reader.read(state, effective_mode, resuming=resuming)):
            store.commit_page(
                reader.name,
                page.records,
                sync_id=sync_id,
                state=page.state,
                status="running",
                quarantined=page.quarantined,
                side_rows=page.side_rows,
            )
            state = page.state
            pages += 1
            records += len(page.records)
            reasons.update(str(q.reason) for q in page.quarantined)
            if time.monotonic() - last_report >= progress_every_s:
                say(f"{store.source}.{reader.name}: {pages} pages, {records} records so far{_details_text(reader)}")
                last_report = time.monotonic()
        # A first incremental sync has no cursor and reads everything: report what the reader actually did.
        effective_mode = (state.get("run") or {}).get("mode", effective_mode)
        final = reader.final_state(state)
        store.save_state(reader.name, final, status="complete", sync_id=sync_id)
    except PageError as exc:
        # The state stays that of the last committed page (cursor unmoved, resume position at the bad page), saved
        # together with the quarantine row; the reader's later pages are not read this run.
        status = "partial"
        error, rows = _page_error_rows(store, reader, exc)
        store.commit_page(reader.name, [], sync_id=sync_id, state=state, status="partial", quarantined=rows)
        reasons.update(str(row.reason) for row in rows)
        effective_mode = (state.get("run") or {}).get("mode", effective_mode)
        final = state
        log.warning("%s.%s: %s; stream ends partial, the next sync retries the page", store.source, reader.name, exc)
    except StreamUnavailableError as exc:
        # Not a failure: the account has no such stream. The state stays as it was (a run position included, so
        # the run goes on once the stream is offered again); the note says why nothing was read.
        status, note, final = "unavailable", str(exc), state
        store.save_state(reader.name, state, status="unavailable", sync_id=sync_id)
        log.warning("%s.%s: %s", store.source, reader.name, exc)
    except ConnectorError as exc:
        store.save_state(reader.name, state, status="failed", sync_id=sync_id)
        finish("failed", str(exc))
        raise
    except BaseException as exc:
        # Anything else (a bug, KeyboardInterrupt): the committed pages and their state stay as they are.
        finish("failed", f"{type(exc).__name__}")
        raise
    finished = utc_now()
    finish(status, error)
    quarantined = sum(reasons.values())
    result = SyncResult(
        source=store.source,
        stream=reader.name,
        sync_id=sync_id,
        mode=effective_mode,
        status=status,
        pages=pages,
        records=records,
        quarantined=quarantined,
        resumed=resuming,
        started_at=started,
        finished_at=finished,
        cursor=final.get("cursor"),
        error=error,
        quarantined_by_reason=dict(sorted(reasons.items())),
        details=reader_details(reader),
        note=note,
    )
    say(_summary(store, reader, result, reasons))
    return result


def _prepare(store: RawStore, reader: StreamReader) -> None:
    # The table exists once its stream has synced, even when nothing was read (an unavailable stream), so models over
    # it read zero rows instead of failing.
    store.ensure_stream(reader.name)
    tables = getattr(reader, "side_tables", ())
    if tables:
        reader.use_side_rows({t.name: store.side_rows(t) for t in tables})  # type: ignore[attr-defined]


def _page_error_rows(store: RawStore, reader: StreamReader, exc: PageError) -> tuple[str, list[QuarantinedRecord]]:
    """The error text and the quarantine rows of what the stream could not get past (a page; files)."""
    if isinstance(exc, MalformedPageError):
        return str(exc), [malformed_page_record(exc)]
    if isinstance(exc, RepeatedCursorError):
        return f"{store.source}.{reader.name}: {exc}", [repeated_cursor_record(exc)]
    if isinstance(exc, UnreadableFileError):
        return f"{store.source}.{reader.name}: {exc}", corrupt_file_records(exc)
    raise exc


def _summary(store: RawStore, reader: StreamReader, result: SyncResult, reasons: Counter[str]) -> str:
    outcome = {"complete": "done", "partial": "PARTIAL", "unavailable": "UNAVAILABLE"}[result.status]
    return (
        f"{store.source}.{reader.name}: {result.mode} sync {outcome}: {result.records} records in {result.pages} pages"
        + (f", {result.quarantined} quarantined ({_by_reason(reasons)})" if result.quarantined else "")
        + _details_text(reader)
        + (f"; {result.note}" if result.note else "")
        + f" ({result.seconds:.1f}s)"
    )


def reader_details(reader: StreamReader) -> dict[str, Any]:
    """What the reader reports beyond pages and records (its optional ``details()``), for logs and metadata."""
    details = getattr(reader, "details", None)
    return dict(details()) if callable(details) else {}


def _details_text(reader: StreamReader) -> str:
    details = reader_details(reader)
    return (" (" + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in details.items()) + ")") if details else ""


def read_ahead(pages: Iterator[Page]) -> Iterator[Page]:
    """``pages``, with the next page read in a background thread while the caller commits the current one.

    Committing a page (JSON encoding, the merge, the transaction) costs about as much as fetching it, so overlapping
    the two nearly halves a sync (docs/benchmarks.md, connector overhead). Nothing else changes: at most one page
    is read ahead, pages and errors come out in the reader's order (an error only after every page before it), and
    the reader runs in that one thread from start to end. When the caller stops early (a failed commit, an
    interrupt), the thread stops before reading further and closes the reader; the page it read ahead is dropped
    uncommitted, so the saved state still points at it and the next run reads it again, as after a crash.
    """
    items: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for page in pages:
                if not put(("page", page)):
                    break
            else:
                put(("done", None))
        except BaseException as exc:  # handed to the caller, who raises it in its own thread
            put(("error", exc))
        finally:
            close = getattr(pages, "close", None)
            if close is not None:
                close()

    threading.Thread(target=produce, name="connector-read-ahead", daemon=True).start()
    try:
        while True:
            kind, value = items.get()
            if kind == "page":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        stop.set()


def malformed_page_record(exc: MalformedPageError) -> QuarantinedRecord:
    """The quarantine row for a page that stayed malformed: what was asked, what came back (an excerpt)."""
    payload = {
        "request": exc.request,
        "status": exc.status,
        "problem": exc.problem,
        "attempts": exc.attempts,
        "body_excerpt": exc.excerpt,
    }
    return QuarantinedRecord(Reason.MALFORMED_PAGE, payload, None, f"{exc.request}: {exc.problem}")


def repeated_cursor_record(exc: RepeatedCursorError) -> QuarantinedRecord:
    """The quarantine row for a paging sequence that looped: which request, which cursor, after how many pages."""
    payload = {"request": exc.request, "cursor": exc.cursor, "pages": exc.pages}
    return QuarantinedRecord(Reason.REPEATED_CURSOR, payload, None, str(exc))


def corrupt_file_records(exc: UnreadableFileError) -> list[QuarantinedRecord]:
    """One quarantine row per file that could not be read: which file, its size, what is wrong with it."""
    return [
        QuarantinedRecord(
            Reason.CORRUPT_FILE,
            {"file": f.file, "size_bytes": f.size, "problem": f.problem},
            f.file,
            f"{f.file} ({f.size} bytes) is not a readable gzip file: {f.problem}; the next sync retries it",
        )
        for f in exc.files
    ]


def _by_reason(reasons: Counter[str]) -> str:
    return ", ".join(f"{reason} {n}" for reason, n in sorted(reasons.items()))
