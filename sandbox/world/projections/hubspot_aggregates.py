"""HubSpot records that depend on several people: companies (created by their first work contact, lifecycle
stage rolled up from every member) and shared-mailbox contacts (``info@<company domain>``)."""

from __future__ import annotations

from collections.abc import Iterable

from sandbox.world.companies import company_info
from sandbox.world.config import WorldConfig
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections.hubspot_records import HSRecord, PersonTimeline
from sandbox.world.timeutil import iso_ms


class Aggregates:
    """Company records and ``info@<company>`` contacts, built from every person's contribution."""

    def __init__(self, config: WorldConfig) -> None:
        self.config = config
        self.members: dict[int, dict[int, tuple[int, list[tuple[int, int]]]]] = {}
        self.shared: dict[int, dict[int, list[tuple[int, str, str]]]] = {}

    def add(self, tl: PersonTimeline) -> None:
        if tl.company is None:
            return
        if tl.contact0_created is not None:
            self.members.setdefault(tl.company, {})[tl.index] = (tl.contact0_created, tl.lifecycle0)
        if tl.shared:
            self.shared.setdefault(tl.company, {})[tl.index] = tl.shared

    def companies(self) -> list[int]:
        return sorted(set(self.members) | set(self.shared))

    def instants(self, k: int) -> list[int]:
        out: set[int] = set()
        for created, lc in self.members.get(k, {}).values():
            out.add(created)
            out.update(ts for ts, _ in lc)
        for subs in self.shared.get(k, {}).values():
            out.update(ts for ts, _, _ in subs)
        return sorted(out)

    def company_created(self, k: int, now: int) -> int | None:
        times = [c for c, _ in self.members.get(k, {}).values() if c <= now]
        return min(times) if times else None

    def snapshot_company(self, k: int, now: int) -> HSRecord | None:
        created = self.company_created(k, now)
        if created is None:
            return None
        info = company_info(self.config.seed, k, self.config.owners)
        props = dict.fromkeys(hs.PROPERTY_NAMES["companies"])
        props.update(
            name=info.name,
            domain=info.domain,
            industry=info.industry,
            numberofemployees=str(info.numberofemployees),
            annualrevenue=str(info.annualrevenue),
            city=info.city,
            country=info.country,
            hubspot_owner_id=hs.owner_id(info.owner),
        )
        changes = sorted((ts, rank) for c, lc in self.members[k].values() if c <= now for ts, rank in lc if ts <= now)
        best = -1
        last = created
        for ts, rank in changes:
            if rank > best:
                best = rank
                last = max(last, ts)
        props["lifecyclestage"] = hs.LIFECYCLE_STAGES[best] if best >= 0 else "lead"
        cid = hs.company_id(k)
        props["createdate"] = iso_ms(created)
        props["hs_lastmodifieddate"] = iso_ms(last)
        props["hs_object_id"] = cid
        return HSRecord("companies", cid, created, last, None, props, {}, {}, None, "company")

    def snapshot_shared_contact(self, k: int, now: int) -> HSRecord | None:
        subs = sorted((ts, f, ln, i) for i, lst in self.shared.get(k, {}).items() for ts, f, ln in lst if ts <= now)
        if not subs:
            return None
        info = company_info(self.config.seed, k, self.config.owners)
        created = subs[0][0]
        last = subs[-1][0]
        props = dict.fromkeys(hs.PROPERTY_NAMES["contacts"])
        props.update(
            email=f"info@{info.domain}",
            firstname=subs[-1][1] or None,
            lastname=subs[-1][2] or None,
            company=info.name,
            city=info.city,
            country=info.country,
            lifecyclestage="lead",
            hs_analytics_source="DIRECT_TRAFFIC",
            recent_conversion_date=iso_ms(last),
            recent_conversion_event_name="Form submission",
            num_conversion_events=str(len(subs)),
            createdate=iso_ms(created),
            lastmodifieddate=iso_ms(last),
        )
        rid = hs.shared_contact_id(k)
        props["hs_object_id"] = rid
        history = {
            "lifecyclestage": [
                {"value": "lead", "timestamp": iso_ms(created), "sourceType": "FORM", "sourceId": "shared-mailbox"}
            ]
        }
        assoc = {"companies": [hs.company_id(k)]} if self.company_created(k, now) is not None else {}
        return HSRecord("contacts", rid, created, last, None, props, history, assoc, None, "shared")

    def snapshot(self, now: int, only: Iterable[int] | None = None) -> list[HSRecord]:
        out = []
        for k in self.companies() if only is None else only:
            c = self.snapshot_company(k, now)
            if c is not None:
                out.append(c)
            s = self.snapshot_shared_contact(k, now)
            if s is not None:
                out.append(s)
        return out

    def shared_people(self, k: int, now: int) -> list[int]:
        return sorted(i for i, lst in self.shared.get(k, {}).items() if any(ts <= now for ts, _, _ in lst))
