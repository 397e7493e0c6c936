"""HubSpot projection of the world.

Two steps, so that moving the clock is cheap:

1. :func:`build_timeline` turns one person's full journey into HubSpot *timelines*: every record the person will ever
   have in HubSpot, with its creation instant, its property changes (instant, property, value, source) and its
   associations. It does not depend on the clock and is computed once per person.
2. :func:`snapshot` folds a timeline at an instant ``now``: records created after ``now`` are absent, property values
   are the latest change ``<= now``, ``updatedAt``/``lastmodifieddate`` is the latest visible change, history lists
   only visible changes. It also says when the person's HubSpot view will next change, so a world that advances its
   clock only re-snapshots the people whose view changed.

Companies and shared-mailbox contacts (``info@<company>``) depend on several people; :class:`Aggregates` collects
each person's contribution and snapshots them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sandbox.world import catalog
from sandbox.world.companies import company_info
from sandbox.world.config import WorldConfig
from sandbox.world.person import Person
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.timeutil import iso_ms

LIFECYCLE_RANK = {s: i for i, s in enumerate(hs.LIFECYCLE_STAGES)}


class Change(NamedTuple):
    ts: int
    prop: str
    value: str | None
    source_type: str
    source_id: str
    user_id: int | None


@dataclass(slots=True)
class RecordTimeline:
    otype: str
    id: str
    created: int
    static: dict[str, str | None]
    changes: list[Change] = field(default_factory=list)
    # forward associations: (to_type, to_id); always defined on the "child" side only (contact->company,
    # deal->contact/company, engagement->contact/deal/company, feedback->contact, shared contact->company)
    links: list[tuple[str, str]] = field(default_factory=list)
    archived_at: int | None = None
    relation: str = "primary"


@dataclass(slots=True)
class SubmissionTimeline:
    ts: int
    form_guid: str
    conversion_id: str
    values: list[dict[str, str]]
    page_url: str
    relation: str  # "primary" | "secondary" | "shared"


@dataclass(slots=True)
class PersonTimeline:
    index: int
    person_id: str
    company: int | None
    records: list[RecordTimeline]
    submissions: list[SubmissionTimeline]
    contact0_created: int | None
    lifecycle0: list[tuple[int, int]]  # (ts, lifecycle rank) changes of the work contact (company rollup)
    shared: list[tuple[int, str, str]]  # (ts, firstname, lastname) of info@ submissions
    instants: list[int]  # every instant at which this person's HubSpot view changes, sorted


@dataclass(slots=True)
class HSRecord:
    """A record as HubSpot shows it at the snapshot instant."""

    otype: str
    id: str
    created: int
    updated: int
    archived_at: int | None
    properties: dict[str, str | None]  # every defined property of the object type
    history: dict[str, list[dict[str, Any]]]  # properties that changed (and HISTORY_PROPERTIES), newest first
    assoc: dict[str, list[str]]  # to_type -> ids (forward links, visible targets only), sorted by int
    person_index: int | None
    relation: str

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


@dataclass(slots=True)
class PersonSnapshot:
    records: list[HSRecord]
    submissions: list[dict[str, Any]]  # (formGuid, submission object)
    next_change: int | None


def _money(a: float) -> str:
    return str(int(a)) if a == int(a) else f"{a:.2f}"


def _uuid_from(*parts: object) -> str:
    h = hashlib.md5(":".join(map(str, parts)).encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


_SOCIAL_REFERRER = {"facebook": "https://l.facebook.com/", "instagram": "https://l.instagram.com/"}


def _analytics(first: tuple[str, dict[str, Any]] | None, creating: dict[str, Any] | None) -> dict[str, str | None]:
    """Original-source properties from the person's first touch (and the creating form when it came first)."""
    out: dict[str, str | None] = {}
    if first is None:
        return {"hs_analytics_source": "OFFLINE"}
    kind, a = first
    if kind == "ad":
        utm = a["utm"]
        url = (
            f"{catalog.SITE}/?" + "&".join(f"{k}={v}" for k, v in utm.items()) + f"&{a['click_param']}={a['click_id']}"
        )
        if a["platform"] == "meta":
            out.update(
                hs_analytics_source="PAID_SOCIAL",
                hs_analytics_source_data_1="Facebook",
                hs_analytics_source_data_2=a["campaign"],
                hs_analytics_first_referrer="https://l.facebook.com/",
            )
        else:
            out.update(
                hs_analytics_source="PAID_SEARCH",
                hs_analytics_source_data_1=utm.get("utm_term"),
                hs_analytics_source_data_2=a["campaign"],
                hs_analytics_first_referrer="https://www.google.com/",
            )
        out["hs_analytics_first_url"] = url
        out.update(utm)
        return out
    if kind == "social":
        out.update(
            hs_analytics_source="SOCIAL_MEDIA",
            hs_analytics_source_data_1=a["platform"].capitalize(),
            hs_analytics_first_referrer=_SOCIAL_REFERRER[a["platform"]],
        )
        if creating is not None:
            out["hs_analytics_first_url"] = creating["page_url"]
            out.update(creating["utm"])
        return out
    if kind == "form":
        utm = a["utm"]
        medium = utm.get("utm_medium")
        source = {
            "referral": "REFERRALS",
            "email": "EMAIL_MARKETING",
            "social": "SOCIAL_MEDIA",
            "cpc": "PAID_SEARCH",
            "paid_social": "PAID_SOCIAL",
            "organic": "DIRECT_TRAFFIC",
        }.get(medium or "", "ORGANIC_SEARCH")
        out["hs_analytics_source"] = source
        if source == "ORGANIC_SEARCH":
            out["hs_analytics_source_data_1"] = "google"
            out["hs_analytics_first_referrer"] = "https://www.google.com/"
        elif source == "REFERRALS":
            out["hs_analytics_source_data_1"] = "customer_referral"
        elif source == "SOCIAL_MEDIA":
            out["hs_analytics_source_data_1"] = (utm.get("utm_source") or "").capitalize() or None
        out["hs_analytics_first_url"] = a["page_url"]
        out.update({k: v for k, v in utm.items() if k.startswith("utm_")})
        return out
    return {"hs_analytics_source": "OFFLINE", "hs_analytics_source_data_1": "INTEGRATION"}


def build_timeline(person: Person, config: WorldConfig) -> PersonTimeline:
    """Every HubSpot record the person will ever have, with timed changes (independent of the clock)."""
    idx = person.index
    seed = config.seed
    owner_id = hs.owner_id(person.owner)
    owner_uid = hs.owner_user_id(person.owner)
    company = company_info(seed, person.company, config.owners) if person.company is not None else None
    cid = hs.company_id(person.company) if person.company is not None else None

    contacts: dict[int, RecordTimeline] = {}
    contact_state: dict[int, dict[str, Any]] = {}
    deals: dict[int, RecordTimeline] = {}
    deal_contact: dict[int, int] = {}
    records: list[RecordTimeline] = []
    submissions: list[SubmissionTimeline] = []
    counters: dict[str, int] = {}
    first_touch: tuple[str, dict[str, Any]] | None = None
    last_click: dict[str, dict[str, Any]] = {}
    lifecycle0: list[tuple[int, int]] = []
    shared: list[tuple[int, str, str]] = []
    n_sub = 0

    def next_id(otype: str) -> str:
        k = counters.get(otype, 0)
        counters[otype] = k + 1
        return hs.record_id(otype, idx, k)

    def contact_rec(key: int, ts: int, creating: dict[str, Any] | None, source: tuple[str, str]) -> RecordTimeline:
        rec = contacts.get(key)
        if rec is not None:
            return rec
        email = person.contact_emails.get(key) or person.emails[min(key, len(person.emails) - 1)]
        static: dict[str, str | None] = {
            "email": email,
            "city": person.city,
            "country": person.country,
            "hs_persona": person.hs_persona,
        }
        if key == 0 and company is not None:
            static["company"] = company.name
            static["jobtitle"] = person.job_title
        if key == 0 and idx % 7 == 3:
            static["mobilephone"] = person.contact_phones.get(0) or None
        if key == 0 and len(person.emails) > 1 and "mobilephone" not in static:
            # a person with a work and a personal contact: sales typed the phone on the work contact, so the
            # phone is the one identifier the two contacts share (docs/sandbox.md, "Identity mess")
            static["phone"] = person.contact_phones.get(0) or None
        static.update(_analytics(first_touch, creating))
        if "gclid" in last_click:
            static["hs_google_click_id"] = last_click["gclid"]["click_id"]
        if "fbclid" in last_click:
            static["hs_facebook_click_id"] = last_click["fbclid"]["click_id"]
        if key == 0 and person.referrer_email:
            static["referrer_email"] = person.referrer_email
        rec = RecordTimeline(
            "contacts",
            hs.record_id("contacts", idx, key),
            ts,
            static,
            relation="primary" if key == 0 else "secondary",
        )
        if key == 0 and cid is not None:
            rec.links.append(("companies", cid))
        if key in person.archived_contact_at:
            rec.archived_at = person.archived_contact_at[key]
        contacts[key] = rec
        contact_state[key] = {"lifecycle": -1, "owner": False, "lead_status": None, "src": source}
        records.append(rec)
        return rec

    def set_prop(
        rec: RecordTimeline, ts: int, prop: str, value: str | None, src: str = "CRM_UI", sid: str = ""
    ) -> None:
        uid = owner_uid if src == "CRM_UI" else None
        rec.changes.append(Change(ts, prop, value, src, sid or (f"userId:{owner_uid}" if uid else src.lower()), uid))

    def lead_status(key: int, ts: int, status: str) -> None:
        st = contact_state.get(key)
        if st is None:
            return
        order = ("NEW", "ATTEMPTED_TO_CONTACT", "CONNECTED", "OPEN_DEAL")
        cur = st["lead_status"]
        if cur is not None and order.index(cur) >= order.index(status):
            return
        st["lead_status"] = status
        set_prop(contacts[key], ts, "hs_lead_status", status)

    def engagement(otype: str, ts: int, created: int, key: int | None, deal: int | None, props: dict[str, Any]):
        rec = RecordTimeline(otype, next_id(otype), created, {"hs_timestamp": iso_ms(ts), **props})
        if key is not None and key in contacts:
            rec.links.append(("contacts", contacts[key].id))
        if deal is not None and deal in deals:
            rec.links.append(("deals", deals[deal].id))
        if cid is not None:
            rec.links.append(("companies", cid))
        records.append(rec)
        return rec

    for ev in person.events:
        t = ev.type
        a = ev.attrs
        ts = ev.ts
        if t == "ad_click":
            last_click[a["click_param"]] = a
            if first_touch is None:
                first_touch = ("ad", a)
        elif t in ("social_reaction", "social_comment"):
            if first_touch is None:
                first_touch = ("social", a)
        elif t in ("form_submission", "referral_given"):
            # a referral given is the referrer's submission of the refer-a-colleague form (people.referral)
            if first_touch is None:
                first_touch = ("form", a)
            key = a["contact"]
            fguid = catalog.form_guid(a["form"])
            values = [{"name": k, "value": v, "objectTypeId": "0-1"} for k, v in a["values"].items()]
            relation = "shared" if key is None else ("primary" if key == 0 else "secondary")
            if t == "referral_given":  # ids of their own, so the ids of the person's other submissions stay put
                sub_id = _uuid_from(seed, idx, "referral", a["code"])
            else:
                sub_id = _uuid_from(seed, idx, "submission", n_sub)
                n_sub += 1
            submissions.append(SubmissionTimeline(ts, fguid, sub_id, values, a["page_url"], relation))
            if key is None:
                shared.append((ts, a["values"].get("firstname", ""), a["values"].get("lastname", "")))
                continue
            new = key not in contacts
            rec = contact_rec(key, ts, a, ("FORM", fguid))
            st = contact_state[key]
            st["src"] = ("FORM", fguid)
            for prop in ("firstname", "lastname", "phone", "jobtitle", "company", "instagram_handle"):
                v = a["values"].get(prop)
                if v is None:
                    continue
                if new and prop in ("firstname", "lastname", "phone", "instagram_handle"):
                    rec.static[prop] = v
                elif st.get(prop, rec.static.get(prop)) != v:
                    set_prop(rec, ts, prop, v, "FORM", fguid)
                st[prop] = v
            st["conversions"] = st.get("conversions", 0) + 1
            form_name = catalog.FORMS_BY_KEY[a["form"]].name
            if new:
                rec.static.update(
                    recent_conversion_date=iso_ms(ts), recent_conversion_event_name=form_name, num_conversion_events="1"
                )
            else:
                set_prop(rec, ts, "recent_conversion_date", iso_ms(ts), "FORM", fguid)
                set_prop(rec, ts, "recent_conversion_event_name", form_name, "FORM", fguid)
                set_prop(rec, ts, "num_conversion_events", str(st["conversions"]), "FORM", fguid)
        elif t == "social_message":
            # HubSpot's conversations inbox (Facebook Messenger channel) matched the thread to the contact and
            # stored the sender's page-scoped id on it
            rec = contacts.get(0)
            if rec is not None:
                set_prop(rec, ts, "facebook_page_scoped_id", a["user_id"], "INTEGRATION", "conversations-inbox")
        elif t == "lead_ad_submission":
            rec = contact_rec(a["contact"], ts, None, ("INTEGRATION", "meta-lead-ads"))
            rec.static.setdefault("phone", a["phone"])
            rec.static.setdefault("firstname", person.first_name)
            rec.static.setdefault("lastname", person.last_name)
        elif t == "inbound_email":
            key = a["contact"]
            rec = contact_rec(key, ts, None, ("EMAIL", "inbox"))
            rec.static.setdefault("firstname", person.first_name)
            rec.static.setdefault("lastname", person.last_name)
            engagement(
                "emails",
                ts,
                ts,
                key,
                None,
                {
                    "hubspot_owner_id": owner_id,
                    "hs_email_subject": a["subject"],
                    "hs_email_text": "Hi, could someone get back to me? Thanks.",
                    "hs_email_direction": "INCOMING_EMAIL",
                    "hs_email_status": "SENT",
                    "hs_email_from_email": person.contact_emails.get(key, person.emails[0]),
                    "hs_email_to_email": "sales@lumenstack.com",
                },
            )
        elif t == "sales_email":
            key = a["contact"]
            engagement(
                "emails",
                ts,
                ts,
                key,
                None,
                {
                    "hubspot_owner_id": owner_id,
                    "hs_email_subject": a["subject"],
                    "hs_email_text": "Thanks for reaching out! When would suit you for a quick call?",
                    "hs_email_direction": "EMAIL",
                    "hs_email_status": "SENT",
                    "hs_email_from_email": f"owner{person.owner + 1}@lumenstack.com",
                    "hs_email_to_email": person.contact_emails.get(key, person.emails[0]),
                },
            )
            lead_status(key, ts, "ATTEMPTED_TO_CONTACT")
        elif t == "call":
            key = a["contact"]
            disp = a["disposition"]
            engagement(
                "calls",
                ts,
                ts,
                key,
                a.get("deal"),
                {
                    "hubspot_owner_id": owner_id,
                    "hs_call_title": "Call with " + person.first_name,
                    "hs_call_body": "Intro call." if disp == "connected" else "Tried to reach them.",
                    "hs_call_duration": str(a["duration_ms"]),
                    "hs_call_direction": a["direction"],
                    "hs_call_status": "COMPLETED" if disp != "no_answer" else "NO_ANSWER",
                    "hs_call_disposition": hs.CALL_DISPOSITIONS[disp],
                    "hs_call_to_number": person.contact_phones.get(key) or person.phone_e164,
                },
            )
            lead_status(key, ts, "CONNECTED" if disp == "connected" else "ATTEMPTED_TO_CONTACT")
        elif t == "meeting":
            key = a["contact"]
            rec = engagement(
                "meetings",
                ts,
                a["booked_at"],
                key,
                a.get("deal"),
                {
                    "hubspot_owner_id": owner_id,
                    "hs_meeting_title": a["title"],
                    "hs_meeting_body": f"{a['title']} with {person.first_name} {person.last_name}",
                    "hs_meeting_start_time": iso_ms(ts),
                    "hs_meeting_end_time": iso_ms(a["end"]),
                    "hs_meeting_outcome": "SCHEDULED",
                },
            )
            set_prop(rec, a["end"], "hs_meeting_outcome", a["outcome"])
            if a["outcome"] == "COMPLETED":
                lead_status(key, ts, "CONNECTED")
        elif t == "note":
            engagement(
                "notes",
                ts,
                ts,
                a["contact"],
                a.get("deal"),
                {"hubspot_owner_id": owner_id, "hs_note_body": a["body"]},
            )
        elif t == "task":
            rec = engagement(
                "tasks",
                a["due"],
                ts,
                a["contact"],
                a.get("deal"),
                {
                    "hubspot_owner_id": owner_id,
                    "hs_task_subject": a["subject"],
                    "hs_task_body": f"{a['subject']}: {person.first_name} {person.last_name}",
                    "hs_task_status": "NOT_STARTED",
                    "hs_task_priority": a["priority"],
                    "hs_task_type": a["task_type"],
                },
            )
            if a["completed_at"] is not None:
                set_prop(rec, a["completed_at"], "hs_task_status", "COMPLETED")
                set_prop(rec, a["completed_at"], "hs_task_completion_date", iso_ms(a["completed_at"]))
        elif t == "deal_created":
            k = a["deal"]
            ecommerce = a["pipeline"] == "ecommerce"
            rec = RecordTimeline(
                "deals",
                hs.record_id("deals", idx, k),
                ts,
                {
                    "dealname": a["name"],
                    "deal_currency_code": "USD",
                    "pipeline": a["pipeline"],
                    "dealtype": a["dealtype"],
                    "hubspot_owner_id": None if ecommerce else owner_id,
                },
            )
            src = ("INTEGRATION", "ecommerce-bridge") if ecommerce else ("CRM_UI", "")
            set_prop(rec, ts, "dealstage", a["stage"], *src)
            set_prop(rec, ts, "amount", _money(a["amount"]), *src)
            key = a["contact"]
            if key in contacts:
                rec.links.append(("contacts", contacts[key].id))
            if cid is not None:
                rec.links.append(("companies", cid))
            deals[k] = rec
            deal_contact[k] = key
            records.append(rec)
            if not ecommerce:
                lead_status(key, ts, "OPEN_DEAL")
        elif t in ("deal_stage_changed", "deal_won", "deal_lost", "purchase"):
            rec = deals[a["deal"]]
            ecommerce = rec.static["pipeline"] == "ecommerce"
            src = ("INTEGRATION", "ecommerce-bridge") if ecommerce else ("CRM_UI", "")
            set_prop(rec, ts, "dealstage", a["stage"], *src)
            if a.get("amount") is not None and t != "deal_won" and t != "purchase":
                set_prop(rec, ts, "amount", _money(a["amount"]), *src)
            if t != "deal_stage_changed":
                set_prop(rec, ts, "closedate", iso_ms(ts), *src)
        elif t == "lifecycle_changed":
            key = a["contact"]
            rec = contact_rec(key, ts, None, ("CRM_UI", ""))
            st = contact_state[key]
            rank = LIFECYCLE_RANK[a["stage"]]
            if rank <= st["lifecycle"]:
                continue
            st["lifecycle"] = rank
            cause = a["cause"]
            sid = {
                "FORM": st["src"][1],
                "INTEGRATION": "meta-lead-ads" if st["src"][0] == "INTEGRATION" else "ecommerce-bridge",
                "AUTOMATION_PLATFORM": "workflow:1024",
            }.get(cause, "")
            set_prop(rec, ts, "lifecyclestage", a["stage"], cause, sid)
            if key == 0:
                lifecycle0.append((ts, rank))
            if rank >= LIFECYCLE_RANK["lead"] and not st["owner"]:
                st["owner"] = True
                set_prop(rec, ts, "hubspot_owner_id", owner_id, "AUTOMATION_PLATFORM", "workflow:2048")
                if rank <= LIFECYCLE_RANK["salesqualifiedlead"]:
                    lead_status(key, ts, "NEW")
        elif t == "survey_response":
            key = a["contact"]
            k = counters.get("feedback_submissions", 0)
            rec = RecordTimeline(
                "feedback_submissions",
                next_id("feedback_submissions"),
                ts,
                {
                    "hs_survey_type": "NPS",
                    "hs_survey_name": a["survey"],
                    "hs_survey_channel": "EMAIL",
                    "hs_response_value": str(a["score"]),
                    "hs_content": None if (idx + k) % 3 else "Great product, responsive team.",
                    "hs_submission_timestamp": iso_ms(ts),
                },
            )
            if key in contacts:
                rec.links.append(("contacts", contacts[key].id))
            records.append(rec)

    # Associations to an archived contact disappear when it is archived: handled at snapshot time.
    instants: set[int] = set()
    for rec in records:
        rec.changes.sort(key=lambda c: c.ts)
        instants.add(rec.created)
        instants.update(c.ts for c in rec.changes)
        if rec.archived_at is not None:
            instants.add(rec.archived_at)
    instants.update(s.ts for s in submissions)
    c0 = contacts.get(0)
    return PersonTimeline(
        index=idx,
        person_id=person.person_id,
        company=person.company,
        records=records,
        submissions=submissions,
        contact0_created=c0.created if c0 is not None else None,
        lifecycle0=lifecycle0,
        shared=shared,
        instants=sorted(instants),
    )


def _history_entry(c: Change) -> dict[str, Any]:
    e: dict[str, Any] = {
        "value": c.value if c.value is not None else "",
        "timestamp": iso_ms(c.ts),
        "sourceType": c.source_type,
        "sourceId": c.source_id,
    }
    if c.user_id is not None:
        e["updatedByUserId"] = c.user_id
    return e


def _initial_entry(value: str, ts: int) -> dict[str, Any]:
    return {"value": value, "timestamp": iso_ms(ts), "sourceType": "CRM_UI", "sourceId": ""}


def history_for(rec: HSRecord, prop: str) -> list[dict[str, Any]]:
    """History of any property, newest first (a never-changed value has one entry at creation)."""
    h = rec.history.get(prop)
    if h is not None:
        return list(h)
    v = rec.properties.get(prop)
    return [] if v is None else [_initial_entry(v, rec.created)]


def _fold(rec: RecordTimeline, now: int) -> HSRecord:
    otype = rec.otype
    props = dict.fromkeys(hs.PROPERTY_NAMES[otype])
    props.update(rec.static)
    hist_props = hs.HISTORY_PROPERTIES.get(otype, ())
    history: dict[str, list[dict[str, Any]]] = {p: [] for p in hist_props}
    last = rec.created
    for c in rec.changes:
        if c.ts > now:
            break
        props[c.prop] = c.value
        if c.ts > last:
            last = c.ts
        h = history.get(c.prop)
        if h is None:
            h = history[c.prop] = []
            initial = rec.static.get(c.prop)
            if initial is not None and c.ts > rec.created:
                h.append(_initial_entry(initial, rec.created))
        h.append(_history_entry(c))
    for entries in history.values():
        entries.reverse()
    archived_at = rec.archived_at if rec.archived_at is not None and rec.archived_at <= now else None
    if archived_at is not None:
        last = max(last, archived_at)
    props[hs.CREATED_PROPERTY[otype]] = iso_ms(rec.created)
    props[hs.LAST_MODIFIED_PROPERTY[otype]] = iso_ms(last)
    props["hs_object_id"] = rec.id
    return HSRecord(otype, rec.id, rec.created, last, archived_at, props, history, {}, None, rec.relation)


def snapshot(tl: PersonTimeline, now: int) -> PersonSnapshot:
    """The person's HubSpot records and form submissions as of ``now``."""
    out: list[HSRecord] = []
    live: dict[str, bool] = {}  # record id -> visible and not archived
    for rec in tl.records:
        if rec.created > now:
            continue
        r = _fold(rec, now)
        r.person_index = tl.index
        live[r.id] = r.archived_at is None
        out.append(r)
    company_visible = tl.contact0_created is not None and tl.contact0_created <= now
    by_id = {r.id: r for r in out}
    for rec in tl.records:
        r = by_id.get(rec.id)
        if r is None or r.archived_at is not None:
            continue
        for to_type, to_id in rec.links:
            ok = company_visible if to_type == "companies" else live.get(to_id, False)
            if ok:
                r.assoc.setdefault(to_type, []).append(to_id)
    for r in out:
        for ids in r.assoc.values():
            ids.sort(key=int)
    subs = [
        {
            "formGuid": s.form_guid,
            "conversionId": s.conversion_id,
            "submittedAt": s.ts,
            "values": s.values,
            "pageUrl": s.page_url,
            "_relation": s.relation,
        }
        for s in tl.submissions
        if s.ts <= now
    ]
    nxt = None
    inst = tl.instants
    lo, hi = 0, len(inst)
    while lo < hi:
        mid = (lo + hi) // 2
        if inst[mid] <= now:
            lo = mid + 1
        else:
            hi = mid
    if lo < len(inst):
        nxt = inst[lo]
    return PersonSnapshot(out, subs, nxt)


def submission_object(sub: dict[str, Any]) -> dict[str, Any]:
    """The v1 submission object (without our bookkeeping keys)."""
    return {
        "conversionId": sub["conversionId"],
        "submittedAt": sub["submittedAt"],
        "values": sub["values"],
        "pageUrl": sub["pageUrl"],
    }


# -- aggregates: companies and shared-mailbox contacts ----------------------------------------------------------


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


# -- payloads ---------------------------------------------------------------------------------------------------


def object_json(
    rec: HSRecord,
    properties: Iterable[str] | None = None,
    history: Iterable[str] = (),
) -> dict[str, Any]:
    """The v3 object (``SimplePublicObject``) with the requested properties (None = every defined property)."""
    if properties is None:
        props = dict(rec.properties)
    else:
        allp = rec.properties
        props = {p: allp.get(p) for p in properties}
    out: dict[str, Any] = {"id": rec.id, "properties": props}
    hist = list(history)
    if hist:
        out["propertiesWithHistory"] = {p: history_for(rec, p) for p in hist if p in rec.properties}
    out["createdAt"] = iso_ms(rec.created)
    out["updatedAt"] = iso_ms(rec.updated)
    out["archived"] = rec.archived_at is not None
    if rec.archived_at is not None:
        out["archivedAt"] = iso_ms(rec.archived_at)
    return out


def v4_items(from_type: str, to_type: str, ids: Iterable[str]) -> list[dict[str, Any]]:
    types = hs.association_types(from_type, to_type)
    return [{"toObjectId": i, "associationTypes": [dict(t) for t in types]} for i in ids]


def raw_payload(rec: HSRecord, history: tuple[str, ...], associations: tuple[str, ...]) -> dict[str, Any]:
    """The payload the connector stores for a CRM object after a full sync (see docs/sandbox.md)."""
    out = object_json(rec, None, history)
    if not history:
        out.pop("propertiesWithHistory", None)
    if associations:  # key omitted for streams that store no associations (as propertiesWithHistory)
        out["associations"] = {
            to: ([] if rec.archived_at is not None else v4_items(rec.otype, to, rec.assoc.get(to, ())))
            for to in associations
        }
    return out


__all__ = [
    "Aggregates",
    "HSRecord",
    "PersonSnapshot",
    "PersonTimeline",
    "build_timeline",
    "object_json",
    "raw_payload",
    "snapshot",
    "submission_object",
    "v4_items",
]
