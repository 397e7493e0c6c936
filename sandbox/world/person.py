"""A person of the world as ground truth: identity, identifiers and the journey of vendor-neutral touch events."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sandbox.world.web.model import WebActivity

# Touch event types (vendor neutral).
EVENT_TYPES: tuple[str, ...] = (
    "ad_click",
    "form_submission",
    "email_subscribe",
    "email_send",
    "email_open",
    "email_click",
    "email_bounce",
    "email_unsubscribe",
    "lead_ad_submission",
    "social_comment",
    "social_reaction",
    "social_message",
    "inbound_email",
    "sales_email",
    "call",
    "meeting",
    "note",
    "task",
    "deal_created",
    "deal_stage_changed",
    "deal_won",
    "deal_lost",
    "purchase",
    "lifecycle_changed",
    "survey_response",
    "referral_given",
)


class Event(NamedTuple):
    """One touch event. ``ts`` is UTC epoch milliseconds; ``attrs`` holds the type's fields."""

    ts: int
    type: str
    attrs: dict[str, Any]


@dataclass(slots=True)
class Person:
    """Ground truth about one person. ``events`` is the full journey sorted by time (it may end after ``now``)."""

    index: int
    person_id: str
    persona: str
    first_name: str
    last_name: str
    emails: tuple[str, ...]  # canonical lower-case addresses; [0] is the primary one
    phone_e164: str
    area_code: str
    city: str
    country: str
    job_title: str
    company: int | None  # company index (B2B personas)
    owner: int  # owner index of the sales rep who handles this person
    is_anonymous: bool
    start_ms: int
    hs_persona: str | None  # value of the HubSpot hs_persona property (None = not set)
    facebook_user_id: str | None = None
    instagram_user_id: str | None = None
    instagram_username: str | None = None
    referred_by: int | None = None  # index of the person who referred this one
    referrer_email: str | None = None
    contact_emails: dict[int, str] = field(default_factory=dict)  # HubSpot contact key -> email as stored
    contact_phones: dict[int, str] = field(default_factory=dict)  # HubSpot contact key -> messy phone
    archived_contact_at: dict[int, int] = field(default_factory=dict)  # contact key -> archive time (ms)
    events: list[Event] = field(default_factory=list)
    web: WebActivity | None = None  # visits and app use (sandbox/world/web/activity.py); None without the website

    # -- identifiers the ad / email / social projections reuse ----------------------------------------------

    @property
    def gclids(self) -> list[str]:
        return [e.attrs["click_id"] for e in self.events if e.type == "ad_click" and e.attrs["platform"] == "google"]

    @property
    def fbclids(self) -> list[str]:
        return [e.attrs["click_id"] for e in self.events if e.type == "ad_click" and e.attrs["platform"] == "meta"]

    @property
    def meta_lead_ids(self) -> list[str]:
        return [e.attrs["lead_id"] for e in self.events if e.type == "lead_ad_submission"]

    @property
    def mailchimp_member_ids(self) -> list[str]:
        """Mailchimp subscriber hash: md5 of the lower-case address, for each address that got a campaign."""
        seen: list[str] = []
        for e in self.events:
            if e.type == "email_send" and e.attrs["email"] not in seen:
                seen.append(e.attrs["email"])
        return [mailchimp_member_id(a) for a in seen]

    def events_until(self, now_ms: int) -> list[Event]:
        ev = self.events
        # events are sorted by ts: bisect by hand (NamedTuple compare would touch attrs)
        lo, hi = 0, len(ev)
        while lo < hi:
            mid = (lo + hi) // 2
            if ev[mid].ts <= now_ms:
                lo = mid + 1
            else:
                hi = mid
        return ev[:lo]


def mailchimp_member_id(email: str) -> str:
    return hashlib.md5(email.strip().lower().encode()).hexdigest()
