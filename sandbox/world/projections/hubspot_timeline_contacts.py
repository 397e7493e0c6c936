"""Contacts in a person's HubSpot timeline: creation (with the original-source properties of the first touch), form
submissions and what they update, the Messenger page-scoped id, Lead Ads contacts, lifecycle stage, owner and lead
status, and the NPS answers (feedback submissions) a contact gives."""

from __future__ import annotations

import hashlib
from typing import Any

from sandbox.world import catalog
from sandbox.world.person import Event
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections import hubspot_web
from sandbox.world.projections.hubspot_records import RecordTimeline, SubmissionTimeline
from sandbox.world.projections.hubspot_timeline_state import TimelineState
from sandbox.world.timeutil import iso_ms

LIFECYCLE_RANK = {s: i for i, s in enumerate(hs.LIFECYCLE_STAGES)}
_LEAD_STATUS_ORDER = ("NEW", "ATTEMPTED_TO_CONTACT", "CONNECTED", "OPEN_DEAL")


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


class ContactTimeline(TimelineState):
    """Contact records and what the person does to them."""

    def contact_rec(
        self, key: int, ts: int, creating: dict[str, Any] | None, source: tuple[str, str]
    ) -> RecordTimeline:
        """The contact of ``key``, created at ``ts`` on first use (``creating``: the form that created it)."""
        person, idx, company, cid = self.person, self.idx, self.company, self.cid
        rec = self.contacts.get(key)
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
        static.update(_analytics(self.first_touch, creating))
        if "gclid" in self.last_click:
            static["hs_google_click_id"] = self.last_click["gclid"]["click_id"]
        if "fbclid" in self.last_click:
            static["hs_facebook_click_id"] = self.last_click["fbclid"]["click_id"]
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
        self.contacts[key] = rec
        self.contact_state[key] = {"lifecycle": -1, "owner": False, "lead_status": None, "src": source}
        self.records.append(rec)
        return rec

    def lead_status(self, key: int, ts: int, status: str) -> None:
        """Lead status only moves forward (NEW -> ATTEMPTED_TO_CONTACT -> CONNECTED -> OPEN_DEAL)."""
        st = self.contact_state.get(key)
        if st is None:
            return
        order = _LEAD_STATUS_ORDER
        cur = st["lead_status"]
        if cur is not None and order.index(cur) >= order.index(status):
            return
        st["lead_status"] = status
        self.set_prop(self.contacts[key], ts, "hs_lead_status", status)

    def web_analytics(self) -> None:
        """The contact properties HubSpot computes from the person's tracked visits, once every contact exists
        (``projections/hubspot_web.py``): original-visit properties when the first cookie is tied (at the contact's
        creation when a form created it), then counters and last-visit properties with every view."""
        act = self.person.web
        ties = hubspot_web.cookie_ties(act) if act is not None else {}
        if not ties:
            return
        events = hubspot_web.person_events(self.seed, self.idx, act)
        # The original-visit properties come from the person's first tied cookie, whose first visit is their first
        # touch; their other contact keeps the first-touch values the world gave it (docs/sandbox.md).
        original = min(ties.values(), key=lambda t: (t.at, t.device)).contact_key
        for key in sorted({t.contact_key for t in ties.values()}):
            rec = self.contacts.get(key)
            if rec is None:
                continue
            tied_at, first, changes = hubspot_web.analytics_changes(events, ties, key)
            if key != original:
                first = {}
            elif tied_at <= rec.created:
                rec.static.update(first)
            else:
                changes = [(tied_at, k, v) for k, v in first.items()] + changes
            for t, prop, value in changes:
                if rec.archived_at is None or t <= rec.archived_at:  # a deleted contact is not tracked
                    self.set_prop(rec, t, prop, value, "ANALYTICS", "analytics")

    # -- event handlers ----------------------------------------------------------------------------------------

    def on_ad_click(self, ev: Event) -> None:
        a = ev.attrs
        self.last_click[a["click_param"]] = a
        if self.first_touch is None:
            self.first_touch = ("ad", a)

    def on_social_touch(self, ev: Event) -> None:
        if self.first_touch is None:
            self.first_touch = ("social", ev.attrs)

    def on_form_submission(self, ev: Event) -> None:
        """A form submission (or a referral given: the referrer's submission of the refer-a-colleague form,
        ``journey.conversions.referral``) and the contact properties it sets or changes."""
        ts, t, a = ev
        seed, idx = self.seed, self.idx
        if self.first_touch is None:
            self.first_touch = ("form", a)
        key = a["contact"]
        fguid = catalog.form_guid(a["form"])
        values = [{"name": k, "value": v, "objectTypeId": "0-1"} for k, v in a["values"].items()]
        relation = "shared" if key is None else ("primary" if key == 0 else "secondary")
        if t == "referral_given":  # ids of their own, so the ids of the person's other submissions stay put
            sub_id = _uuid_from(seed, idx, "referral", a["code"])
        else:
            sub_id = _uuid_from(seed, idx, "submission", self.n_sub)
            self.n_sub += 1
        self.submissions.append(SubmissionTimeline(ts, fguid, sub_id, values, a["page_url"], relation))
        if key is None:
            self.shared.append((ts, a["values"].get("firstname", ""), a["values"].get("lastname", "")))
            return
        new = key not in self.contacts
        rec = self.contact_rec(key, ts, a, ("FORM", fguid))
        st = self.contact_state[key]
        st["src"] = ("FORM", fguid)
        for prop in ("firstname", "lastname", "phone", "jobtitle", "company", "instagram_handle"):
            v = a["values"].get(prop)
            if v is None:
                continue
            if new and prop in ("firstname", "lastname", "phone", "instagram_handle"):
                rec.static[prop] = v
            elif st.get(prop, rec.static.get(prop)) != v:
                self.set_prop(rec, ts, prop, v, "FORM", fguid)
            st[prop] = v
        st["conversions"] = st.get("conversions", 0) + 1
        form_name = catalog.FORMS_BY_KEY[a["form"]].name
        if new:
            rec.static.update(
                recent_conversion_date=iso_ms(ts), recent_conversion_event_name=form_name, num_conversion_events="1"
            )
        else:
            self.set_prop(rec, ts, "recent_conversion_date", iso_ms(ts), "FORM", fguid)
            self.set_prop(rec, ts, "recent_conversion_event_name", form_name, "FORM", fguid)
            self.set_prop(rec, ts, "num_conversion_events", str(st["conversions"]), "FORM", fguid)

    def on_social_message(self, ev: Event) -> None:
        # HubSpot's conversations inbox (Facebook Messenger channel) matched the thread to the contact and
        # stored the sender's page-scoped id on it
        rec = self.contacts.get(0)
        if rec is not None:
            psid = ev.attrs["user_id"]
            self.set_prop(rec, ev.ts, "facebook_page_scoped_id", psid, "INTEGRATION", "conversations-inbox")

    def on_lead_ad(self, ev: Event) -> None:
        ts, _, a = ev
        person = self.person
        rec = self.contact_rec(a["contact"], ts, None, ("INTEGRATION", "meta-lead-ads"))
        rec.static.setdefault("phone", a["phone"])
        rec.static.setdefault("firstname", person.first_name)
        rec.static.setdefault("lastname", person.last_name)

    def on_lifecycle(self, ev: Event) -> None:
        """A lifecycle stage change (forward only); becoming a lead assigns the owner and starts the lead status."""
        ts, _, a = ev
        key = a["contact"]
        rec = self.contact_rec(key, ts, None, ("CRM_UI", ""))
        st = self.contact_state[key]
        rank = LIFECYCLE_RANK[a["stage"]]
        if rank <= st["lifecycle"]:
            return
        st["lifecycle"] = rank
        cause = a["cause"]
        sid = {
            "FORM": st["src"][1],
            "INTEGRATION": "meta-lead-ads" if st["src"][0] == "INTEGRATION" else "ecommerce-bridge",
            "AUTOMATION_PLATFORM": "workflow:1024",
        }.get(cause, "")
        self.set_prop(rec, ts, "lifecyclestage", a["stage"], cause, sid)
        if key == 0:
            self.lifecycle0.append((ts, rank))
        if rank >= LIFECYCLE_RANK["lead"] and not st["owner"]:
            st["owner"] = True
            self.set_prop(rec, ts, "hubspot_owner_id", self.owner_id, "AUTOMATION_PLATFORM", "workflow:2048")
            if rank <= LIFECYCLE_RANK["salesqualifiedlead"]:
                self.lead_status(key, ts, "NEW")

    def on_survey_response(self, ev: Event) -> None:
        """An NPS answer: a feedback submission associated with the contact."""
        ts, _, a = ev
        idx = self.idx
        key = a["contact"]
        k = self.counters.get("feedback_submissions", 0)
        rec = RecordTimeline(
            "feedback_submissions",
            self.next_id("feedback_submissions"),
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
        if key in self.contacts:
            rec.links.append(("contacts", self.contacts[key].id))
        self.records.append(rec)
