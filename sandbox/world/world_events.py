"""The marketing events part of the world (``sandbox/world/events.py``): the event catalog, everyone's
participations (computed lazily, from RNGs of their own), and what HubSpot's Marketing Events API shows of them at the
clock."""

from __future__ import annotations

import threading
from typing import Any

from sandbox.world import events as ev
from sandbox.world.config import WorldConfig
from sandbox.world.person import Person
from sandbox.world.projections.hubspot_records import PersonTimeline


class EventsWorld:
    """Mixed into :class:`sandbox.world.world.World` (which sets ``config``, ``persons``, ``lock``, the HubSpot
    timelines and the clock)."""

    config: WorldConfig
    persons: list[Person]
    lock: threading.RLock
    _hs_timelines: list[PersonTimeline]

    @property
    def now_ms(self) -> int:  # pragma: no cover - World defines it
        raise NotImplementedError

    def _init_events(self) -> None:
        self._mkt_catalog: list[ev.MarketingEvent] | None = None
        self._mkt_person: list[list[ev.Participation]] | None = None
        self._mkt_visible: tuple[int, list[tuple[ev.Participation, str]]] | None = None

    def marketing_events_catalog(self) -> list[ev.MarketingEvent]:
        """Every event the portal will ever have (clock independent), in id order."""
        with self.lock:
            if self._mkt_catalog is None:
                self._mkt_catalog = ev.event_catalog(self.config)
            return self._mkt_catalog

    def person_participations(self, index: int) -> list[ev.Participation]:
        with self.lock:
            if self._mkt_person is None:
                catalog, seed = self.marketing_events_catalog(), self.config.seed
                self._mkt_person = [
                    ev.person_participations(seed, p, ev.person_contacts(p, tl), catalog)
                    for p, tl in zip(self.persons, self._hs_timelines, strict=True)
                ]
            return self._mkt_person[index]

    def visible_participations(self) -> list[tuple[ev.Participation, str]]:
        """(participation, person id) of every participation HubSpot shows at the clock, by (occurred, id)."""
        with self.lock:
            now = self.now_ms
            if self._mkt_visible is not None and self._mkt_visible[0] == now:
                return self._mkt_visible[1]
            rows = [
                (part, p.person_id)
                for p in self.persons
                for part in self.person_participations(p.index)
                if ev.visible(part, p.archived_contact_at.get(part.contact_key), now)
            ]
            rows.sort(key=lambda r: (r[0].occurred, r[0].id))
            self._mkt_visible = (now, rows)
            return rows

    def visible_marketing_events(self) -> list[ev.MarketingEvent]:
        now = self.now_ms
        return [e for e in self.marketing_events_catalog() if e.created <= now]

    def marketing_event_payloads(self, live: set[str] | None = None) -> list[dict[str, Any]]:
        """The events HubSpot lists at the clock (``GET /marketing/v3/marketing-events``), by objectId; counters
        count the participations of ``live`` contacts (default: every visible one)."""
        parts = (p for p, _ in self.visible_participations() if live is None or p.contact_id in live)
        return ev.event_payloads(self.marketing_events_catalog(), self.now_ms, parts)
