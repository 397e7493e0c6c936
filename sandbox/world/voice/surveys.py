"""Typeform surveys of the world: the forms (an NPS survey and a CSAT survey) and their responses.

Who answers is read from the journeys (never changed): people answer the NPS survey some days after a purchase or a
won deal, and the CSAT survey a day or two after a completed meeting. Every draw comes from an RNG of its own,
``random.Random(f"{seed}:typeform:{index}")``, so the rest of the world does not depend on it. The survey links
carry the CRM's contact in hidden fields (``email``, ``contact_id``; some links only the email). A few answers come
from people the CRM does not know (a forwarded link: an address that is no contact, ``contact_id`` blank) and a few
are partial (the respondent left before submitting: ``submitted_at`` absent, served only to ``completed=false``).

Ground truth (``survey_responses.csv`` of the manifest, and ``typeform.responses`` rows in ``records.csv`` for the
responses of world persons): which response token belongs to which person, or to nobody.
"""

from __future__ import annotations

import random
import string
import threading
from dataclasses import dataclass, field
from typing import Any

from sandbox.world.config import WorldConfig
from sandbox.world.person import Person
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.timeutil import DAY_MS, HOUR_MS, MINUTE_MS

NPS_FORM_ID = "nPs7Qa2K"
CSAT_FORM_ID = "cSat4Lm9"
SURVEY_COLUMNS = (
    "token",
    "form_id",
    "person_id",
    "relation",
    "completed",
    "landed_at_ms",
    "submitted_at_ms",
    "email",
    "contact_id",
    "score",
)
_TOKEN_CHARS = string.ascii_lowercase + string.digits


def _field(fid: str, ref: str, ftype: str, title: str, **props: Any) -> dict[str, Any]:
    return {
        "id": fid,
        "title": title,
        "ref": ref,
        "type": ftype,
        "properties": props,
        "validations": {"required": ftype in ("opinion_scale", "rating")},
    }


FORMS: tuple[dict[str, Any], ...] = (
    {
        "id": NPS_FORM_ID,
        "type": "form",
        "title": "Customer NPS",
        "created_at": "2025-11-03T09:12:44Z",
        "last_updated_at": "2025-12-15T16:40:02Z",
        "settings": {"language": "en", "is_public": True, "show_progress_bar": True},
        "hidden": ["email", "contact_id"],
        "fields": [
            _field(
                "Hq2vNp0sXa1b",
                "nps_score",
                "opinion_scale",
                "How likely are you to recommend us to a friend or colleague?",
                steps=11,
                start_at_one=False,
                labels={"left": "Not likely", "center": "Neutral", "right": "Extremely likely"},
            ),
            _field(
                "Kc81LmQ0rT5e",
                "nps_reason",
                "multiple_choice",
                "What matters most to you?",
                choices=[
                    {"id": "c1", "ref": "price", "label": "Price"},
                    {"id": "c2", "ref": "quality", "label": "Product quality"},
                    {"id": "c3", "ref": "service", "label": "Customer service"},
                    {"id": "c4", "ref": "delivery", "label": "Delivery"},
                ],
            ),
            _field("Zt6pW3yUe0Qd", "nps_comment", "long_text", "What is the main reason for your score?"),
        ],
    },
    {
        "id": CSAT_FORM_ID,
        "type": "form",
        "title": "How was your meeting?",
        "created_at": "2025-10-20T14:01:10Z",
        "last_updated_at": "2025-12-01T08:22:37Z",
        "settings": {"language": "en", "is_public": True, "show_progress_bar": False},
        "hidden": ["email", "contact_id"],
        "fields": [
            _field(
                "Rm4kD9aPz2Lw",
                "csat_rating",
                "rating",
                "How satisfied are you with the meeting?",
                steps=5,
                shape="star",
            ),
            _field("Bv7sE1qXn8Yc", "csat_followup", "yes_no", "Would you like us to follow up?"),
            _field("Gj3hT6mUw4Ko", "csat_comment", "long_text", "Anything we could do better?"),
        ],
    },
)
FORMS_BY_ID: dict[str, dict[str, Any]] = {f["id"]: f for f in FORMS}
# The hypermedia links name Typeform's public API root, not the host that serves them (as Mailchimp's ``_links`` do
# in the sandbox): a stored form definition is the same whichever server a sync read it from.
API_ROOT = "https://api.typeform.com"


def form_link(form_id: str) -> dict[str, str]:
    return {"display": f"https://journeyhub.typeform.com/to/{form_id}"}


def form_definition(form: dict[str, Any]) -> dict[str, Any]:
    """``GET /forms/{form_id}``: the form with its links (what the connector's ``forms`` stream stores)."""
    return {**form, "_links": form_link(form["id"]), "self": {"href": f"{API_ROOT}/forms/{form['id']}"}}


_COMMENTS = {
    "high": ("Great service, thank you!", "Quick and friendly.", "Exactly what we needed.", ""),
    "mid": ("It was fine.", "Good, but delivery took a while.", "OK overall.", ""),
    "low": ("Too expensive for what it is.", "Nobody answered my emails.", "The product broke after a week.", ""),
}
_PLATFORMS = (
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36", "other", "chrome"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", "mobile", "safari"),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 Version/18.1 Safari/605.1.15",
        "other",
        "safari",
    ),
)


@dataclass(frozen=True)
class SurveyResponse:
    """One response as the world knows it; :meth:`payload` is the Responses API item."""

    form_id: str
    token: str
    landed_at: int
    submitted_at: int | None  # None: partial (never submitted)
    person_id: str  # "" for a respondent the world does not know
    relation: str  # "contact" (the CRM's link) | "stranger" (a forwarded link)
    email: str
    contact_id: str
    score: int
    extras: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def order_ms(self) -> int:
        """Where the response sits in Typeform's processing order (submission, or landing for a partial one)."""
        return self.submitted_at if self.submitted_at is not None else self.landed_at

    def payload(self) -> dict[str, Any]:
        from sandbox.world.timeutil import iso_ms

        def iso(ms: int) -> str:
            return iso_ms(ms)[:19] + "Z"  # Typeform: UTC to the second

        form = FORMS_BY_ID[self.form_id]
        fields = form["fields"]
        answers: list[dict[str, Any]] = []
        if self.submitted_at is not None or self.extras.get("answered_score"):
            f0 = fields[0]
            answers.append(_answer(f0, "number", number=self.score))
        if self.submitted_at is not None:
            f1, f2 = fields[1], fields[2]
            if f1["type"] == "multiple_choice":
                choice = f1["properties"]["choices"][self.extras["choice"]]
                answers.append(
                    _answer(f1, "choice", choice={"id": choice["id"], "label": choice["label"], "ref": choice["ref"]})
                )
            else:
                answers.append(_answer(f1, "boolean", boolean=bool(self.extras["followup"])))
            if self.extras.get("comment"):
                answers.append(_answer(f2, "text", text=self.extras["comment"]))
        ua, platform, browser = _PLATFORMS[self.extras["platform"]]
        item: dict[str, Any] = {
            "landing_id": self.token,
            "token": self.token,
            "response_id": self.token,
            "response_type": "completed" if self.submitted_at is not None else "partial",
            "landed_at": iso(self.landed_at),
            "submitted_at": iso(self.submitted_at) if self.submitted_at is not None else None,
            "metadata": {
                "user_agent": ua,
                "platform": platform,
                "referer": f"https://journeyhub.typeform.com/to/{self.form_id}",
                "network_id": self.extras["network_id"],
                "browser": browser,
            },
            "hidden": {"email": self.email, "contact_id": self.contact_id},
            "calculated": {"score": 0},
            "answers": answers,
        }
        if self.submitted_at is None:
            del item["submitted_at"]  # a partial response has no submission
        return item


def _answer(f: dict[str, Any], atype: str, **value: Any) -> dict[str, Any]:
    return {"field": {"id": f["id"], "type": f["type"], "ref": f["ref"]}, "type": atype, **value}


def _token(rng: random.Random) -> str:
    return "".join(rng.choice(_TOKEN_CHARS) for _ in range(32))


def _bucket(score: int, top: int) -> str:
    return "high" if score >= top - 1 else "mid" if score >= top * 0.6 else "low"


def person_responses(cfg: WorldConfig, p: Person) -> list[SurveyResponse]:
    """Every response the person will ever give (clock independent), from their own RNG."""
    if not p.contact_emails:
        return []  # the CRM sends the survey links: no contact, no link
    rng = random.Random(f"{cfg.seed}:typeform:{p.index}")
    out: list[SurveyResponse] = []
    hubspot_nps = [e.attrs["score"] for e in p.events if e.type == "survey_response"]
    bought = [e for e in p.events if e.type in ("purchase", "deal_won")]
    if bought and rng.random() < 0.55:
        if hubspot_nps:  # the same person scores alike in both surveys
            score = max(0, min(10, hubspot_nps[0] + rng.choice((-1, 0, 0, 1))))
        else:
            r = rng.random()
            score = rng.choice((9, 10)) if r < 0.45 else rng.choice((7, 8)) if r < 0.8 else rng.randrange(0, 7)
        at = bought[0].ts + rng.randrange(2 * DAY_MS, 10 * DAY_MS)
        out.append(_response(rng, p, NPS_FORM_ID, 0, at, score, 11))
    meetings = [e for e in p.events if e.type == "meeting" and e.attrs.get("outcome") == "COMPLETED"]
    for e in meetings[:2]:
        if rng.random() < 0.35:
            r = rng.random()
            score = 5 if r < 0.45 else 4 if r < 0.8 else rng.randrange(1, 4)
            at = e.attrs["end"] + rng.randrange(2 * HOUR_MS, 3 * DAY_MS)
            out.append(_response(rng, p, CSAT_FORM_ID, int(e.attrs.get("contact") or 0), at, score, 5))
    return out


def _response(rng: random.Random, p: Person, form_id: str, key: int, at: int, score: int, top: int) -> SurveyResponse:
    key = key if key in p.contact_emails else min(p.contact_emails)
    email = p.contact_emails[key]
    # Some links come from an email tool that only knows the address (no contact id merged into the link).
    contact_id = hs.record_id("contacts", p.index, key) if rng.random() < 0.85 else ""
    landed = at - rng.randrange(40_000, 8 * MINUTE_MS)
    partial = rng.random() < 0.06
    extras = _extras(rng, score, top)
    if partial:
        extras["answered_score"] = rng.random() < 0.5
    return SurveyResponse(
        form_id, _token(rng), landed, None if partial else at, p.person_id, "contact", email, contact_id, score, extras
    )


def _extras(rng: random.Random, score: int, top: int) -> dict[str, Any]:
    return {
        "choice": rng.randrange(4),
        "followup": rng.random() < 0.3,
        "comment": rng.choice(_COMMENTS[_bucket(score, top)]),
        "platform": rng.randrange(len(_PLATFORMS)),
        "network_id": "".join(rng.choice("0123456789abcdef") for _ in range(10)),
    }


def stranger_responses(cfg: WorldConfig) -> list[SurveyResponse]:
    """Answers through forwarded links: respondents the world (and the CRM) does not know."""
    rng = random.Random(f"{cfg.seed}:typeform:strangers")
    n = max(2, cfg.people // 60)
    out: list[SurveyResponse] = []
    for k in range(n):
        form_id = NPS_FORM_ID if k % 3 else CSAT_FORM_ID
        top = 11 if form_id == NPS_FORM_ID else 5
        score = rng.randrange(0, 11) if top == 11 else rng.randrange(1, 6)
        at = cfg.start_ms + rng.randrange(cfg.days * DAY_MS)
        email = f"respondent{k}@{rng.choice(('example.org', 'mail.test', 'inbox.example'))}"
        landed = at - rng.randrange(40_000, 8 * MINUTE_MS)
        out.append(
            SurveyResponse(form_id, _token(rng), landed, at, "", "stranger", email, "", score, _extras(rng, score, top))
        )
    return out


class SurveyWorld:
    """Mixed into :class:`sandbox.world.world.World` (which sets ``config``, ``persons``, ``lock`` and the clock):
    the Typeform responses, built on first use and served as of the clock."""

    config: WorldConfig
    persons: list[Person]
    lock: threading.RLock
    _survey_all: list[SurveyResponse] | None = None

    @property
    def now_ms(self) -> int:  # pragma: no cover - World defines it
        raise NotImplementedError

    def survey_responses_all(self) -> list[SurveyResponse]:
        """Every response anyone will ever give, in processing order (clock independent)."""
        with self.lock:
            if self._survey_all is None:
                rows = [r for p in self.persons for r in person_responses(self.config, p)]
                rows.extend(stranger_responses(self.config))
                rows.sort(key=lambda r: (r.order_ms, r.token))
                self._survey_all = rows
            return self._survey_all

    def survey_responses(self, form_id: str | None = None) -> list[SurveyResponse]:
        """The responses Typeform holds at the clock: submitted by then (a partial one: landed by then), in
        processing order."""
        now = self.now_ms
        return [
            r for r in self.survey_responses_all() if r.order_ms <= now and (form_id is None or r.form_id == form_id)
        ]

    def survey_forms(self) -> tuple[dict[str, Any], ...]:
        return FORMS


def manifest_rows(world: SurveyWorld) -> list[dict[str, Any]]:
    """``survey_responses.csv``: every response served at the clock, partial ones included, with its owner."""
    return [
        {
            "token": r.token,
            "form_id": r.form_id,
            "person_id": r.person_id,
            "relation": r.relation,
            "completed": r.submitted_at is not None,
            "landed_at_ms": r.landed_at,
            "submitted_at_ms": r.submitted_at if r.submitted_at is not None else "",
            "email": r.email,
            "contact_id": r.contact_id,
            "score": r.score,
        }
        for r in world.survey_responses()
    ]


def manifest_records(world: SurveyWorld) -> list[dict[str, Any]]:
    """``records.csv`` rows: the completed responses of world persons, with the id the connector stores them by."""
    from connectors.typeform import response_record_id

    return [
        {
            "source": "typeform",
            "stream": "responses",
            "record_id": response_record_id(r.form_id, r.token),
            "person_id": r.person_id,
            "relation": "primary",
            "archived": False,
        }
        for r in world.survey_responses()
        if r.person_id and r.submitted_at is not None
    ]
