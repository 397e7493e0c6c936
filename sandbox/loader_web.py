"""The website's part of the direct raw loader: ``raw_hubspot.web_events`` (the Events API's page views) and
``raw_segment.events`` (the calls of the Segment export files), fed one person, then one visitor, at a time.

Raw shape (agreed with the connectors; docs/sandbox.md, "Raw payload contract"):

* ``raw_hubspot.web_events``: ``record_id`` = the event's ``id``, ``payload`` = the event object as
  ``GET /events/v3/events`` returns it, ``record_updated_at`` = ``occurredAt``.
* ``raw_segment.events``: ``record_id`` = ``messageId``, ``payload`` = the whole call as its line in the file,
  ``record_updated_at`` = ``timestamp``. One row per message id: of a duplicated delivery the last one in key order
  (what ``RawStore``'s merge keeps when the files are written in key order). Only what the files hold: calls received
  before the last complete export window. ``raw_segment._files`` (which files a sync read) is the connector's.

Until the Segment connector exists, the rows are built here from the world's calls (the documented shape) and written
through ``connectors.raw.store.RawStore``, like every other part of the loader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from connectors.raw.store import RawRecord
from sandbox.world.config import WorldConfig
from sandbox.world.person import Person
from sandbox.world.projections import hubspot_web
from sandbox.world.projections.segment import Call, SegmentCalls, export_cutoff, received_before
from sandbox.world.timeutil import naive_utc
from sandbox.world.web.model import WebActivity
from sandbox.world.web.visitors import Visitor, generate_visitor, visitor_count

WEB_SOURCES: tuple[str, ...] = ("hubspot_web", "segment")
RAW_SOURCE = {"hubspot_web": "hubspot", "segment": "segment"}
Sink = Callable[[str, str, list[RawRecord]], None]  # (raw source, stream, records)


class HubSpotWebPart:
    """``raw_hubspot.web_events``: each person's page views HubSpot shows at the clock."""

    def __init__(self, sink: Sink, config: WorldConfig, now_ms: int) -> None:
        self.sink, self.seed, self.now_ms = sink, config.seed, now_ms

    def add(self, person: Person, events: list[hubspot_web.WebEvent] | None = None) -> None:
        if events is None:
            events = hubspot_web.person_events(self.seed, person.index, person.web)
        now = self.now_ms
        rows = []
        for e in events:
            archived = person.archived_contact_at.get(e.contact_key)
            if e.visible_at <= now and (archived is None or archived > now):
                rows.append(RawRecord(record_id=e.payload["id"], payload=e.payload, updated_at=naive_utc(e.occurred)))
        self.sink("hubspot", "web_events", rows)


class SegmentPart:
    """``raw_segment.events``: the calls the export files hold at the clock."""

    def __init__(self, sink: Sink, config: WorldConfig, now_ms: int) -> None:
        self.sink = sink
        self.cutoff = export_cutoff(now_ms)
        self.calls = SegmentCalls(config.seed)

    def _rows(self, calls: list[Call]) -> list[RawRecord]:
        rows = []
        for c in calls:
            last = received_before(self.cutoff, c)
            if last is not None:
                rows.append(RawRecord(record_id=c.message_id, payload=c.line(last), updated_at=naive_utc(c.ts)))
        return rows

    def add(self, act: WebActivity | None) -> None:
        self.sink("segment", "events", self._rows(self.calls.add(act)))

    def finish(self) -> None:
        self.sink("segment", "events", self._rows(self.calls.finish()))


def visitors_of(config: WorldConfig, first_person: int, known: list[Visitor] | None) -> Iterator[Visitor]:
    """The visitors that come with persons ``first_person..people`` (a world's own when it has them), generated
    one at a time otherwise."""
    start = round(first_person * config.visitors_per_person) if config.website else 0
    if known is not None:
        yield from known[start:]
        return
    for k in range(start, visitor_count(config)):
        yield generate_visitor(config, k)
