"""The website in the world and its ground truth: visits follow the journey (ad clicks land with the platforms'
click ids, Mailchimp links with their UTMs, form fills identify and carry the HubSpot cookie), visitors never
identify, shared and switched devices are in the truth, the true sessions are the rule applied to the calls, and
the website moved nothing else in the world."""

from __future__ import annotations

import csv
import itertools
import json
from collections import Counter, defaultdict

import pytest

from sandbox.world import World, WorldConfig
from sandbox.world.manifest import write_manifest
from sandbox.world.projections.hubspot_web_properties import WEB_ANALYTICS_PROPERTIES
from sandbox.world.projections.segment import export_cutoff, received_before
from sandbox.world.projections.segment_files import read_export
from sandbox.world.stages import ENGAGED_AFTER_VIEWS
from sandbox.world.timeutil import iso_ms, parse_time_ms
from sandbox.world.web import site
from sandbox.world.web.model import SESSION_IDLE_MS

CFG = WorldConfig(people=200)


@pytest.fixture(scope="module")
def world() -> World:
    return World(CFG)


@pytest.fixture(scope="module")
def truth(world, tmp_path_factory):
    d = tmp_path_factory.mktemp("truth")
    write_manifest(world, d)
    files = tmp_path_factory.mktemp("files")
    world.segment_export(files)
    calls = [json.loads(line) for _, lines in read_export(files) for line in lines]
    tables = {
        n: list(csv.DictReader((d / f"{n}.csv").open())) for n in ("persons", "records", "web_identities", "sessions")
    }
    return tables, calls


def test_about_ten_visitors_per_person_who_never_identify(world, truth):
    tables, calls = truth
    assert len(world.visitors) == 10 * CFG.people
    visitors = {p["person_id"]: p for p in tables["persons"] if p["is_visitor"] == "True"}
    assert len(visitors) == len(world.visitors)
    assert {p["true_stage"] for p in visitors.values()} == {"awareness", "engagement"}
    assert {p["persona"] for p in visitors.values()} == {
        "blog_reader",
        "bouncer",
        "comparison_shopper",
        "social_scroller",
    }
    anon = {r["anonymous_id"] for r in tables["web_identities"] if r["person_id"] in visitors}
    mine = [c for c in calls if c["anonymousId"] in anon]
    assert mine and all(c["type"] in ("page", "track") and c["userId"] is None for c in mine)
    for v in world.visitors:
        views = [h.ts for h in v.web.hits_until(world.now_ms) if h.is_view]
        row = visitors[v.visitor_id]
        engaged = len(views) >= ENGAGED_AFTER_VIEWS
        assert row["true_stage"] == ("engagement" if engaged else "awareness")
        assert row["engagement_at"] == (iso_ms(views[ENGAGED_AFTER_VIEWS - 1]) if engaged else "")


def test_every_call_belongs_to_the_person_the_truth_says(world, truth):
    """Each call of the files is in records.csv with its maker, and its anonymous id is theirs in
    web_identities.csv (on a shared device: inside the window of their use)."""
    tables, calls = truth
    owner = {r["record_id"]: r["person_id"] for r in tables["records"] if r["source"] == "segment"}
    windows = defaultdict(list)
    for r in tables["web_identities"]:
        windows[r["anonymous_id"]].append(r)
    seen = set()
    for c in calls:
        person = owner[c["messageId"]]
        rows = [r for r in windows[c["anonymousId"]] if r["person_id"] == person]
        assert rows, (c["messageId"], person)
        ts = c["timestamp"]
        assert any(r["valid_from"] <= ts <= r["valid_to"] for r in rows)
        seen.add(c["messageId"])
    assert seen == set(owner), "records.csv lists exactly the calls the files hold"


def test_shared_office_computers(world, truth):
    tables, calls = truth
    shared = defaultdict(list)
    for r in tables["web_identities"]:
        if r["shared"] == "True":
            shared[r["anonymous_id"]].append(r)
    multi = {a: rows for a, rows in shared.items() if len({r["person_id"] for r in rows}) > 1}
    assert multi, "an office computer identified as two people"
    for rows in multi.values():
        rows.sort(key=lambda r: r["valid_from"])
        for a, b in itertools.pairwise(rows):
            assert a["valid_to"] < b["valid_from"], "the windows of use do not overlap"
        assert all(r["identified_at"] and r["user_id"] and not r["hubspot_contact_id"] for r in rows)
    by_anon = defaultdict(set)
    for c in calls:
        if c["anonymousId"] in multi and c["userId"]:
            by_anon[c["anonymousId"]].add(c["userId"])
    assert any(len(users) > 1 for users in by_anon.values()), "one anonymous id, two user ids over time"


def test_device_switchers_are_identified_on_both_devices(truth):
    tables, _ = truth
    identified = defaultdict(set)
    for r in tables["web_identities"]:
        if r["identified_at"] and r["shared"] == "False" and r["person_id"].startswith("P"):
            identified[r["person_id"]].add(r["anonymous_id"])
    assert sum(len(a) >= 2 for a in identified.values()) >= 5


def test_ad_clicks_land_with_the_platforms_click_ids(world, truth):
    _, calls = truth
    landed = {
        c["context"]["page"]["search"]
        for c in calls
        if c["type"] == "page" and "clid=" in c["context"]["page"]["search"]
    }
    checked = 0
    for p in world.persons:
        lead_ads = any(e.type == "lead_ad_submission" for e in p.events)
        for e in world.visible_events(p):
            if e.type != "ad_click" or (lead_ads and e.attrs["platform"] == "meta"):
                continue
            assert any(f"{e.attrs['click_param']}={e.attrs['click_id']}" in s for s in landed), p.person_id
            checked += 1
    assert checked > 20
    gclids = {g for p in world.persons for g in p.gclids}
    assert gclids & {s.split("gclid=")[1] for s in landed if "gclid=" in s}


def test_email_clicks_are_sessions_with_the_campaign_utms(world, truth):
    _, calls = truth
    pages = {(c["timestamp"][:16], c["context"]["page"]["path"]) for c in calls if c["type"] == "page"}
    clicks = 0
    for p in world.persons:
        for e in world.visible_events(p):
            if e.type == "email_click":
                path = e.attrs["url"][len(site.SITE) :].split("?")[0]
                assert any(k[1] == path and k[0] >= iso_ms(e.ts)[:16] for k in pages), p.person_id
                clicks += 1
    assert clicks > 10
    email = [c for c in calls if c["context"].get("campaign", {}).get("medium") == "email"]
    assert email and all(c["context"]["campaign"]["source"] in ("mailchimp", "newsletter") for c in email)


def test_form_submissions_identify_and_carry_the_hubspot_cookie(world, truth):
    _, calls = truth
    tracks = defaultdict(list)
    for c in calls:
        if c["type"] == "track" and c["event"] == "Form Submitted":
            tracks[c["properties"]["form_id"], c["timestamp"]].append(c)
    hutks = {d.hutk for p in world.persons if p.web for d in p.web.devices}
    n = 0
    for p in world.persons:
        for sub in world.hubspot_snapshot(p.index).submissions:
            got = tracks.get((sub["formGuid"], iso_ms(sub["submittedAt"])))
            if got is None:  # still on its way (received after the last complete window)
                assert sub["submittedAt"] > export_cutoff(world.now_ms) - 6 * 86_400_000
                continue
            assert got[0]["properties"]["hutk"] in hutks
            n += 1
    assert n > 100
    identifies = [c for c in calls if c["type"] == "identify" and "email" in c["traits"]]
    assert identifies and any(c["traits"]["email"] != c["traits"]["email"].strip().lower() for c in identifies)


def test_orders_completed_are_the_purchases(world, truth):
    _, calls = truth
    orders = {c["properties"]["order_id"]: c for c in calls if c.get("event") == "Order Completed"}
    cutoff = export_cutoff(world.now_ms)
    purchases = [(p, e) for p in world.persons for e in world.visible_events(p) if e.type == "purchase"]
    assert purchases
    for _, e in purchases:
        got = orders.get(e.attrs["order_id"])
        if got is None:
            assert e.ts > cutoff - 6 * 86_400_000
            continue
        assert got["properties"]["total"] == e.attrs["amount"] and got["timestamp"] == iso_ms(e.ts)
        assert got["userId"].startswith("usr_"), "they signed up before checking out"


def test_true_sessions_are_the_rule_applied_to_the_calls(world, truth):
    """Sessionize the files' views per anonymous id (30 minutes idle, or new campaign parameters) and find exactly
    the sessions of sessions.csv (the shared office computers aside, whose truth is per person)."""
    tables, _ = truth
    shared = {r["anonymous_id"] for r in tables["web_identities"] if r["shared"] == "True"}
    views = defaultdict(list)
    for act in [p.web for p in world.persons] + [v.web for v in world.visitors]:
        for h in act.hits_until(world.now_ms):
            if h.is_view:
                views[act.devices[h.device].anonymous_id].append((h.ts, site.campaign_of(h.query)))
    starts = set()
    for anon, vs in views.items():
        if anon in shared:
            continue
        vs.sort(key=lambda v: v[0])
        last, campaign = None, None
        for ts, c in vs:
            if last is None or ts - last > SESSION_IDLE_MS or (c is not None and c != campaign):
                starts.add(f"{anon}:{ts}")
                campaign = c
            last = ts
    truth_starts = {r["session_id"] for r in tables["sessions"] if r["anonymous_id"] not in shared}
    assert starts == truth_starts
    channels = Counter(r["channel"] for r in tables["sessions"])
    assert set(channels) == set(site.CHANNELS), channels
    persons = {p["person_id"]: p for p in tables["persons"]}
    firsts = {}
    for r in tables["sessions"]:
        firsts.setdefault(r["person_id"], r)
    for pid, r in firsts.items():
        p = persons[pid]
        assert (p["first_session_channel"], p["first_landing_page"], p["first_device"]) == (
            r["channel"],
            r["landing_page"],
            r["device"],
        )
    assert sum(int(p["web_sessions"]) for p in persons.values()) == len(tables["sessions"])


def test_the_website_moved_nothing_else():
    """Journeys, Mailchimp, ads and social records are those of a world without the website; only the stages (web
    views count) and the contacts' web analytics differ."""
    on, off = World(WorldConfig(people=80)), World(WorldConfig(people=80, website=False))
    assert [p.events for p in on.persons] == [p.events for p in off.persons]
    assert off.visitors == [] and all(p.web is None for p in off.persons)
    for i in range(80):
        assert on.mailchimp_timeline(i) == off.mailchimp_timeline(i)
        assert on.ads_timeline(i) == off.ads_timeline(i)
        assert on.social_timeline(i) == off.social_timeline(i)
    web = {name for name, *_ in WEB_ANALYTICS_PROPERTIES}
    web |= {"hs_analytics_first_url", "hs_analytics_first_referrer", "lastmodifieddate"}
    for otype, objs in off.hubspot.objects.items():
        assert set(objs) == set(on.hubspot.objects[otype]), otype
        for rid, rec in objs.items():
            other = on.hubspot.objects[otype][rid]
            assert other.assoc == rec.assoc and other.created == rec.created, (otype, rid)
            skip = web if otype == "contacts" else set()
            assert {k: v for k, v in other.properties.items() if k not in skip} == {
                k: v for k, v in rec.properties.items() if k not in skip
            }, (otype, rid)
    assert on.hubspot.submissions == off.hubspot.submissions


def test_prefix_property_holds_for_the_web():
    small, big = World(WorldConfig(people=30)), World(WorldConfig(people=40))
    assert [p.web for p in small.persons] == [p.web for p in big.persons[:30]]
    assert [v.web for v in small.visitors] == [v.web for v in big.visitors[:300]]


def test_calls_received_by_the_clock_are_the_records(world, truth):
    _, calls = truth
    cutoff = export_cutoff(world.now_ms)
    expected = {c.message_id for c in world.segment_calls() if received_before(cutoff, c) is not None}
    assert expected == {c["messageId"] for c in calls}
    late = [c for c in world.segment_calls() if c.ts <= world.now_ms and received_before(cutoff, c) is None]
    assert late, "some calls made before the clock are still on their way"
    assert all(parse_time_ms(c["receivedAt"]) < cutoff for c in calls)
