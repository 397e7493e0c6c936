from __future__ import annotations

import time

import pytest
import requests

from sandbox.server.hubspot import RateLimits
from sandbox.testing import run_sandbox
from sandbox.world import World, WorldConfig
from sandbox.world.projections import hubspot_schema as hs
from tests.sandbox.conftest import SMALL, validate

SPEC_FILES = {
    "contacts": "contacts.v3.json",
    "companies": "companies.v3.json",
    "deals": "deals.v3.json",
    "emails": "emails.v3.json",
    "calls": "calls.v3.json",
    "meetings": "meetings.v3.json",
    "notes": "notes.v3.json",
    "tasks": "tasks.v3.json",
    "feedback_submissions": "feedbackSubmissions.v3.json",
}
ASSOC = {
    "contacts": "companies,deals",
    "deals": "contacts,companies",
    "emails": "contacts,deals,companies",
    "calls": "contacts,deals,companies",
    "meetings": "contacts,deals,companies",
    "notes": "contacts,companies",
    "tasks": "contacts,deals",
    "feedback_submissions": "contacts",
    "companies": "contacts",
}


def _all(session, url, params, key="results"):
    out, after, pages = [], None, 0
    while True:
        p = dict(params)
        if after is not None:
            p["after"] = after
        r = session.get(url, params=p)
        assert r.status_code == 200, r.text
        body = r.json()
        out.extend(body[key])
        pages += 1
        if "paging" not in body:
            return out, pages
        after = body["paging"]["next"]["after"]


@pytest.mark.parametrize("otype", list(SPEC_FILES))
def test_list_pages_to_the_end_and_validates(sandbox, hs_session, otype):
    base = sandbox.hubspot.base_url
    props = [p["name"] for p in hs_session.get(f"{base}/crm/v3/properties/{otype}").json()["results"]]
    params = {"limit": 50, "properties": ",".join(props), "associations": ASSOC[otype]}
    if otype in hs.HISTORY_PROPERTIES:
        params["propertiesWithHistory"] = ",".join(hs.HISTORY_PROPERTIES[otype])
    r = hs_session.get(f"{base}/crm/v3/objects/{otype}", params=params)
    validate(SPEC_FILES[otype], "CollectionResponseSimplePublicObjectWithAssociationsForwardPaging", r.json())
    results, _ = _all(hs_session, f"{base}/crm/v3/objects/{otype}", params)
    store = sandbox.world.hubspot.objects[otype]
    live = sorted((r for r in store.values() if not r.archived), key=lambda r: int(r.id))
    assert [o["id"] for o in results] == [r.id for r in live]
    for o in results:
        assert set(o["properties"]) == set(props)
        assert all(v is None or isinstance(v, str) for v in o["properties"].values())
        assert o["updatedAt"] == o["properties"][hs.LAST_MODIFIED_PROPERTY[otype]]
    archived, _ = _all(hs_session, f"{base}/crm/v3/objects/{otype}", {"archived": "true", "limit": 100})
    assert [o["id"] for o in archived] == sorted((r.id for r in store.values() if r.archived), key=int)
    for o in archived:
        assert o["archived"] is True and "archivedAt" in o


def test_default_properties_and_single_object(sandbox, hs_session):
    base = sandbox.hubspot.base_url
    body = hs_session.get(f"{base}/crm/v3/objects/contacts").json()
    assert len(body["results"]) == 10
    assert set(body["results"][0]["properties"]) == set(hs.DEFAULT_PROPERTIES["contacts"])
    rid = body["results"][0]["id"]
    r = hs_session.get(
        f"{base}/crm/v3/objects/contacts/{rid}",
        params=[
            ("properties", "email"),
            ("properties", "phone"),
            ("properties", "nope"),
            ("associations", "companies"),
        ],
    )
    assert r.status_code == 200
    validate("contacts.v3.json", "SimplePublicObjectWithAssociations", r.json())
    assert set(r.json()["properties"]) == {"email", "phone"}
    r = hs_session.get(f"{base}/crm/v3/objects/contacts/999")
    assert r.status_code == 404
    validate("contacts.v3.json", "Error", r.json())


def test_limit_errors(sandbox, hs_session):
    base = sandbox.hubspot.base_url
    assert hs_session.get(f"{base}/crm/v3/objects/contacts", params={"limit": 100}).status_code == 200
    r = hs_session.get(f"{base}/crm/v3/objects/contacts", params={"limit": 101})
    assert r.status_code == 400 and r.json()["category"] == "VALIDATION_ERROR"
    validate("contacts.v3.json", "Error", r.json())
    r = hs_session.get(
        f"{base}/crm/v3/objects/contacts", params={"limit": 51, "propertiesWithHistory": "lifecyclestage"}
    )
    assert r.status_code == 400
    assert hs_session.get(f"{base}/crm/v3/owners", params={"limit": 501}).status_code == 400
    r = hs_session.post(f"{base}/crm/v3/objects/contacts/search", json={"limit": 201})
    assert r.status_code == 400
    fid = sandbox.world.hubspot.forms[0]["id"]
    assert (
        hs_session.get(f"{base}/form-integrations/v1/submissions/forms/{fid}", params={"limit": 51}).status_code == 400
    )


def test_search_incremental_filters_sort_and_validates(sandbox, hs_session):
    base = sandbox.hubspot.base_url
    world = sandbox.world
    since = world.now_ms - 20 * 86_400_000
    for otype in ("contacts", "deals", "tasks"):
        cursor = hs.LAST_MODIFIED_PROPERTY[otype]
        body = {
            "filterGroups": [{"filters": [{"propertyName": cursor, "operator": "GTE", "value": str(since)}]}],
            "sorts": [{"propertyName": cursor, "direction": "ASCENDING"}],
            "properties": [cursor],
            "limit": 7,
        }
        got, after, total = [], "0", None
        while after is not None:
            body["after"] = after
            r = hs_session.post(f"{base}/crm/v3/objects/{otype}/search", json=body)
            assert r.status_code == 200, r.text
            assert "X-HubSpot-RateLimit-Max" not in r.headers
            j = r.json()
            validate(SPEC_FILES[otype], "CollectionResponseWithTotalSimplePublicObject", j)
            total = j["total"]
            got.extend(j["results"])
            after = j.get("paging", {}).get("next", {}).get("after")
        expected = [r for r in world.hubspot.objects[otype].values() if not r.archived and r.updated >= since]
        assert total == len(expected) == len(got)
        stamps = [o["properties"][cursor] for o in got]
        assert stamps == sorted(stamps)
    # OR of groups, IN, HAS_PROPERTY, BETWEEN, ISO dates, hs_object_id
    contacts = sorted(world.hubspot.objects["contacts"].values(), key=lambda r: int(r.id))
    ids = [c.id for c in contacts[:3]]
    r = hs_session.post(
        f"{base}/crm/v3/objects/contacts/search",
        json={
            "filterGroups": [
                {"filters": [{"propertyName": "hs_object_id", "operator": "IN", "values": ids[:2]}]},
                {"filters": [{"propertyName": "hs_object_id", "operator": "EQ", "value": ids[2]}]},
            ],
            "limit": 10,
        },
    )
    assert sorted(o["id"] for o in r.json()["results"]) == sorted(
        i for i in ids if not world.hubspot.objects["contacts"][i].archived
    )
    r = hs_session.post(
        f"{base}/crm/v3/objects/deals/search",
        json={
            "filterGroups": [
                {
                    "filters": [
                        {"propertyName": "amount", "operator": "BETWEEN", "value": "1000", "highValue": "20000"},
                        {"propertyName": "closedate", "operator": "HAS_PROPERTY"},
                        {"propertyName": "hs_lastmodifieddate", "operator": "GT", "value": "2026-01-01T00:00:00Z"},
                    ]
                }
            ],
            "sorts": [{"propertyName": "amount", "direction": "DESCENDING"}],
            "properties": ["amount", "closedate"],
            "limit": 200,
        },
    )
    res = r.json()["results"]
    amounts = [float(o["properties"]["amount"]) for o in res]
    assert amounts == sorted(amounts, reverse=True) and all(1000 <= a <= 20000 for a in amounts)
    assert all(o["properties"]["closedate"] for o in res)
    assert "associations" not in (res[0] if res else {})


@pytest.mark.parametrize(
    ("flt", "message"),
    [
        ({"propertyName": "email", "operator": "LIKE", "value": "x"}, "Unknown operator LIKE"),
        ({"propertyName": "email", "operator": "EQ"}, "needs a value"),
        ({"propertyName": "email", "operator": "IN", "value": "x"}, "needs 'values'"),
        ({"propertyName": "nope", "operator": "EQ", "value": "x"}, "does not exist"),
        ({"propertyName": "email"}, "needs propertyName and operator"),
    ],
)
def test_search_rejects_a_bad_filter_with_a_validation_error(sandbox, hs_session, flt, message):
    r = hs_session.post(
        f"{sandbox.hubspot.base_url}/crm/v3/objects/contacts/search", json={"filterGroups": [{"filters": [flt]}]}
    )
    assert r.status_code == 400, r.text
    assert r.json()["category"] == "VALIDATION_ERROR" and message in r.json()["message"]


def test_search_cap_and_search_rate_limit():
    with run_sandbox(World(WorldConfig(people=60)), search_cap=20, rate_limits=RateLimits(search_per_second=3)) as sb:
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {sb.hubspot.token}"
        url = f"{sb.hubspot.base_url}/crm/v3/objects/contacts/search"
        assert s.post(url, json={"limit": 10, "after": "10"}).status_code == 200
        assert s.post(url, json={"limit": 50, "after": "0"}).status_code == 200
        r = s.post(url, json={"limit": 10, "after": "11"})
        assert r.status_code == 400 and r.json()["category"] == "VALIDATION_ERROR"
        statuses = [s.post(url, json={"limit": 1}).status_code for _ in range(4)]
        assert 429 in statuses
        r429 = next(r for r in (s.post(url, json={"limit": 1}) for _ in range(5)) if r.status_code == 429)
        body = r429.json()
        assert body["policyName"] == "SECONDLY" and body["errorType"] == "RATE_LIMIT"
        validate("contacts.v3.json", "Error", body)
        time.sleep(1.1)
        assert s.post(url, json={"limit": 1}).status_code == 200


def test_ten_second_rate_limit():
    with run_sandbox(World(WorldConfig(people=20)), rate_limits=RateLimits(per_interval=5)) as sb:
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {sb.hubspot.token}"
        url = f"{sb.hubspot.base_url}/crm/v3/objects/contacts"
        rs = [s.get(url) for _ in range(6)]
        assert [r.status_code for r in rs] == [200] * 5 + [429]
        assert rs[0].headers["X-HubSpot-RateLimit-Max"] == "5"
        assert rs[0].headers["X-HubSpot-RateLimit-Remaining"] == "4"
        assert rs[0].headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
        assert "X-HubSpot-RateLimit-Daily-Remaining" in rs[0].headers
        body = rs[5].json()
        assert body["policyName"] == "TEN_SECONDLY_ROLLING"
        assert "Retry-After" not in rs[5].headers
        assert sb.hubspot.stats()["by_status"]["429"] == 1


def test_auth(sandbox):
    url = f"{sandbox.hubspot.base_url}/crm/v3/objects/contacts"
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}):
        r = requests.get(url, headers=headers)
        assert r.status_code == 401
        assert r.json()["category"] == "INVALID_AUTHENTICATION"
        validate("contacts.v3.json", "Error", r.json())
    assert requests.get(f"{sandbox.hubspot.base_url}/_sandbox/stats").status_code == 200


def test_batch_read(sandbox, hs_session):
    base = sandbox.hubspot.base_url
    live = [r for r in sandbox.world.hubspot.objects["deals"].values() if not r.archived][:5]
    body = {
        "inputs": [{"id": r.id} for r in live] + [{"id": "12345"}],
        "properties": ["dealname", "amount"],
        "propertiesWithHistory": ["dealstage"],
    }
    r = hs_session.post(f"{base}/crm/v3/objects/deals/batch/read", json=body)
    assert r.status_code == 207
    j = r.json()
    validate("deals.v3.json", "BatchResponseSimplePublicObjectWithErrors", j)
    assert {o["id"] for o in j["results"]} == {r.id for r in live}
    assert j["errors"][0]["context"]["ids"] == ["12345"]
    body["inputs"] = body["inputs"][:-1]
    r = hs_session.post(f"{base}/crm/v3/objects/deals/batch/read", json=body)
    assert r.status_code == 200
    validate("deals.v3.json", "BatchResponseSimplePublicObject", r.json())
    contact = next(r for r in sandbox.world.hubspot.objects["contacts"].values() if not r.archived)
    r = hs_session.post(
        f"{base}/crm/v3/objects/contacts/batch/read",
        json={"idProperty": "email", "inputs": [{"id": contact.properties["email"].upper()}], "properties": ["email"]},
    )
    assert r.status_code == 200 and r.json()["results"][0]["id"] == contact.id
    r = hs_session.post(f"{base}/crm/v3/objects/deals/batch/read", json={"inputs": [{"id": "1"}] * 101})
    assert r.status_code == 400


def test_associations_v4(sandbox, hs_session):
    base = sandbox.hubspot.base_url
    store = sandbox.world.hubspot
    deals = [r for r in store.objects["deals"].values() if not r.archived]
    r = hs_session.post(
        f"{base}/crm/v4/associations/deals/contacts/batch/read", json={"inputs": [{"id": d.id} for d in deals]}
    )
    assert r.status_code in (200, 207)
    j = r.json()
    validate(
        "associations.v4.json",
        "BatchResponsePublicAssociationMultiWithLabelWithErrors"
        if r.status_code == 207
        else "BatchResponsePublicAssociationMultiWithLabel",
        j,
    )
    item = j["results"][0]
    assert item["to"][0]["associationTypes"][0] == {"category": "HUBSPOT_DEFINED", "typeId": 3, "label": None}
    # reverse direction and single-object endpoint with paging
    company = next(iter(store.objects["companies"].values()))
    ids = store.associations("companies", company.id, "contacts")
    assert ids
    got, _ = _all(hs_session, f"{base}/crm/v4/objects/companies/{company.id}/associations/contacts", {"limit": 1})
    assert [g["toObjectId"] for g in got] == ids
    validate(
        "associations.v4.json",
        "CollectionResponseMultiAssociatedObjectWithLabelForwardPaging",
        hs_session.get(f"{base}/crm/v4/objects/companies/{company.id}/associations/contacts").json(),
    )
    type_ids = {t["typeId"] for t in got[0]["associationTypes"]}
    assert type_ids == {2, 280}


def test_properties_owners_forms_submissions(sandbox, hs_session):
    base = sandbox.hubspot.base_url
    for otype in SPEC_FILES:
        j = hs_session.get(f"{base}/crm/v3/properties/{otype}").json()
        validate("properties.v3.json", "CollectionResponsePropertyNoPaging", j)
        assert {p["name"] for p in j["results"]} == set(hs.PROPERTY_NAMES[otype])
    lc = next(
        p
        for p in hs_session.get(f"{base}/crm/v3/properties/contacts").json()["results"]
        if p["name"] == "lifecyclestage"
    )
    assert "customer" in {o["value"] for o in lc["options"]}
    owners, pages = _all(hs_session, f"{base}/crm/v3/owners", {"limit": 3})
    assert len(owners) == 8 and pages == 3
    validate(
        "crmOwners.v3.json",
        "CollectionResponsePublicOwnerForwardPaging",
        hs_session.get(f"{base}/crm/v3/owners").json(),
    )
    forms_body = hs_session.get(f"{base}/marketing/v3/forms").json()
    validate("forms.v3.json", "CollectionResponseFormDefinitionBaseForwardPaging", forms_body)
    assert len(forms_body["results"]) == 7  # six marketing forms and the refer-a-colleague form
    total = 0
    for f in forms_body["results"]:
        subs, _ = _all(hs_session, f"{base}/form-integrations/v1/submissions/forms/{f['id']}", {"limit": 7})
        ts = [s["submittedAt"] for s in subs]
        assert ts == sorted(ts, reverse=True)
        assert all(isinstance(t, int) for t in ts)
        assert len({s["conversionId"] for s in subs}) == len(subs)
        total += len(subs)
    assert total == sum(len(v) for v in sandbox.world.hubspot.submissions.values())
    assert hs_session.get(f"{base}/form-integrations/v1/submissions/forms/nope").status_code == 404
    page_urls = [s["pageUrl"] for v in sandbox.world.hubspot.submissions.values() for s in v]
    assert any("gclid=" in u for u in page_urls) and any("fbclid=" in u for u in page_urls)


def test_advance_over_http_changes_search_results():
    with run_sandbox(World(SMALL, now=SMALL.start.replace(day=20))) as sb:
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {sb.hubspot.token}"
        before = sb.world.now_ms
        r = requests.post(f"{sb.hubspot.base_url}/_sandbox/advance", json={"days": 2})
        assert r.status_code == 200 and r.json()["now"] > "2026-01-21"
        body = {
            "filterGroups": [
                {"filters": [{"propertyName": "lastmodifieddate", "operator": "GT", "value": str(before)}]}
            ],
            "limit": 100,
        }
        res = s.post(f"{sb.hubspot.base_url}/crm/v3/objects/contacts/search", json=body).json()
        assert res["total"] > 0
        assert requests.get(f"{sb.hubspot.base_url}/_sandbox/clock").json()["now"] == r.json()["now"]
