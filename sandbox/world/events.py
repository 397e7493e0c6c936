"""Marketing events of the world (webinars, trade shows, in-person workshops and meetups) and who took part in them,
as HubSpot's Marketing Events API shows them (``sandbox/server/hubspot_marketing_events.py``).

Everything here comes from RNGs of its own (``{seed}:marketing-events`` for the catalog,
``{seed}:marketing-events:{person index}`` per person), never from the journey's draws, so the rest of the world
is what it was before events existed. Participations are clock independent; the clock decides what is visible.

The world's rules (docs/sandbox.md, "Marketing events"):

* An event is created (announced) two to six weeks before it starts; HubSpot shows it from then on. Ids grow with
  creation, as HubSpot assigns them. A few events are cancelled between their announcement and their start.
* Only people who are HubSpot contacts take part, through one of their contacts that exists (created, not
  archived) when they register. A participation is one state a contact reached, its own record (HubSpot's
  "Marketing Event Attendance State" object): ``REGISTERED`` when they sign up, then ``CANCELLED`` (before the
  start), ``ATTENDED`` (joined at the start or a little later, with the time they stayed) or, once the event is
  over, ``NO_SHOW``. A cancelled event has registrations only.
* A contact archived (deleted) takes its participations with it, as HubSpot does with the contact's other data.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sandbox.world.config import WorldConfig
from sandbox.world.person import Person
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections.hubspot_records import PersonTimeline
from sandbox.world.timeutil import DAY_MS, HOUR_MS, MINUTE_MS, iso_ms

# The two external apps that create the portal's events, as HubSpot's integrations do: a webinar platform and an
# event ticketing app. Each event is keyed by (externalAccountId, externalEventId) in its app.
WEBINAR_ACCOUNT = "wbn-4821977"
TICKETING_ACCOUNT = "tix-3310245"
APPS = {WEBINAR_ACCOUNT: ("1803311", "Lumenstack Webinars"), TICKETING_ACCOUNT: ("1803312", "Lumenstack Tickets")}
# Marketing event object ids: their own id space beside the CRM's (hubspot_schema.ID_BASE).
EVENT_ID_BASE = 11 * 10**12
STATES: tuple[str, ...] = ("REGISTERED", "CANCELLED", "ATTENDED", "NO_SHOW")

# eventType -> (share of the catalog, account, hours long (per day for trade shows), UTC start hour)
_TYPES: dict[str, tuple[float, str, float, int]] = {
    "WEBINAR": (0.55, WEBINAR_ACCOUNT, 1.0, 16),
    "WORKSHOP": (0.2, TICKETING_ACCOUNT, 3.0, 13),
    "MEETUP": (0.1, TICKETING_ACCOUNT, 2.0, 18),
    "TRADE_SHOW": (0.15, TICKETING_ACCOUNT, 8.0, 9),
}
_TOPICS = (
    "Customer journey analytics 101",
    "Attribution without the guesswork",
    "From first touch to renewal",
    "Lifecycle email that converts",
    "Paid social on a small budget",
    "Building a referral engine",
    "Reading your funnel",
    "Retention playbook",
)
_CITIES = ("Berlin", "London", "Amsterdam", "Lisbon", "Dublin")
_TRADE_SHOWS = ("MarTech Expo", "Digital Commerce Summit", "SaaS Growth Fair")
# Chance that a contact of each persona registers for one webinar (in-person events: half of it, trade shows: 60%).
_PROPENSITY = {
    "researcher": 0.22,
    "referral": 0.12,
    "bargain_hunter": 0.05,
    "paid_search_shopper": 0.06,
    "social_follower": 0.08,
}
_ATTEND = {"WEBINAR": 0.55, "WORKSHOP": 0.75, "MEETUP": 0.7, "TRADE_SHOW": 0.8}
_CANCEL = 0.08


@dataclass(frozen=True, slots=True)
class MarketingEvent:
    k: int  # position in creation order; objectId = EVENT_ID_BASE + k
    external_account_id: str
    external_event_id: str
    name: str
    event_type: str
    start: int
    end: int
    created: int
    organizer: str
    url: str
    description: str
    cancelled_at: int | None

    @property
    def object_id(self) -> str:
        return str(EVENT_ID_BASE + self.k)

    @property
    def active_seconds(self) -> int:
        """How long attending the whole event takes (a trade show: its opening hours)."""
        days = max(1, round((self.end - self.start) / DAY_MS + 0.5)) if self.event_type == "TRADE_SHOW" else 1
        per_day = _TYPES[self.event_type][2] if self.event_type == "TRADE_SHOW" else (self.end - self.start) / HOUR_MS
        return int(days * per_day * 3600)


@dataclass(frozen=True, slots=True)
class Participation:
    """One attendance state a contact reached for an event (one breakdown result)."""

    id: str
    event_k: int
    person_index: int
    contact_key: int
    state: str
    occurred: int
    duration_s: int | None = None  # ATTENDED only
    joined_at: int | None = None
    left_at: int | None = None

    @property
    def contact_id(self) -> str:
        return hs.record_id("contacts", self.person_index, self.contact_key)


@dataclass(frozen=True, slots=True)
class ContactLife:
    key: int
    created: int
    archived: int | None


def event_catalog(config: WorldConfig) -> list[MarketingEvent]:
    """The portal's marketing events over the world's span (clock independent), in creation (= id) order."""
    rng = random.Random(f"{config.seed}:marketing-events")
    first, last = config.start_ms + 7 * DAY_MS, config.horizon_ms - 3 * DAY_MS
    count = max(3, (last - first) // (6 * DAY_MS))
    drafts: list[tuple[int, int, str, str, str, int, int | None]] = []
    names = list(_TYPES)
    for n in range(count):
        etype = rng.choices(names, weights=[_TYPES[t][0] for t in names])[0]
        _, account, hours, hour = _TYPES[etype]
        day = first + rng.randrange((last - first) // DAY_MS) * DAY_MS
        start = day - day % DAY_MS + hour * HOUR_MS
        if etype == "TRADE_SHOW":
            end = start + rng.choice((1, 2)) * DAY_MS + int(hours * HOUR_MS)
            name = f"{rng.choice(_TRADE_SHOWS)} {iso_ms(start)[:4]} — {rng.choice(_CITIES)}"
        else:
            end = start + int(hours * HOUR_MS)
            topic = rng.choice(_TOPICS)
            name = f"{topic} ({'live webinar' if etype == 'WEBINAR' else etype.lower() + ', ' + rng.choice(_CITIES)})"
        created = start - rng.randint(14, 42) * DAY_MS - rng.randrange(DAY_MS)
        cancelled = created + rng.randrange(start - created) if rng.random() < 0.06 else None
        drafts.append((created, start, end - start, etype, name, n, cancelled))
    drafts.sort()
    out: list[MarketingEvent] = []
    for k, (created, start, length, etype, name, n, cancelled) in enumerate(drafts):
        account = _TYPES[etype][1]
        ext = f"{'w' if account == WEBINAR_ACCOUNT else 't'}{config.seed % 1000:03d}{n:04d}"
        host = "webinars" if account == WEBINAR_ACCOUNT else "tickets"
        organizer = "Lumenstack Marketing" if etype != "TRADE_SHOW" else name.split(" 20")[0] + " organisers"
        out.append(
            MarketingEvent(
                k=k,
                external_account_id=account,
                external_event_id=ext,
                name=name,
                event_type=etype,
                start=start,
                end=start + length,
                created=created,
                organizer=organizer,
                url=f"https://{host}.lumenstack.com/e/{ext}",
                description=f"{name}: {etype.replace('_', ' ').lower()} by {organizer}.",
                cancelled_at=cancelled,
            )
        )
    return out


def person_contacts(person: Person, timeline: PersonTimeline) -> list[ContactLife]:
    """The person's own HubSpot contacts with when each was created and archived (from the HubSpot timeline)."""
    created = {r.id: r.created for r in timeline.records if r.otype == "contacts"}
    out = []
    for key in sorted(person.contact_emails):
        rid = hs.record_id("contacts", person.index, key)
        if rid in created:
            out.append(ContactLife(key, created[rid], person.archived_contact_at.get(key)))
    return out


def _pid(seed: int, event: MarketingEvent, person: int, state: str) -> str:
    h = hashlib.md5(f"{seed}:participation:{event.k}:{person}:{state}".encode()).hexdigest()
    return str(10**17 + int(h[:14], 16))  # 18 digits, no leading zero


def person_participations(
    seed: int, person: Person, contacts: list[ContactLife], catalog: list[MarketingEvent]
) -> list[Participation]:
    """Every participation the person will ever have (clock independent), sorted by ``occurred`` then id."""
    if not contacts:
        return []
    rng = random.Random(f"{seed}:marketing-events:{person.index}")
    base = _PROPENSITY.get(person.persona, 0.05)
    out: list[Participation] = []
    for ev in catalog:
        # a fixed number of draws per event, so one event's outcome never shifts another's
        d_reg, d_when, d_contact, d_cancel, d_cancel_at, d_attend, d_late, d_stay = (rng.random() for _ in range(8))
        scale = 1.0 if ev.event_type == "WEBINAR" else 0.6 if ev.event_type == "TRADE_SHOW" else 0.5
        if d_reg >= base * scale:
            continue
        latest = ev.start - HOUR_MS
        alive = [c for c in contacts if c.created < latest and (c.archived is None or c.archived > latest)]
        if not alive:
            continue
        c = alive[0] if d_contact < 0.8 or len(alive) == 1 else alive[1 + int(d_contact * 10) % (len(alive) - 1)]
        opens = max(ev.created, c.created) + MINUTE_MS
        if opens >= latest:
            continue
        reg = opens + int(d_when * (latest - opens))
        one = _pid(seed, ev, person.index, "REGISTERED")
        out.append(Participation(one, ev.k, person.index, c.key, "REGISTERED", reg))
        if ev.cancelled_at is not None:
            continue
        if d_cancel < _CANCEL:
            at = reg + int(d_cancel_at * (ev.start - reg))
            out.append(
                Participation(_pid(seed, ev, person.index, "CANCELLED"), ev.k, person.index, c.key, "CANCELLED", at)
            )
        elif d_attend < _ATTEND[ev.event_type]:
            joined = ev.start + int(d_late * 15 * MINUTE_MS)
            stay = max(60, int(ev.active_seconds * (0.25 + 0.75 * d_stay)) - (joined - ev.start) // 1000)
            left = joined + stay * 1000
            pid = _pid(seed, ev, person.index, "ATTENDED")
            out.append(Participation(pid, ev.k, person.index, c.key, "ATTENDED", joined, stay, joined, left))
        else:
            pid = _pid(seed, ev, person.index, "NO_SHOW")
            out.append(Participation(pid, ev.k, person.index, c.key, "NO_SHOW", ev.end))
    out.sort(key=lambda p: (p.occurred, p.id))
    return out


def visible(p: Participation, archived: int | None, now: int) -> bool:
    """Whether HubSpot shows the participation at ``now``: it happened and its contact is not archived."""
    return p.occurred <= now and (archived is None or archived > now)


# -- payloads as the Marketing Events API returns them --------------------------------------------------------


def participation_payload(p: Participation, event: MarketingEvent, contact: dict[str, str]) -> dict[str, Any]:
    """A ``ParticipationBreakdown``; ``contact`` is the contact association (``contactId``, ``email``, names)."""
    props: dict[str, Any] = {"attendanceState": p.state, "occurredAt": p.occurred}
    if p.duration_s is not None:
        props["attendanceDurationSeconds"] = p.duration_s
        props["attendancePercentage"] = f"{min(100.0, 100 * p.duration_s / event.active_seconds):.1f}"
    return {
        "id": p.id,
        "createdAt": iso_ms(p.occurred),
        "associations": {
            "contact": contact,
            "marketingEvent": {
                "marketingEventId": event.object_id,
                "name": event.name,
                "externalAccountId": event.external_account_id,
                "externalEventId": event.external_event_id,
            },
        },
        "properties": props,
    }


def event_payload(event: MarketingEvent, now: int, counts: dict[str, int], last_change: int) -> dict[str, Any]:
    """A ``MarketingEventPublicReadResponseV2`` at ``now``: counters of the visible participations, ``updatedAt``
    the latest change (creation, cancellation, completion or a participation)."""
    cancelled = event.cancelled_at is not None and event.cancelled_at <= now
    completed = not cancelled and event.end <= now
    changes = [event.created, last_change]
    if cancelled and event.cancelled_at is not None:
        changes.append(event.cancelled_at)
    if completed:
        changes.append(event.end)
    app_id, app_name = APPS[event.external_account_id]
    return {
        "objectId": event.object_id,
        "eventName": event.name,
        "eventType": event.event_type,
        "startDateTime": iso_ms(event.start),
        "endDateTime": iso_ms(event.end),
        "eventOrganizer": event.organizer,
        "eventDescription": event.description,
        "eventUrl": event.url,
        "eventCancelled": cancelled,
        "eventCompleted": completed,
        "externalEventId": event.external_event_id,
        "appInfo": {"id": app_id, "name": app_name},
        "registrants": counts.get("REGISTERED", 0),
        "attendees": counts.get("ATTENDED", 0),
        "cancellations": counts.get("CANCELLED", 0),
        "noShows": counts.get("NO_SHOW", 0),
        "customProperties": [],
        "createdAt": iso_ms(event.created),
        "updatedAt": iso_ms(max(changes)),
    }


def event_payloads(catalog: list[MarketingEvent], now: int, parts: Iterable[Participation]) -> list[dict[str, Any]]:
    """Every event HubSpot lists at ``now`` (created by then), by objectId, counting ``parts`` (the visible
    participations of live contacts)."""
    counts: dict[int, Counter[str]] = {}
    last: dict[int, int] = {}
    for part in parts:
        counts.setdefault(part.event_k, Counter())[part.state] += 1
        last[part.event_k] = max(last.get(part.event_k, 0), part.occurred)
    return [event_payload(e, now, dict(counts.get(e.k, {})), last.get(e.k, 0)) for e in catalog if e.created <= now]
