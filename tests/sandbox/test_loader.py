from __future__ import annotations

import json

import duckdb
import requests

from connectors.hubspot import CRM_STREAMS, STREAMS
from sandbox.loader import ALL_SOURCES, load_hubspot, load_world
from sandbox.server.hubspot import RateLimits
from sandbox.testing import run_sandbox
from sandbox.world import World, WorldConfig

CFG = WorldConfig(people=80)


def _rows(path, stream):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            r[0]: (r[1], r[2], r[3])
            for r in con.execute(
                f"select record_id, payload::varchar, record_updated_at, is_archived from raw_hubspot.{stream}"
            ).fetchall()
        }
    finally:
        con.close()


def test_loader_counts_match_world_whatever_the_page_size(tmp_path):
    world = World(CFG)
    a = load_hubspot(tmp_path / "a.duckdb", CFG)
    b = load_hubspot(tmp_path / "b.duckdb", CFG, page_size=37)
    store = world.hubspot
    for s in CRM_STREAMS:
        assert a.rows[s.name] == len(store.objects[s.name]), s.name
    assert a.rows["owners"] == len(store.owners) == 8
    assert a.rows["forms"] == 7  # six marketing forms and the refer-a-colleague form
    assert a.rows["form_submissions"] == sum(len(v) for v in store.submissions.values())
    for s in STREAMS:
        assert _rows(tmp_path / "a.duckdb", s.name) == _rows(tmp_path / "b.duckdb", s.name), s.name
    assert b.rows == a.rows


def _connector_full_sync(base: str, token: str) -> dict[str, dict[str, dict]]:
    """What a connector following the payload contract would store after a full sync."""
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {token}"
    out: dict[str, dict[str, dict]] = {}
    for stream in CRM_STREAMS:
        props = [p["name"] for p in s.get(f"{base}/crm/v3/properties/{stream.name}").json()["results"]]
        records: dict[str, dict] = {}
        for archived in ("false", "true"):
            after = None
            while True:
                params = {"limit": 50, "properties": ",".join(props), "archived": archived}
                if stream.history_properties:
                    params["propertiesWithHistory"] = ",".join(stream.history_properties)
                if after:
                    params["after"] = after
                body = s.get(f"{base}/crm/v3/objects/{stream.name}", params=params).json()
                for o in body["results"]:
                    records[o["id"]] = o
                if "paging" not in body:
                    break
                after = body["paging"]["next"]["after"]
        for o in records.values():
            if stream.associations:
                o["associations"] = {to: [] for to in stream.associations}
        live = [i for i, o in records.items() if not o["archived"]]
        for to in stream.associations:
            for i in range(0, len(live), 100):
                r = s.post(
                    f"{base}/crm/v4/associations/{stream.name}/{to}/batch/read",
                    json={"inputs": [{"id": x} for x in live[i : i + 100]]},
                )
                for item in r.json()["results"]:
                    records[item["from"]["id"]]["associations"][to] = sorted(
                        item["to"], key=lambda t: int(t["toObjectId"])
                    )
        out[stream.name] = records
    subs = {}
    for f in s.get(f"{base}/marketing/v3/forms", params={"limit": 50}).json()["results"]:
        after = None
        while True:
            params = {"limit": 50}
            if after:
                params["after"] = after
            body = s.get(f"{base}/form-integrations/v1/submissions/forms/{f['id']}", params=params).json()
            for sub in body["results"]:
                subs[sub["conversionId"]] = {**sub, "formGuid": f["id"]}
            if "paging" not in body:
                break
            after = body["paging"]["next"]["after"]
    out["form_submissions"] = subs
    out["owners"] = {o["id"]: o for o in s.get(f"{base}/crm/v3/owners").json()["results"]}
    out["forms"] = {f["id"]: f for f in s.get(f"{base}/marketing/v3/forms", params={"limit": 50}).json()["results"]}
    events = s.get(f"{base}/marketing/v3/marketing-events", params={"limit": 100}).json()["results"]
    out["marketing_events"] = {e["objectId"]: e for e in events}
    out["marketing_event_participations"] = {
        p["id"]: p
        for e in events
        for p in s.get(
            f"{base}/marketing/v3/marketing-events/participations/{e['objectId']}/breakdown", params={"limit": 100}
        ).json()["results"]
    }
    return out


def test_loader_payloads_equal_a_full_sync_over_http(tmp_path):
    world = World(CFG)
    load_hubspot(tmp_path / "w.duckdb", world)
    with run_sandbox(world, rate_limits=RateLimits(per_interval=100_000)) as sb:
        synced = _connector_full_sync(sb.hubspot.base_url, sb.hubspot.token)
    for stream in STREAMS:
        if stream.name == "web_events":
            continue  # the website's page views: test_web_events_rows_equal_the_events_api
        stored = {k: json.loads(v[0]) for k, v in _rows(tmp_path / "w.duckdb", stream.name).items()}
        assert stored == synced[stream.name], stream.name


def test_web_events_rows_equal_the_events_api(tmp_path):
    """raw_hubspot.web_events: the event objects GET /events/v3/events serves, keyed by id, dated by occurredAt."""
    world = World(CFG)
    world.advance(hours=7)
    results = load_world(tmp_path / "w.duckdb", world, vendors=ALL_SOURCES)
    assert results["hubspot"].rows["web_events"] > 0 and results["segment"].rows["events"] > 0
    with run_sandbox(world, rate_limits=RateLimits(per_interval=100_000), segment_export=False) as sb:
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {sb.hubspot.token}"
        served, after = {}, None
        while True:
            params = {"objectType": "contact", "limit": 100, **({"after": after} if after else {})}
            body = s.get(f"{sb.hubspot.base_url}/events/v3/events", params=params, timeout=10).json()
            served.update({e["id"]: e for e in body["results"]})
            after = body.get("paging", {}).get("next", {}).get("after")
            if not after:
                break
    rows = _rows(tmp_path / "w.duckdb", "web_events")
    assert {k: json.loads(v[0]) for k, v in rows.items()} == served
    for k, (_, updated, archived) in rows.items():
        assert updated.isoformat(timespec="milliseconds") + "Z" == served[k]["occurredAt"] and not archived
