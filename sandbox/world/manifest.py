"""Ground-truth manifest: who each person really is, which records belong to them, and their true stages.

The pipeline never reads it; tests score identity resolution and stage assignment against it.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from sandbox.world import manifest_events, manifest_web
from sandbox.world.companies import company_info
from sandbox.world.config import WorldConfig
from sandbox.world.person import Event, Person, mailchimp_member_id
from sandbox.world.projections import ads as ads_p
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections import mailchimp as mc_p
from sandbox.world.projections import social as soc_p
from sandbox.world.projections.hubspot_aggregates import Aggregates
from sandbox.world.projections.hubspot_records import PersonSnapshot
from sandbox.world.projections.mailchimp import LIST_ID
from sandbox.world.sales_channels import purchase_rows
from sandbox.world.stages import STAGES, stage_entries, true_stage
from sandbox.world.timeutil import iso_ms
from sandbox.world.voice import reviews as voice_reviews
from sandbox.world.voice import surveys


class WorldView(Protocol):
    """What the manifest reads of a world (``sandbox.world.world.World`` provides it). Declared here so that the
    world can offer ``world.manifest()`` without this module importing the world back."""

    config: WorldConfig
    persons: list[Person]

    @property
    def now_ms(self) -> int: ...

    @property
    def hubspot_aggregates(self) -> Aggregates: ...

    def visible_persons(self) -> list[Person]: ...

    def hubspot_snapshot(self, person: Person | int) -> PersonSnapshot: ...

    def mailchimp_timeline(self, index: int) -> mc_p.MailchimpPerson: ...

    def ads_timeline(self, index: int) -> ads_p.AdsPerson: ...

    def social_timeline(self, index: int) -> soc_p.SocialPerson: ...

    def first_touch_ms(self, person: Person) -> int | None: ...

    def view_times(self, person: Person | int) -> list[int]: ...

    def stage_events(self, person: Person | int) -> list[Event]: ...

    # and the website's truth: manifest_web.WebView


PERSON_COLUMNS = (
    "person_id",
    "person_index",
    "persona",
    "true_stage",
    *(f"{s}_at" for s in STAGES),
    "first_name",
    "last_name",
    "emails",
    "phone_e164",
    "company_domain",
    "is_anonymous",
    "first_touch_at",
    "visible_events",
    "hubspot_contact_ids",
    "mailchimp_member_ids",
    "gclids",
    "fbclids",
    "meta_lead_ids",
    "facebook_user_id",
    "instagram_user_id",
    "instagram_username",
    "social_linkable",
    "referred_by",
    "referrer_email",
    "owner_id",
    *manifest_web.PERSON_WEB_COLUMNS,
)
RECORD_COLUMNS = ("source", "stream", "record_id", "person_id", "relation", "archived")
STAGE_COLUMNS = ("person_id", "stage", "entered_at")
PURCHASE_COLUMNS = ("deal_id", "person_id", "pipeline", "conversion_type", "purchase_channel", "closed_at", "archived")


@dataclass
class Manifest:
    now: str
    persons: list[dict[str, Any]]
    records: list[dict[str, Any]]
    stages: list[dict[str, Any]]
    web_identities: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    # Typeform: which response token belongs to whom (person_id blank: nobody the world knows), partial ones too
    survey_responses: list[dict[str, Any]] = field(default_factory=list)
    purchases: list[dict[str, Any]] = field(default_factory=list)

    def person(self, person_id: str) -> dict[str, Any]:
        for p in self.persons:
            if p["person_id"] == person_id:
                return p
        raise KeyError(person_id)


def build_manifest(world: WorldView) -> Manifest:
    cfg = world.config
    now = world.now_ms
    persons: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    stages: list[dict[str, Any]] = []
    purchases: list[dict[str, Any]] = []
    vendors = _VendorRecords(world)
    for p in world.visible_persons():
        ev = p.events_until(now)
        views = world.view_times(p)
        staged = world.stage_events(p)  # the journey events and the voice touches the stage rules count
        entries = stage_entries(staged, views=views)
        snap = world.hubspot_snapshot(p.index)
        contact_ids = [r.id for r in snap.records if r.otype == "contacts"]
        clicks = [e for e in ev if e.type == "ad_click"]
        sends = []
        for e in ev:
            if e.type == "email_send" and e.attrs["email"] not in sends:
                sends.append(e.attrs["email"])
        row: dict[str, Any] = {
            "person_id": p.person_id,
            "person_index": p.index,
            "persona": p.persona,
            "true_stage": true_stage(staged, views=views) or "",
        }
        for s in STAGES:
            row[f"{s}_at"] = iso_ms(entries[s]) if s in entries else ""
        row.update(
            first_name=p.first_name,
            last_name=p.last_name,
            emails=";".join(p.emails),
            phone_e164=p.phone_e164,
            company_domain=company_info(cfg.seed, p.company, cfg.owners).domain if p.company is not None else "",
            is_anonymous=p.is_anonymous,
            first_touch_at=iso_ms(world.first_touch_ms(p) or 0),
            visible_events=len(ev),
            hubspot_contact_ids=";".join(contact_ids),
            mailchimp_member_ids=";".join(mailchimp_member_id(a) for a in sends),
            gclids=";".join(e.attrs["click_id"] for e in clicks if e.attrs["platform"] == "google"),
            fbclids=";".join(e.attrs["click_id"] for e in clicks if e.attrs["platform"] == "meta"),
            meta_lead_ids=";".join(e.attrs["lead_id"] for e in ev if e.type == "lead_ad_submission"),
            facebook_user_id=p.facebook_user_id or "",
            instagram_user_id=p.instagram_user_id or "",
            instagram_username=p.instagram_username or "",
            social_linkable=social_linkable(ev),
            referred_by=world.persons[p.referred_by].person_id if p.referred_by is not None else "",
            referrer_email=p.referrer_email or "",
            owner_id=hs.owner_id(p.owner),
        )
        row.update(manifest_web.person_web_columns(p.web, now, visitor=False))
        persons.append(row)
        for s in STAGES:
            if s in entries:
                stages.append({"person_id": p.person_id, "stage": s, "entered_at": iso_ms(entries[s])})
        for r in snap.records:
            records.append(
                {
                    "source": "hubspot",
                    "stream": r.otype,
                    "record_id": r.id,
                    "person_id": p.person_id,
                    "relation": r.relation,
                    "archived": r.archived,
                }
            )
        records.extend(vendors.person(p, ev))
        archived = {r.id: r.archived for r in snap.records if r.otype == "deals"}
        for row in purchase_rows(cfg.seed, p, now, partial(hs.record_id, "deals", p.index)):
            purchases.append({**row, "archived": archived.get(row["deal_id"], False)})
        for sub in snap.submissions:
            records.append(
                {
                    "source": "hubspot",
                    "stream": "form_submissions",
                    "record_id": sub["conversionId"],
                    "person_id": p.person_id,
                    "relation": sub["_relation"],
                    "archived": False,
                }
            )
    agg = world.hubspot_aggregates
    for k in agg.companies():
        for i in agg.shared_people(k, now):
            records.append(
                {
                    "source": "hubspot",
                    "stream": "contacts",
                    "record_id": hs.shared_contact_id(k),
                    "person_id": world.persons[i].person_id,
                    "relation": "shared",
                    "archived": False,
                }
            )
    web: Any = world  # the world offers manifest_web.WebView too
    visitor_persons, visitor_stages = manifest_web.visitor_rows(web)
    persons.extend(visitor_persons)
    stages.extend(visitor_stages)
    records.extend(manifest_web.web_records(web))
    records.extend(manifest_events.event_records(web))  # the world offers manifest_events.EventsView too
    records.extend(surveys.manifest_records(web))
    records.extend(voice_reviews.review_records(web))  # Trustpilot reviews of known persons
    return Manifest(
        iso_ms(now),
        persons,
        records,
        stages,
        manifest_web.identity_rows(web),
        manifest_web.session_rows(web),
        surveys.manifest_rows(web),
        purchases,
    )


def social_linkable(events) -> bool:
    """Whether the person left a platform identifier a pipeline can join social records on: a Messenger thread
    (page-scoped id on the HubSpot contact) or an Instagram handle typed into a form."""
    for e in events:
        if e.type == "social_message":
            return True
        if e.type == "form_submission" and e.attrs["values"].get("instagram_handle"):
            return True
    return False


class _VendorRecords:
    """Person-level records of Mailchimp, Meta Ads, the social accounts and Google Ads, with the record ids the
    connectors give them (built with the connectors' own id functions, as the loader does)."""

    def __init__(self, world: WorldView) -> None:
        from connectors.google_ads import DEFAULT_CLICK_VIEW_DAYS

        self.world = world
        self.mc = mc_p.MailchimpSnapshot(world.config, world.now_ms, keep=False)
        self.ads = ads_p.AdsSnapshot(world.config, world.now_ms, keep=False)
        self.soc = soc_p.SocialSnapshot(world.config, world.now_ms, keep=False)
        today = ads_p.day_of(world.now_ms)
        self.click_from = max(world.config.start_ms, today - (DEFAULT_CLICK_VIEW_DAYS - 1) * 86_400_000)

    def person(self, p, events) -> list[dict[str, Any]]:
        from connectors.mailchimp import activity_record_id, flatten_activity

        w = self.world
        out: list[dict[str, Any]] = []

        def rec(source: str, stream: str, rid: str, relation: str = "primary") -> None:
            out.append(
                {
                    "source": source,
                    "stream": stream,
                    "record_id": rid,
                    "person_id": p.person_id,
                    "relation": relation,
                    "archived": False,
                }
            )

        rows = self.mc.add(w.mailchimp_timeline(p.index))
        primary = {m: ("primary" if m == p.emails[0] else "secondary") for m in p.emails}
        addr_rel = {}
        for m in rows.members:
            rel = primary.get(m["email_address"].lower(), "primary")
            addr_rel[m["id"]] = rel
            rec("mailchimp", "list_members", f"{LIST_ID}:{m['id']}", rel)
        for r in rows.recipients:
            rel = addr_rel.get(r.email_id, "primary")
            rec("mailchimp", "campaign_recipients", f"{r.campaign_id}:{r.email_id}", rel)
            for row in flatten_activity([r.activity_json(r.sent_to["email_address"])]):
                rec("mailchimp", "email_activity", activity_record_id(row), rel)
        leads, clicks = self.ads.add(w.ads_timeline(p.index))
        for lead in leads:
            rec("meta_ads", "leads", lead.lead_id)
        for c in clicks:
            if ads_p.day_of(c.ts) >= self.click_from:
                rec("google_ads", "click_views", c.gclid)
        linkable = "primary" if social_linkable(events) else "unlinked"
        for it in self.soc.add(w.social_timeline(p.index)):
            if it.platform == "facebook" and it.kind == "reaction":
                rec("social", "facebook_reactions", f"{it.post_id}:{it.user_id}", linkable)
            else:
                rec("social", f"{it.platform}_comments", it.item_id, linkable)
        return out


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, path)


def write_manifest(world: WorldView, directory: str | Path) -> Manifest:
    """Write persons.csv, records.csv, stages.csv, web_identities.csv, sessions.csv, survey_responses.csv and
    purchases.csv into ``directory``; returns the manifest."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    m = build_manifest(world)
    _write_csv(d / "persons.csv", PERSON_COLUMNS, m.persons)
    _write_csv(d / "records.csv", RECORD_COLUMNS, m.records)
    _write_csv(d / "stages.csv", STAGE_COLUMNS, m.stages)
    _write_csv(d / "web_identities.csv", manifest_web.IDENTITY_COLUMNS, m.web_identities)
    _write_csv(d / "sessions.csv", manifest_web.SESSION_COLUMNS, m.sessions)
    _write_csv(d / "survey_responses.csv", surveys.SURVEY_COLUMNS, m.survey_responses)
    _write_csv(d / "purchases.csv", PURCHASE_COLUMNS, m.purchases)
    return m
