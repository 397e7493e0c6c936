"""The Segment stream, its record contract, and the bookkeeping table of the files loaded.

``raw_segment.events`` holds every call of the export (``identify``, ``track``, ``page``, ``screen``, ``group``,
``alias``) as it was written: ``record_id`` is the call's ``messageId`` (Segment's dedupe key, so a call delivered
twice merges into one row), ``record_updated_at`` its ``timestamp``. ``raw_segment._files`` remembers which files are
in, written in the same transaction as their last page of events.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.raw.bookkeeping import SideTable
from connectors.raw.contracts import Check, Reason, any_identifier, one_of
from connectors.raw.records import CursorCheck, timestamp_at

# The calls of the Segment spec (RudderStack writes the same set).
CALL_TYPES = frozenset({"identify", "track", "page", "screen", "group", "alias"})
# Segment refuses a call over 32 KB at ingestion (HTTP API: 400); a line this long in an export is not a call.
MAX_EVENT_BYTES = 32 * 1024


@dataclass(frozen=True)
class SegmentStream:
    """One raw table in schema ``raw_segment``."""

    name: str
    primary_key: str
    cursor_field: str
    description: str
    required: tuple[Check, ...]
    cursor: CursorCheck


STREAMS: tuple[SegmentStream, ...] = (
    SegmentStream(
        name="events",
        primary_key="messageId",
        cursor_field="timestamp",
        description=(
            "Every Segment-spec call of the export (identify, track, page, screen, group, alias), the whole call as "
            "written; one row per messageId (a redelivered call merges into it)."
        ),
        required=(
            one_of("type", CALL_TYPES, Reason.UNKNOWN_EVENT_TYPE),
            any_identifier(("anonymousId", "userId"), Reason.MISSING_IDENTITY),
        ),
        cursor=timestamp_at("timestamp"),
    ),
)
STREAMS_BY_NAME: dict[str, SegmentStream] = {s.name: s for s in STREAMS}

# Which files are in: one row per file, written with the file's last page of events (so the two never disagree).
FILES_TABLE = SideTable(
    "_files",
    columns=(
        ("file_key", "varchar"),
        ("source_id", "varchar"),
        ("received_day", "date"),
        ("size_bytes", "bigint"),
        ("etag", "varchar"),
        ("lines", "integer"),
        ("events", "integer"),
        ("quarantined", "integer"),
    ),
    key=("file_key",),
)
