"""The customer's voice in the direct raw loader: ``raw_typeform.{forms,responses}``, ``raw_trustpilot.reviews`` and
``raw_google_business.{locations,reviews}``, the rows a complete full sync of each connector stores from the sandbox
(payloads shaped by the connectors' own ``shape_items``, record ids from their functions), fed one person at a time.

Raw shape (docs/sandbox.md, "Raw payload contract"):

* ``raw_typeform.forms``: ``record_id`` = the form's ``id``, ``payload`` = ``GET /forms/{id}`` (fields, hidden field
  names, links), no ``record_updated_at``.
* ``raw_typeform.responses``: ``record_id`` = ``<form_id>:<token>`` (``response_record_id``), ``payload`` = the
  response item (``landing_id``, ``token``, ``response_id``, ``response_type``, ``landed_at``, ``submitted_at``,
  ``metadata``, ``hidden`` {``email``, ``contact_id``}, ``calculated``, ``answers``) plus the connector's ``form_id``;
  ``record_updated_at`` = ``submitted_at``. Only submitted responses (the connector asks ``completed=true``).
* ``raw_trustpilot.reviews``: ``record_id`` = ``id``, ``payload`` = the private review without ``links``
  (``stars``, ``title``, ``text``, ``language``, ``createdAt``, ``updatedAt``, ``referralEmail``, ``referenceId``,
  ``consumer``, ``companyReply``, …), ``record_updated_at`` = ``updatedAt``, else ``createdAt``.
* ``raw_google_business.locations``: ``record_id`` = ``name`` (``locations/{id}``), ``payload`` = the location.
* ``raw_google_business.reviews``: ``record_id`` = ``name`` (``accounts/{a}/locations/{l}/reviews/{id}``),
  ``payload`` = the review (``starRating``, ``comment``, ``reviewer``, ``createTime``, ``updateTime``,
  ``reviewReply``) plus the connector's ``location_name``; ``record_updated_at`` = ``updateTime``.

All as of the clock, in the version visible then (a revised review, a reply written by then). What depends on many
people is written at the end: the answers and reviews of strangers (forwarded survey links, unknown reviewers) and
the Google reviews, whose number grows with the world's size but which belong to nobody. With ``first_person`` > 0
those are the ones a world of ``people`` has beyond a world of ``first_person`` (each is drawn in sequence from an RNG
of its own, so a world of N people holds a prefix of them); the forms and locations are written every time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from connectors import google_business, trustpilot, typeform
from connectors.raw.records import ShapedPage
from connectors.raw.store import RawRecord
from sandbox.world.config import WorldConfig
from sandbox.world.person import Person
from sandbox.world.voice import reviews as rv
from sandbox.world.voice import surveys as sv

VOICE_SOURCES: tuple[str, ...] = ("typeform", "trustpilot", "google_business")
STREAMS: dict[str, tuple[str, ...]] = {
    "typeform": tuple(typeform.STREAMS_BY_NAME),
    "trustpilot": tuple(trustpilot.STREAMS_BY_NAME),
    "google_business": tuple(google_business.STREAMS_BY_NAME),
}
Sink = Callable[[str, str, list[RawRecord]], None]  # (raw source, stream, records)


def _records(page: ShapedPage, stream: str) -> list[RawRecord]:
    """A connector-shaped page; the world never breaks a contract, so a quarantined row means the loader and a sync
    disagree."""
    assert not page.quarantined, (stream, page.quarantined[:1])
    return page.records


def _smaller(config: WorldConfig, first_person: int) -> WorldConfig | None:
    """The world of the first ``first_person`` people, whose crowd rows a partial load leaves out (None: all)."""
    return replace(config, people=first_person) if first_person > 0 else None


class TypeformPart:
    """``raw_typeform``: each person's submitted responses at the clock; strangers' answers and the forms at the
    end."""

    def __init__(self, sink: Sink, config: WorldConfig, now_ms: int) -> None:
        self.sink, self.config, self.now_ms = sink, config, now_ms
        self.stream = typeform.STREAMS_BY_NAME["responses"]
        self.definitions = {f["id"]: sv.form_definition(f) for f in sv.FORMS}

    def _write(self, responses: list[sv.SurveyResponse]) -> None:
        by_form: dict[str, list[dict[str, Any]]] = {}
        for r in responses:
            # the connector lists submitted responses only (completed=true), those Typeform holds at the clock
            if r.submitted_at is not None and r.submitted_at <= self.now_ms:
                by_form.setdefault(r.form_id, []).append(r.payload())
        for form_id, items in by_form.items():
            page = typeform.shape_items(self.stream, items, {"form_id": form_id}, self.definitions[form_id])
            self.sink("typeform", "responses", _records(page, "responses"))

    def add(self, person: Person) -> None:
        self._write(sv.person_responses(self.config, person))

    def finish(self, first_person: int) -> None:
        smaller = _smaller(self.config, first_person)
        known = {r.token for r in sv.stranger_responses(smaller)} if smaller is not None else set()
        self._write([r for r in sv.stranger_responses(self.config) if r.token not in known])
        page = typeform.shape_items(typeform.STREAMS_BY_NAME["forms"], list(self.definitions.values()))
        self.sink("typeform", "forms", _records(page, "forms"))


class TrustpilotPart:
    """``raw_trustpilot.reviews``: each person's reviews at the clock; reviews from unknown addresses at the end."""

    def __init__(self, sink: Sink, config: WorldConfig, now_ms: int) -> None:
        self.sink, self.config, self.now_ms = sink, config, now_ms
        self.stream = trustpilot.STREAMS_BY_NAME["reviews"]

    def _write(self, reviews: list[rv.TrustpilotReview]) -> None:
        items = [p for r in reviews if (p := r.payload(self.now_ms)) is not None]
        self.sink("trustpilot", "reviews", _records(trustpilot.shape_items(self.stream, items), "reviews"))

    def add(self, person: Person) -> None:
        self._write(rv.person_reviews(self.config, person))

    def finish(self, first_person: int) -> None:
        smaller = _smaller(self.config, first_person)
        known = {r.review_id for r in rv.stranger_reviews(smaller)} if smaller is not None else set()
        self._write([r for r in rv.stranger_reviews(self.config) if r.review_id not in known])


class GoogleBusinessPart:
    """``raw_google_business``: the locations and every location's reviews at the clock (no person's: all at the
    end)."""

    def __init__(self, sink: Sink, config: WorldConfig, now_ms: int) -> None:
        self.sink, self.config, self.now_ms = sink, config, now_ms

    def finish(self, first_person: int) -> None:
        streams = google_business.STREAMS_BY_NAME
        page = google_business.shape_items(streams["locations"], rv.location_payloads())
        self.sink("google_business", "locations", _records(page, "locations"))
        smaller = _smaller(self.config, first_person)
        known = (
            {r.review_id for rows in rv.google_reviews(smaller).values() for r in rows}
            if smaller is not None
            else set()
        )
        for loc, reviews in rv.google_reviews(self.config).items():
            items = [p for r in reviews if r.review_id not in known and (p := r.payload(self.now_ms)) is not None]
            extra = {"location_name": f"accounts/{rv.GOOGLE_ACCOUNT_ID}/locations/{loc}"}
            page = google_business.shape_items(streams["reviews"], items, extra)
            self.sink("google_business", "reviews", _records(page, "reviews"))


class VoiceParts:
    """The parts asked for among :data:`VOICE_SOURCES`, fed together by the loader."""

    def __init__(self, sink: Sink, vendors: tuple[str, ...], config: WorldConfig, now_ms: int) -> None:
        self.typeform = TypeformPart(sink, config, now_ms) if "typeform" in vendors else None
        self.trustpilot = TrustpilotPart(sink, config, now_ms) if "trustpilot" in vendors else None
        self.google = GoogleBusinessPart(sink, config, now_ms) if "google_business" in vendors else None

    def __bool__(self) -> bool:
        return any(p is not None for p in (self.typeform, self.trustpilot, self.google))

    def add(self, person: Person) -> None:
        for part in (self.typeform, self.trustpilot):
            if part is not None:
                part.add(person)

    def finish(self, first_person: int) -> None:
        for part in (self.typeform, self.trustpilot, self.google):
            if part is not None:
                part.finish(first_person)
