"""Engagements in a person's HubSpot timeline: the inquiry emails they send, sales emails and calls (which move the
lead status), meetings (booked, then completed or no-show), notes and tasks."""

from __future__ import annotations

from typing import Any

from sandbox.world.person import Event
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections.hubspot_records import RecordTimeline
from sandbox.world.projections.hubspot_timeline_contacts import ContactTimeline
from sandbox.world.sales_channels import meeting_location
from sandbox.world.timeutil import iso_ms


class EngagementTimeline(ContactTimeline):
    """Emails, calls, meetings, notes and tasks, associated with the contact, the deal and the company."""

    def engagement(
        self, otype: str, ts: int, created: int, key: int | None, deal: int | None, props: dict[str, Any]
    ) -> RecordTimeline:
        rec = RecordTimeline(otype, self.next_id(otype), created, {"hs_timestamp": iso_ms(ts), **props})
        if key is not None and key in self.contacts:
            rec.links.append(("contacts", self.contacts[key].id))
        if deal is not None and deal in self.deals:
            rec.links.append(("deals", self.deals[deal].id))
        if self.cid is not None:
            rec.links.append(("companies", self.cid))
        self.records.append(rec)
        return rec

    # -- event handlers ----------------------------------------------------------------------------------------

    def on_inbound_email(self, ev: Event) -> None:
        """The person writes to sales: the contact exists from then on, the email is an ``INCOMING_EMAIL``."""
        ts, _, a = ev
        person = self.person
        key = a["contact"]
        rec = self.contact_rec(key, ts, None, ("EMAIL", "inbox"))
        rec.static.setdefault("firstname", person.first_name)
        rec.static.setdefault("lastname", person.last_name)
        self.engagement(
            "emails",
            ts,
            ts,
            key,
            None,
            {
                "hubspot_owner_id": self.owner_id,
                "hs_email_subject": a["subject"],
                "hs_email_text": "Hi, could someone get back to me? Thanks.",
                "hs_email_direction": "INCOMING_EMAIL",
                "hs_email_status": "SENT",
                "hs_email_from_email": person.contact_emails.get(key, person.emails[0]),
                "hs_email_to_email": "sales@lumenstack.com",
            },
        )

    def on_sales_email(self, ev: Event) -> None:
        ts, _, a = ev
        person = self.person
        key = a["contact"]
        self.engagement(
            "emails",
            ts,
            ts,
            key,
            None,
            {
                "hubspot_owner_id": self.owner_id,
                "hs_email_subject": a["subject"],
                "hs_email_text": "Thanks for reaching out! When would suit you for a quick call?",
                "hs_email_direction": "EMAIL",
                "hs_email_status": "SENT",
                "hs_email_from_email": f"owner{person.owner + 1}@lumenstack.com",
                "hs_email_to_email": person.contact_emails.get(key, person.emails[0]),
            },
        )
        self.lead_status(key, ts, "ATTEMPTED_TO_CONTACT")

    def on_call(self, ev: Event) -> None:
        ts, _, a = ev
        person = self.person
        key = a["contact"]
        disp = a["disposition"]
        self.engagement(
            "calls",
            ts,
            ts,
            key,
            a.get("deal"),
            {
                "hubspot_owner_id": self.owner_id,
                "hs_call_title": "Call with " + person.first_name,
                "hs_call_body": "Intro call." if disp == "connected" else "Tried to reach them.",
                "hs_call_duration": str(a["duration_ms"]),
                "hs_call_direction": a["direction"],
                "hs_call_status": "COMPLETED" if disp != "no_answer" else "NO_ANSWER",
                "hs_call_disposition": hs.CALL_DISPOSITIONS[disp],
                "hs_call_to_number": person.contact_phones.get(key) or person.phone_e164,
            },
        )
        self.lead_status(key, ts, "CONNECTED" if disp == "connected" else "ATTEMPTED_TO_CONTACT")

    def on_meeting(self, ev: Event) -> None:
        """Created when booked as ``SCHEDULED``, with where it takes place; the outcome is a change at the meeting's
        end."""
        ts, _, a = ev
        person = self.person
        key = a["contact"]
        location_type, location = meeting_location(self.seed, self.idx, ts)
        rec = self.engagement(
            "meetings",
            ts,
            a["booked_at"],
            key,
            a.get("deal"),
            {
                "hubspot_owner_id": self.owner_id,
                "hs_meeting_title": a["title"],
                "hs_meeting_body": f"{a['title']} with {person.first_name} {person.last_name}",
                "hs_meeting_start_time": iso_ms(ts),
                "hs_meeting_end_time": iso_ms(a["end"]),
                "hs_meeting_outcome": "SCHEDULED",
                "hs_meeting_location_type": location_type,
                "hs_meeting_location": location,
            },
        )
        self.set_prop(rec, a["end"], "hs_meeting_outcome", a["outcome"])
        if a["outcome"] == "COMPLETED":
            self.lead_status(key, ts, "CONNECTED")

    def on_note(self, ev: Event) -> None:
        ts, _, a = ev
        self.engagement(
            "notes",
            ts,
            ts,
            a["contact"],
            a.get("deal"),
            {"hubspot_owner_id": self.owner_id, "hs_note_body": a["body"]},
        )

    def on_task(self, ev: Event) -> None:
        """``hs_timestamp`` is the due date; most tasks are completed later."""
        ts, _, a = ev
        person = self.person
        rec = self.engagement(
            "tasks",
            a["due"],
            ts,
            a["contact"],
            a.get("deal"),
            {
                "hubspot_owner_id": self.owner_id,
                "hs_task_subject": a["subject"],
                "hs_task_body": f"{a['subject']}: {person.first_name} {person.last_name}",
                "hs_task_status": "NOT_STARTED",
                "hs_task_priority": a["priority"],
                "hs_task_type": a["task_type"],
            },
        )
        if a["completed_at"] is not None:
            self.set_prop(rec, a["completed_at"], "hs_task_status", "COMPLETED")
            self.set_prop(rec, a["completed_at"], "hs_task_completion_date", iso_ms(a["completed_at"]))
