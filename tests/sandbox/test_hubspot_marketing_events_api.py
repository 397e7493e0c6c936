"""HubSpot's Marketing Events API on the sandbox: paging, filters, errors, auth, and the shapes of the published spec
(``PublicApiSpecs/Marketing/Marketing Events/Rollouts/129888/v3/marketingEvents.json`` of
HubSpot-public-api-spec-collection, read with the search tools; the shared specs folder does not hold it, so the
required fields and types below are our transcription of its ``MarketingEventPublicReadResponseV2``,
``CollectionResponseWithTotalParticipationBreakdownForwardPaging`` and ``AttendanceCounters``). The official SDK
(hubspot-api-client) reads the sandbox too."""

from __future__ import annotations

import pytest
import requests
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from sandbox.server.hubspot import RateLimits
from sandbox.testing import run_sandbox
from sandbox.world import World, WorldConfig

BASE = "/marketing/v3/marketing-events"
_STR = {"type": "string"}
_INT = {"type": "integer"}
_TIME = {"type": "string", "format": "date-time"}
EVENT = {
    "type": "object",
    "required": ["createdAt", "customProperties", "eventName", "objectId", "updatedAt"],
    "properties": {
        **{k: _STR for k in ("objectId", "eventName", "eventType", "eventOrganizer", "eventUrl", "externalEventId")},
        **{k: _INT for k in ("registrants", "attendees", "cancellations", "noShows")},
        **{k: _TIME for k in ("startDateTime", "endDateTime", "createdAt", "updatedAt")},
        "eventCancelled": {"type": "boolean"},
        "eventCompleted": {"type": "boolean"},
        "customProperties": {"type": "array"},
        "appInfo": {"type": "object", "required": ["id", "name"]},
    },
}
PAGING = {
    "type": "object",
    "properties": {"next": {"type": "object", "required": ["after"], "properties": {"after": _STR, "link": _STR}}},
}
PARTICIPATION = {
    "type": "object",
    "required": ["associations", "createdAt", "id", "properties"],
    "properties": {
        "id": _STR,
        "createdAt": _TIME,
        "associations": {
            "type": "object",
            "required": ["contact", "marketingEvent"],
            "properties": {
                "contact": {"type": "object", "required": ["contactId", "email"]},
                "marketingEvent": {"type": "object", "required": ["marketingEventId", "name"]},
            },
        },
        "properties": {
            "type": "object",
            "required": ["attendanceState", "occurredAt"],
            "properties": {
                "occurredAt": _INT,
                "attendancePercentage": _STR,
                "attendanceDurationSeconds": _INT,
                "attendanceState": {"enum": ["REGISTERED", "ATTENDED", "CANCELLED", "EMPTY", "NO_SHOW"]},
            },
        },
    },
}
LIST = {"type": "object", "required": ["results"], "properties": {"results": {"type": "array", "items": EVENT}}}
BREAKDOWN = {
    "type": "object",
    "required": ["results", "total"],
    "properties": {"total": _INT, "paging": PAGING, "results": {"type": "array", "items": PARTICIPATION}},
}
COUNTERS = {"type": "object", "required": ["attended", "cancelled", "noShows", "registered"]}


def check(schema: dict, body: object) -> None:
    errors = list(OAS30Validator(schema, format_checker=oas30_format_checker).iter_errors(body))
    assert not errors, "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


@pytest.fixture(scope="module")
def sb():
    world = World(WorldConfig(people=150))
    with run_sandbox(world, rate_limits=RateLimits(per_interval=100_000), segment_export=False) as handle:
        yield handle


@pytest.fixture()
def s(sb):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {sb.hubspot.token}"
    yield session
    session.close()


def _all(s, url: str, **params) -> tuple[list[dict], list[dict]]:
    out, bodies, after = [], [], None
    while True:
        r = s.get(url, params={**params, **({"after": after} if after else {})}, timeout=10)
        assert r.status_code == 200, r.text
        bodies.append(r.json())
        out.extend(r.json()["results"])
        after = r.json().get("paging", {}).get("next", {}).get("after")
        if not after:
            return out, bodies


def test_events_list_pages_by_object_id_and_matches_the_spec(sb, s):
    events, bodies = _all(s, sb.hubspot.base_url + BASE + "/", limit=7)
    assert len(bodies) > 1
    for body in bodies:
        check(LIST, body)
    ids = [int(e["objectId"]) for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert events == sb.world.marketing_event_payloads()
    assert {e["eventType"] for e in events} >= {"WEBINAR", "WORKSHOP", "TRADE_SHOW"}
    one = s.get(f"{sb.hubspot.base_url}{BASE}/{events[0]['objectId']}", timeout=10).json()
    assert one == events[0]


def test_breakdowns_hold_every_visible_participation_once(sb, s):
    base = sb.hubspot.base_url
    world = sb.world
    every = []
    for e in world.visible_marketing_events():
        parts, bodies = _all(s, f"{base}{BASE}/participations/{e.object_id}/breakdown", limit=5)
        for body in bodies:
            check(BREAKDOWN, body)
            assert body["total"] == len(parts)
        by_external, _ = _all(
            s, f"{base}{BASE}/participations/{e.external_account_id}/{e.external_event_id}/breakdown", limit=100
        )
        assert by_external == parts
        counters = s.get(f"{base}{BASE}/participations/{e.object_id}", timeout=10).json()
        check(COUNTERS, counters)
        assert counters["attended"] == sum(p["properties"]["attendanceState"] == "ATTENDED" for p in parts)
        every += parts
    assert sorted(p["id"] for p in every) == sorted(p.id for p, _ in world.visible_participations())
    attended = [p for p in every if p["properties"]["attendanceState"] == "ATTENDED"]
    assert attended and all(p["properties"]["attendanceDurationSeconds"] > 0 for p in attended)


def test_filters_by_state_and_contact(sb, s):
    base = sb.hubspot.base_url
    part, _ = sb.world.visible_participations()[0]
    contact = part.contact_id
    mine, _ = _all(s, f"{base}{BASE}/participations/contacts/{contact}/breakdown", limit=100)
    assert mine and all(p["associations"]["contact"]["contactId"] == contact for p in mine)
    email = mine[0]["associations"]["contact"]["email"]
    by_email, _ = _all(s, f"{base}{BASE}/participations/contacts/{email}/breakdown", limit=100)
    assert by_email == mine
    event = sb.world.visible_marketing_events()[0]
    no_shows, _ = _all(s, f"{base}{BASE}/participations/{event.object_id}/breakdown", state="NO_SHOW", limit=100)
    assert all(p["properties"]["attendanceState"] == "NO_SHOW" for p in no_shows)


def test_external_read_and_errors(sb, s):
    base = sb.hubspot.base_url
    e = sb.world.visible_marketing_events()[0]
    r = s.get(f"{base}{BASE}/events/{e.external_event_id}", params={"externalAccountId": e.external_account_id})
    assert r.status_code == 200 and r.json()["id"] == e.object_id and r.json()["externalEventId"] == e.external_event_id
    for path, params, status in [
        (f"{BASE}/events/{e.external_event_id}", {}, 400),  # externalAccountId is required
        (f"{BASE}/events/nope", {"externalAccountId": e.external_account_id}, 404),
        (f"{BASE}/participations/{e.object_id}/breakdown", {"limit": 101}, 400),
        (f"{BASE}/participations/{e.object_id}/breakdown", {"state": "MAYBE"}, 400),
        (f"{BASE}/participations/{e.object_id}/breakdown", {"after": "%%%"}, 400),
        (f"{BASE}/participations/999/breakdown", {}, 404),
        (f"{BASE}/", {"limit": 0}, 400),
    ]:
        r = s.get(base + path, params=params, timeout=10)
        assert r.status_code == status, (path, params, r.text)
        assert r.json()["status"] == "error" and r.headers["X-HubSpot-Correlation-Id"]
    r = requests.get(base + BASE, headers={"Authorization": "Bearer wrong"}, timeout=10)
    assert r.status_code == 401 and r.json()["category"] == "INVALID_AUTHENTICATION"


def test_the_official_sdk_reads_events_and_breakdowns(sb):
    hubspot = pytest.importorskip("hubspot", reason="hubspot-api-client (the dev extra) is not installed")
    client = hubspot.Client.create(access_token=sb.hubspot.token, host=sb.hubspot.base_url)
    page = client.marketing.events.basic_api.get_all(limit=100)
    assert [e.object_id for e in page.results] == [e.object_id for e in sb.world.visible_marketing_events()]
    first = sb.world.visible_marketing_events()[0]
    api = client.marketing.events.retrieve_participant_state_api
    got = api.get_participations_breakdown_by_marketing_event_id(int(first.object_id), limit=100)
    want = [p for p, _ in sb.world.visible_participations() if p.event_k == first.k]
    assert got.total == len(want) and {r.id for r in got.results} == {p.id for p in want}
    assert {r.properties.attendance_state for r in got.results} <= {"REGISTERED", "ATTENDED", "CANCELLED", "NO_SHOW"}
