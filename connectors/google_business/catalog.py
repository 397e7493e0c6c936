"""The Google Business Profile streams this project syncs (schema ``raw_google_business``), their keys, cursors and
record contracts.

Record contracts (quarantined otherwise, see docs/quarantine.md): a location has its resource ``name``
(``locations/{id}``); a review has its ``name`` (``accounts/{a}/locations/{l}/reviews/{id}``), a ``starRating``
(``missing_stars``) that is one of ONE..FIVE (``unknown_star_rating``: ``STAR_RATING_UNSPECIFIED`` included), a
plausible ``updateTime`` (the cursor) and ``createTime`` (``missing_timestamp``, ``unparseable_timestamp`` …).
Reviews carry no email: they are facts about a location, never about a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.raw.contracts import Check, ContractLimits, Reason, Violation, check_timestamp

STAR_RATINGS = ("ONE", "TWO", "THREE", "FOUR", "FIVE")


@dataclass(frozen=True)
class GoogleBusinessStream:
    name: str
    description: str
    cursor_field: str | None
    key_paths: tuple[str, ...] = ("name",)
    required: tuple[Check, ...] = ()
    checks: tuple[Check, ...] = ()


def check_star_rating(payload: dict[str, Any], _limits: ContractLimits) -> Violation | None:
    rating = payload.get("starRating")
    if rating is None:
        return Violation(Reason.MISSING_STARS, "the review has no starRating")
    if rating not in STAR_RATINGS:
        return Violation(Reason.UNKNOWN_STAR_RATING, f"starRating is {rating!r}, not one of {', '.join(STAR_RATINGS)}")
    return None


def check_create_time(payload: dict[str, Any], limits: ContractLimits) -> Violation | None:
    return check_timestamp(payload.get("createTime"), "createTime", limits)[1]


STREAMS: tuple[GoogleBusinessStream, ...] = (
    GoogleBusinessStream(
        "locations",
        "The account's stores and offices (Business Information API): title, store code, address, category.",
        None,
    ),
    GoogleBusinessStream(
        "reviews",
        "Public reviews per location: starRating, comment, reviewer display name, createTime/updateTime and the "
        "owner's reply; incremental on updateTime per location. No email: location-level facts only.",
        "updateTime",
        required=(check_star_rating,),
        checks=(check_create_time,),
    ),
)
STREAMS_BY_NAME: dict[str, GoogleBusinessStream] = {s.name: s for s in STREAMS}
