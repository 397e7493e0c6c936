"""Ground-truth journey stages, computed from a person's events with the rules of docs/sandbox.md.

* ``awareness``: any touch, a first view on the website or in the app included (and the voice touches the vendors
  show: a Typeform answer, a marketing event participation, a Trustpilot review; ``World.stage_events`` adds them,
  voice/stage_touches.py).
* ``engagement``: an email sign-up (joining the Mailchimp audience), an email click, a social comment or a social
  reaction, or the third view on the website or in the app (``page`` and ``screen`` calls over all of a person's
  devices, counted by time; a visitor who never identifies gets there too).
* ``consideration``: a form submission, a meeting or a deal created.
* ``conversion``: a deal won, a purchase, or the lifecycle stage becoming ``customer``.
* ``retention``: a second conversion event (the second of ``deal_won`` / ``purchase``: a repeat purchase or an
  existing-business deal won).
* ``advocacy``: a referral given, or an NPS answer of 9 or 10 (HubSpot's feedback submissions and Typeform's NPS
  survey alike: the dbt seed rule ``promoter survey score`` fires on every survey_response scored 9 or more), or a
  5-star review (Trustpilot, in the stars it shows at the clock: the seed rule ``5-star review``).

The true stage is the highest stage reached. Stages are monotonic: when a higher stage is entered before a lower
one's own rule fired, the lower stage counts as entered at that same instant.
"""

from __future__ import annotations

from collections.abc import Iterable

from sandbox.world.person import Event

STAGES: tuple[str, ...] = ("awareness", "engagement", "consideration", "conversion", "retention", "advocacy")
STAGE_RANK: dict[str, int] = {s: i for i, s in enumerate(STAGES)}

_ENGAGEMENT = frozenset({"email_subscribe", "email_click", "social_comment", "social_reaction"})
_CONSIDERATION = frozenset({"form_submission", "meeting", "deal_created"})
_CONVERSION = frozenset({"deal_won", "purchase"})


# Views on the site or in the app that make someone engaged (docs/sandbox.md, "The website").
ENGAGED_AFTER_VIEWS = 3


def stage_entries(events: Iterable[Event], now_ms: int | None = None, views: Iterable[int] = ()) -> dict[str, int]:
    """``{stage: entered_at_ms}`` for every stage reached by ``now_ms`` (all events when None). ``views``: the
    times of the person's page and screen views, sorted (their web activity)."""
    first: list[int | None] = [None] * len(STAGES)
    for n, ts in enumerate(views, 1):
        if now_ms is not None and ts > now_ms:
            break
        if n == 1:
            first[0] = ts
        if n == ENGAGED_AFTER_VIEWS:
            first[1] = ts
            break
    conversions = 0
    for ev in events:
        ts = ev.ts
        if now_ms is not None and ts > now_ms:
            break
        if first[0] is None or ts < first[0]:
            first[0] = ts
        t = ev.type
        if t in _ENGAGEMENT:
            if first[1] is None or ts < first[1]:
                first[1] = ts
        elif t in _CONSIDERATION:
            if first[2] is None:
                first[2] = ts
        elif t in _CONVERSION:
            conversions += 1
            if first[3] is None:
                first[3] = ts
            if conversions == 2 and first[4] is None:
                first[4] = ts
        elif t == "lifecycle_changed" and ev.attrs["stage"] == "customer":
            if first[3] is None:
                first[3] = ts
        elif (
            t == "referral_given"
            or (t == "survey_response" and ev.attrs["score"] >= 9)
            or (t == "review" and ev.attrs["stars"] >= 5)
        ) and first[5] is None:
            first[5] = ts
    # monotonic: a stage counts as entered no later than any higher stage
    out: dict[str, int] = {}
    nxt: int | None = None
    for i in range(len(STAGES) - 1, -1, -1):
        v = first[i]
        if nxt is not None and (v is None or nxt < v):
            v = nxt
        if v is not None:
            out[STAGES[i]] = v
            nxt = v
    return {s: out[s] for s in STAGES if s in out}


def true_stage(events: Iterable[Event], now_ms: int | None = None, views: Iterable[int] = ()) -> str | None:
    entries = stage_entries(events, now_ms, views)
    if not entries:
        return None
    return max(entries, key=STAGE_RANK.__getitem__)
