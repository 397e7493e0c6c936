"""The customer's voice part of the direct raw loader: ``raw_typeform.forms`` and ``raw_typeform.responses``, the
rows a full Typeform connector sync stores (every form's definition; every response submitted by the clock, shaped
by the connector's own ``shape_items`` with the ``form_id`` it adds). Responses are fed one person at a time, the
forms and the strangers' answers (forwarded links) at the end.

A form's stored definition is ``GET /forms/{id}`` without the server-specific ``self`` link (it names the sandbox's
URL, which a direct load has none of); the models never read it.
"""

from __future__ import annotations

from collections.abc import Callable

from connectors import typeform
from connectors.raw.store import RawRecord
from sandbox.world.config import WorldConfig
from sandbox.world.person import Person
from sandbox.world.voice import surveys

VOICE_SOURCES: tuple[str, ...] = ("typeform",)
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
