"""Reading a Segment export: which files a run loads, how a file becomes pages, and how a killed run resumes.

**Which files.** Every run lists the day folders in its scope: all of them for an unpartitioned sync (a scheduled
run), exactly the partition range's for a Dagster partition run. A file already in ``raw_segment._files`` with the
same size (and ETag, where the store has one) is skipped, so a rerun loads nothing twice. Listing every folder, not
a window of recent days, is what lets a late file for an old day (a replay, a slow upload) be picked up whenever it
lands; it costs one LIST request per 1,000 files, and the comparison is a set lookup. A file whose folder day is
older than the newest day loaded before the run is counted as a *late file*.

**Pages.** A file is decompressed whole before anything of it is committed, so a corrupt gzip member fails that file
alone: it is skipped, the files before and after it are loaded (one bad upload does not hold back the days after
it), and at the end the stream ends partial with one ``corrupt_file`` row per such file
(:class:`~connectors.core.errors.UnreadableFileError`, naming them); the next run, which lists again, retries them.
A file's lines are committed ``page_size`` at a time; the last page carries the file's ``_files`` row, in the same
transaction. State: ``{"cursor": {source id: newest day loaded}, "run": {mode, days, done_through, file, line,
file_counts, max_day}}``; a killed run resumes inside the file it was in, after its last committed line, so no line
is read (or quarantined) twice.

**Lines.** A blank line is no call (counted, not stored); a line over 32 KB is ``oversized_event`` and one that is
not JSON ``invalid_json`` (both checked on the bytes, quarantined with their text); the rest go through the stream's
contract (:func:`shape_items`): an object, a ``messageId``, a known ``type``, an ``anonymousId`` or ``userId``, a
plausible ``timestamp``, no duplicate ``messageId`` in the page. Every quarantined line's detail names its file and
line. A call delivered twice (the same ``messageId`` in two files or pages) merges into one raw row.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from connectors.core.errors import BadFile, UnreadableFileError
from connectors.core.jsonbody import Unparseable, decode_json
from connectors.raw.bookkeeping import SideRows
from connectors.raw.contracts import DEFAULT_LIMITS, ContractLimits, Reason
from connectors.raw.records import ShapedPage, shape_page
from connectors.raw.store import QuarantinedRecord
from connectors.raw.sync import Page, SyncMode
from connectors.segment.catalog import FILES_TABLE, MAX_EVENT_BYTES, SegmentStream
from connectors.segment.client import ExportFile, SegmentApi

log = logging.getLogger("connectors.segment")

DateRange = tuple[date, date]


def shape_items(
    stream: SegmentStream,
    items: Any,
    *,
    limits: ContractLimits | None = None,
    locations: Sequence[str] | None = None,
) -> ShapedPage:
    """Parsed calls checked against the stream's contract: the records as a sync stores them (the whole call), and
    the calls that break it, quarantined with their reason (``locations``: where each came from, for the detail)."""
    return shape_page(
        items,
        record_id=lambda p: p.get(stream.primary_key),
        key_paths=(stream.primary_key,),
        required=stream.required,
        cursor=stream.cursor,
        limits=limits or DEFAULT_LIMITS,
        locations=locations,
    )


def shape_lines(
    stream: SegmentStream,
    lines: Sequence[bytes],
    *,
    file_key: str,
    first_line: int = 1,
    limits: ContractLimits | None = None,
) -> tuple[ShapedPage, int]:
    """Lines of an export file (numbered from ``first_line``) as records and quarantined lines, and how many were
    blank."""
    items: list[Any] = []
    locations: list[str] = []
    early: list[QuarantinedRecord] = []
    blank = 0
    for n, raw in enumerate(lines, start=first_line):
        line = raw[:-1] if raw.endswith(b"\r") else raw
        where = f"{file_key} line {n}"
        if not line.strip():
            blank += 1
        elif len(line) > MAX_EVENT_BYTES:
            detail = f"{where}: the call is {len(line)} bytes, over Segment's limit of {MAX_EVENT_BYTES} per event"
            early.append(QuarantinedRecord(Reason.OVERSIZED_EVENT, line, None, detail))
        elif isinstance(parsed := decode_json(line), Unparseable):
            early.append(QuarantinedRecord(Reason.INVALID_JSON, line, None, f"{where}: not JSON ({parsed.why})"))
        else:
            items.append(parsed)
            locations.append(where)
    page = shape_items(stream, items, limits=limits, locations=locations)
    page.quarantined = early + page.quarantined
    return page, blank


def decompress(file: ExportFile, content: bytes) -> bytes | BadFile:
    """The file's text, or what is wrong with it: a corrupt or truncated gzip member fails this file, by name, before
    any of it is stored."""
    try:
        return gzip.decompress(content)
    except (OSError, EOFError, zlib.error) as exc:
        return BadFile(file.key, f"{type(exc).__name__}: {exc}", len(content))


class EventsReader:
    """``raw_segment.events`` from the export's files (see the module docstring)."""

    side_tables = (FILES_TABLE,)

    def __init__(
        self,
        api: SegmentApi,
        stream: SegmentStream,
        *,
        days: DateRange | None = None,
        page_size: int = 5000,
        limits: ContractLimits | None = None,
    ) -> None:
        self.api = api
        self.stream = stream
        self.name = stream.name
        self.days = days
        self.page_size = page_size
        self.limits = limits or DEFAULT_LIMITS
        self.loaded: dict[str, dict[str, Any]] = {}
        self.counts: Counter[str] = Counter()

    # -- protocol --------------------------------------------------------------------------------------------

    def use_side_rows(self, rows: dict[str, list[dict[str, Any]]]) -> None:
        self.loaded = {r["file_key"]: r for r in rows.get(FILES_TABLE.name, [])}

    def details(self) -> dict[str, Any]:
        keys = ("files_seen", "files_loaded", "files_already_loaded", "late_files", "files_changed", "events")
        out: dict[str, Any] = {k: self.counts[k] for k in keys}
        out.update({k: self.counts[k] for k in ("files_unreadable", "files_ignored", "blank_lines") if self.counts[k]})
        if self.days:
            out["received_days"] = f"{self.days[0]} to {self.days[1]}"
        return out

    def read(self, state: dict[str, Any], mode: SyncMode, *, resuming: bool) -> Iterator[Page]:
        cursor: dict[str, int] = dict(state.get("cursor") or {})
        run = state.get("run") if resuming else None
        if run is None:
            run = {"mode": mode, "days": _days_text(self.days), "done_through": None, "file": None, "line": 0}
            run.update(file_counts=None, max_day={})
        # A resumed run finishes its own scope; asked for another one too, it reads both.
        days = _union(_days_of(run["days"]), self.days) if resuming else self.days
        run["days"] = _days_text(days)
        files, ignored = self.api.files(days)
        if ignored:
            self.counts["files_ignored"] += len(ignored)
            log.warning(
                "segment: %d files do not follow the export layout and were not read, e.g. %s",
                len(ignored),
                ", ".join(ignored[:3]),
            )
        unreadable: list[BadFile] = []
        for file in files:
            self.counts["files_seen"] += 1
            if self._done(file, run):
                self.counts["files_already_loaded"] += 1
                continue
            content = self.api.read(file)
            text = decompress(file, content)
            if isinstance(text, BadFile):
                unreadable.append(text)
                self.counts["files_unreadable"] += 1
                log.warning("segment: %s is not a readable gzip file (%s); going on with the others", file.key, text)
                continue
            yield from self._pages(file, content, text, run, cursor)
        if unreadable:
            names = ", ".join(f"{f.file} ({f.problem})" for f in unreadable)
            raise UnreadableFileError(
                f"{len(unreadable)} file(s) are not readable gzip files: {names}; the other files are loaded, and the "
                "next sync retries these",
                source="segment",
                files=unreadable,
            )

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        cursor = dict(state.get("cursor") or {})
        for source_id, day in ((state.get("run") or {}).get("max_day") or {}).items():
            cursor[source_id] = max(int(cursor.get(source_id, 0)), int(day))
        return {"cursor": cursor, "run": None}

    # -- files -----------------------------------------------------------------------------------------------

    def _done(self, file: ExportFile, run: dict[str, Any]) -> bool:
        """Already loaded: in ``_files`` unchanged, and (a full refresh) already done by this run."""
        known = self.loaded.get(file.key)
        if known is None:
            return False
        if known["size_bytes"] != file.size or (file.etag is not None and known["etag"] != file.etag):
            # Export files are immutable: a rewritten one is loaded again (its calls merge on messageId), loudly.
            self.counts["files_changed"] += 1
            log.warning(
                "segment: %s changed since it was loaded (size %s -> %s, etag %s -> %s); loading it again",
                file.key,
                known["size_bytes"],
                file.size,
                known["etag"],
                file.etag,
            )
            return False
        if run["mode"] == "incremental":
            return True
        done = run.get("done_through")
        return done is not None and _order(file) <= tuple(done)

    def _pages(
        self, file: ExportFile, content: bytes, text: bytes, run: dict[str, Any], cursor: dict[str, int]
    ) -> Iterator[Page]:
        lines = text.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()  # the newline that ends the last line
        resume = run.get("file") == file.key
        start = int(run["line"]) if resume else 0
        counts = dict(run["file_counts"]) if resume and run.get("file_counts") else {"events": 0, "quarantined": 0}
        starts = list(range(start, len(lines), self.page_size)) or [start]
        for begin in starts:
            chunk = lines[begin : begin + self.page_size]
            shaped, blank = shape_lines(self.stream, chunk, file_key=file.key, first_line=begin + 1, limits=self.limits)
            counts["events"] += len(shaped.records)
            counts["quarantined"] += len(shaped.quarantined)
            self.counts["events"] += len(shaped.records)
            self.counts["blank_lines"] += blank
            last = begin + self.page_size >= len(lines)
            side: list[SideRows] = []
            if last:
                side = [SideRows(FILES_TABLE, (self._file_row(file, content, len(lines), counts),))]
                max_day = dict(run["max_day"])
                max_day[file.source_id] = max(int(max_day.get(file.source_id, 0)), file.day_ms)
                run.update(done_through=list(_order(file)), file=None, line=0, file_counts=None, max_day=max_day)
                self._count_loaded(file, cursor)
            else:
                run.update(file=file.key, line=begin + len(chunk), file_counts=dict(counts))
            yield Page(shaped.records, {"cursor": cursor, "run": dict(run)}, shaped.quarantined, side)

    def _file_row(self, file: ExportFile, content: bytes, lines: int, counts: dict[str, int]) -> dict[str, Any]:
        # A local file has no ETag: its MD5 is what S3 reports for a file uploaded in one part, so a folder and a
        # bucket holding the same files record the same rows.
        etag = file.etag or hashlib.md5(content, usedforsecurity=False).hexdigest()
        row = {"file_key": file.key, "source_id": file.source_id, "received_day": file.received_day}
        return {**row, "size_bytes": len(content), "etag": etag, "lines": lines, **counts}

    def _count_loaded(self, file: ExportFile, cursor: dict[str, int]) -> None:
        self.counts["files_loaded"] += 1
        newest = cursor.get(file.source_id)
        if newest is not None and file.day_ms < int(newest):
            self.counts["late_files"] += 1


def _order(file: ExportFile) -> tuple[str, int, str]:
    return (file.source_id, file.day_ms, file.key)


def _days_text(days: DateRange | None) -> list[str] | None:
    return None if days is None else [days[0].isoformat(), days[1].isoformat()]


def _days_of(text: list[str] | None) -> DateRange | None:
    return None if text is None else (date.fromisoformat(text[0]), date.fromisoformat(text[1]))


def _union(a: DateRange | None, b: DateRange | None) -> DateRange | None:
    """The days two scopes cover together, as one range (None: every day)."""
    if a is None or b is None:
        return None
    return (min(a[0], b[0]), max(a[1], b[1]))
