"""The touches of the customer's voice that the stage truth counts, as :class:`~sandbox.world.person.Event` rows
beside a person's journey events (docs/sandbox.md, "Ground-truth manifest"). They are read from the voice data the
world already generates (Typeform responses, marketing event participations), never drawn here, so adding them to
the stage truth changes nothing the world generates.

* A submitted Typeform answer is a touch (awareness) at its submission, to the second as Typeform sends it; an NPS
  answer is an ``survey_response`` with its ``score``, so the promoter rule (9 or 10: advocacy) reads it as it reads
  HubSpot's NPS answers. A CSAT answer (1-5) is a touch of type ``survey_answer`` (no stage of its own).
* Every participation state HubSpot shows (registered, attended, no-show, cancelled) is a touch at its occurredAt.
* A Trustpilot review is a ``review`` touch at its creation with the stars it shows at the clock (a revision's once
  revised): 5 stars is advocacy (the dbt seed rule ``5-star review``).
"""

from __future__ import annotations

from sandbox.world import events as mkt
from sandbox.world.config import WorldConfig
from sandbox.world.person import Event, Person
from sandbox.world.voice import reviews, surveys


def survey_touches(cfg: WorldConfig, p: Person, now_ms: int) -> list[Event]:
    out: list[Event] = []
    for r in surveys.person_responses(cfg, p):
        if r.submitted_at is None or r.submitted_at > now_ms:
            continue  # partial answers are never read; later ones are not there yet
        ts = r.submitted_at // 1000 * 1000  # Typeform's submitted_at is to the second
        kind = "survey_response" if r.form_id == surveys.NPS_FORM_ID else "survey_answer"
        out.append(Event(ts, kind, {"score": r.score, "form_id": r.form_id, "source": "typeform"}))
    return out


def participation_touches(p: Person, parts: list[mkt.Participation], now_ms: int) -> list[Event]:
    return [
        Event(part.occurred, f"event_{part.state.lower()}", {"event_k": part.event_k})
        for part in parts
        if mkt.visible(part, p.archived_contact_at.get(part.contact_key), now_ms)
    ]


def review_touches(cfg: WorldConfig, p: Person, now_ms: int) -> list[Event]:
    out: list[Event] = []
    for r in reviews.person_reviews(cfg, p):
        shown = r.payload(now_ms)
        if shown is not None:
            out.append(Event(r.created, "review", {"stars": shown["stars"], "source": "trustpilot"}))
    return out


def with_voice(events: list[Event], voice: list[Event]) -> list[Event]:
    """The journey events and the voice touches in one time order (journey events first on equal times)."""
    if not voice:
        return events
    return sorted(events + voice, key=lambda e: e.ts)
