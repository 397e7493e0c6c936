"""The sandbox's Typeform: the documented shapes (Create API forms, Responses API items and envelope), Bearer auth
with Typeform's error body, the 2-requests-per-second limit, the token cursors, ``completed`` and the clock."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime

import pytest
import requests

from sandbox.server.typeform import TypeformLimits
from sandbox.testing import run_sandbox
from sandbox.world import World, WorldConfig

# Field lists of the Responses API reference (../shared/reference/NEXT_SOURCES.md 2.2, checked against Typeform's
# retrieve-responses page and its SDK types): what every item and envelope must carry.
ENVELOPE = {"total_items", "page_count", "items"}
ITEM = {
    "landing_id",
    "token",
    "response_id",
    "landed_at",
    "submitted_at",
    "metadata",
    "hidden",
    "calculated",
    "answers",
}
METADATA = {"user_agent", "platform", "referer", "browser"}
ANSWER_VALUE = {"number": "number", "text": "text", "choice": "choice", "boolean": "boolean", "email": "email"}
FIELD = {"id", "ref", "type", "title"}


@pytest.fixture(scope="module")
def sb():
    world = World(WorldConfig(people=200, seed=7))
    with run_sandbox(
        world, vendors=("typeform",), segment_export=False, typeform_limits=TypeformLimits(1000)
    ) as handle:
        yield handle


def get(sb, path: str, **params):
    return requests.get(
        sb.typeform.base_url + path, params=params, headers={"Authorization": f"Bearer {sb.typeform.token}"}, timeout=10
    )


def test_forms_and_definitions_have_the_documented_fields(sb) -> None:
    body = get(sb, "/forms", page_size=200).json()
    assert set(body) >= ENVELOPE and body["total_items"] == len(body["items"]) == 2
    for item in body["items"]:
        assert {"id", "title", "last_updated_at", "self", "_links"} <= set(item)
        form = get(sb, f"/forms/{item['id']}").json()
        assert form["hidden"] == ["email", "contact_id"]
        for field in form["fields"]:
            assert set(field) >= FIELD, field
        types = {f["type"] for f in form["fields"]}
        assert types & {"opinion_scale", "rating"} and "long_text" in types
    assert get(sb, "/forms/nope").status_code == 404


def test_response_items_have_the_documented_fields(sb) -> None:
    seen_types: Counter[str] = Counter()
    for form_id in ("nPs7Qa2K", "cSat4Lm9"):
        body = get(sb, f"/forms/{form_id}/responses", page_size=1000, completed="true").json()
        assert set(body) >= ENVELOPE and body["items"]
        assert body["total_items"] == len(body["items"]) and body["page_count"] == 1
        stamps = [i["submitted_at"] for i in body["items"]]
        assert stamps == sorted(stamps, reverse=True), "newest first by default"
        for item in body["items"]:
            assert set(item) >= ITEM, set(item) ^ ITEM
            assert set(item["metadata"]) >= METADATA and set(item["hidden"]) == {"email", "contact_id"}
            assert "score" in item["calculated"]
            for a in item["answers"]:
                assert {"id", "type", "ref"} <= set(a["field"]) and ANSWER_VALUE[a["type"]] in a
                seen_types[a["type"]] += 1
    assert {"number", "text", "choice", "boolean"} <= set(seen_types)
    print(f"\nanswer types served: {dict(seen_types)}")


def test_auth_failure_is_typeforms_error_body(sb) -> None:
    r = requests.get(sb.typeform.base_url + "/forms", headers={"Authorization": "Bearer wrong"}, timeout=10)
    assert r.status_code == 401 and r.json()["code"] == "AUTHENTICATION_FAILED" and "description" in r.json()
    assert requests.get(sb.typeform.base_url + "/forms", timeout=10).status_code == 401


def test_before_and_after_walk_every_response_once(sb) -> None:
    full = get(sb, "/forms/nPs7Qa2K/responses", page_size=1000, completed="true").json()["items"]
    walked, before = [], None
    while True:
        params = {"page_size": 3, "completed": "true", **({"before": before} if before else {})}
        items = get(sb, "/forms/nPs7Qa2K/responses", **params).json()["items"]
        walked += items
        if len(items) < 3:
            break
        before = items[-1]["token"]
    assert [i["token"] for i in walked] == [i["token"] for i in full]
    oldest = full[-1]["token"]
    after = get(sb, "/forms/nPs7Qa2K/responses", page_size=1000, completed="true", after=oldest).json()["items"]
    assert [i["token"] for i in after] == [i["token"] for i in reversed(full[:-1])]
    assert get(sb, "/forms/nPs7Qa2K/responses", before="x", after="y").status_code == 400
    assert get(sb, "/forms/nPs7Qa2K/responses", page_size=1001).status_code == 400


def test_since_until_and_completed_filter(sb) -> None:
    full = get(sb, "/forms/cSat4Lm9/responses", page_size=1000, completed="true").json()["items"]
    middle = full[len(full) // 2]["submitted_at"]
    newer = get(sb, "/forms/cSat4Lm9/responses", page_size=1000, completed="true", since=middle).json()["items"]
    older = get(sb, "/forms/cSat4Lm9/responses", page_size=1000, completed="true", until=middle).json()["items"]
    assert all(i["submitted_at"] >= middle for i in newer) and all(i["submitted_at"] <= middle for i in older)
    assert len(newer) + len(older) == len(full) + 1  # the middle one is in both windows
    partial = [
        i
        for f in ("nPs7Qa2K", "cSat4Lm9")
        for i in get(sb, f"/forms/{f}/responses", page_size=1000, completed="false").json()["items"]
    ]
    assert partial and all("submitted_at" not in i and i["response_type"] == "partial" for i in partial)


def test_rate_limit_answers_429_like_typeform() -> None:
    world = World(WorldConfig(people=20, seed=3))
    with run_sandbox(world, vendors=("typeform",), segment_export=False) as sb:
        statuses = [get(sb, "/forms").status_code for _ in range(6)]
        assert 429 in statuses and statuses[:2] == [200, 200]
        r = get(sb, "/forms")
        if r.status_code == 429:
            assert r.json()["code"] == "RATE_LIMIT_EXCEEDED"
        time.sleep(1.1)
        assert get(sb, "/forms").status_code == 200


def test_the_clock_reveals_responses_and_the_manifest_owns_them(tmp_path) -> None:
    world = World(WorldConfig(people=200, seed=7), now=datetime(2026, 2, 10, tzinfo=UTC))
    before = len(world.survey_responses())
    world.advance(days=50)
    after = world.survey_responses()
    assert len(after) > before
    assert all(r.order_ms <= world.now_ms for r in after)
    m = world.write_manifest(tmp_path)
    assert (tmp_path / "survey_responses.csv").stat().st_size > 0
    relations = Counter(r["relation"] for r in m.survey_responses)
    assert relations["contact"] and relations["stranger"]
    assert {r["person_id"] for r in m.survey_responses if r["relation"] == "stranger"} == {""}
    persons = {p["person_id"] for p in m.persons}
    typeform = [r for r in m.records if r["source"] == "typeform"]
    assert typeform and {r["person_id"] for r in typeform} <= persons
    print(f"\nsurvey responses at the clock: {dict(relations)}, {len(typeform)} owned records")
