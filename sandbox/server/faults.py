"""Switchable fault injection for the vendor servers."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any

FAULT_KINDS: tuple[str, ...] = (
    "429_retry_after",
    "429",
    "500",
    "502",
    "503",
    "slow",
    "cut",
    "meta_rate_limit",  # Graph throttling: HTTP 400 with code 17 / 613 / 80004 (in turn) and usage headers
    "google_quota",  # Google Ads 429 RESOURCE_EXHAUSTED with quotaErrorDetails.retryDelay
    "apply_then_500",  # the request is handled (a write takes effect), then the client gets a 500 instead
)
APPLY_THEN_500 = "apply_then_500"
# Faults answered instead of the real response: the request has no effect at all (no rate-limit use either).
SHORT_CIRCUIT = frozenset({"429_retry_after", "429", "500", "502", "503", "meta_rate_limit", "google_quota"})


@dataclass
class FaultPlan:
    """``rate``: probability that an API request is faulted (deterministic from ``seed``); ``kinds``: which
    faults, used in turn (round robin from a seed-chosen start) so every kind fires once ``len(kinds)`` faults have.

    ``slow`` sleeps ``slow_seconds`` then answers normally (meant to exceed the client's timeout); ``cut`` sends the
    status line and headers with the full Content-Length, about half the body, then closes the socket;
    ``apply_then_500`` handles the request (a write is applied) and then answers the vendor's 500 instead.
    """

    rate: float = 0.0
    kinds: tuple[str, ...] = ("429_retry_after", "429", "500", "502", "503")
    seed: int = 0
    slow_seconds: float = 3.0
    _rng: random.Random = field(init=False, repr=False, compare=False)
    _lock: threading.Lock = field(init=False, repr=False, compare=False)
    _turn: int = field(init=False, repr=False, compare=False, default=0)

    def __post_init__(self) -> None:
        self.kinds = tuple(self.kinds)
        bad = [k for k in self.kinds if k not in FAULT_KINDS]
        if bad:
            raise ValueError(f"unknown fault kinds {bad}; known: {', '.join(FAULT_KINDS)}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate must be within [0, 1]")
        if self.rate > 0 and not self.kinds:
            raise ValueError("kinds must not be empty when rate > 0")
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()
        self._turn = self._rng.randrange(len(self.kinds)) if self.kinds else 0

    def draw(self) -> str | None:
        """The fault for the next API request, or None."""
        if self.rate <= 0:
            return None
        with self._lock:
            if self._rng.random() >= self.rate:
                return None
            kind = self.kinds[self._turn % len(self.kinds)]
            self._turn += 1
            return kind

    def to_json(self) -> dict[str, Any]:
        return {"rate": self.rate, "kinds": list(self.kinds), "seed": self.seed, "slow_seconds": self.slow_seconds}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultPlan:
        return cls(
            rate=float(data.get("rate", 0.0)),
            kinds=tuple(data.get("kinds") or FaultPlan().kinds),
            seed=int(data.get("seed", 0)),
            slow_seconds=float(data.get("slow_seconds", 3.0)),
        )
