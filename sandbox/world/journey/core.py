"""The state one person's journey is built in, and the primitives every part of it uses: adding an event,
the person's contacts (which address and phone each HubSpot contact key carries) and lifecycle changes."""

from __future__ import annotations

import random
from typing import Any, Protocol

from sandbox.world.config import WorldConfig
from sandbox.world.identifiers import messy_email, messy_phone
from sandbox.world.person import Event, Person


class Referrers(Protocol):
    """What a journey asks of the generator of its world: earlier persons, for a referral persona's referrer."""

    config: WorldConfig

    def referral_events(self, index: int) -> list[tuple[int, str]]: ...

    def generate_cached(self, index: int) -> Person: ...


class JourneyCore:
    """Builds one person's journey. Methods append events; ``finish`` sorts them (stable on equal times).

    The journey's parts are mixins over this state (``touches``, ``email``, ``sales``, ``conversions``,
    ``personas``); each method draws from ``self.rng`` exactly as before the split, so the draws keep their order."""

    def __init__(self, gen: Referrers, person: Person, rng: random.Random) -> None:
        self.gen = gen
        self.cfg = gen.config
        self.p = person
        self.rng = rng
        self.events: list[Event] = []
        self.horizon = self.cfg.horizon_ms
        self.deals = 0
        self.contact_stage: dict[int, int] = {}  # contact key -> lifecycle rank reached
        self.subscriptions: list[tuple[str, int, int]] = []  # (email, from_ms, contact key)

    # -- primitives --------------------------------------------------------------------------------------

    def add(self, ts: int, type_: str, **attrs: Any) -> int:
        if ts < self.horizon:
            self.events.append(Event(ts, type_, attrs))
        return ts

    def email_for(self, key: int) -> str:
        return self.p.emails[key] if key < len(self.p.emails) else self.p.emails[0]

    def contact(self, key: int) -> None:
        """Make sure a contact key is known (its typed email / phone are fixed on first use)."""
        p = self.p
        if key not in p.contact_emails:
            addr = self.email_for(key)
            # HubSpot lower-cases most addresses, but contacts created by imports or integrations keep case.
            p.contact_emails[key] = addr if self.rng.random() < 0.8 else messy_email(self.rng, addr).strip()
            p.contact_phones[key] = messy_phone(self.rng, p.phone_e164)

    LIFECYCLE = (
        "subscriber",
        "lead",
        "marketingqualifiedlead",
        "salesqualifiedlead",
        "opportunity",
        "customer",
        "evangelist",
    )

    def lifecycle(self, ts: int, stage: str, key: int = 0, cause: str = "CRM_UI") -> None:
        rank = self.LIFECYCLE.index(stage)
        if self.contact_stage.get(key, -1) >= rank:
            return
        self.contact_stage[key] = rank
        self.add(ts, "lifecycle_changed", contact=key, stage=stage, cause=cause)
