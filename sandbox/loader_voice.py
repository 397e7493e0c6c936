"""The customer's voice part of the direct raw loader: the rows a full sync of each connector stores, shaped by the
connectors' own ``shape_items``:

* ``raw_typeform.forms`` and ``raw_typeform.responses`` (every form's definition; every response submitted by the
  clock, with the ``form_id`` the connector adds);
* ``raw_trustpilot.reviews`` (every private review written by the clock, in its version then);
* ``raw_google_business.locations`` and ``raw_google_business.reviews`` (with the ``location_name`` the connector
  adds).

Person-level rows are fed one person at a time, the rest (forms, strangers' answers and reviews, Google) at the end.

A form's stored definition is ``GET /forms/{id}`` without the server-specific ``self`` link (it names the sandbox's
URL, which a direct load has none of); the models never read it.
"""

from __future__ import annotations

from collections.abc import Callable

from connectors import google_business, trustpilot, typeform
from connectors.raw.store import RawRecord
from sandbox.world.config import WorldConfig
from sandbox.world.person import Person
from sandbox.world.voice import reviews, surveys

VOICE_SOURCES: tuple[str, ...] = ("typeform", "trustpilot", "google_business")
Sink = Callable[[str, str, list[RawRecord]], None]  # (raw source, stream, records)


class TypeformPart:
    """``raw_typeform``: each person's submitted responses at the clock; the forms and strangers' answers last."""

    def __init__(self, sink: Sink, config: WorldConfig, now_ms: int) -> None:
        self.sink, self.config, self.now_ms = sink, config, now_ms

    def _write(self, rows: list[surveys.SurveyResponse]) -> None:
        by_form: dict[str, list[dict]] = {}
        for r in rows:
            # only submitted responses are read (completed=true), and only those Typeform holds at the clock
            if r.submitted_at is not None and r.submitted_at <= self.now_ms:
                by_form.setdefault(r.form_id, []).append(r.payload())
        stream = typeform.STREAMS_BY_NAME["responses"]
        for form_id, items in by_form.items():
            page = typeform.shape_items(stream, items, {"form_id": form_id}, surveys.FORMS_BY_ID[form_id])
            assert not page.quarantined, page.quarantined[:1]  # the world never breaks a contract
            self.sink("typeform", "responses", page.records)

    def add(self, person: Person) -> None:
        self._write(surveys.person_responses(self.config, person))

    def finish(self) -> None:
        self._write(surveys.stranger_responses(self.config))
        forms = [{**f, "_links": {"display": f"https://journeyhub.typeform.com/to/{f['id']}"}} for f in surveys.FORMS]
        page = typeform.shape_items(typeform.STREAMS_BY_NAME["forms"], forms)
        assert not page.quarantined, page.quarantined[:1]
        self.sink("typeform", "forms", page.records)


class TrustpilotPart:
    """``raw_trustpilot.reviews``: each person's reviews at the clock; strangers' reviews at the end."""

    def __init__(self, sink: Sink, config: WorldConfig, now_ms: int) -> None:
        self.sink, self.config, self.now_ms = sink, config, now_ms

    def _write(self, rows: list[reviews.TrustpilotReview]) -> None:
        items = [p for r in rows if (p := r.payload(self.now_ms)) is not None]
        page = trustpilot.shape_items(trustpilot.STREAMS_BY_NAME["reviews"], items)
        assert not page.quarantined, page.quarantined[:1]
        self.sink("trustpilot", "reviews", page.records)

    def add(self, person: Person) -> None:
        self._write(reviews.person_reviews(self.config, person))

    def finish(self) -> None:
        self._write(reviews.stranger_reviews(self.config))


def load_google_business(sink: Sink, config: WorldConfig, now_ms: int) -> None:
    """``raw_google_business``: the locations and every location's reviews at the clock (no person in them)."""
    streams = google_business.STREAMS_BY_NAME
    page = google_business.shape_items(streams["locations"], reviews.location_payloads())
    assert not page.quarantined, page.quarantined[:1]
    sink("google_business", "locations", page.records)
    for loc, rows in reviews.google_reviews(config).items():
        items = [p for r in rows if (p := r.payload(now_ms)) is not None]
        extra = {"location_name": f"accounts/{reviews.GOOGLE_ACCOUNT_ID}/locations/{loc}"}
        page = google_business.shape_items(streams["reviews"], items, extra)
        assert not page.quarantined, page.quarantined[:1]
        sink("google_business", "reviews", page.records)
