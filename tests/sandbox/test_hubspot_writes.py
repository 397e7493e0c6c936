"""The sandbox HubSpot server accepts the CRM writes of a reverse-ETL client and serves them back through every read."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
import requests

from sandbox.server.hubspot import RateLimits
from sandbox.testing import SandboxHandle, run_sandbox
from sandbox.world import World, WorldConfig
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections.hubspot_overlay import CREATED_ID_BASE
from tests.sandbox.conftest import validate

WRITES_WORLD = WorldConfig(people=60)
UPSERT = "/crm/v3/objects/contacts/batch/upsert"
UPDATE = "/crm/v3/objects/contacts/batch/update"
CREATE = "/crm/v3/objects/contacts/batch/create"
GDPR = "/crm/v3/objects/contacts/gdpr-delete"
FAST = RateLimits(search_per_second=1000, per_interval=100_000)


@pytest.fixture()
def sb() -> Iterator[SandboxHandle]:
    """A fresh portal per test: writes change state."""
    with run_sandbox(World(WRITES_WORLD), rate_limits=FAST, vendors=("hubspot",)) as handle:
        yield handle


@pytest.fixture()
def s(sb: SandboxHandle) -> Iterator[requests.Session]:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {sb.hubspot.token}"
    yield session
    session.close()


def _live_contacts(sb: SandboxHandle) -> list:
    recs = [r for r in sb.world.hubspot.objects["contacts"].values() if not r.archived]
    return sorted(recs, key=lambda r: int(r.id))


def _search_email(s: requests.Session, base: str, email: str) -> list[dict]:
    body = {"filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ", "value": email}]}], "limit": 10}
    r = s.post(f"{base}/crm/v3/objects/contacts/search", json=body)
    assert r.status_code == 200, r.text
    return r.json()["results"]


def _all_ids(s: requests.Session, base: str) -> list[str]:
    ids, after = [], None
    while True:
        params = {"limit": 100, **({"after": after} if after else {})}
        body = s.get(f"{base}/crm/v3/objects/contacts", params=params).json()
        ids.extend(o["id"] for o in body["results"])
        if "paging" not in body:
            return ids
        after = body["paging"]["next"]["after"]


def _upsert(s: requests.Session, base: str, email: str, props: dict) -> requests.Response:
    return s.post(f"{base}{UPSERT}", json={"inputs": [{"idProperty": "email", "id": email, "properties": props}]})


def test_upsert_creates_then_updates_without_duplicate(sb, s):
    base = sb.hubspot.base_url
    r = _upsert(s, base, "Ada.Lovelace@example.org", {"firstname": "Ada", "lifecyclestage": "lead"})
    assert r.status_code == 200, r.text
    validate("contacts.v3.json", "BatchResponseSimplePublicUpsertObject", r.json())
    created = r.json()["results"][0]
    assert created["new"] is True
    assert created["properties"]["email"] == "Ada.Lovelace@example.org"
    cid = created["id"]
    world_ids = {int(i) for i in sb.world.hubspot.base["contacts"]}
    assert int(cid) >= CREATED_ID_BASE["contacts"] and int(cid) not in world_ids

    # the same address in another case is the same contact: update, no second record
    r = _upsert(s, base, " ada.lovelace@EXAMPLE.org", {"lastname": "Lovelace"})
    assert r.status_code == 200, r.text
    again = r.json()["results"][0]
    assert again["new"] is False and again["id"] == cid
    found = _search_email(s, base, "ada.lovelace@example.org")
    assert [o["id"] for o in found] == [cid]
    assert _all_ids(s, base).count(cid) == 1

    # every read serves the written values
    one = s.get(f"{base}/crm/v3/objects/contacts/{cid}", params={"properties": "firstname,lastname,lifecyclestage"})
    validate("contacts.v3.json", "SimplePublicObjectWithAssociations", one.json())
    assert one.json()["properties"] == {"firstname": "Ada", "lastname": "Lovelace", "lifecyclestage": "lead"}
    by_email = s.get(f"{base}/crm/v3/objects/contacts/ADA.LOVELACE@example.org", params={"idProperty": "email"})
    assert by_email.status_code == 200 and by_email.json()["id"] == cid
    batch = s.post(
        f"{base}/crm/v3/objects/contacts/batch/read", json={"inputs": [{"id": cid}], "properties": ["lastname"]}
    )
    assert batch.status_code == 200 and batch.json()["results"][0]["properties"]["lastname"] == "Lovelace"


def test_upsert_of_world_contact_updates_it_and_moves_lastmodifieddate(sb, s):
    base = sb.hubspot.base_url
    target = next(c for c in _live_contacts(sb) if c.updated < sb.world.now_ms)
    before = s.get(f"{base}/crm/v3/objects/contacts/{target.id}").json()
    r = _upsert(s, base, target.properties["email"].upper(), {"jobtitle": "Chief Segment Officer"})
    assert r.status_code == 200, r.text
    res = r.json()["results"][0]
    assert res["id"] == target.id and res["new"] is False
    after = s.get(f"{base}/crm/v3/objects/contacts/{target.id}", params={"properties": "jobtitle,lastmodifieddate"})
    assert after.json()["properties"]["jobtitle"] == "Chief Segment Officer"
    assert after.json()["updatedAt"] > before["updatedAt"]
    assert after.json()["properties"]["lastmodifieddate"] == after.json()["updatedAt"]
    hist = s.get(f"{base}/crm/v3/objects/contacts/{target.id}", params={"propertiesWithHistory": "jobtitle"}).json()
    assert hist["propertiesWithHistory"]["jobtitle"][0]["sourceType"] == "INTEGRATION"
    # incremental sync on hs_lastmodifieddate finds the written record
    body = {
        "filterGroups": [
            {"filters": [{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": str(sb.world.now_ms)}]}
        ],
        "limit": 200,
    }
    ids = [o["id"] for o in s.post(f"{base}/crm/v3/objects/contacts/search", json=body).json()["results"]]
    assert target.id in ids


def test_created_property_appears_and_accepts_values(sb, s):
    base = sb.hubspot.base_url
    prop = {
        "name": "etl_segment",
        "label": "ETL segment",
        "type": "enumeration",
        "fieldType": "select",
        "groupName": "contactinformation",
        "options": [
            {"label": "High value", "value": "high_value", "hidden": False},
            {"label": "Churn risk", "value": "churn_risk", "hidden": False},
        ],
    }
    r = s.post(f"{base}/crm/v3/properties/contacts", json=prop)
    assert r.status_code == 201, r.text
    validate("properties.v3.json", "Property", r.json())
    assert r.json()["hubspotDefined"] is False
    listing = s.get(f"{base}/crm/v3/properties/contacts").json()
    validate("properties.v3.json", "CollectionResponsePropertyNoPaging", listing)
    names = [p["name"] for p in listing["results"]]
    assert "etl_segment" in names and set(hs.PROPERTY_NAMES["contacts"]) <= set(names)
    one = s.get(f"{base}/crm/v3/properties/contacts/etl_segment")
    assert one.status_code == 200 and one.json()["options"][0]["value"] == "high_value"
    assert s.get(f"{base}/crm/v3/properties/contacts/nope").status_code == 404
    dup = s.post(f"{base}/crm/v3/properties/contacts", json=prop)
    assert dup.status_code == 409 and dup.json()["category"] == "CONFLICT"
    validate("properties.v3.json", "Error", dup.json())
    assert s.post(f"{base}/crm/v3/properties/contacts", json={**prop, "name": "x2", "options": []}).status_code == 400

    contact = _live_contacts(sb)[0]
    r = s.post(f"{base}{UPDATE}", json={"inputs": [{"id": contact.id, "properties": {"etl_segment": "high_value"}}]})
    assert r.status_code == 200, r.text
    validate("contacts.v3.json", "BatchResponseSimplePublicObject", r.json())
    got = s.get(f"{base}/crm/v3/objects/contacts/{contact.id}", params={"properties": "etl_segment"}).json()
    assert got["properties"] == {"etl_segment": "high_value"}
    # other contacts have the property, empty
    other = s.get(f"{base}/crm/v3/objects/contacts/{_live_contacts(sb)[1].id}", params={"properties": "etl_segment"})
    assert other.json()["properties"] == {"etl_segment": None}
    # searchable like any property
    body = {"filterGroups": [{"filters": [{"propertyName": "etl_segment", "operator": "EQ", "value": "high_value"}]}]}
    assert [o["id"] for o in s.post(f"{base}/crm/v3/objects/contacts/search", json=body).json()["results"]] == [
        contact.id
    ]
    bad = s.post(f"{base}{UPDATE}", json={"inputs": [{"id": contact.id, "properties": {"etl_segment": "vip"}}]})
    assert bad.status_code == 400 and "vip" in bad.json()["message"]


@pytest.mark.parametrize(
    ("props", "name", "value"),
    [
        ({"num_conversion_events": "abc"}, "num_conversion_events", "abc"),
        ({"lifecyclestage": "prospect"}, "lifecyclestage", "prospect"),
        ({"email": "not-an-address"}, "email", "not-an-address"),
        ({"favorite_food": "pizza"}, "favorite_food", "pizza"),
        ({"hs_object_id": "42"}, "hs_object_id", "42"),
        ({"createdate": "2026-01-01T00:00:00Z"}, "createdate", "2026-01-01T00:00:00Z"),
        ({"recent_conversion_date": "yesterday"}, "recent_conversion_date", "yesterday"),
    ],
)
def test_one_invalid_value_fails_the_whole_batch(sb, s, props, name, value):
    base = sb.hubspot.base_url
    contacts = _live_contacts(sb)[:3]
    inputs = [{"id": c.id, "properties": {"jobtitle": "Bisect me"}} for c in contacts]
    inputs[1]["properties"].update(props)
    r = s.post(f"{base}{UPDATE}", json={"inputs": inputs})
    assert r.status_code == 400, r.text
    body = r.json()
    validate("contacts.v3.json", "Error", body)
    assert body["category"] == "VALIDATION_ERROR"
    assert name in body["message"]
    if body["errors"][0]["code"] not in ("PROPERTY_DOESNT_EXIST", "READ_ONLY_VALUE"):  # as HubSpot: no value there
        assert value in body["message"]
    assert body["errors"][0]["in"] == name and body["errors"][0]["context"]["value"] == [value]
    # nothing was applied, not even the valid rows
    for c in contacts:
        got = s.get(f"{base}/crm/v3/objects/contacts/{c.id}", params={"properties": "jobtitle"}).json()
        assert got["properties"]["jobtitle"] == c.properties["jobtitle"]
    n_before = len(_all_ids(s, base))
    inputs = [{"properties": {"email": "ok@example.org"}}, {"properties": props}]
    create = s.post(f"{base}{CREATE}", json={"inputs": inputs})
    assert create.status_code == 400
    assert len(_all_ids(s, base)) == n_before


def test_bool_property_and_batch_limits(sb, s):
    base = sb.hubspot.base_url
    prop = {"name": "etl_vip", "label": "VIP", "type": "bool", "fieldType": "booleancheckbox", "groupName": "g"}
    assert s.post(f"{base}/crm/v3/properties/contacts", json=prop).status_code == 201
    cid = _live_contacts(sb)[0].id
    r = s.post(f"{base}{UPDATE}", json={"inputs": [{"id": cid, "properties": {"etl_vip": "yes"}}]})
    assert r.status_code == 400 and "etl_vip" in r.json()["message"]
    r = s.post(f"{base}{UPDATE}", json={"inputs": [{"id": cid, "properties": {"etl_vip": True}}]})
    assert r.status_code == 200 and r.json()["results"][0]["properties"]["etl_vip"] == "true"
    too_many = [{"idProperty": "email", "id": f"u{i}@example.org", "properties": {}} for i in range(101)]
    r = s.post(f"{base}{UPSERT}", json={"inputs": too_many})
    assert r.status_code == 400 and r.json()["category"] == "VALIDATION_ERROR"
    validate("contacts.v3.json", "Error", r.json())
    assert _search_email(s, base, "u0@example.org") == []
    r = s.post(f"{base}{UPSERT}", json={"inputs": too_many[:100]})
    assert r.status_code == 200 and len(r.json()["results"]) == 100
    dup = [{"id": cid, "properties": {}}, {"id": cid, "properties": {}}]
    assert s.post(f"{base}{UPDATE}", json={"inputs": dup}).status_code == 400


def test_207_row_errors_and_idempotent_create(sb, s):
    base = sb.hubspot.base_url
    contact = _live_contacts(sb)[0]
    r = s.post(
        f"{base}{UPDATE}",
        json={
            "inputs": [
                {"id": contact.id, "properties": {"city": "Lisbon"}},
                {"id": "424242", "properties": {"city": "Nowhere"}},
            ]
        },
    )
    assert r.status_code == 207, r.text
    body = r.json()
    validate("contacts.v3.json", "BatchResponseSimplePublicObjectWithErrors", body)
    assert body["numErrors"] == 1 and body["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    assert body["errors"][0]["context"]["ids"] == ["424242"]
    assert [o["id"] for o in body["results"]] == [contact.id]
    got = s.get(f"{base}/crm/v3/objects/contacts/{contact.id}", params={"properties": "city"}).json()
    assert got["properties"] == {"city": "Lisbon"}

    new = {"properties": {"email": "grace.hopper@example.org", "firstname": "Grace"}}
    r = s.post(f"{base}{CREATE}", json={"inputs": [new]})
    assert r.status_code == 201, r.text
    validate("contacts.v3.json", "BatchResponseSimplePublicObject", r.json())
    gid = r.json()["results"][0]["id"]
    # a retried create (and a create of a world contact's address) is a per-row CONFLICT, never a duplicate
    existing = {"properties": {"email": contact.properties["email"].upper()}}
    r = s.post(f"{base}{CREATE}", json={"inputs": [new, existing, {"properties": {"email": "fresh@example.org"}}]})
    assert r.status_code == 207, r.text
    body = r.json()
    validate("contacts.v3.json", "BatchResponseSimplePublicObjectWithErrors", body)
    assert [e["category"] for e in body["errors"]] == ["CONFLICT", "CONFLICT"]
    assert body["errors"][0]["message"] == f"Contact already exists. Existing ID: {gid}"
    assert body["errors"][1]["message"] == f"Contact already exists. Existing ID: {contact.id}"
    assert len(body["results"]) == 1
    assert len(_search_email(s, base, "grace.hopper@example.org")) == 1
    # upsert by object id: unknown ids cannot be created
    r = s.post(f"{base}{UPSERT}", json={"inputs": [{"idProperty": "hs_object_id", "id": "77", "properties": {}}]})
    assert r.status_code == 207
    validate("contacts.v3.json", "BatchResponseSimplePublicUpsertObjectWithErrors", r.json())
    # changing an email to one another contact holds is a row conflict
    r = s.post(f"{base}{UPDATE}", json={"inputs": [{"id": gid, "properties": {"email": contact.properties["email"]}}]})
    assert r.status_code == 207 and r.json()["errors"][0]["category"] == "CONFLICT"


def test_lists_add_remove_and_page_memberships(sb, s):
    base = sb.hubspot.base_url
    name = "ETL \u2013 high value / Q2"  # non-ASCII and a slash: the name travels URL-encoded
    r = s.post(f"{base}/crm/v3/lists", json={"name": name, "objectTypeId": "0-1", "processingType": "MANUAL"})
    assert r.status_code == 200, r.text
    validate("lists.v3.json", "ListCreateResponse", r.json())
    list_id = r.json()["list"]["listId"]
    dup = s.post(f"{base}/crm/v3/lists", json={"name": name.upper(), "objectTypeId": "0-1", "processingType": "MANUAL"})
    assert dup.status_code == 400
    validate("lists.v3.json", "Error", dup.json())
    found = s.get(f"{base}/crm/v3/lists/object-type-id/0-1/name/{quote(name.lower(), safe='')}")
    assert found.status_code == 200 and found.json()["list"]["listId"] == list_id
    validate("lists.v3.json", "ListFetchResponse", found.json())
    assert s.get(f"{base}/crm/v3/lists/object-type-id/0-1/name/nope").status_code == 404
    assert s.get(f"{base}/crm/v3/lists/999999").status_code == 404

    ids = [c.id for c in _live_contacts(sb)]
    r = s.put(f"{base}/crm/v3/lists/{list_id}/memberships/add", json=[*ids, "31337"])
    assert r.status_code == 200, r.text
    validate("lists.v3.json", "MembershipsUpdateResponse", r.json())
    assert sorted(r.json()["recordsIdsAdded"], key=int) == ids
    assert r.json()["recordIdsMissing"] == ["31337"]
    again = s.put(f"{base}/crm/v3/lists/{list_id}/memberships/add", json=ids[:5]).json()
    assert again["recordsIdsAdded"] == [] and again["recordIdsMissing"] == []
    removed = s.put(f"{base}/crm/v3/lists/{list_id}/memberships/remove", json=[*ids[:3], "31337"]).json()
    assert removed["recordIdsRemoved"] == ids[:3] and removed["recordIdsMissing"] == ["31337"]

    got, after, pages = [], None, 0
    while True:
        params = {"limit": 7, **({"after": after} if after else {})}
        page = s.get(f"{base}/crm/v3/lists/{list_id}/memberships", params=params)
        assert page.status_code == 200, page.text
        validate("lists.v3.json", "ApiCollectionResponseJoinTimeAndRecordId", page.json())
        assert page.json()["total"] == len(ids) - 3
        got.extend(m["recordId"] for m in page.json()["results"])
        pages += 1
        if "paging" not in page.json():
            break
        after = page.json()["paging"]["next"]["after"]
    assert got == ids[3:]
    assert pages == -(-len(got) // 7)
    assert s.get(f"{base}/crm/v3/lists/{list_id}/memberships", params={"limit": 250}).status_code == 200
    assert s.get(f"{base}/crm/v3/lists/{list_id}/memberships", params={"limit": 251}).status_code == 400
    assert s.get(f"{base}/crm/v3/lists/{list_id}").json()["list"]["size"] == len(ids) - 3
    assert s.put(f"{base}/crm/v3/lists/{list_id}/memberships/add", json={"ids": ids}).status_code == 400


def test_gdpr_delete_removes_everywhere(sb, s):
    base = sb.hubspot.base_url
    world_contact = _live_contacts(sb)[0]
    email = world_contact.properties["email"]
    created = _upsert(s, base, "forget.me@example.org", {"firstname": "Forget"}).json()["results"][0]["id"]
    list_id = s.post(
        f"{base}/crm/v3/lists", json={"name": "to forget", "objectTypeId": "0-1", "processingType": "MANUAL"}
    ).json()["list"]["listId"]
    s.put(f"{base}/crm/v3/lists/{list_id}/memberships/add", json=[world_contact.id, created])

    assert s.post(f"{base}{GDPR}", json={"objectId": world_contact.id}).status_code == 204
    r = s.post(f"{base}{GDPR}", json={"objectId": "FORGET.me@example.org", "idProperty": "email"})
    assert r.status_code == 204
    assert s.post(f"{base}{GDPR}", json={"objectId": "123"}).status_code == 404
    assert s.post(f"{base}{GDPR}", json={"objectId": "never@example.org", "idProperty": "email"}).status_code == 204

    def gone() -> None:
        for rid in (world_contact.id, created):
            assert s.get(f"{base}/crm/v3/objects/contacts/{rid}").status_code == 404
            assert s.get(f"{base}/crm/v3/objects/contacts/{rid}", params={"archived": "true"}).status_code == 404
        assert _search_email(s, base, email) == [] and _search_email(s, base, "forget.me@example.org") == []
        ids = _all_ids(s, base)
        assert world_contact.id not in ids and created not in ids
        r = s.post(f"{base}/crm/v3/objects/contacts/batch/read", json={"inputs": [{"id": world_contact.id}]})
        assert r.status_code == 207
        members = s.get(f"{base}/crm/v3/lists/{list_id}/memberships").json()
        assert members["results"] == [] and members["total"] == 0
        assoc = {"inputs": [{"id": world_contact.id}]}
        r = s.post(f"{base}/crm/v4/associations/contacts/companies/batch/read", json=assoc)
        assert r.json()["results"] == []

    gone()
    sb.advance(days=5)  # the world re-projects the person: the deleted contact must not come back
    gone()
    # HubSpot lets an API request add the address again: a new contact with a new id
    again = _upsert(s, base, email, {"firstname": "Back"}).json()["results"][0]
    assert again["new"] is True and again["id"] not in (world_contact.id, created)


def test_writes_survive_advance_and_later_world_changes_win():
    world = World(WRITES_WORLD, now=WRITES_WORLD.start.replace(day=25))
    with run_sandbox(world, rate_limits=FAST, vendors=("hubspot",)) as sb:
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {sb.hubspot.token}"
        base = sb.hubspot.base_url
        assert s.post(
            f"{base}/crm/v3/properties/contacts",
            json={"name": "etl_score", "label": "Score", "type": "number", "fieldType": "number", "groupName": "g"},
        ).ok
        contacts = _live_contacts(sb)
        inputs = [{"id": c.id, "properties": {"lifecyclestage": "other", "etl_score": "7.5"}} for c in contacts]
        for i in range(0, len(inputs), 100):
            assert s.post(f"{base}{UPDATE}", json={"inputs": inputs[i : i + 100]}).status_code == 200
        sb.advance(days=40)
        kept = overridden = 0
        for c in contacts:
            r = s.get(
                f"{base}/crm/v3/objects/contacts/{c.id}",
                params={"properties": "etl_score,lifecyclestage", "propertiesWithHistory": "lifecyclestage"},
            )
            if r.status_code == 404:  # archived by the world meanwhile
                continue
            o = r.json()
            assert o["properties"]["etl_score"] == "7.5"  # the world never touches it
            newest = o["propertiesWithHistory"]["lifecyclestage"][0]
            assert o["properties"]["lifecyclestage"] == newest["value"]
            if newest["sourceType"] == "INTEGRATION":
                assert newest["value"] == "other"
                kept += 1
            else:  # the world changed the stage after the write: last write wins, as in HubSpot
                assert newest["timestamp"] > o["propertiesWithHistory"]["lifecyclestage"][1]["timestamp"]
                assert any(h["value"] == "other" for h in o["propertiesWithHistory"]["lifecyclestage"])
                overridden += 1
        assert kept > 0 and overridden > 0


def test_apply_then_500_applies_the_write(sb, s):
    base = sb.hubspot.base_url
    sb.hubspot.set_faults(rate=1.0, kinds=("apply_then_500",))
    r = _upsert(s, base, "retry.me@example.org", {"firstname": "Once"})
    assert r.status_code == 500 and r.json()["category"] == "INTERNAL_ERROR"
    sb.hubspot.clear_faults()
    log = sb.hubspot.writes()
    assert [(w["status"], w["fault"], w["inputs"]) for w in log] == [(200, "apply_then_500", 1)]
    found = _search_email(s, base, "retry.me@example.org")
    assert len(found) == 1
    # a retry must be (and with upsert is) idempotent
    r = _upsert(s, base, "retry.me@example.org", {"firstname": "Once"})
    assert r.status_code == 200 and r.json()["results"][0]["new"] is False
    assert [o["id"] for o in _search_email(s, base, "retry.me@example.org")] == [found[0]["id"]]
    assert sb.hubspot.stats()["faults_injected"] == {"apply_then_500": 1}


def test_short_circuit_faults_and_cut_on_writes(sb, s):
    base = sb.hubspot.base_url
    sb.hubspot.set_faults(rate=1.0, kinds=("503", "429", "502"))
    for _ in range(3):
        assert _upsert(s, base, "never.written@example.org", {}).status_code in (429, 502, 503)
    sb.hubspot.clear_faults()
    assert _search_email(s, base, "never.written@example.org") == []
    assert sb.hubspot.write_call_count() == 0
    sb.hubspot.set_faults(rate=1.0, kinds=("cut",))
    with pytest.raises(requests.exceptions.RequestException):
        _upsert(s, base, "cut.short@example.org", {}).json()
    sb.hubspot.clear_faults()
    assert len(_search_email(s, base, "cut.short@example.org")) == 1  # applied; only the answer was cut


def test_writes_share_rate_limit_and_auth():
    with run_sandbox(World(WorldConfig(people=20)), rate_limits=RateLimits(per_interval=3), vendors=("hubspot",)) as sb:
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {sb.hubspot.token}"
        base = sb.hubspot.base_url
        assert s.get(f"{base}/crm/v3/objects/contacts").status_code == 200  # reads and writes share the window
        statuses = [_upsert(s, base, f"r{i}@example.org", {}).status_code for i in range(3)]
        assert statuses == [200, 200, 429]
        r = _upsert(s, base, "r9@example.org", {})
        assert r.status_code == 429 and r.json()["policyName"] == "TEN_SECONDLY_ROLLING"
        assert sb.hubspot.write_call_count() == 2  # rejected calls never reach the handler
        unauth = requests.post(f"{base}{UPSERT}", json={"inputs": []})
        assert unauth.status_code == 401
        assert sb.hubspot.write_call_count() == 2


def test_write_log_ignores_reads_and_resets(sb, s):
    base = sb.hubspot.base_url
    s.get(f"{base}/crm/v3/objects/contacts")
    s.get(f"{base}/crm/v3/properties/contacts")
    assert sb.hubspot.writes() == []
    _upsert(s, base, "log.me@example.org", {"city": "Porto"})
    s.post(f"{base}{UPDATE}", json={"inputs": [{"id": "1", "properties": {"nope": "x"}}]})
    s.post(f"{base}/crm/v3/lists", json={"name": "logged", "objectTypeId": "0-1", "processingType": "MANUAL"})
    calls = sb.hubspot.writes()
    assert [(c["method"], c["route"], c["inputs"], c["status"]) for c in calls] == [
        ("POST", "POST /crm/v3/objects/{objectType}/batch/upsert", 1, 200),
        ("POST", "POST /crm/v3/objects/{objectType}/batch/update", 1, 400),
        ("POST", "POST /crm/v3/lists", 1, 200),
    ]
    assert sb.hubspot.write_call_count() == 3
    over_http = requests.get(f"{base}/_sandbox/writes").json()
    assert over_http["count"] == 3 and over_http["calls"][0]["path"] == UPSERT
    sb.hubspot.reset_writes()
    assert sb.hubspot.write_call_count() == 0
    assert requests.post(f"{base}/_sandbox/writes/reset").status_code == 200
