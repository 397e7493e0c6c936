"""The Typeform streams this project syncs (schema ``raw_typeform``), how each is keyed, and its record contract.

Record contracts (quarantined otherwise, see docs/quarantine.md):

* a form has an ``id``;
* a response has a ``token`` (with the connector's ``form_id``, its key: response ids are unique per form only), a
  plausible ``submitted_at`` (the cursor: missing, unparseable, future or pre-2000 values are quarantined) and, when
  present, a parseable ``landed_at``; its ``answers`` are a list of objects naming a ``field.id``
  (``invalid_answers``) of the form's definition (``unknown_field``: an answer the form never asked cannot be mapped
  to a question); a number answered to an ``opinion_scale`` or ``rating`` field lies on that field's scale
  (``score_out_of_range``: an opinion scale runs 0 .. ``steps`` - 1, or 1 .. ``steps`` with ``start_at_one``; a rating
  1 .. ``steps``, 5 when the definition does not say).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connectors.raw.contracts import Check, ContractLimits, Reason, Violation, check_timestamp


@dataclass(frozen=True)
class TypeformStream:
    name: str
    description: str
    cursor_field: str | None
    record_id: Callable[[dict[str, Any]], Any]
    key_paths: tuple[str, ...] = ("id",)


def response_record_id(form_id: Any, token: Any) -> str:
    """The stored id of a response: ``<form_id>:<token>``."""
    return f"{form_id}:{token}"


STREAMS: tuple[TypeformStream, ...] = (
    TypeformStream(
        "forms",
        "Form definitions: fields (id, ref, type, title, properties) and hidden field names.",
        None,
        lambda p: p.get("id"),
    ),
    TypeformStream(
        "responses",
        "Submitted responses: answers, hidden fields (email, contact_id), metadata; incremental on submitted_at.",
        "submitted_at",
        lambda p: response_record_id(p["form_id"], p["token"]) if p.get("form_id") and p.get("token") else None,
        key_paths=("form_id", "token"),
    ),
)
STREAMS_BY_NAME: dict[str, TypeformStream] = {s.name: s for s in STREAMS}


def scale_of(field: dict[str, Any]) -> tuple[int, int] | None:
    """The (lowest, highest) number a scored field accepts, or None for a field that is not a scale."""
    raw = field.get("properties")
    props: dict[str, Any] = raw if isinstance(raw, dict) else {}
    ftype = field.get("type")
    if ftype == "opinion_scale":
        steps = _int(props.get("steps"), 11)
        low = 1 if props.get("start_at_one") else 0
        return low, low + steps - 1
    if ftype == "rating":
        return 1, _int(props.get("steps"), 5)
    return None


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default


def landed_at_check(payload: dict[str, Any], limits: ContractLimits) -> Violation | None:
    return check_timestamp(payload.get("landed_at"), "landed_at", limits, required=False)[1]


def answers_check(definition: dict[str, Any]) -> Check:
    """The answers of a response against its form's definition (see the module docstring)."""
    fields = {f["id"]: f for f in definition.get("fields") or [] if isinstance(f, dict) and f.get("id")}
    form_id = definition.get("id")

    def check(payload: dict[str, Any], _limits: ContractLimits) -> Violation | None:
        answers = payload.get("answers")
        if answers is None:
            return None  # Typeform leaves out ``answers`` when nothing was answered
        if not isinstance(answers, list):
            return Violation(Reason.INVALID_ANSWERS, f"answers is a {type(answers).__name__}, not a list")
        for i, answer in enumerate(answers):
            fid = (
                answer.get("field", {}).get("id")
                if isinstance(answer, dict) and isinstance(answer.get("field"), dict)
                else None
            )
            if not isinstance(fid, str) or not fid:
                return Violation(Reason.INVALID_ANSWERS, f"answers[{i}] is not an object naming a field.id")
            field = fields.get(fid)
            if field is None:
                return Violation(
                    Reason.UNKNOWN_FIELD, f"answers[{i}] answers field {fid!r}, which form {form_id} does not define"
                )
            problem = _score_problem(i, answer, field)
            if problem is not None:
                return problem
        return None

    return check


def _score_problem(i: int, answer: dict[str, Any], field: dict[str, Any]) -> Violation | None:
    scale = scale_of(field)
    if scale is None or "number" not in answer:
        return None
    number = answer["number"]
    low, high = scale
    if isinstance(number, bool) or not isinstance(number, int | float) or not low <= number <= high:
        return Violation(
            Reason.SCORE_OUT_OF_RANGE,
            f"answers[{i}] scores {number!r} on {field.get('type')} field {field.get('id')!r}, "
            f"whose scale is {low}..{high}",
        )
    return None
