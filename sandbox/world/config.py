"""World configuration: every knob of the synthetic customer world."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

PERSONAS: tuple[str, ...] = (
    "bargain_hunter",
    "researcher",
    "referral",
    "paid_search_shopper",
    "social_follower",
)

DEFAULT_PERSONA_WEIGHTS: dict[str, float] = {
    "bargain_hunter": 0.30,
    "researcher": 0.20,
    "referral": 0.10,
    "paid_search_shopper": 0.20,
    "social_follower": 0.20,
}


@dataclass(frozen=True)
class WorldConfig:
    """All knobs of a world. Two worlds built from equal configs are identical.

    ``people`` persons start their journeys across ``[start_date, start_date + days)``; journeys may go on until
    ``start_date + days + tail_days``. The world's clock starts at ``start_date + days`` (midnight UTC) unless
    ``now`` is given to :class:`~sandbox.world.World`.
    """

    seed: int = 42
    people: int = 500
    days: int = 90
    start_date: date = date(2026, 1, 1)
    persona_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_PERSONA_WEIGHTS))
    # Share of people, per persona, who never become CRM contacts (an ad click or social reaction only).
    anonymous_share: dict[str, float] = field(
        default_factory=lambda: {
            "bargain_hunter": 0.25,
            "researcher": 0.0,
            "referral": 0.0,
            "paid_search_shopper": 0.20,
            "social_follower": 0.45,
        }
    )
    # Share of contact-holding people with two HubSpot contacts (work + personal email, linked only by phone).
    duplicate_contact_rate: float = 0.06
    # Share of B2B people who submit one extra form from their company's shared info@ address.
    shared_address_rate: float = 0.08
    # Share of contacts archived (deleted) some weeks after their last activity.
    archived_rate: float = 0.01
    # Share of contacts with no hs_persona set.
    missing_persona_rate: float = 0.10
    # Journeys keep generating events up to this many days after the end of the start window.
    tail_days: int = 60
    # Number of sales reps (HubSpot owners).
    owners: int = 8
    # The website (docs/sandbox.md, "The website"): people's visits, sessions and app use, and the anonymous
    # visitors who never identify, this many per person. Off, the world is the one before the website existed.
    website: bool = True
    visitors_per_person: float = 10.0

    def __post_init__(self) -> None:
        if self.people < 0:
            raise ValueError("people must be >= 0")
        if self.days <= 0:
            raise ValueError("days must be > 0")
        unknown = set(self.persona_weights) - set(PERSONAS)
        if unknown:
            raise ValueError(f"unknown personas in persona_weights: {sorted(unknown)}")
        if sum(self.persona_weights.get(p, 0.0) for p in PERSONAS) <= 0:
            raise ValueError("persona_weights must have a positive total")
        if self.visitors_per_person < 0:
            raise ValueError("visitors_per_person must be >= 0")

    # -- derived ---------------------------------------------------------------------------------------------

    @property
    def start(self) -> datetime:
        return datetime(self.start_date.year, self.start_date.month, self.start_date.day, tzinfo=UTC)

    @property
    def start_ms(self) -> int:
        return int(self.start.timestamp() * 1000)

    @property
    def end(self) -> datetime:
        """End of the start window and the world's default clock."""
        return self.start + timedelta(days=self.days)

    @property
    def end_ms(self) -> int:
        return self.start_ms + self.days * 86_400_000

    @property
    def horizon_ms(self) -> int:
        """No event is generated at or after this instant."""
        return self.end_ms + self.tail_days * 86_400_000

    def with_(self, **changes: object) -> WorldConfig:
        return replace(self, **changes)
