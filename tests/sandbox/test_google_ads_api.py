from __future__ import annotations

from datetime import date, timedelta

import pytest
import requests

from connectors.google_ads import AD_GROUPS_QUERY, CAMPAIGNS_QUERY, CLICKS_QUERY, METRICS_QUERY
from sandbox.testing import run_sandbox
from sandbox.world import World, WorldConfig, catalog


@pytest.fixture(scope="module")
def sb():
    with run_sandbox(World(WorldConfig(people=150)), vendors=("google_ads",)) as handle:
        yield handle


@pytest.fixture()
def ga(sb):
    env = sb.env()
    s = requests.Session()
    s.headers.update(
        {
            "Authorization": f"Bearer {env['GOOGLE_ADS_ACCESS_TOKEN']}",
            "developer-token": env["GOOGLE_ADS_DEVELOPER_TOKEN"],
        }
    )
    cid = env["GOOGLE_ADS_CUSTOMER_ID"]
    s.url = f"{env['GOOGLE_ADS_BASE_URL']}/v24/customers/{cid}/googleAds:searchStream"  # type: ignore[attr-defined]
    s.today = date.fromisoformat(env["JOURNEYHUB_TODAY"])  # type: ignore[attr-defined]
    yield s
    s.close()


def _q(ga, query, **kw):
    return ga.post(ga.url, json={"query": query}, timeout=10, **kw)


def _rows(resp):
    body = resp.json()
    assert isinstance(body, list) and body
    assert "queryResourceConsumption" in body[-1] and all("fieldMask" in b and "requestId" in b for b in body)
    return [r for b in body for r in b.get("results", [])]


def test_env(sb):
    env = sb.env()
    assert len(env["GOOGLE_ADS_CUSTOMER_ID"]) == 10 and env["GOOGLE_ADS_CUSTOMER_ID"].isdigit()
    assert env["JOURNEYHUB_START_DATE"] == "2026-01-01" and env["JOURNEYHUB_TODAY"] == "2026-04-01"


def test_selected_fields_only_camel_case_int64_as_strings(ga):
    r = _q(ga, METRICS_QUERY.format(since="2026-02-01", until="2026-02-02"))
    rows = _rows(r)
    assert len(rows) == 2 * len(catalog.GOOGLE_AD_GROUPS)
    row = rows[0]
    assert set(row) == {"campaign", "adGroup", "customer", "metrics", "segments"}
    assert row["adGroup"]["resourceName"] == f"customers/{catalog.GOOGLE_CUSTOMER_ID}/adGroups/{row['adGroup']['id']}"
    assert set(row["metrics"]) == {"costMicros", "impressions", "clicks", "conversions", "conversionsValue"}
    assert all(isinstance(row["metrics"][k], str) for k in ("costMicros", "impressions", "clicks"))
    assert isinstance(row["metrics"]["conversions"], float)
    assert r.json()[0]["fieldMask"].startswith("campaign.id,campaign.name,adGroup.id")
    groups = _rows(_q(ga, AD_GROUPS_QUERY))
    assert {g["adGroup"]["status"] for g in groups} == {"ENABLED"} and len(groups) == 5


def test_batches_of_ten_thousand_rows(ga):
    # all-time daily metrics per ad group, unsegmented click views would be rejected: use a wide metrics query
    rows = _rows(
        _q(ga, "SELECT ad_group.id, segments.date, metrics.clicks FROM ad_group WHERE segments.date >= '2025-01-01'")
    )
    assert rows and len(rows) < 10_000


def test_click_view_single_day_and_last_90_days(ga):
    day = ga.today - timedelta(days=10)
    rows = _rows(_q(ga, CLICKS_QUERY.format(day=day.isoformat())))
    assert rows and all(r["segments"]["date"] == day.isoformat() for r in rows)
    cv = rows[0]["clickView"]
    assert cv["resourceName"].endswith(f"{day.isoformat()}~{cv['gclid']}") and "~" in cv["adGroupAd"]
    assert cv["keywordInfo"]["matchType"] in ("EXACT", "PHRASE", "BROAD")
    metrics = _rows(_q(ga, METRICS_QUERY.format(since=day.isoformat(), until=day.isoformat())))
    assert sum(int(m["metrics"]["clicks"]) for m in metrics) == len(rows)
    wide = _q(ga, "SELECT click_view.gclid FROM click_view WHERE segments.date BETWEEN '2026-03-01' AND '2026-03-02'")
    old = _q(ga, CLICKS_QUERY.format(day=(ga.today - timedelta(days=120)).isoformat()))
    for r in (wide, old):
        assert r.status_code == 400
        err = r.json()[0]["error"]
        assert err["status"] == "INVALID_ARGUMENT" and err["details"][0]["errors"][0]["errorCode"]["queryError"]


def test_unrecognized_field_array_wrapped(ga):
    r = _q(ga, "SELECT metrics.cost FROM ad_group WHERE segments.date = '2026-03-01'")
    assert r.status_code == 400
    body = r.json()
    assert isinstance(body, list)
    e = body[0]["error"]["details"][0]["errors"][0]
    assert e["errorCode"] == {"queryError": "UNRECOGNIZED_FIELD"} and "metrics.cost" in e["message"]
    # v23 replaced campaign.start_date / end_date with start_date_time / end_date_time
    old = "SELECT campaign.id, campaign.start_date, campaign.end_date FROM campaign"
    assert _q(ga, old).status_code == 400
    assert _rows(ga.post(ga.url.replace("/v24/", "/v22/"), json={"query": old}, timeout=10))[0]["campaign"]["endDate"]
    camps = _rows(_q(ga, "SELECT campaign.id, campaign.start_date_time, campaign.end_date_time FROM campaign"))
    assert len(camps) == 3 and camps[0]["campaign"]["startDateTime"].endswith(" 00:00:00")
    assert "endDateTime" not in camps[0]["campaign"], "runs indefinitely: the field is cleared"
    assert len(_rows(_q(ga, CAMPAIGNS_QUERY))) == 3


def test_auth_errors(sb, ga):
    env = sb.env()
    no_dev = requests.post(
        ga.url, json={"query": AD_GROUPS_QUERY}, headers={"Authorization": ga.headers["Authorization"]}
    )
    assert no_dev.status_code == 400
    assert no_dev.json()[0]["error"]["details"][0]["errors"][0]["errorCode"] == {
        "requestError": "DEVELOPER_TOKEN_PARAMETER_MISSING"
    }
    bad_dev = _q(ga, AD_GROUPS_QUERY, headers={"developer-token": "nope"})
    assert bad_dev.status_code == 403 and bad_dev.json()[0]["error"]["status"] == "PERMISSION_DENIED"
    no_auth = requests.post(ga.url, json={"query": AD_GROUPS_QUERY}, headers={"developer-token": "x"})
    assert no_auth.status_code == 401 and no_auth.json()[0]["error"]["status"] == "UNAUTHENTICATED"
    wrong_login = _q(ga, AD_GROUPS_QUERY, headers={"login-customer-id": "1234567890"})
    assert wrong_login.json()[0]["error"]["details"][0]["errors"][0]["errorCode"] == {
        "authorizationError": "USER_PERMISSION_DENIED"
    }
    assert _q(ga, AD_GROUPS_QUERY, headers={"login-customer-id": env["GOOGLE_ADS_CUSTOMER_ID"]}).ok


def test_quota_enforced_and_fault_kind(sb, ga):
    url = f"{sb.google_ads.base_url}/_sandbox/limits"
    requests.post(url, json={"per_minute": 2, "reset": True}, timeout=5)
    try:
        statuses = [_q(ga, AD_GROUPS_QUERY) for _ in range(3)]
    finally:
        requests.post(url, json={"per_minute": 1000, "reset": True}, timeout=5)
    assert [r.status_code for r in statuses] == [200, 200, 429]
    err = statuses[2].json()[0]["error"]
    assert err["status"] == "RESOURCE_EXHAUSTED"
    details = err["details"][0]["errors"][0]["details"]["quotaErrorDetails"]
    assert details["retryDelay"].endswith("s")
    sb.google_ads.set_faults(rate=1.0, kinds=("google_quota",))
    try:
        r = _q(ga, AD_GROUPS_QUERY)
    finally:
        sb.google_ads.clear_faults()
    assert r.status_code == 429 and r.json()[0]["error"]["details"][0]["errors"][0]["details"]["quotaErrorDetails"]
    assert sb.google_ads.stats()["faults_injected"]["google_quota"] == 1


@pytest.mark.parametrize("kind", ["429", "500", "502", "503"])
def test_generic_faults(sb, ga, kind):
    sb.google_ads.set_faults(rate=1.0, kinds=(kind,))
    try:
        r = _q(ga, AD_GROUPS_QUERY)
    finally:
        sb.google_ads.clear_faults()
    assert r.status_code == int(kind)
    if kind != "502":
        assert r.json()[0]["error"]["code"] == int(kind)
