"""HubSpot's official SDK (hubspot-api-client) through every stream the HubSpot connector reads.

The SDK deserialises each answer into its generated models (with client-side validation of required fields and
enums), so a shape the real API would never send fails here; every test also checks the content against the world.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.hubspot import CRM_STREAMS, HubSpotStream
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections.hubspot_records import HSRecord
from sandbox.world.projections.hubspot_snapshot import history_for

hubspot = pytest.importorskip("hubspot", reason="hubspot-api-client (the dev extra) is not installed")

IDS = [s.name for s in CRM_STREAMS]
# Pairs every world links (others may be empty in a small world, e.g. no email logged on a deal).
LINKED = {("contacts", "companies"), ("deals", "contacts"), ("calls", "contacts"), ("feedback_submissions", "contacts")}


@pytest.fixture(scope="module")
def client(sdk_sandbox):
    return hubspot.Client.create(access_token=sdk_sandbox.hubspot.token, host=sdk_sandbox.hubspot.base_url)


@pytest.fixture(scope="module")
def store(sdk_sandbox):
    return sdk_sandbox.world.hubspot


def _discovery(client, otype: str):
    """The SDK's own API group for an object type: ``client.crm.contacts``, ``client.crm.objects.emails``, …"""
    if otype in ("contacts", "companies", "deals"):
        return getattr(client.crm, otype)
    return getattr(client.crm.objects, otype)


def _models(api: Any):
    """The generated package an API object belongs to (its request models live there)."""
    return importlib.import_module(type(api).__module__.split(".api.")[0])


def _pages(fetch, **kwargs) -> Iterator[Any]:
    after = None
    while True:
        page = fetch(**kwargs, **({"after": after} if after else {}))
        yield page
        if page.paging is None or page.paging.next is None:
            return
        after = page.paging.next.after


def _records(store, otype: str, *, archived: bool) -> list[HSRecord]:
    return sorted((r for r in store.objects[otype].values() if r.archived == archived), key=lambda r: int(r.id))


def _at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms // 1000, UTC).replace(microsecond=ms % 1000 * 1000)


def _history_values(obj: Any, prop: str) -> list[tuple[str, datetime]]:
    return [(h.value, h.timestamp) for h in obj.properties_with_history[prop]]


def _expected_history(rec: HSRecord, prop: str) -> list[tuple[str, datetime]]:
    return [(h["value"], datetime.fromisoformat(h["timestamp"])) for h in history_for(rec, prop)]


@pytest.mark.parametrize("archived", [False, True], ids=["live", "archived"])
@pytest.mark.parametrize("stream", CRM_STREAMS, ids=IDS)
def test_full_refresh_lists_every_record(client, store, stream: HubSpotStream, archived: bool):
    otype = stream.name
    props = [p.name for p in client.crm.properties.core_api.get_all(otype).results]
    assert props == store.property_names(otype)
    api = _discovery(client, otype).basic_api
    kwargs: dict[str, Any] = {"limit": 50 if stream.history_properties else 100, "properties": props}
    if stream.history_properties:
        kwargs["properties_with_history"] = list(stream.history_properties)
    got = [o for page in _pages(api.get_page, archived=archived, **kwargs) for o in page.results]
    expected = _records(store, otype, archived=archived)
    assert [o.id for o in got] == [r.id for r in expected]
    if not archived:
        assert got, f"the world has no live {otype}"
    for obj, rec in zip(got, expected, strict=True):
        assert obj.properties == {p: rec.properties.get(p) for p in props}
        assert obj.archived is archived
        assert (obj.created_at, obj.updated_at) == (_at(rec.created), _at(rec.updated))
        for prop in stream.history_properties:
            assert _history_values(obj, prop) == _expected_history(rec, prop)


@pytest.mark.parametrize("stream", CRM_STREAMS, ids=IDS)
def test_incremental_search_keyset_pages_to_every_changed_record(client, store, stream: HubSpotStream):
    """The connector's incremental query: cursor property >= since, sorted by hs_object_id, keyset-paged."""
    otype = stream.name
    live = _records(store, otype, archived=False)
    cursor = hs.LAST_MODIFIED_PROPERTY[otype]
    stamps = sorted(r.updated for r in live)
    since = stamps[len(stamps) // 2]
    api = _discovery(client, otype).search_api
    m = _models(api)
    found: list[Any] = []
    last_id = 0
    while True:
        filters = [m.Filter(property_name=stream.search_cursor_property, operator="GTE", value=str(since))]
        filters.append(m.Filter(property_name="hs_object_id", operator="GT", value=str(last_id)))
        request = m.PublicObjectSearchRequest(
            filter_groups=[m.FilterGroup(filters=filters)],
            sorts=[{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
            properties=["hs_object_id", cursor],
            limit=100,
            after="0",
        )
        page = api.do_search(public_object_search_request=request)
        found.extend(page.results)
        if page.paging is None:
            break
        last_id = int(page.results[-1].id)
    expected = [r for r in live if r.updated >= since]
    assert expected, "the threshold should leave records to find"
    assert [o.id for o in found] == [r.id for r in expected]
    assert all(o.properties[cursor] == r.properties[cursor] for o, r in zip(found, expected, strict=True))


@pytest.mark.parametrize("stream", CRM_STREAMS, ids=IDS)
def test_batch_read_with_history(client, store, stream: HubSpotStream):
    """Search returns no history: the connector re-reads each page through batch/read."""
    otype = stream.name
    live = _records(store, otype, archived=False)
    api = _discovery(client, otype).batch_api
    m = _models(api)
    history = list(stream.history_properties)
    got: dict[str, Any] = {}
    for i in range(0, len(live), 100):
        request = m.BatchReadInputSimplePublicObjectId(
            inputs=[m.SimplePublicObjectId(id=r.id) for r in live[i : i + 100]],
            properties=[cursor := hs.LAST_MODIFIED_PROPERTY[otype]],
            properties_with_history=history,
        )
        result = api.read(batch_read_input_simple_public_object_id=request)
        assert result.status == "COMPLETE"
        got.update({o.id: o for o in result.results})
    assert sorted(got, key=int) == [r.id for r in live]
    for rec in live:
        obj = got[rec.id]
        assert obj.properties[cursor] == rec.properties[cursor]
        for prop in history:
            assert _history_values(obj, prop) == _expected_history(rec, prop)


@pytest.mark.parametrize(
    ("from_type", "to_type"),
    [(s.name, to) for s in CRM_STREAMS for to in s.associations],
    ids=[f"{s.name}->{to}" for s in CRM_STREAMS for to in s.associations],
)
def test_v4_association_batch_read(client, store, from_type: str, to_type: str):
    v4 = client.crm.associations.v4
    m = _models(v4.batch_api)
    live = _records(store, from_type, archived=False)
    got: dict[str, list[str]] = {}
    for i in range(0, len(live), 1000):
        request = m.BatchInputPublicFetchAssociationsBatchRequest(
            inputs=[m.PublicFetchAssociationsBatchRequest(id=r.id) for r in live[i : i + 1000]]
        )
        result = v4.batch_api.get_page(from_type, to_type, batch_input_public_fetch_associations_batch_request=request)
        for item in result.results:
            assert item.paging is None  # no record of the small world has more than 500 associations of a type
            got[item._from.id] = [str(t.to_object_id) for t in item.to]
            for t in item.to:
                assert [a.type_id for a in t.association_types] == [
                    a["typeId"] for a in hs.association_types(from_type, to_type)
                ]
    expected = {r.id: ids for r in live if (ids := store.associations(from_type, r.id, to_type))}
    assert got == expected
    if (from_type, to_type) in LINKED:
        assert expected, f"the world links no {from_type} to {to_type}"


def test_owners(client, store):
    """The SDK asks for ``/crm/v3/owners/`` (trailing slash), which HubSpot serves like ``/crm/v3/owners``."""
    got = [o for page in _pages(client.crm.owners.owners_api.get_page, limit=3) for o in page.results]
    assert [o.id for o in got] == [o["id"] for o in store.owners]
    assert [o.email for o in got] == [o["email"] for o in store.owners]
    one = client.crm.owners.owners_api.get_by_id(int(store.owners[0]["id"]))
    assert one.email == store.owners[0]["email"]


def test_forms(client, store):
    """The SDK asks for ``/marketing/v3/forms/`` (trailing slash), which HubSpot serves like ``/marketing/v3/forms``."""
    got = [f for page in _pages(client.marketing.forms.forms_api.get_page, limit=2) for f in page.results]
    assert [f.id for f in got] == store.form_ids()
    assert [f.name for f in got] == [f["name"] for f in store.forms]


def test_form_submissions_newest_first_through_every_page(client, store, sdk_sandbox):
    """The legacy v1 submissions API has no SDK model: the SDK's generic ``api_request`` reads it."""
    total = 0
    for guid in store.form_ids():
        got: list[dict[str, Any]] = []
        after = None
        while True:
            qs: dict[str, Any] = {"limit": 50, **({"after": after} if after else {})}
            resp = client.api_request(
                {
                    "method": "GET",
                    "path": f"/form-integrations/v1/submissions/forms/{guid}",
                    "qs": qs,
                    "base_url": sdk_sandbox.hubspot.base_url,
                }
            )
            assert resp.status_code == 200, resp.text
            body = resp.json()
            got.extend(body["results"])
            if "paging" not in body:
                break
            after = body["paging"]["next"]["after"]
        expected = store.submissions[guid]
        assert [s["conversionId"] for s in got] == [s["conversionId"] for s in expected]
        assert [s["submittedAt"] for s in got] == sorted((s["submittedAt"] for s in got), reverse=True)
        total += len(got)
    assert total > 0
