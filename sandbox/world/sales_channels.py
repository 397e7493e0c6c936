"""Where sales meetings happen and how each sale is made (the purchase channel), derived from the journey without
drawing from its RNG (docs/sandbox.md, "Purchase channel").

* A meeting's location comes from an RNG of its own, keyed on the seed, the person and the meeting's start
  (``random.Random(f"{seed}:meeting_location:{index}:{start}")``): in person at an office (HubSpot's location type
  ``ADDRESS``), over a video link (``MEETING_LINK``) or by phone (``PHONE``).
* A sale's purchase channel is a function of what the journey already holds: an e-commerce order is ``online``; a
  won sales deal is ``in_person`` when a meeting on that deal took place (``COMPLETED``) at an address, else
  ``phone`` (the rep closed it over calls and video). Open and lost deals record none.

The HubSpot projection writes them as the meetings' ``hs_meeting_location_type`` / ``hs_meeting_location`` and the
deals' custom ``purchase_channel`` property; the manifest's ``purchases.csv`` holds the same values as ground truth.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from sandbox.world.person import Event, Person
from sandbox.world.timeutil import iso_ms

IN_PERSON, VIDEO, PHONE = "ADDRESS", "MEETING_LINK", "PHONE"
MEETING_LOCATION_TYPES: tuple[str, ...] = (IN_PERSON, VIDEO, PHONE)
ONLINE, BY_PHONE, FACE_TO_FACE = "online", "phone", "in_person"
PURCHASE_CHANNELS: tuple[str, ...] = (ONLINE, BY_PHONE, FACE_TO_FACE)
_CLOSING_EVENTS = frozenset({"deal_won", "purchase"})

# share of meetings held at an office, on a video link (the rest by phone)
_P_IN_PERSON, _P_VIDEO = 0.35, 0.45
_OFFICES = (
    "LumenStack HQ, 500 Market St, San Francisco, CA",
    "LumenStack New York, 85 Broad St, New York, NY",
    "LumenStack London, 1 Finsbury Ave, London",
    "Customer's office",
)


def meeting_location(seed: int, person_index: int, start_ms: int) -> tuple[str, str]:
    """``(hs_meeting_location_type, hs_meeting_location)`` of the person's meeting starting at ``start_ms``."""
    rng = random.Random(f"{seed}:meeting_location:{person_index}:{start_ms}")
    r = rng.random()
    if r < _P_IN_PERSON:
        return IN_PERSON, rng.choice(_OFFICES)
    if r < _P_IN_PERSON + _P_VIDEO:
        return VIDEO, f"https://meet.lumenstack.com/{person_index}-{rng.randrange(10**6):06d}"
    return PHONE, "Phone call"


def deal_purchase_channels(seed: int, person: Person) -> dict[int, str]:
    """Deal number -> purchase channel, for every deal of the person that closed as a sale (won or purchased)."""
    pipelines: dict[int, str] = {}
    met_in_person: set[int] = set()
    out: dict[int, str] = {}
    for ev in person.events:
        a = ev.attrs
        if ev.type == "deal_created":
            pipelines[a["deal"]] = a["pipeline"]
        elif ev.type == "meeting" and a.get("deal") is not None and _held_in_person(seed, person.index, ev):
            met_in_person.add(a["deal"])
        elif ev.type in _CLOSING_EVENTS:
            d = a["deal"]
            if pipelines.get(d) == "ecommerce":
                out[d] = ONLINE
            else:
                out[d] = FACE_TO_FACE if d in met_in_person else BY_PHONE
    return out


def _held_in_person(seed: int, person_index: int, ev: Event) -> bool:
    return ev.attrs["outcome"] == "COMPLETED" and meeting_location(seed, person_index, ev.ts)[0] == IN_PERSON


def purchase_rows(seed: int, person: Person, now_ms: int, deal_id: Callable[[int], str]) -> list[dict[str, Any]]:
    """Ground-truth rows of the person's sales closed by ``now_ms``: the deal's record id (``deal_id`` of its
    number), pipeline, closing event, purchase channel and when."""
    channels = deal_purchase_channels(seed, person)
    pipelines = {e.attrs["deal"]: e.attrs["pipeline"] for e in person.events if e.type == "deal_created"}
    rows = []
    for ev in person.events_until(now_ms):
        if ev.type in _CLOSING_EVENTS:
            d = ev.attrs["deal"]
            rows.append(
                {
                    "deal_id": deal_id(d),
                    "person_id": person.person_id,
                    "pipeline": pipelines[d],
                    "conversion_type": ev.type,
                    "purchase_channel": channels[d],
                    "closed_at": iso_ms(ev.ts),
                }
            )
    return rows
