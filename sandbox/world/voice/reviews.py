"""Reviews of the world's business on two review sites, drawn from RNGs of their own (the journeys stay as they were):

* **Trustpilot private reviews**: some customers review the business days after a purchase or a won deal. Stars
  follow their journey (an NPS answer, lost deals, unsubscribes, bounced mail); ``referralEmail`` is one of their
  addresses as the CRM has it (case and whitespace vary); ``referenceId`` is the order id of an e-commerce purchase
  (none for a sales deal). A few consumers revise their review weeks later (``updatedAt`` then set, the stars and
  text changed; ``updatedAt`` is null until then, as on Trustpilot), a few reviews come from addresses the world does
  not know, and the business replies to some low ones.
* **Google Business Profile**: a handful of stores and offices, each with public reviews over time from people who
  leave no email (location-level facts only): ``starRating`` ONE..FIVE, an optional comment, sometimes edited, some
  with an owner's ``reviewReply``. A review's ``updateTime`` is its latest visible change, the reply included
  [guess: Google documents updateTime as "last modified"].

Clock-aware: :meth:`ReviewBook.trustpilot_at` and :meth:`ReviewBook.google_at` serve what exists at a clock value, in
the version visible then. Ground truth: :func:`review_records` (records.csv rows of the reviews of known persons) and
:meth:`ReviewBook.trustpilot_owners` (every review id -> person id or None).
"""

from __future__ import annotations

import hashlib
import random
import weakref
from dataclasses import dataclass
from typing import Any, Protocol

from sandbox.world.config import WorldConfig
from sandbox.world.identifiers import messy_email
from sandbox.world.person import Person
from sandbox.world.timeutil import DAY_MS, HOUR_MS, MINUTE_MS, iso_ms

BUSINESS_UNIT_ID = "5f1a2b3c4d5e6f7a8b9c0d1e"
GOOGLE_ACCOUNT_ID = "109876543210987654321"
# (location id, title, city, kind): the stores and offices of the Google Business Profile account.
LOCATIONS: tuple[tuple[str, str, str, str], ...] = (
    ("4521873650912345678", "Journeyhub Store San Francisco", "San Francisco", "store"),
    ("4521873650912345679", "Journeyhub Store New York", "New York", "store"),
    ("4521873650912345680", "Journeyhub Office Chicago", "Chicago", "office"),
    ("4521873650912345681", "Journeyhub Store Toronto", "Toronto", "store"),
)
STAR_NAMES = ("ONE", "TWO", "THREE", "FOUR", "FIVE")
REVIEW_SHARE = 0.4  # of conversions that lead to a Trustpilot review
REVISED_SHARE = 0.12
_LANGUAGE = {"Canada": "en", "Germany": "de", "France": "fr", "Spain": "es", "Mexico": "es"}
_TITLES = {
    1: ("Very disappointed", "Would not recommend", "Poor experience"),
    2: ("Not great", "Expected more", "Slow and confusing"),
    3: ("It's okay", "Average experience", "Some good, some bad"),
    4: ("Good service", "Happy overall", "Solid product"),
    5: ("Excellent!", "Highly recommend", "Great experience from start to finish"),
}
_TEXTS = {
    1: "Support never got back to me and the order was a mess.",
    2: "The product works but getting there took far too long.",
    3: "Does what it says. Onboarding could be clearer.",
    4: "Smooth purchase and friendly people. A few rough edges.",
    5: "Everything worked, the team was helpful and quick. Will buy again.",
}
_REPLIES = (
    "We're sorry to hear this. Our team will reach out to make it right.",
    "Thank you for the feedback; we have passed it on to the team.",
)


class ReviewWorld(Protocol):
    config: WorldConfig
    persons: list[Person]

    @property
    def now_ms(self) -> int: ...


@dataclass(frozen=True)
class Version:
    """One visible state of a review from ``at`` on."""

    at: int
    stars: int
    title: str
    text: str


@dataclass(frozen=True)
class TrustpilotReview:
    review_id: str
    person_id: str | None  # None: an address the world does not know
    consumer_id: str
    display_name: str
    referral_email: str
    reference_id: str | None
    language: str
    created: int
    versions: tuple[Version, ...]  # the first at ``created``; a second is the revision
    reply_at: int | None
    reply: str | None

    def payload(self, now: int) -> dict[str, Any] | None:
        """The review as the private API serves it at ``now`` (None before it was written)."""
        if self.created > now:
            return None
        version = [v for v in self.versions if v.at <= now][-1]
        revised = version.at if version.at > self.created else None
        reply = None
        if self.reply_at is not None and self.reply_at <= now:
            reply = {"text": self.reply, "createdAt": iso_ms(self.reply_at), "updatedAt": None}
        return {
            "links": [],
            "id": self.review_id,
            "consumer": {"id": self.consumer_id, "displayName": self.display_name, "displayLocation": None},
            "businessUnit": {"id": BUSINESS_UNIT_ID, "identifyingName": "journeyhub.example"},
            "stars": version.stars,
            "title": version.title,
            "text": version.text,
            "language": self.language,
            "createdAt": iso_ms(self.created),
            "updatedAt": iso_ms(revised) if revised is not None else None,
            "experiencedAt": iso_ms(self.created - DAY_MS),
            "companyReply": reply,
            "isVerified": self.reference_id is not None,
            "source": "InvitationApi" if self.reference_id is not None else "Organic",
            "status": "active",
            "referralEmail": self.referral_email,
            "referenceId": self.reference_id,
            "tags": [],
        }


@dataclass(frozen=True)
class GoogleReview:
    location_id: str
    review_id: str
    display_name: str
    anonymous: bool
    created: int
    versions: tuple[Version, ...]
    reply_at: int | None
    reply: str | None

    def payload(self, now: int) -> dict[str, Any] | None:
        if self.created > now:
            return None
        version = [v for v in self.versions if v.at <= now][-1]
        updated = version.at
        out: dict[str, Any] = {
            "name": f"accounts/{GOOGLE_ACCOUNT_ID}/locations/{self.location_id}/reviews/{self.review_id}",
            "reviewId": self.review_id,
            "reviewer": {"displayName": "A Google user" if self.anonymous else self.display_name},
            "starRating": STAR_NAMES[version.stars - 1],
            "createTime": iso_ms(self.created),
        }
        if not self.anonymous:
            out["reviewer"]["profilePhotoUrl"] = f"https://lh3.googleusercontent.com/a/{self.review_id[:12]}"
        out["reviewer"]["isAnonymous"] = self.anonymous
        if version.text:
            out["comment"] = version.text
        if self.reply_at is not None and self.reply_at <= now:
            out["reviewReply"] = {"comment": self.reply, "updateTime": iso_ms(self.reply_at)}
            updated = max(updated, self.reply_at)
        out["updateTime"] = iso_ms(updated)
        return out


def _hex(*parts: object, n: int = 24) -> str:
    return hashlib.sha1(":".join(map(str, parts)).encode()).hexdigest()[:n]


def journey_stars(person: Person, before: int, rng: random.Random) -> int:
    """Stars correlated with the journey up to ``before``: an NPS answer sets the tone, friction takes stars off."""
    events = [e for e in person.events if e.ts <= before]
    nps = [e.attrs["score"] for e in events if e.type == "survey_response" and "score" in e.attrs]
    base = (1 + nps[-1] * 0.4) if nps else 4.0
    base -= 0.8 * min(2, sum(e.type == "deal_lost" for e in events))
    base -= 0.7 * any(e.type in ("email_unsubscribe", "email_bounce") for e in events)
    return max(1, min(5, round(base + rng.gauss(0, 0.7))))


def _version(rng: random.Random, at: int, stars: int) -> Version:
    return Version(at, stars, rng.choice(_TITLES[stars]), _TEXTS[stars])


def _person_reviews(cfg: WorldConfig, p: Person) -> list[TrustpilotReview]:
    rng = random.Random(f"{cfg.seed}:trustpilot:{p.index}")
    out: list[TrustpilotReview] = []
    for k, e in enumerate(ev for ev in p.events if ev.type in ("purchase", "deal_won")):
        if rng.random() >= REVIEW_SHARE:
            continue
        created = e.ts + rng.randrange(DAY_MS, 14 * DAY_MS)
        if created >= cfg.horizon_ms:
            continue
        stars = journey_stars(p, e.ts, rng)
        versions = [_version(rng, created, stars)]
        if rng.random() < REVISED_SHARE:
            # A revision weeks later: often a better grade after the business got in touch.
            revised = created + rng.randrange(2 * DAY_MS, 30 * DAY_MS)
            versions.append(_version(rng, revised, max(1, min(5, stars + rng.choice((1, 1, 2, -1))))))
        reply_at = created + rng.randrange(HOUR_MS, 3 * DAY_MS) if stars <= 2 and rng.random() < 0.7 else None
        out.append(
            TrustpilotReview(
                review_id=_hex(cfg.seed, "trustpilot", p.index, k),
                person_id=p.person_id,
                consumer_id=_hex(cfg.seed, "tp-consumer", p.index),
                display_name=f"{p.first_name} {p.last_name[:1]}.",
                referral_email=messy_email(rng, rng.choice(p.emails)),
                reference_id=e.attrs.get("order_id") if e.type == "purchase" else None,
                language=_LANGUAGE.get(p.country, "en"),
                created=created,
                versions=tuple(versions),
                reply_at=reply_at,
                reply=rng.choice(_REPLIES) if reply_at is not None else None,
            )
        )
    return out


def _stranger_reviews(cfg: WorldConfig) -> list[TrustpilotReview]:
    """Reviews from addresses the world does not know (a gift buyer, a colleague's account)."""
    rng = random.Random(f"{cfg.seed}:trustpilot:strangers")
    out = []
    for k in range(max(2, cfg.people // 50)):
        created = cfg.start_ms + rng.randrange(cfg.horizon_ms - cfg.start_ms)
        stars = rng.choice((1, 3, 4, 5, 5))
        out.append(
            TrustpilotReview(
                review_id=_hex(cfg.seed, "trustpilot-stranger", k),
                person_id=None,
                consumer_id=_hex(cfg.seed, "tp-stranger", k),
                display_name=f"Reviewer {k + 1}",
                referral_email=f"reviewer{k + 1}.{_hex(cfg.seed, k, n=6)}@stranger-mail.example",
                reference_id=None,
                language="en",
                created=created,
                versions=(_version(rng, created, stars),),
                reply_at=None,
                reply=None,
            )
        )
    return out


def _google_reviews(cfg: WorldConfig) -> dict[str, list[GoogleReview]]:
    out: dict[str, list[GoogleReview]] = {}
    span = cfg.horizon_ms - cfg.start_ms
    for loc, _title, _city, kind in LOCATIONS:
        rng = random.Random(f"{cfg.seed}:google_business:{loc}")
        n = max(3, cfg.people // (12 if kind == "store" else 40))
        mood = rng.uniform(3.4, 4.6)
        reviews = []
        for k in range(n):
            created = cfg.start_ms + rng.randrange(span)
            stars = max(1, min(5, round(rng.gauss(mood, 1.1))))
            has_text = rng.random() < 0.75  # Google allows a rating without a comment
            versions = [Version(created, stars, "", _TEXTS[stars] if has_text else "")]
            if rng.random() < 0.08:
                edited = created + rng.randrange(DAY_MS, 20 * DAY_MS)
                s2 = max(1, min(5, stars + rng.choice((-1, 1))))
                versions.append(Version(edited, s2, "", _TEXTS[s2]))
            reply_at = created + rng.randrange(30 * MINUTE_MS, 5 * DAY_MS) if rng.random() < 0.35 else None
            reviews.append(
                GoogleReview(
                    location_id=loc,
                    review_id="AbFvOq" + _hex(cfg.seed, "gbp", loc, k, n=30),
                    display_name=f"Local Guide {rng.randrange(1000, 9999)}",
                    anonymous=rng.random() < 0.1,
                    created=created,
                    versions=tuple(versions),
                    reply_at=reply_at,
                    reply=rng.choice(_REPLIES) if reply_at is not None else None,
                )
            )
        out[loc] = reviews
    return out


def person_reviews(cfg: WorldConfig, p: Person) -> list[TrustpilotReview]:
    """Every Trustpilot review the person will ever write (clock independent; the direct loader reads them)."""
    return _person_reviews(cfg, p)


def stranger_reviews(cfg: WorldConfig) -> list[TrustpilotReview]:
    """The Trustpilot reviews from addresses the world does not know."""
    return _stranger_reviews(cfg)


def google_reviews(cfg: WorldConfig) -> dict[str, list[GoogleReview]]:
    """Every Google Business Profile review per location id (clock independent)."""
    return _google_reviews(cfg)


def location_payloads() -> list[dict[str, Any]]:
    """The account's locations as the Business Information API lists them (``readMask`` of every field read)."""
    return [
        {
            "name": f"locations/{loc}",
            "title": title,
            "storeCode": f"{kind.upper()}-{city[:3].upper()}",
            "storefrontAddress": {"regionCode": "CA" if city == "Toronto" else "US", "locality": city},
            "categories": {"primaryCategory": {"displayName": "Software company" if kind == "office" else "Store"}},
        }
        for loc, title, city, kind in LOCATIONS
    ]


class ReviewBook:
    """Every review the world will ever hold (clock independent), and the views at a clock value."""

    def __init__(self, config: WorldConfig, persons: list[Person]) -> None:
        reviews = [r for p in persons for r in _person_reviews(config, p)]
        reviews.extend(_stranger_reviews(config))
        reviews.sort(key=lambda r: (r.created, r.review_id))
        self.trustpilot: list[TrustpilotReview] = reviews
        self.google: dict[str, list[GoogleReview]] = _google_reviews(config)

    def trustpilot_at(self, now: int) -> list[dict[str, Any]]:
        """Private reviews at ``now``, oldest first (createdAt, then id)."""
        return [p for r in self.trustpilot if (p := r.payload(now)) is not None]

    def google_at(self, location_id: str, now: int) -> list[dict[str, Any]]:
        """A location's reviews at ``now``, in no particular order (the server sorts)."""
        return [p for r in self.google.get(location_id, ()) if (p := r.payload(now)) is not None]

    def trustpilot_owners(self, now: int) -> dict[str, str | None]:
        """Review id -> the person who wrote it (None: an address the world does not know), for reviews at ``now``."""
        return {r.review_id: r.person_id for r in self.trustpilot if r.created <= now}


_BOOKS: weakref.WeakKeyDictionary[Any, ReviewBook] = weakref.WeakKeyDictionary()


def review_book(world: ReviewWorld) -> ReviewBook:
    """The world's reviews, built once per world on first use (the world itself holds nothing of them)."""
    book = _BOOKS.get(world)
    if book is None:
        book = _BOOKS[world] = ReviewBook(world.config, world.persons)
    return book


def review_records(world: ReviewWorld) -> list[dict[str, Any]]:
    """records.csv rows: each Trustpilot review of a known person at the clock (Google reviews belong to nobody;
    reviews from unknown addresses are absent, so they resolve to no one)."""
    owners = review_book(world).trustpilot_owners(world.now_ms)
    return [
        {
            "source": "trustpilot",
            "stream": "reviews",
            "record_id": rid,
            "person_id": pid,
            "relation": "primary",
            "archived": False,
        }
        for rid, pid in owners.items()
        if pid is not None
    ]
