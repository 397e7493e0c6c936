"""HubSpot's Events API on the sandbox (``GET /events/v3/events``): paging, filters, auth, the trailing slash, faults
and rate limits, and that it serves exactly the identified persons' page views the world made (and the contacts'
``hs_analytics_*`` properties agree with them)."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
import requests

from sandbox.server.hubspot import RateLimits
from sandbox.testing import run_sandbox
from sandbox.world import World, WorldConfig
from sandbox.world.projections import hubspot_web
from sandbox.world.timeutil import iso_ms, parse_time_ms
from sandbox.world.web import site

CFG = WorldConfig(people=150)
PATH = "/events/v3/events"


@pytest.fixture(scope="module")
def sb():
    with run_sandbox(World(CFG), rate_limits=RateLimits(per_interval=100_000), segment_export=False) as handle:
        yield handle


@pytest.fixture()
def s(sb):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {sb.hubspot.token}"
    yield session
    session.close()


def _all(s, base, **params):
    out, after, pages = [], None, 0
    while True:
        q = dict(params, **({"after": after} if after else {}))
        r = s.get(base + PATH, params=q, timeout=10)
        assert r.status_code == 200, r.text
        body = r.json()
        out.extend(body["results"])
        pages += 1
        after = body.get("paging", {}).get("next", {}).get("after")
        if not after:
            return out, pages


def test_pages_in_both_orders_hold_every_event_once(sb, s):
    base = sb.hubspot.base_url
    want = sb.world.hubspot_web_events()
    assert len(want) > 300
    asc, pages = _all(s, base, objectType="contact", eventType="e_visited_page", limit=100, sort="ASCENDING")
    assert pages == -(-len(want) // 100)
    assert asc == want
    desc, _ = _all(s, base, objectType="contact", limit=37)  # DESCENDING is the default
    assert desc == list(reversed(want))
    assert len({e["id"] for e in asc}) == len(asc)


def test_event_shape(sb, s):
    r = s.get(sb.hubspot.base_url + PATH, params={"objectType": "contact", "limit": 100}, timeout=10)
    for e in r.json()["results"]:
        assert set(e) == {"id", "eventType", "objectType", "objectId", "occurredAt", "properties"}
        assert e["eventType"] == "e_visited_page" and e["objectType"] == "contact" and e["objectId"].isdigit()
        assert iso_ms(parse_time_ms(e["occurredAt"])) == e["occurredAt"]
        p = e["properties"]
        assert {"hs_url", "hs_title", "hs_userAgent", "hs_city", "hs_country", "hs_session_id"} <= set(p)
        assert p["hs_session_source"] in site.HUBSPOT_SOURCE.values()
        assert all(isinstance(v, str) and v for v in p.values())
        assert p["hs_url"].startswith(site.SITE) and "/app/" not in p["hs_url"]  # no tracking code in the app


def test_trailing_slash_and_event_types(sb, s):
    base = sb.hubspot.base_url
    plain = s.get(base + PATH, params={"objectType": "contact", "limit": 5}, timeout=10).json()
    slash = s.get(base + PATH + "/", params={"objectType": "contact", "limit": 5}, timeout=10).json()
    assert plain["results"] == slash["results"] and plain["results"]
    for path in (PATH + "/event-types", PATH + "/event-types/"):
        r = s.get(base + path, timeout=10)
        assert r.status_code == 200 and r.json() == {"eventTypes": ["e_visited_page"]}


def test_filters(sb, s):
    base = sb.hubspot.base_url
    every = sb.world.hubspot_web_events()
    contact = Counter(e["objectId"] for e in every).most_common(1)[0][0]
    mine, _ = _all(s, base, objectType="contact", objectId=contact, limit=100, sort="ASCENDING")
    assert mine == [e for e in every if e["objectId"] == contact] and len(mine) > 3
    email = sb.world.hubspot.objects["contacts"][contact].properties["email"]
    by_email, _ = _all(s, base, objectType="contact", **{"objectProperty.email": f" {email.upper()} "}, limit=100)
    assert sorted(e["id"] for e in by_email) == sorted(e["id"] for e in mine)
    # both bounds exclusive
    t0, t1 = mine[1]["occurredAt"], mine[-2]["occurredAt"]
    window, _ = _all(s, base, objectType="contact", objectId=contact, occurredAfter=t0, occurredBefore=t1, limit=100)
    assert {e["id"] for e in window} == {e["id"] for e in mine if t0 < e["occurredAt"] < t1}
    ids = [mine[0]["id"], mine[2]["id"]]
    r = s.get(base + PATH, params={"objectType": "contact", "id": ids, "limit": 100}, timeout=10)
    assert sorted(e["id"] for e in r.json()["results"]) == sorted(ids)
    for params in ({"objectType": "contact", "eventType": "e_opened_email"}, {"objectType": "deals"}):
        r = s.get(base + PATH, params=params, timeout=10)
        assert r.status_code == 200 and r.json() == {"results": []}, params


@pytest.mark.parametrize(
    "params",
    [
        {"objectId": "1000000000000"},  # objectId needs objectType
        {"objectType": "spaceships"},
        {"objectType": "contact", "limit": 101},
        {"objectType": "contact", "limit": 0},
        {"objectType": "contact", "limit": "ten"},
        {"objectType": "contact", "occurredAfter": "yesterday"},
        {"objectType": "contact", "sort": "SIDEWAYS"},
        {"objectType": "contact", "after": "%%%"},
    ],
)
def test_bad_requests_are_validation_errors(sb, s, params):
    r = s.get(sb.hubspot.base_url + PATH, params=params, timeout=10)
    assert r.status_code == 400, params
    assert r.json()["category"] == "VALIDATION_ERROR" and r.headers["X-HubSpot-Correlation-Id"]


def test_auth(sb):
    url = sb.hubspot.base_url + PATH
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        r = requests.get(url, params={"objectType": "contact"}, headers=headers, timeout=10)
        assert r.status_code == 401 and r.json()["category"] == "INVALID_AUTHENTICATION"


def test_faults_and_rate_limits_are_the_crm_ones():
    world = World(WorldConfig(people=40))
    with run_sandbox(world, rate_limits=RateLimits(per_interval=3), segment_export=False) as sb:
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {sb.hubspot.token}"
        url = sb.hubspot.base_url + PATH
        codes = [s.get(url, params={"objectType": "contact"}, timeout=10).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        assert sb.hubspot.stats()["by_route_status"]["GET /events/v3/events -> 429"] == 1
        sb.hubspot.app.reset_limits()
        sb.hubspot.set_faults(rate=1.0, kinds=("500", "429_retry_after"), seed=3)
        got = sorted(s.get(url, params={"objectType": "contact"}, timeout=10).status_code for _ in range(2))
        assert got == [429, 500]
        sb.hubspot.clear_faults()


def test_serves_exactly_the_identified_persons_views(sb):
    """Every served event is a marketing-page view of a cookie HubSpot tied to one of the viewer's own contacts, at
    the clock; and every such view is served (the views before the tie included)."""
    world = sb.world
    now = world.now_ms
    served = Counter((e["objectId"], e["occurredAt"], e["properties"]["hs_url"]) for e in world.hubspot_web_events())
    expected: Counter = Counter()
    for p in world.persons:
        ties = world.hubspot_cookie_ties(p)
        for h in p.web.hits if p.web else ():
            tie = ties.get(h.device)
            if h.kind != "page" or not site.hubspot_tracked(h.path) or tie is None or h.ts > now:
                continue
            archived = p.archived_contact_at.get(int(tie[0]) % 1000)
            if archived is None or archived > now:
                expected[(tie[0], iso_ms(h.ts), h.url)] += 1
    assert served == expected
    before_tie = sum(
        1 for p in world.persons for e in world.hubspot_person_events(p.index) if e.occurred < e.visible_at <= now
    )
    assert before_tie > 0, "the views before the form submission belong to the contact too"
    untied = sum(
        1
        for p in world.persons
        if p.web
        for h in p.web.hits
        if h.kind == "page" and h.ts <= now and h.device not in hubspot_web.cookie_ties(p.web)
    )
    assert untied > 0, "some persons browse on devices HubSpot never ties: those views are not served"


def test_contact_analytics_agree_with_the_events(sb):
    world = sb.world
    by_contact = defaultdict(list)
    for e in world.hubspot_web_events():
        by_contact[e["objectId"]].append(e)
    contacts = world.hubspot.objects["contacts"]
    checked = first_checked = 0
    for cid, events in by_contact.items():
        props = contacts[cid].properties
        events.sort(key=lambda e: (e["occurredAt"], e["id"]))
        assert props["hs_analytics_num_page_views"] == str(len(events)), cid
        assert props["hs_analytics_num_visits"] == str(len({e["properties"]["hs_session_id"] for e in events}))
        assert props["hs_analytics_last_timestamp"] == events[-1]["occurredAt"]
        assert props["hs_analytics_last_url"] == events[-1]["properties"]["hs_url"]
        assert props["hs_latest_source"] in site.HUBSPOT_SOURCE.values()
        assert props["lastmodifieddate"] >= props["hs_analytics_last_timestamp"]
        checked += 1
        if props["hs_analytics_first_timestamp"]:  # the contact of the person's first tied cookie
            assert props["hs_analytics_first_url"] == events[0]["properties"]["hs_url"], cid
            assert props["hs_analytics_first_timestamp"] == events[0]["occurredAt"]
            assert props["hs_analytics_first_referrer"] == events[0]["properties"].get("hs_referrer")
            first_checked += 1
    assert checked > 50 and first_checked > 50
    untracked = [r for cid, r in contacts.items() if cid not in by_contact]
    assert all(r.properties["hs_analytics_num_page_views"] is None for r in untracked)


def test_a_deleted_contact_has_no_events(sb, s):
    base = sb.hubspot.base_url
    contact = sb.world.hubspot_web_events()[0]["objectId"]
    r = s.post(f"{base}/crm/v3/objects/contacts/gdpr-delete", json={"objectId": contact}, timeout=10)
    assert r.status_code == 204
    left, _ = _all(s, base, objectType="contact", limit=100)
    assert left and all(e["objectId"] != contact for e in left)


def test_cursor_is_stable_when_the_clock_moves():
    world = World(WorldConfig(people=60))
    with run_sandbox(world, segment_export=False) as sb:
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {sb.hubspot.token}"
        url = sb.hubspot.base_url + PATH
        first = s.get(url, params={"objectType": "contact", "limit": 10, "sort": "ASCENDING"}, timeout=10).json()
        before = len(world.hubspot_web_events())
        sb.advance(days=5)
        assert len(world.hubspot_web_events()) > before
        after = first["paging"]["next"]["after"]
        nxt = s.get(url, params={"objectType": "contact", "limit": 10, "sort": "ASCENDING", "after": after}, timeout=10)
        got = nxt.json()["results"]
        assert got and got[0]["occurredAt"] >= first["results"][-1]["occurredAt"]
        assert not {e["id"] for e in got} & {e["id"] for e in first["results"]}
