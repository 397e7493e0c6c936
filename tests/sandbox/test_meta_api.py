from __future__ import annotations

import json
import re

import pytest
import requests

from sandbox.server.meta import MetaLimits
from sandbox.testing import run_sandbox
from sandbox.world import World, WorldConfig, catalog

TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$")


@pytest.fixture(scope="module")
def sb():
    with run_sandbox(World(WorldConfig(people=150)), vendors=("meta",)) as handle:
        yield handle


@pytest.fixture()
def graph(sb):
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {sb.meta.token}"
    env = sb.env()
    s.base = f"{env['META_BASE_URL']}/v25.0"  # type: ignore[attr-defined]
    s.env = env  # type: ignore[attr-defined]
    yield s
    s.close()


def _get(graph, path, **params):
    return graph.get(f"{graph.base}/{path}", params=params, timeout=10)


def _all(graph, path, **params):
    out, pages, after = [], 0, None
    while True:
        q = dict(params)
        if after:
            q["after"] = after
        body = _get(graph, path, **q).json()
        out += body["data"]
        pages += 1
        paging = body.get("paging") or {}
        if body["data"]:
            assert "after" in paging["cursors"], "cursors.after is always there"
        if "next" not in paging:
            return out, pages
        after = paging["cursors"]["after"]


def test_env(graph):
    env = graph.env
    assert env["META_AD_ACCOUNT_ID"] == f"act_{catalog.META_AD_ACCOUNT_ID}"
    assert env["META_PAGE_ID"] == catalog.META_PAGE_ID and env["META_IG_USER_ID"] == catalog.META_IG_USER_ID


def test_auth_token_param_or_bearer_and_oauth_errors(sb, graph):
    url = f"{graph.base}/act_{catalog.META_AD_ACCOUNT_ID}/campaigns"
    assert requests.get(url, params={"access_token": sb.meta.token}, timeout=5).status_code == 200
    r = requests.get(url, params={"access_token": "bad"}, timeout=5)
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == 190 and err["type"] == "OAuthException" and err["fbtrace_id"]
    assert requests.get(url, timeout=5).json()["error"]["code"] == 104


def test_fields_selection_nested_and_bad_field(graph):
    posts, _ = _all(graph, f"{catalog.META_PAGE_ID}/posts", fields="id,message,created_time,from{id,name}", limit=10)
    assert posts and all(set(p) == {"id", "message", "created_time", "from"} for p in posts)
    assert all(TS.match(p["created_time"]) and set(p["from"]) == {"id", "name"} for p in posts)
    r = _get(graph, f"act_{catalog.META_AD_ACCOUNT_ID}/campaigns", fields="id,nonsense")
    assert r.status_code == 400 and r.json()["error"]["code"] == 100 and "nonsense" in r.json()["error"]["message"]


def test_cursor_paging_ends_without_next(graph):
    posts, pages = _all(graph, f"{catalog.META_PAGE_ID}/posts", fields="id", limit=7)
    assert pages > 3 and len(posts) == len({p["id"] for p in posts})
    last = _get(graph, f"{catalog.META_PAGE_ID}/posts", fields="id", limit=500).json()
    assert "next" not in last["paging"] and last["paging"]["cursors"]["after"]


def test_sync_insights_every_ad_and_day(graph):
    rng = json.dumps({"since": "2026-02-01", "until": "2026-02-03"}, separators=(",", ":"))
    rows, _ = _all(
        graph,
        f"act_{catalog.META_AD_ACCOUNT_ID}/insights",
        level="ad",
        time_increment=1,
        time_range=rng,
        fields="ad_id,date_start,date_stop,spend,clicks,actions,account_currency",
        limit=4,
    )
    assert len(rows) == 3 * len(catalog.META_ADSETS)
    assert all(isinstance(r["spend"], str) and isinstance(r["clicks"], str) for r in rows)
    acct = _get(graph, f"act_{catalog.META_AD_ACCOUNT_ID}/insights", time_range=rng, fields="clicks").json()["data"]
    assert len(acct) == 1 and int(acct[0]["clicks"]) == sum(int(r["clicks"]) for r in rows)


def test_async_report_job(graph):
    rng = json.dumps({"since": "2026-01-01", "until": "2026-01-20"}, separators=(",", ":"))
    started = graph.post(
        f"{graph.base}/act_{catalog.META_AD_ACCOUNT_ID}/insights",
        data={"level": "ad", "time_increment": "1", "time_range": rng, "fields": "ad_id,date_start,clicks"},
        timeout=5,
    ).json()
    run_id = started["report_run_id"]
    seen = [_get(graph, run_id).json()["async_status"] for _ in range(3)]
    assert seen == ["Job Not Started", "Job Running", "Job Completed"]
    rows, pages = _all(graph, f"{run_id}/insights", limit=30)
    assert len(rows) == 20 * len(catalog.META_ADSETS) and pages == 4


def test_async_report_job_from_a_json_body_with_fields_as_an_array(graph):
    """Graph takes POST parameters as a form or as a JSON object; list parameters may be JSON arrays."""
    body = {
        "level": "ad",
        "time_increment": 1,
        "time_range": {"since": "2026-01-05", "until": "2026-01-06"},
        "fields": ["ad_id", "date_start", "clicks"],
    }
    started = graph.post(f"{graph.base}/act_{catalog.META_AD_ACCOUNT_ID}/insights", json=body, timeout=5).json()
    run_id = started["report_run_id"]
    for _ in range(3):
        status = _get(graph, f"{run_id}/").json()  # a node read with a trailing slash, as the SDK sends it
    assert status["async_status"] == "Job Completed"
    assert (status["date_start"], status["date_stop"]) == ("2026-01-05", "2026-01-06")
    rows, _ = _all(graph, f"{run_id}/insights", limit=100)
    assert len(rows) == 2 * len(catalog.META_ADSETS)
    assert all(set(r) == {"ad_id", "date_start", "date_stop", "clicks"} for r in rows)  # Graph adds date_stop
    bad = graph.post(f"{graph.base}/act_{catalog.META_AD_ACCOUNT_ID}/insights", json=["level"], timeout=5)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == 100


def test_fields_as_a_json_array_on_get_and_bad_arrays(graph):
    campaign = _get(graph, f"act_{catalog.META_AD_ACCOUNT_ID}/campaigns").json()["data"][0]["id"]
    got = _get(graph, campaign, fields=json.dumps(["name", "objective"])).json()
    assert set(got) == {"id", "name", "objective"}
    for bad in ('["name", 3]', "[name"):
        err = _get(graph, campaign, fields=bad).json()["error"]
        assert err["code"] == 100 and "fields" in err["message"]


def test_date_preset_errors_list_every_documented_value_and_history_is_37_months(graph):
    from sandbox.server.meta_presets import PRESETS

    path = f"act_{catalog.META_AD_ACCOUNT_ID}/insights"
    err = _get(graph, path, date_preset="lifetime").json()["error"]
    assert err["code"] == 100 and all(p in err["message"] for p in PRESETS)
    too_old = json.dumps({"since": "2022-12-31", "until": "2023-01-31"})  # clock 2026-04-01: 37 months is 2023-03-01
    assert _get(graph, path, time_range=too_old).json()["error"]["code"] == 3018
    oldest = json.dumps({"since": "2023-03-01", "until": "2023-03-02"})
    assert _get(graph, path, time_range=oldest).json() == {"data": []}
    (row,) = _get(graph, path, date_preset="maximum", fields="spend").json()["data"]
    assert (row["date_start"], row["date_stop"]) == ("2023-03-01", "2026-04-01")


def test_leads_and_time_created_filter(graph):
    forms, _ = _all(graph, f"{catalog.META_PAGE_ID}/leadgen_forms", fields="id,name,status,locale,created_time")
    leads = []
    for f in forms:
        got, _ = _all(graph, f"{f['id']}/leads", fields="id,created_time,field_data,form_id,ad_id", limit=2)
        leads += got
    assert leads
    from connectors.core.clock import parse_timestamp

    newest = max(leads, key=lambda x: x["created_time"])
    epoch = int(parse_timestamp(newest["created_time"]).timestamp()) - 1
    flt = json.dumps([{"field": "time_created", "operator": "GREATER_THAN", "value": epoch}])
    got, _ = _all(graph, f"{newest['form_id']}/leads", fields="id", filtering=flt)
    assert [g["id"] for g in got] == [newest["id"]]


def test_comments_reactions_and_instagram(graph):
    posts, _ = _all(graph, f"{catalog.META_PAGE_ID}/posts", fields="id", limit=100)
    comments = []
    reactions = []
    for p in posts[:30]:
        comments += _all(graph, f"{p['id']}/comments", fields="id,message,created_time,from{id,name}", limit=3)[0]
        reactions += _all(graph, f"{p['id']}/reactions", fields="id,name,type", limit=3)[0]
    assert comments and reactions
    assert {r["type"] for r in reactions} <= {"LIKE", "LOVE", "WOW", "HAHA", "SAD", "ANGRY", "CARE"}
    media, _ = _all(graph, f"{catalog.META_IG_USER_ID}/media", fields="id,timestamp,like_count,comments_count")
    mid = next(m for m in media if m["comments_count"])
    ig, _ = _all(graph, f"{mid['id']}/comments", fields="id,text,timestamp,username,from{id,username}")
    assert len(ig) == mid["comments_count"] and all(c["from"]["username"] == c["username"] for c in ig)


def test_call_budget_enforced_with_usage_headers(sb, graph):
    url = f"{sb.meta.base_url}/_sandbox/limits"
    requests.post(url, json={"calls_per_window": 3, "reset": True}, timeout=5)
    try:
        statuses = [_get(graph, f"act_{catalog.META_AD_ACCOUNT_ID}/ads") for _ in range(4)]
    finally:
        requests.post(url, json={"calls_per_window": MetaLimits().calls_per_window, "reset": True}, timeout=5)
    assert [r.status_code for r in statuses] == [200, 200, 200, 400]
    assert json.loads(statuses[0].headers["X-Business-Use-Case-Usage"])
    assert "acc_id_util_pct" in json.loads(statuses[1].headers["X-Ad-Account-Usage"])
    err = statuses[3].json()["error"]
    assert err["code"] == 80004 and err["is_transient"] is True
    buc = json.loads(statuses[3].headers["X-Business-Use-Case-Usage"])
    assert buc[catalog.META_AD_ACCOUNT_ID][0]["estimated_time_to_regain_access"] > 0


def test_meta_rate_limit_fault_kind_and_no_side_effects(sb, graph):
    sb.meta.set_faults(rate=1.0, kinds=("meta_rate_limit",))
    try:
        codes = {_get(graph, f"act_{catalog.META_AD_ACCOUNT_ID}/ads").json()["error"]["code"] for _ in range(3)}
        before = len(sb.meta.app._reports)
        r = graph.post(f"{graph.base}/act_{catalog.META_AD_ACCOUNT_ID}/insights", data={"level": "ad"}, timeout=5)
        assert r.status_code == 400 and len(sb.meta.app._reports) == before
    finally:
        sb.meta.clear_faults()
    assert codes == {17, 613, 80004}


@pytest.mark.parametrize("kind", ["429", "429_retry_after", "500", "503"])
def test_generic_faults_in_graph_shape(sb, graph, kind):
    sb.meta.set_faults(rate=1.0, kinds=(kind,))
    try:
        r = _get(graph, f"act_{catalog.META_AD_ACCOUNT_ID}/ads")
    finally:
        sb.meta.clear_faults()
    assert r.status_code == int(kind[:3]) and r.json()["error"]["is_transient"] is True
    assert ("Retry-After" in r.headers) == (kind == "429_retry_after")
