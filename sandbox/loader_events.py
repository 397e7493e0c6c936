"""The marketing events' part of the direct raw loader: ``raw_hubspot.marketing_events`` and
``raw_hubspot.marketing_event_participations``, the rows a full HubSpot connector sync stores (the payloads the
Marketing Events API answers, shaped by the connector's ``shape_items``). Participations are fed one person at a
time; the events, whose counters count everyone's, at the end."""

from __future__ import annotations

from collections.abc import Callable

from connectors import hubspot
from connectors.raw.store import RawRecord
from sandbox.world import events as ev
from sandbox.world.config import WorldConfig
from sandbox.world.person import Person
from sandbox.world.projections.hubspot_records import HSRecord, PersonTimeline

STREAMS: tuple[str, ...] = ("marketing_events", "marketing_event_participations")
Add = Callable[[str, RawRecord], None]  # (stream, record)


def _shaped(stream: str, items: list[dict]) -> list[RawRecord]:
    page = hubspot.shape_items(hubspot.STREAMS_BY_NAME[stream], items)
    assert not page.quarantined, (stream, page.quarantined[:1])  # the world never breaks a contract
    return page.records


class MarketingEventsPart:
    def __init__(self, config: WorldConfig, now_ms: int, add: Add) -> None:
        self.config, self.now_ms, self.add_record = config, now_ms, add
        self.catalog = ev.event_catalog(config)
        self.by_k = {e.k: e for e in self.catalog}
        self.seen: list[ev.Participation] = []

    def add(
        self,
        person: Person,
        timeline: PersonTimeline,
        contacts: list[HSRecord],
        parts: list[ev.Participation] | None = None,
    ) -> None:
        """One person's visible participations; ``contacts`` are their contact records at the clock (the email and
        names the breakdown shows come from them)."""
        if parts is None:
            parts = ev.person_participations(
                self.config.seed, person, ev.person_contacts(person, timeline), self.catalog
            )
        live = {r.id: r for r in contacts if r.otype == "contacts" and not r.archived}
        items = []
        for p in parts:
            rec = live.get(p.contact_id)
            if rec is None or p.occurred > self.now_ms:
                continue
            contact = {"contactId": p.contact_id, "email": rec.properties.get("email") or ""}
            for name in ("firstname", "lastname"):
                if rec.properties.get(name):
                    contact[name] = str(rec.properties[name])
            items.append(ev.participation_payload(p, self.by_k[p.event_k], contact))
            self.seen.append(p)
        for r in _shaped("marketing_event_participations", items):
            self.add_record("marketing_event_participations", r)

    def finish(self) -> None:
        for r in _shaped("marketing_events", ev.event_payloads(self.catalog, self.now_ms, self.seen)):
            self.add_record("marketing_events", r)
