"""The Trustpilot stream this project syncs (schema ``raw_trustpilot``), its key, cursor and record contract.

Record contract (quarantined otherwise, see docs/quarantine.md): a review has an ``id``; ``stars`` is present
(``missing_stars``) and a whole number from 1 to 5 (``invalid_stars``); ``createdAt`` is a plausible timestamp and
``updatedAt``, null until the consumer revises the review, is one when set (``missing_timestamp``,
``unparseable_timestamp`` …). The cursor is ``updatedAt`` when set, else ``createdAt``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connectors.raw.contracts import Check, ContractLimits, Reason, Violation, check_timestamp


@dataclass(frozen=True)
class TrustpilotStream:
    name: str
    description: str
    cursor_field: str
    key_paths: tuple[str, ...] = ("id",)
    required: tuple[Check, ...] = ()


def check_stars(payload: dict[str, Any], _limits: ContractLimits) -> Violation | None:
    stars = payload.get("stars")
    if stars is None:
        return Violation(Reason.MISSING_STARS, "the review has no stars")
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        return Violation(Reason.INVALID_STARS, f"stars is {stars!r}, not a whole number from 1 to 5")
    return None


def review_cursor(payload: dict[str, Any], limits: ContractLimits) -> tuple[datetime | None, Violation | None]:
    """The newest change of a review: ``updatedAt`` once revised, else ``createdAt``; both must be sound."""
    created, problem = check_timestamp(payload.get("createdAt"), "createdAt", limits)
    if problem is not None:
        return None, problem
    if payload.get("updatedAt") is None:
        return created, None
    return check_timestamp(payload.get("updatedAt"), "updatedAt", limits)


REVIEWS = TrustpilotStream(
    "reviews",
    "Private reviews of the business unit: stars, title, text, language, the consumer's referral email and the "
    "order reference; incremental on updatedAt (createdAt until revised).",
    "updatedAt",
    required=(check_stars,),
)
STREAMS: tuple[TrustpilotStream, ...] = (REVIEWS,)
STREAMS_BY_NAME: dict[str, TrustpilotStream] = {s.name: s for s in STREAMS}
