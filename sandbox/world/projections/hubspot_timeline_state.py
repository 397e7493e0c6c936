"""The state a person's HubSpot timeline is built in, walking their journey once in time order: the records so far,
each contact's running state, id counters, the first touch and the latest ad click of each kind."""

from __future__ import annotations

from typing import Any

from sandbox.world.companies import company_info
from sandbox.world.config import WorldConfig
from sandbox.world.person import Person
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections.hubspot_records import Change, RecordTimeline, SubmissionTimeline


class TimelineState:
    """Everything the per-object-type handlers share. The contact, engagement and deal handlers are mixins over it
    (``hubspot_timeline_contacts``, ``_engagements``, ``_deals``); :mod:`hubspot_timeline` runs them."""

    def __init__(self, person: Person, config: WorldConfig) -> None:
        self.person = person
        self.idx = person.index
        self.seed = config.seed
        self.owner_id = hs.owner_id(person.owner)
        self.owner_uid = hs.owner_user_id(person.owner)
        self.company = company_info(self.seed, person.company, config.owners) if person.company is not None else None
        self.cid = hs.company_id(person.company) if person.company is not None else None

        self.contacts: dict[int, RecordTimeline] = {}
        self.contact_state: dict[int, dict[str, Any]] = {}
        self.deals: dict[int, RecordTimeline] = {}
        self.deal_contact: dict[int, int] = {}
        self.records: list[RecordTimeline] = []
        self.submissions: list[SubmissionTimeline] = []
        self.counters: dict[str, int] = {}
        self.first_touch: tuple[str, dict[str, Any]] | None = None
        self.last_click: dict[str, dict[str, Any]] = {}
        self.lifecycle0: list[tuple[int, int]] = []  # (ts, lifecycle rank) of the work contact (company rollup)
        self.shared: list[tuple[int, str, str]] = []  # (ts, firstname, lastname) of info@ submissions
        self.n_sub = 0
        self.purchase_channels: dict[int, str] | None = None  # deal number -> channel, computed on the first close

    def next_id(self, otype: str) -> str:
        """The id of the person's next record of ``otype`` (ids count the person's records in event order)."""
        k = self.counters.get(otype, 0)
        self.counters[otype] = k + 1
        return hs.record_id(otype, self.idx, k)

    def set_prop(
        self, rec: RecordTimeline, ts: int, prop: str, value: str | None, src: str = "CRM_UI", sid: str = ""
    ) -> None:
        """A timed property change; changes a user made in the CRM carry the owner's user id."""
        owner_uid = self.owner_uid
        uid = owner_uid if src == "CRM_UI" else None
        rec.changes.append(Change(ts, prop, value, src, sid or (f"userId:{owner_uid}" if uid else src.lower()), uid))
