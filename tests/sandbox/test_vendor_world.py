"""One coherent world across HubSpot, Mailchimp, Meta, the social accounts and Google Ads: the same people and
identifiers everywhere, platform totals that cover the known people, a manifest that covers every person-level
record, and a clock that moves every projection."""

from __future__ import annotations

import json
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import duckdb
import pytest

from sandbox.loader import load_world
from sandbox.world import World, WorldConfig, catalog
from sandbox.world.person import mailchimp_member_id
from sandbox.world.projections import ads as ads_p
from sandbox.world.projections import mailchimp as mc_p
from sandbox.world.timeutil import DAY_MS

CFG = WorldConfig(people=250)


@pytest.fixture(scope="module")
def world() -> World:
    return World(CFG)


@pytest.fixture(scope="module")
def loaded(world, tmp_path_factory):
    path = tmp_path_factory.mktemp("vw") / "w.duckdb"
    load_world(path, world)
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def _payloads(con, table: str) -> dict[str, dict]:
    return {rid: json.loads(p) for rid, p in con.execute(f"select record_id, payload::varchar from {table}").fetchall()}


def _contacts_by_person(world: World) -> dict[int, list]:
    return {
        p.index: [r for r in world.hubspot_snapshot(p.index).records if r.otype == "contacts"] for p in world.persons
    }


def test_mailchimp_members_are_the_subscribers_with_hubspot_addresses(world, loaded):
    members = _payloads(loaded, "raw_mailchimp.list_members")
    assert members
    hub_emails = {
        (r.properties["email"] or "").strip().lower() for recs in _contacts_by_person(world).values() for r in recs
    }
    by_email = {}
    for p in world.persons:
        for e in p.events_until(world.now_ms):
            if e.type == "email_subscribe":
                by_email[e.attrs["email"]] = p
    assert {m["id"] for m in members.values()} == {mailchimp_member_id(e) for e in by_email}
    mixed = 0
    for m in members.values():
        addr = m["email_address"]
        assert m["id"] == mailchimp_member_id(addr) and addr.lower() in by_email
        assert addr.lower() in hub_emails, "every subscriber signed up through a HubSpot form"
        mixed += addr != addr.lower()
    assert mixed > 0, "some addresses keep a different case"


def test_member_status_and_report_summaries_follow_the_events(world, loaded):
    members = {m["id"]: m for m in _payloads(loaded, "raw_mailchimp.list_members").values()}
    events: dict[str, list] = {}
    for p in world.persons:
        for e in p.events_until(world.now_ms):
            if e.type.startswith("email_"):
                events.setdefault(mailchimp_member_id(e.attrs["email"]), []).append(e)
    statuses = Counter()
    for mid, evs in events.items():
        kinds = {e.type for e in evs} | {f"bounce_{e.attrs.get('bounce_type')}" for e in evs}
        expected = (
            "cleaned" if "bounce_hard" in kinds else "unsubscribed" if "email_unsubscribe" in kinds else "subscribed"
        )
        assert members[mid]["status"] == expected
        statuses[expected] += 1
    assert statuses["unsubscribed"] and statuses["subscribed"]
    campaigns = _payloads(loaded, "raw_mailchimp.campaigns")
    activity = list(_payloads(loaded, "raw_mailchimp.email_activity").values())
    recipients = list(_payloads(loaded, "raw_mailchimp.campaign_recipients").values())
    for cid, c in campaigns.items():
        if c["status"] != "sent":
            assert "report_summary" not in c
            continue
        acts = [a for a in activity if a["campaign_id"] == cid]
        rs = c["report_summary"]
        assert rs["opens"] == sum(a["action"] == "open" for a in acts)
        assert rs["unique_opens"] == len({a["email_id"] for a in acts if a["action"] == "open"})
        assert rs["clicks"] == sum(a["action"] == "click" for a in acts)
        assert c["emails_sent"] == sum(r["campaign_id"] == cid for r in recipients)
    for a in activity:
        if a["action"] == "click":
            q = parse_qs(urlsplit(a["url"]).query)
            assert q["utm_source"] == ["mailchimp"] and q["utm_medium"] == ["email"]
            assert q["utm_campaign"][0] == campaigns[a["campaign_id"]]["tracking"]["google_analytics"]
        if a["action"] == "bounce":
            assert a["type"] in ("hard", "soft")
    assert {a["action"] for a in activity} == {"open", "click", "bounce"}


def test_bargain_hunters_get_fewer_emails_than_researchers(world):
    sends = Counter()
    people = Counter()
    for p in world.persons:
        n = sum(e.type == "email_send" for e in p.events)
        if n:
            sends[p.persona] += n
            people[p.persona] += 1
    assert sends["bargain_hunter"] / people["bargain_hunter"] < sends["researcher"] / people["researcher"]


def _known_clicks(world: World, platform: str) -> Counter:
    out: Counter = Counter()
    for p in world.persons:
        for e in p.events_until(world.now_ms):
            if e.type == "ad_click" and e.attrs["platform"] == platform:
                key = e.attrs["ad_id"] if platform == "meta" else catalog.GOOGLE_AD_GROUPS[e.attrs["ad_id"]][0]
                out[(key, ads_p.day_of(e.ts))] += 1
    return out


def test_meta_insights_cover_every_day_and_every_known_click(world, loaded):
    rows = _payloads(loaded, "raw_meta_ads.ads_insights")
    days = {r["date_start"] for r in rows.values()}
    cfg = world.config
    n_days = (ads_p.day_of(world.now_ms) - cfg.start_ms) // DAY_MS
    assert len(days) == n_days and min(days) == cfg.start_date.isoformat()
    for ad in catalog.META_ADSETS:
        assert sum(r["ad_id"] == ad for r in rows.values()) == n_days, ad
    by_key = {(r["ad_id"], catalog.to_day_ms(r["date_start"])): r for r in rows.values()}
    known = _known_clicks(world, "meta")
    assert known
    for key, n in known.items():
        r = by_key[key]
        assert int(r["clicks"]) >= int(r["inline_link_clicks"]) >= n
        assert all(isinstance(r[f], str) for f in ("spend", "impressions", "clicks", "inline_link_clicks"))
        assert r["account_currency"] == "USD"
        link = [a for a in r["actions"] if a["action_type"] == "link_click"]
        assert link and link[0]["value"] == r["inline_link_clicks"]
    leads = [a for r in rows.values() for a in r.get("actions") or [] if a["action_type"] == "lead"]
    assert sum(int(a["value"]) for a in leads) == len(_payloads(loaded, "raw_meta_ads.leads"))


def test_fbclids_and_gclids_reappear_in_hubspot(world):
    subs = {}
    for p in world.persons:
        snap = world.hubspot_snapshot(p.index)
        subs[p.index] = " ".join(s["pageUrl"] for s in snap.submissions)
    checked = 0
    for p in world.persons:
        visible = p.events_until(world.now_ms)
        forms = [
            e for e in visible if e.type == "form_submission" and e.attrs["form"] in ("discount_code", "contact_us")
        ]
        for e in visible:
            if e.type != "ad_click" or not forms:
                continue
            if any(f.ts > e.ts and e.attrs["click_id"] in f.attrs["page_url"] for f in forms):
                assert e.attrs["click_id"] in subs[p.index]
                checked += 1
        contacts = [r for r in world.hubspot_snapshot(p.index).records if r.otype == "contacts"]
        gclids = [e.attrs["click_id"] for e in visible if e.type == "ad_click" and e.attrs["platform"] == "google"]
        if gclids and contacts and not p.is_anonymous:
            assert any(c.properties.get("hs_google_click_id") in gclids for c in contacts)
    assert checked > 10


def test_google_metrics_cover_every_day_and_click_views_add_up(world, loaded):
    metrics = _payloads(loaded, "raw_google_ads.ad_group_daily_metrics")
    clicks = _payloads(loaded, "raw_google_ads.click_views")
    cfg = world.config
    n_days = (ads_p.day_of(world.now_ms) - cfg.start_ms) // DAY_MS
    per_group = Counter(r["adGroup"]["id"] for r in metrics.values())
    assert set(per_group.values()) == {n_days} and len(per_group) == 5
    cv = Counter((r["adGroup"]["id"], r["segments"]["date"]) for r in clicks.values())
    window_start = min(d for _, d in cv)
    for r in metrics.values():
        assert isinstance(r["metrics"]["clicks"], str) and isinstance(r["metrics"]["costMicros"], str)
        if r["segments"]["date"] >= window_start:
            assert int(r["metrics"]["clicks"]) == cv[(r["adGroup"]["id"], r["segments"]["date"])]
    known = _known_clicks(world, "google")
    by_key = {(r["adGroup"]["id"], catalog.to_day_ms(r["segments"]["date"])): r for r in metrics.values()}
    for key, n in known.items():
        assert int(by_key[key]["metrics"]["clicks"]) >= n
    person_gclids = {g for p in world.persons for g in p.gclids}
    in_window = [r for r in clicks.values() if r["clickView"]["gclid"] in person_gclids]
    assert in_window and all(r["clickView"]["keywordInfo"]["matchType"] for r in in_window)


def test_leads_carry_the_persons_identifiers(world, loaded):
    leads = _payloads(loaded, "raw_meta_ads.leads")
    persons = {e.attrs["lead_id"]: p for p in world.persons for e in p.events if e.type == "lead_ad_submission"}
    assert leads
    for lid, lead in leads.items():
        p = persons[lid]
        fields = {f["name"]: f["values"][0] for f in lead["field_data"]}
        assert fields["email"].strip().lower() == p.emails[0]
        assert lead["form_id"] == catalog.META_LEAD_FORM_OF_CAMPAIGN[lead["campaign_id"]]
        assert lead["platform"] in ("fb", "ig") and lead["is_organic"] is False
        assert lead["created_time"].endswith("+0000")


def test_social_identities_link_through_hubspot(world, loaded):
    fb_comments = _payloads(loaded, "raw_social.facebook_comments")
    reactions = _payloads(loaded, "raw_social.facebook_reactions")
    ig_comments = _payloads(loaded, "raw_social.instagram_comments")
    psids, handles = {}, {}
    for recs in _contacts_by_person(world).values():
        for r in recs:
            if r.properties.get("facebook_page_scoped_id"):
                psids[r.properties["facebook_page_scoped_id"]] = r.id
            if r.properties.get("instagram_handle"):
                handles[r.properties["instagram_handle"].lstrip("@").lower()] = r.id
    fb_people = {p.facebook_user_id: p for p in world.persons if p.facebook_user_id}
    ig_people = {p.instagram_username: p for p in world.persons if p.instagram_username}
    linked_fb = [c for c in [*fb_comments.values(), *reactions.values()] if c.get("from", c).get("id") in psids]
    linked_ig = [c for c in ig_comments.values() if c["username"] in handles]
    assert linked_fb and linked_ig, "some engagement is linkable"
    for c in linked_fb:
        assert c.get("from", c)["id"] in fb_people
    for c in linked_ig:
        assert c["from"]["username"] == c["username"] and c["username"] in ig_people
    crowd = [c for c in fb_comments.values() if c["from"]["id"] not in fb_people]
    assert crowd, "people outside the world engage too"
    media = _payloads(loaded, "raw_social.instagram_media")
    per_media = Counter(c["media_id"] for c in ig_comments.values())
    for mid, m in media.items():
        assert m["comments_count"] == per_media.get(mid, 0)


def test_manifest_covers_every_person_level_record(world, loaded):
    m = world.manifest()
    listed = {(r["source"], r["stream"], r["record_id"]) for r in m.records}
    persons = {p["person_id"] for p in m.persons}
    assert {r["person_id"] for r in m.records} <= persons
    person_streams = {
        "mailchimp": ("list_members", "campaign_recipients", "email_activity"),
        "meta_ads": ("leads",),
    }
    for source, streams in person_streams.items():
        for s in streams:
            ids = {r[0] for r in loaded.execute(f"select record_id from raw_{source}.{s}").fetchall()}
            assert ids and ids == {rid for src, st, rid in listed if (src, st) == (source, s)}, s
    gclids = {g for p in world.persons for g in p.gclids}
    cv = {r[0] for r in loaded.execute("select record_id from raw_google_ads.click_views").fetchall()}
    assert cv & gclids == {rid for src, st, rid in listed if st == "click_views"}
    fb_ids = {p.facebook_user_id for p in world.persons if p.facebook_user_id}
    reacts = {r[0] for r in loaded.execute("select record_id from raw_social.facebook_reactions").fetchall()}
    assert {r for r in reacts if r.split(":")[1] in fb_ids} == {
        rid for src, st, rid in listed if st == "facebook_reactions"
    }
    relations = Counter(r["relation"] for r in m.records if r["source"] == "social")
    assert relations["primary"] and relations["unlinked"]
    row = next(p for p in m.persons if p["instagram_username"])
    assert "social_linkable" in row


def test_projections_are_deterministic(world):
    other = World(CFG)
    assert other.mailchimp_snapshot().campaigns() == world.mailchimp_snapshot().campaigns()
    assert other.mailchimp_snapshot().members == world.mailchimp_snapshot().members
    a, b = other.ads_snapshot(), world.ads_snapshot()
    assert a.insights(CFG.start_ms, a.now) == b.insights(CFG.start_ms, b.now)
    assert other.social_snapshot().ig_media() == world.social_snapshot().ig_media()


def test_advancing_the_clock_moves_every_projection():
    w = World(WorldConfig(people=150))
    mc0 = w.mailchimp_snapshot()
    ads0 = w.ads_snapshot()
    soc0 = w.social_snapshot()
    members0 = {m["id"]: m for m in mc0.members}
    camps0 = {c["id"]: c for c in mc0.campaigns()}
    fb0 = {c.item_id for d in soc0.items.values() for lst in d.values() for c in lst}
    w.advance(days=4)
    mc1, ads1, soc1 = w.mailchimp_snapshot(), w.ads_snapshot(), w.social_snapshot()
    camps1 = {c["id"]: c for c in mc1.campaigns()}
    assert {c for c, v in camps1.items() if v["status"] == "sent"} > {
        c for c, v in camps0.items() if v["status"] == "sent"
    }
    assert set(members0) <= {m["id"] for m in mc1.members}
    today1 = ads_p.day_of(ads1.now)
    assert ads0.insight(next(iter(catalog.META_ADSETS)), today1 - DAY_MS) is None
    assert ads1.insight(next(iter(catalog.META_ADSETS)), today1 - DAY_MS) is not None
    fb1 = {c.item_id for d in soc1.items.values() for lst in d.values() for c in lst}
    assert fb0 < fb1, "new comments and reactions appear, old ids stay"
    assert soc1.n_posts["facebook"] > soc0.n_posts["facebook"]
    assert len(mc1.lists()) == 1 and mc1.lists()[0]["id"] == mc_p.LIST_ID
