from __future__ import annotations

import re
import threading

import pytest
import requests

from sandbox.testing import run_sandbox
from sandbox.world import World, WorldConfig
from sandbox.world.projections.mailchimp import LIST_ID

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


@pytest.fixture(scope="module")
def sb():
    with run_sandbox(World(WorldConfig(people=150)), vendors=("mailchimp",)) as handle:
        yield handle


@pytest.fixture()
def mc(sb):
    s = requests.Session()
    s.auth = ("anystring", sb.mailchimp.token)
    base = sb.env()["MAILCHIMP_BASE_URL"]
    s.base = base  # type: ignore[attr-defined]
    yield s
    s.close()


def _get(mc, path, **params):
    return mc.get(mc.base + path, params=params, timeout=10)


def _all(mc, path, key, **params):
    out, offset = [], 0
    while True:
        body = _get(mc, path, count=7, offset=offset, **params).json()
        out += body[key]
        offset += len(body[key])
        if offset >= body["total_items"]:
            return out, body["total_items"]


def test_env_and_api_key_datacenter(sb):
    env = sb.env()
    assert env["MAILCHIMP_API_KEY"].endswith("-sb1")
    assert env["MAILCHIMP_BASE_URL"].endswith("/3.0")


def test_auth_basic_bearer_oauth_and_invalid_key(sb, mc):
    base = mc.base
    assert requests.get(f"{base}/lists", auth=("x", sb.mailchimp.token), timeout=5).status_code == 200
    assert requests.get(f"{base}/lists", headers={"Authorization": "Bearer sandbox-mailchimp-oauth-token"}).ok
    assert requests.get(f"{base}/lists", headers={"Authorization": "OAuth sandbox-mailchimp-oauth-token"}).ok
    r = requests.get(f"{base}/lists", auth=("x", "wrong-us6"), timeout=5)
    assert r.status_code == 401
    assert r.headers["Content-Type"].startswith("application/problem+json")
    body = r.json()
    assert body["title"] == "API Key Invalid" and body["status"] == 401 and UUID.match(body["instance"])
    assert "X-RateLimit-Limit" not in r.headers and not any(h.lower().startswith("x-ratelimit") for h in r.headers)


def test_members_paging_to_the_end_and_since_last_changed(mc):
    members, total = _all(mc, f"/lists/{LIST_ID}/members", "members", sort_field="last_changed", sort_dir="ASC")
    assert len(members) == total == len({m["id"] for m in members}) > 50
    changed = [m["last_changed"] for m in members]
    assert changed == sorted(changed) and all(TS.match(t) for t in changed)
    pivot = changed[len(changed) // 2]
    _since, n = _all(mc, f"/lists/{LIST_ID}/members", "members", since_last_changed=pivot)
    assert n == sum(c >= pivot for c in changed), "since_last_changed is inclusive"
    assert _get(mc, f"/lists/{LIST_ID}/members", count=1001).status_code == 400
    assert _get(mc, "/lists/nope/members").status_code == 404


def test_fields_and_exclude_fields(mc):
    body = _get(mc, "/lists", fields="lists.id,total_items").json()
    assert body == {"lists": [{"id": LIST_ID}], "total_items": 1}
    body = _get(mc, "/campaigns", status="sent", fields="campaigns.id,campaigns.send_time", count=3).json()
    assert all(set(c) == {"id", "send_time"} for c in body["campaigns"])
    body = _get(mc, f"/lists/{LIST_ID}/members", exclude_fields="members._links,_links", count=2).json()
    assert "_links" not in body and all("_links" not in m and "email_address" in m for m in body["members"])


def test_campaigns_filters_sorting_and_reports(mc):
    all_c, total = _all(mc, "/campaigns", "campaigns", sort_field="create_time", sort_dir="ASC")
    sent, _ = _all(mc, "/campaigns", "campaigns", status="sent", sort_field="send_time", sort_dir="DESC")
    assert len(sent) < total and all(c["status"] == "sent" for c in sent)
    assert [c["send_time"] for c in sent] == sorted((c["send_time"] for c in sent), reverse=True)
    late, _ = _all(mc, "/campaigns", "campaigns", since_send_time=sent[3]["send_time"], status="sent")
    assert len(late) == 4
    cid = sent[5]["id"]
    _recips, n = _all(mc, f"/reports/{cid}/sent-to", "sent_to")
    assert n == sent[5]["emails_sent"] == sent[5]["recipients"]["recipient_count"] > 0
    acts, m = _all(mc, f"/reports/{cid}/email-activity", "emails")
    assert m == n, "every recipient is listed, activity or not"
    events = sorted(a["timestamp"] for e in acts for a in e["activity"])
    assert events
    pivot = events[len(events) // 2]
    newer, _ = _all(mc, f"/reports/{cid}/email-activity", "emails", since=pivot)
    assert sorted(a["timestamp"] for e in newer for a in e["activity"]) == [t for t in events if t > pivot]
    assert _get(mc, f"/reports/{all_c[-1]['id']}/sent-to").status_code in (200, 404)
    assert _get(mc, "/reports/0000000000/sent-to").json()["title"] == "Resource Not Found"
    unsubs = [u for c in sent for u in _get(mc, f"/reports/{c['id']}/unsubscribed", count=1000).json()["unsubscribes"]]
    assert unsubs and all(TS.match(u["timestamp"]) for u in unsubs)


def test_too_many_simultaneous_connections(sb, mc):
    requests.post(f"{sb.mailchimp.base_url}/_sandbox/limits", json={"max_connections": 2}, timeout=5)
    sb.mailchimp.set_faults(rate=1.0, kinds=("slow",), slow_seconds=0.4)
    statuses = []

    def call():
        statuses.append(requests.get(f"{mc.base}/lists", auth=("x", sb.mailchimp.token), timeout=5).status_code)

    try:
        threads = [threading.Thread(target=call) for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sb.mailchimp.clear_faults()
        requests.post(f"{sb.mailchimp.base_url}/_sandbox/limits", json={"max_connections": 10}, timeout=5)
    assert statuses.count(429) >= 1 and statuses.count(200) >= 2


@pytest.mark.parametrize("kind", ["429", "429_retry_after", "500", "502", "503"])
def test_faults_in_mailchimp_shapes(sb, mc, kind):
    sb.mailchimp.set_faults(rate=1.0, kinds=(kind,))
    try:
        r = _get(mc, "/lists")
    finally:
        sb.mailchimp.clear_faults()
    assert r.status_code == int(kind[:3])
    if kind != "502":
        assert r.headers["Content-Type"].startswith("application/problem+json") and UUID.match(r.json()["instance"])
    assert ("Retry-After" in r.headers) == (kind == "429_retry_after")
    assert sb.mailchimp.stats()["faults_injected"][kind] >= 1
