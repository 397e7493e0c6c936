"""Meta's official SDK (facebook-business) through every stream the Meta Ads and social connectors read.

The SDK is pinned to the Graph API version the sandbox serves (``sandbox.server.meta.API_VERSION``), reads node
objects with a trailing slash (``/v25.0/<id>/``), sends the async insights job as a form body with ``fields`` as a
JSON array, and pages by ``paging.cursors.after`` while ``paging.next`` exists.
"""

from __future__ import annotations

import re
import time
from datetime import date, timedelta
from typing import Any

import pytest

from connectors.meta import DEFAULT_API_VERSION
from sandbox.server import meta as meta_server
from sandbox.world import catalog
from sandbox.world.projections import ads as ads_p
from sandbox.world.timeutil import iso_date

pytest.importorskip("facebook_business", reason="facebook-business (the dev extra) is not installed")
from facebook_business.adobjects.ad import Ad
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.adreportrun import AdReportRun
from facebook_business.adobjects.adset import AdSet
from facebook_business.adobjects.adsinsights import AdsInsights
from facebook_business.adobjects.campaign import Campaign
from facebook_business.adobjects.igmedia import IGMedia
from facebook_business.adobjects.iguser import IGUser
from facebook_business.adobjects.leadgenform import LeadgenForm
from facebook_business.adobjects.page import Page
from facebook_business.adobjects.pagepost import PagePost
from facebook_business.api import FacebookAdsApi, FacebookSession

# The SDK warns about fields its generated lists lack and sends them anyway: nested selections (``from{id,name}``,
# Graph syntax) and a reaction's ``type`` (its Profile class has no such field; the reactions edge returns it).
pytestmark = [
    pytest.mark.filterwarnings(r"ignore:.*does not allow field \w+\{"),
    pytest.mark.filterwarnings("ignore:reactions does not allow field type"),
]

# The connectors' field lists (connectors/meta), as lists: the SDK joins them with commas.
CAMPAIGN_FIELDS = ["id", "name", "objective", "status", "effective_status", "daily_budget", "created_time"]
ADSET_FIELDS = ["id", "name", "campaign_id", "status", "daily_budget", "optimization_goal", "created_time"]
AD_FIELDS = ["id", "name", "adset_id", "campaign_id", "status", "created_time", "updated_time"]
INSIGHT_FIELDS = [
    "account_id",
    "campaign_id",
    "campaign_name",
    "adset_id",
    "adset_name",
    "ad_id",
    "ad_name",
    "date_start",
    "date_stop",
    "spend",
    "impressions",
    "clicks",
    "inline_link_clicks",
    "actions",
    "action_values",
    "account_currency",
]
LEAD_FORM_FIELDS = ["id", "name", "status", "locale", "created_time"]
LEAD_FIELDS = ["id", "created_time", "ad_id", "adset_id", "campaign_id", "form_id", "platform", "field_data"]
POST_FIELDS = ["id", "message", "created_time", "permalink_url", "from{id,name}"]
COMMENT_FIELDS = ["id", "message", "created_time", "from{id,name}", "like_count", "parent{id}"]
REACTION_FIELDS = ["id", "name", "type"]
MEDIA_FIELDS = ["id", "caption", "media_type", "timestamp", "permalink", "like_count", "comments_count"]
IG_COMMENT_FIELDS = ["id", "text", "timestamp", "username", "from{id,username}", "like_count"]


@pytest.fixture(scope="module")
def api(sdk_sandbox) -> FacebookAdsApi:
    # FacebookAdsApi.init would also switch on the SDK's crash reporter, which posts to Meta: build it by hand.
    session = FacebookSession(access_token=sdk_sandbox.meta.token)
    session.GRAPH = sdk_sandbox.meta.base_url
    return FacebookAdsApi(session, api_version=meta_server.API_VERSION)


@pytest.fixture(scope="module")
def account(api) -> AdAccount:
    return AdAccount(meta_server.ACCOUNT_NODE, api=api)


@pytest.fixture(scope="module")
def ads_snap(sdk_sandbox):
    return sdk_sandbox.world.ads_snapshot()


@pytest.fixture(scope="module")
def social(sdk_sandbox):
    return sdk_sandbox.world.social_snapshot()


@pytest.fixture(scope="module")
def today(sdk_sandbox) -> date:
    return sdk_sandbox.today()


def _data(objs) -> list[dict[str, Any]]:
    return [o.export_all_data() for o in objs]


def test_the_sdk_is_pinned_to_the_version_the_sandbox_serves(api):
    assert meta_server.API_VERSION in meta_server.VERSIONS
    assert meta_server.API_VERSION == DEFAULT_API_VERSION  # the connectors' version
    resp = api.call("GET", (catalog.META_PAGE_ID,), params={"fields": "name"})
    assert f"/{meta_server.API_VERSION}/{catalog.META_PAGE_ID}" in resp._call["path"]
    assert resp.json()["name"] == catalog.META_PAGE_NAME


@pytest.mark.parametrize(
    ("edge", "fields", "expected"),
    [
        ("get_campaigns", CAMPAIGN_FIELDS, ads_p.meta_campaigns),
        ("get_ad_sets", ADSET_FIELDS, ads_p.meta_adsets),
        ("get_ads", AD_FIELDS, ads_p.meta_ads),
    ],
    ids=["campaigns", "adsets", "ads"],
)
def test_ad_account_edges_page_to_the_end(account, edge, fields, expected):
    got = _data(getattr(account, edge)(fields=fields, params={"limit": 2}))
    want = expected()
    assert [o["id"] for o in got] == [o["id"] for o in want]
    assert got == [{f: o[f] for f in fields if f in o} for o in want]


def test_node_reads_with_the_sdks_trailing_slash(api, social):
    """``AbstractCrudObject.api_get`` asks for ``/v25.0/<id>/``; Graph serves it like ``/v25.0/<id>``."""
    campaign = ads_p.meta_campaigns()[0]
    assert Campaign(campaign["id"], api=api).api_get(fields=["name", "objective"])["name"] == campaign["name"]
    adset = ads_p.meta_adsets()[0]
    assert AdSet(adset["id"], api=api).api_get(fields=["name", "campaign_id"])["campaign_id"] == adset["campaign_id"]
    ad = ads_p.meta_ads()[0]
    assert Ad(ad["id"], api=api).api_get(fields=["name", "adset_id"])["adset_id"] == ad["adset_id"]
    form = ads_p.lead_forms()[0]
    assert LeadgenForm(form["id"], api=api).api_get(fields=["name"])["name"] == form["name"]
    account = AdAccount(meta_server.ACCOUNT_NODE, api=api).api_get(fields=["currency", "account_id"])
    assert (account["currency"], account["account_id"]) == (catalog.META_CURRENCY, catalog.META_AD_ACCOUNT_ID)
    assert Page(catalog.META_PAGE_ID, api=api).api_get(fields=["name"])["name"] == catalog.META_PAGE_NAME
    post = social.fb_posts()[0]
    assert PagePost(post["id"], api=api).api_get(fields=["message"])["message"] == post["message"]
    media = social.ig_media()[0]
    assert IGMedia(media["id"], api=api).api_get(fields=["caption"])["caption"] == media["caption"]


def _day_ms(d: date) -> int:
    return catalog.to_day_ms(d.isoformat())


def _expected_rows(ads_snap, since: date, until: date) -> list[tuple[str, str, str]]:
    return [(r["date_start"], r["ad_id"], r["spend"]) for r in ads_snap.insights(_day_ms(since), _day_ms(until))]


def _rows(objs) -> list[tuple[str, str, str]]:
    return sorted((o["date_start"], o["ad_id"], o["spend"]) for o in objs)


def test_sync_insights_daily_ad_level(account, ads_snap, today):
    since, until = today - timedelta(days=7), today - timedelta(days=1)
    params = {"level": "ad", "time_increment": 1, "time_range": {"since": str(since), "until": str(until)}}
    got = list(account.get_insights(fields=INSIGHT_FIELDS, params={**params, "limit": 5}))
    want = _expected_rows(ads_snap, since, until)
    assert want
    assert _rows(got) == sorted(want)
    assert all(set(o.export_all_data()) <= set(INSIGHT_FIELDS) for o in got)


def test_async_insights_job(account, api, ads_snap, today):
    """``get_insights(is_async=True)`` POSTs the job as a form body with ``fields`` as a JSON array, polls the
    AdReportRun node (trailing slash) and reads its insights edge."""
    since, until = today - timedelta(days=30), today - timedelta(days=1)
    params = {"level": "ad", "time_increment": 1, "time_range": {"since": str(since), "until": str(until)}}
    job = account.get_insights(fields=INSIGHT_FIELDS, params=params, is_async=True)
    assert isinstance(job, AdReportRun) and job["id"]
    deadline = time.monotonic() + 30
    while job.api_get()[AdReportRun.Field.async_status] != "Job Completed":
        assert time.monotonic() < deadline, "the report never completed"
    assert job[AdReportRun.Field.async_percent_completion] == 100
    assert (job["date_start"], job["date_stop"]) == (str(since), str(until))
    got = list(job.get_result(params={"limit": 500}))
    assert _rows(got) == sorted(_expected_rows(ads_snap, since, until))


def _months_back(d: date, months: int) -> date:
    y, m0 = divmod(d.year * 12 + d.month - 1 - months, 12)
    month_end = date(y + (m0 + 1) // 12, (m0 + 1) % 12 + 1, 1) - timedelta(days=1)
    return date(y, m0 + 1, min(d.day, month_end.day))


def preset_range(preset: str, today: date) -> tuple[date, date]:
    """Meta's documented presets in the ad account's time zone (the sandbox's is UTC): ``last_<n>d`` ends
    yesterday, ``this_*`` ends today, ``last_<period>`` is the whole previous period, weeks start Monday or
    Sunday as named, ``maximum`` / ``data_maximum`` reach back the 37 months Meta keeps."""
    yesterday = today - timedelta(days=1)
    if preset == "today":
        return today, today
    if preset == "yesterday":
        return yesterday, yesterday
    if m := re.fullmatch(r"last_(\d+)d", preset):
        return today - timedelta(days=int(m[1])), yesterday
    month = today.replace(day=1)
    quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    monday = today - timedelta(days=today.weekday())
    sunday = today - timedelta(days=(today.weekday() + 1) % 7)
    if preset == "this_month":
        return month, today
    if preset == "last_month":
        end = month - timedelta(days=1)
        return end.replace(day=1), end
    if preset == "this_quarter":
        return quarter, today
    if preset == "last_quarter":
        end = quarter - timedelta(days=1)
        return date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end
    if preset == "this_year":
        return date(today.year, 1, 1), today
    if preset == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    if preset == "this_week_mon_today":
        return monday, today
    if preset == "this_week_sun_today":
        return sunday, today
    if preset == "last_week_mon_sun":
        return monday - timedelta(days=7), monday - timedelta(days=1)
    if preset == "last_week_sun_sat":
        return sunday - timedelta(days=7), sunday - timedelta(days=1)
    if preset in ("maximum", "data_maximum"):
        return _months_back(today, 37), today
    raise AssertionError(f"no expectation for {preset}")


PRESETS = sorted(v for k, v in vars(AdsInsights.DatePreset).items() if not k.startswith("_"))


def test_every_documented_preset_is_covered():
    assert len(PRESETS) == 20 and {"last_3d", "this_quarter", "maximum", "last_week_sun_sat"} <= set(PRESETS)


@pytest.mark.parametrize("preset", PRESETS)
def test_date_presets_against_the_sandbox_clock(account, ads_snap, today, preset):
    since, until = preset_range(preset, today)
    daily = list(
        account.get_insights(
            fields=["ad_id", "spend", "date_start", "date_stop"],
            params={"level": "ad", "time_increment": 1, "date_preset": preset, "limit": 500},
        )
    )
    assert _rows(daily) == sorted(_expected_rows(ads_snap, since, until))
    total = list(account.get_insights(fields=["spend", "date_start", "date_stop"], params={"date_preset": preset}))
    if daily:
        assert [(o["date_start"], o["date_stop"]) for o in total] == [(str(since), str(until))]
        assert float(total[0]["spend"]) == pytest.approx(sum(float(o["spend"]) for o in daily), abs=0.01)
    else:
        assert total == []


def test_lead_forms_and_leads_full_and_incremental(api, ads_snap):
    forms = _data(Page(catalog.META_PAGE_ID, api=api).get_lead_gen_forms(fields=LEAD_FORM_FIELDS))
    assert [f["id"] for f in forms] == [f["id"] for f in ads_p.lead_forms()]
    total = 0
    for form in forms:
        expected = sorted(ads_snap.leads.get(form["id"], []), key=lambda x: (-x[0].ts, x[0].lead_id))
        leads = _data(LeadgenForm(form["id"], api=api).get_leads(fields=LEAD_FIELDS, params={"limit": 3}))
        assert [lead["id"] for lead in leads] == [lead.lead_id for lead, _ in expected]
        assert all(lead["form_id"] == form["id"] for lead in leads)
        total += len(leads)
        if len(expected) > 1:
            pivot = expected[len(expected) // 2][0].ts // 1000
            newer = LeadgenForm(form["id"], api=api).get_leads(
                fields=LEAD_FIELDS,
                params={"filtering": [{"field": "time_created", "operator": "GREATER_THAN", "value": pivot}]},
            )
            assert [lead["id"] for lead in newer] == [lead.lead_id for lead, _ in expected if lead.ts // 1000 > pivot]
    assert total > 0


def test_page_posts_comments_and_reactions(api, social):
    posts = _data(Page(catalog.META_PAGE_ID, api=api).get_posts(fields=POST_FIELDS, params={"limit": 10}))
    assert [p["id"] for p in posts] == [p["id"] for p in social.fb_posts()]
    comments = reactions = 0
    for post in posts:
        node = PagePost(post["id"], api=api)
        got = _data(node.get_comments(fields=COMMENT_FIELDS, params={"filter": "stream", "order": "chronological"}))
        assert [c["id"] for c in got] == [c.item_id for c in social.children("facebook", "comment", post["id"])]
        liked = _data(node.get_reactions(fields=REACTION_FIELDS))
        assert [(r["id"], r["type"]) for r in liked] == [
            (r.user_id, r.text) for r in social.children("facebook", "reaction", post["id"])
        ]
        comments += len(got)
        reactions += len(liked)
    assert comments > 0 and reactions > 0


def test_instagram_media_and_comments(api, social):
    media = _data(IGUser(catalog.META_IG_USER_ID, api=api).get_media(fields=MEDIA_FIELDS, params={"limit": 10}))
    assert [m["id"] for m in media] == [m["id"] for m in social.ig_media()]
    comments = 0
    for m in media:
        got = _data(IGMedia(m["id"], api=api).get_comments(fields=IG_COMMENT_FIELDS))
        want = social.children("instagram", "comment", m["id"])
        assert [(c["id"], c["username"]) for c in got] == [(c.item_id, c.name) for c in want]
        assert m["comments_count"] == len(want)
        comments += len(got)
    assert comments > 0


def test_insight_dates_are_the_sandbox_days(ads_snap, today):
    """The expectations above use the sandbox's clock, not the machine's."""
    assert iso_date(ads_snap.today_ms) == str(today)
