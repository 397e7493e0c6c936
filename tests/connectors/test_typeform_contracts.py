"""Typeform record contracts: each quarantine reason of the responses stream, and the configuration's guards."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from connectors.core.errors import ConfigurationError
from connectors.raw.contracts import Reason
from connectors.typeform import STREAMS_BY_NAME, TypeformApi, TypeformConfig, scale_of, shape_items
from sandbox.world.voice.surveys import CSAT_FORM_ID, FORMS_BY_ID, NPS_FORM_ID

NPS = FORMS_BY_ID[NPS_FORM_ID]
CSAT = FORMS_BY_ID[CSAT_FORM_ID]


def response(form: dict[str, Any], number: Any = 5, **changes: Any) -> dict[str, Any]:
    scored = form["fields"][0]
    item: dict[str, Any] = {
        "token": "tok1",
        "landed_at": "2026-02-01T10:00:00Z",
        "submitted_at": "2026-02-01T10:03:00Z",
        "hidden": {"email": "a@example.com", "contact_id": "1"},
        "answers": [
            {
                "field": {"id": scored["id"], "type": scored["type"], "ref": scored["ref"]},
                "type": "number",
                "number": number,
            }
        ],
    }
    item.update(changes)
    return item


def reasons(form: dict[str, Any], item: Any) -> list[str]:
    page = shape_items(STREAMS_BY_NAME["responses"], [item], {"form_id": form["id"]}, form)
    return [q.reason for q in page.quarantined] or (["stored"] if page.records else [])


def test_scales_come_from_the_definition() -> None:
    assert scale_of(NPS["fields"][0]) == (0, 10)
    assert scale_of(CSAT["fields"][0]) == (1, 5)
    assert scale_of({"type": "opinion_scale", "properties": {"steps": 5, "start_at_one": True}}) == (1, 5)
    assert scale_of({"type": "long_text"}) is None


@pytest.mark.parametrize(
    ("form", "number", "want"),
    [
        (NPS, 0, "stored"),
        (NPS, 10, "stored"),
        (NPS, 11, Reason.SCORE_OUT_OF_RANGE),
        (NPS, -1, Reason.SCORE_OUT_OF_RANGE),
        (NPS, "9", Reason.SCORE_OUT_OF_RANGE),
        (CSAT, 5, "stored"),
        (CSAT, 6, Reason.SCORE_OUT_OF_RANGE),
        (CSAT, 0, Reason.SCORE_OUT_OF_RANGE),
    ],
)
def test_score_out_of_range(form, number, want) -> None:
    assert reasons(form, response(form, number)) == [want]


def test_answer_to_an_unknown_field() -> None:
    item = response(NPS)
    item["answers"].append({"field": {"id": "notAField", "type": "long_text"}, "type": "text", "text": "hi"})
    assert reasons(NPS, item) == [Reason.UNKNOWN_FIELD]
    # a field of another form is unknown too
    other = copy.deepcopy(response(CSAT))
    assert reasons(NPS, other) == [Reason.UNKNOWN_FIELD]


def test_invalid_answers() -> None:
    assert reasons(NPS, response(NPS, answers="9")) == [Reason.INVALID_ANSWERS]
    assert reasons(NPS, response(NPS, answers=[{"type": "number", "number": 9}])) == [Reason.INVALID_ANSWERS]
    assert reasons(NPS, response(NPS, answers=None)) == ["stored"]  # nothing answered: Typeform omits the list


def test_timestamps() -> None:
    item = response(NPS)
    del item["submitted_at"]
    assert reasons(NPS, item) == [Reason.MISSING_TIMESTAMP]
    assert reasons(NPS, response(NPS, submitted_at="yesterday")) == [Reason.UNPARSEABLE_TIMESTAMP]
    assert reasons(NPS, response(NPS, landed_at="soon")) == [Reason.UNPARSEABLE_TIMESTAMP]
    assert reasons(NPS, response(NPS, submitted_at="2999-01-01T00:00:00Z")) == [Reason.TIMESTAMP_IN_FUTURE]


def test_key_and_record_id() -> None:
    assert reasons(NPS, response(NPS, token=None)) == [Reason.MISSING_PRIMARY_KEY]
    page = shape_items(STREAMS_BY_NAME["responses"], [response(NPS)], {"form_id": NPS_FORM_ID}, NPS)
    assert page.records[0].record_id == f"{NPS_FORM_ID}:tok1" and page.records[0].payload["form_id"] == NPS_FORM_ID


def test_configuration_guards() -> None:
    env = {"TYPEFORM_TOKEN": "tfp_secret_value"}
    config = TypeformConfig.from_env(env)
    assert "tfp_secret_value" not in repr(config) and config.requests_per_second == 2.0
    assert TypeformConfig.from_env({**env, "TYPEFORM_FORM_IDS": " a, b ,"}).forms_wanted() == ["a", "b"]
    with pytest.raises(ConfigurationError, match="TYPEFORM_TOKEN"):
        TypeformConfig.from_env({})
    with pytest.raises(ConfigurationError, match="TYPEFORM_PAGE_SIZE"):
        TypeformApi(TypeformConfig.from_env({**env, "TYPEFORM_PAGE_SIZE": "1001"}))
    with pytest.raises(ConfigurationError, match="TYPEFORM_REQUESTS_PER_SECOND"):
        TypeformApi(TypeformConfig.from_env({**env, "TYPEFORM_REQUESTS_PER_SECOND": "0"}))
