"""The website part of the world: the anonymous visitors, everyone's calls as Segment receives them, the page views
HubSpot's Events API serves at the clock, and the Segment export files (written again as the clock moves)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sandbox.world.config import WorldConfig
from sandbox.world.person import Person
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections import hubspot_web
from sandbox.world.projections.segment import Call, SegmentCalls
from sandbox.world.projections.segment_files import BucketTarget, FolderTarget, PutObjectClient, SegmentExport, Target
from sandbox.world.web import site
from sandbox.world.web.model import WebActivity
from sandbox.world.web.visitors import Visitor, generate_visitor, visitor_count


class WebWorld:
    """Mixed into :class:`sandbox.world.world.World` (which sets ``config``, ``persons``, ``lock`` and the clock)."""

    config: WorldConfig
    persons: list[Person]
    lock: threading.RLock

    @property
    def now_ms(self) -> int:  # pragma: no cover - World defines it
        raise NotImplementedError

    def _init_web(self) -> None:
        self.visitors: list[Visitor] = [generate_visitor(self.config, k) for k in range(visitor_count(self.config))]
        self._calls: list[Call] | None = None
        self._hs_events: tuple[int, list[dict[str, Any]], list[tuple[str, str]], list[tuple[int, str]]] | None = None
        self._hs_person_events: list[list[hubspot_web.WebEvent]] | None = None
        self._exports: list[SegmentExport] = []

    def web_activities(self) -> list[tuple[str, WebActivity]]:
        """(owner id, activity) of every person with web activity, then every visitor."""
        out = [(p.person_id, p.web) for p in self.persons if p.web is not None]
        out.extend((v.visitor_id, v.web) for v in self.visitors)
        return out

    # -- Segment -------------------------------------------------------------------------------------------------

    def segment_calls(self) -> list[Call]:
        """Every call anyone will ever make, with its deliveries (clock independent)."""
        with self.lock:
            if self._calls is None:
                sc = SegmentCalls(self.config.seed)
                calls: list[Call] = []
                for _, act in self.web_activities():
                    calls.extend(sc.add(act))
                calls.extend(sc.finish())
                self._calls = calls
            return self._calls

    def segment_export(
        self, target: str | Path | Target, *, bad_line_rate: float = 0.0, source_id: str = site.SEGMENT_SOURCE_ID
    ) -> SegmentExport:
        """Write the export files of every window completed by the clock into ``target`` (a folder or a
        :class:`~sandbox.world.projections.segment_files.Target`), and keep doing so as the clock moves."""
        if isinstance(target, str | Path):
            target = FolderTarget(target)
        export = SegmentExport(self.segment_calls, target, source_id, self.config.seed, bad_line_rate)
        with self.lock:
            export.sync(self.now_ms)
            self._exports.append(export)
        return export

    def segment_bucket_export(
        self, client: PutObjectClient, bucket: str, *, prefix: str = "", bad_line_rate: float = 0.0
    ) -> SegmentExport:
        """The same files into an S3-compatible bucket (any client with ``put_object(Bucket=, Key=, Body=)``)."""
        return self.segment_export(BucketTarget(client, bucket, prefix), bad_line_rate=bad_line_rate)

    def stop_segment_export(self, export: SegmentExport) -> None:
        """The clock no longer writes files for ``export`` (its folder may be gone)."""
        with self.lock:
            if export in self._exports:
                self._exports.remove(export)

    def _sync_exports(self) -> None:
        for export in self._exports:
            export.sync(self.now_ms)

    # -- HubSpot web analytics ------------------------------------------------------------------------------------

    def hubspot_person_events(self, index: int) -> list[hubspot_web.WebEvent]:
        with self.lock:
            if self._hs_person_events is None:
                seed = self.config.seed
                self._hs_person_events = [hubspot_web.person_events(seed, p.index, p.web) for p in self.persons]
            return self._hs_person_events[index]

    def hubspot_web_events(self) -> list[dict[str, Any]]:
        """The Events API's page views at the clock: views of tied cookies, shown from the tie on, of contacts that
        exist and are not archived; sorted by ``occurredAt`` then ``id``."""
        with self.lock:
            now = self.now_ms
            if self._hs_events is not None and self._hs_events[0] == now:
                return self._hs_events[1]
            rows: list[tuple[int, str, dict[str, Any], str]] = []
            for p in self.persons:
                for e in self.hubspot_person_events(p.index):
                    if e.visible_at <= now and self._contact_live(p, e.contact_key, now):
                        rows.append((e.occurred, e.payload["id"], e.payload, p.person_id))
            rows.sort(key=lambda r: (r[0], r[1]))
            self._hs_events = (now, [r[2] for r in rows], [(r[1], r[3]) for r in rows], [(r[0], r[1]) for r in rows])
            return self._hs_events[1]

    def hubspot_web_event_index(self) -> tuple[list[tuple[int, str]], list[dict[str, Any]]]:
        """(sort keys ``(occurred ms, id)``, events) as :meth:`hubspot_web_events` orders them: what the Events API
        pages through."""
        with self.lock:
            events = self.hubspot_web_events()
            assert self._hs_events is not None
            return self._hs_events[3], events

    def hubspot_web_event_owners(self) -> list[tuple[str, str]]:
        """(event id, person id) of every event :meth:`hubspot_web_events` serves at the clock."""
        self.hubspot_web_events()
        assert self._hs_events is not None
        return self._hs_events[2]

    def hubspot_cookie_ties(self, person: Person) -> dict[int, tuple[str, int]]:
        """The person's cookies HubSpot has tied by the clock: device index -> (contact id, when)."""
        if person.web is None:
            return {}
        ties = hubspot_web.cookie_ties(person.web)
        return {
            d: (hs.record_id("contacts", person.index, t.contact_key), t.at)
            for d, t in ties.items()
            if t.at <= self.now_ms
        }

    @staticmethod
    def _contact_live(p: Person, key: int, now: int) -> bool:
        archived = p.archived_contact_at.get(key)
        return archived is None or archived > now
