"""The sandbox's Google Ads REST answers parsed into the API's own protobuf messages (from the google-ads wheel) with
unknown fields forbidden, for every query the Google Ads connector runs, on every API version the wheel carries.

The official client speaks gRPC, not REST, so its protos are the contract here: proto3 JSON mapping of
``SearchGoogleAdsStreamResponse`` / ``SearchGoogleAdsResponse`` and, for errors, ``google.rpc.Status`` with a
``GoogleAdsFailure`` detail. A parsed answer is also printed back to JSON and must equal what the sandbox sent, so
int64 strings, enum names, camelCase keys and omitted defaults are all as Google encodes them.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from datetime import date, timedelta
from typing import Any

import pytest
import requests

from connectors.google_ads import (
    AD_GROUPS_QUERY,
    CAMPAIGNS_QUERY,
    CLICKS_QUERY,
    DEFAULT_API_VERSION,
    METRICS_QUERY,
)
from sandbox.server import google_ads as ga_server
from sandbox.world import catalog
from sandbox.world.projections.ads import GOOGLE_AD_GROUPS
from sandbox.world.projections.google_ads import click_views

pytest.importorskip("google.ads.googleads", reason="google-ads (the dev extra) is not installed")
from google.protobuf import json_format
from google.rpc import code_pb2, error_details_pb2, status_pb2

# Versions the sandbox serves that the installed wheel has protos for (google-ads 34: v23-v26).
VERSIONS = sorted(v for v in ga_server.VERSIONS if importlib.util.find_spec(f"google.ads.googleads.{v}"))
CID = catalog.GOOGLE_CUSTOMER_ID


def _service(version: str):
    return importlib.import_module(f"google.ads.googleads.{version}.services.types.google_ads_service")


def _failure_type(version: str):
    return importlib.import_module(f"google.ads.googleads.{version}.errors.types.errors").GoogleAdsFailure


def _request_type(version: str, method: str):
    svc = _service(version)
    return svc.SearchGoogleAdsStreamRequest if method == "searchStream" else svc.SearchGoogleAdsRequest


def parse(message_type, obj: dict[str, Any]):
    """Parse into the proto (unknown fields are an error) and check it prints back to exactly what was sent."""
    pb = json_format.Parse(json.dumps(obj), message_type.pb()(), ignore_unknown_fields=False)
    assert json_format.MessageToDict(pb) == obj
    return pb


@pytest.fixture(scope="module")
def ga(sdk_sandbox):
    env = sdk_sandbox.google_ads.env()
    s = requests.Session()
    s.headers.update(
        {
            "Authorization": f"Bearer {env['GOOGLE_ADS_ACCESS_TOKEN']}",
            "developer-token": env["GOOGLE_ADS_DEVELOPER_TOKEN"],
        }
    )
    s.base = env["GOOGLE_ADS_BASE_URL"]  # type: ignore[attr-defined]
    yield s
    s.close()


@pytest.fixture(scope="module")
def ads_snap(sdk_sandbox):
    return sdk_sandbox.world.ads_snapshot()


def _post(ga, version: str, method: str, body: dict[str, Any], *, valid: bool = True) -> requests.Response:
    if valid:  # what the tests send is itself a valid request message
        json_format.Parse(json.dumps(body), _request_type(version, method).pb()(), ignore_unknown_fields=False)
    return ga.post(f"{ga.base}/{version}/customers/{CID}/googleAds:{method}", json=body, timeout=30)


def stream(ga, version: str, query: str) -> list[Any]:
    """Every row of a searchStream answer, each batch parsed into SearchGoogleAdsStreamResponse."""
    resp = _post(ga, version, "searchStream", {"query": query})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert isinstance(body, list) and body
    batches = [parse(_service(version).SearchGoogleAdsStreamResponse, b) for b in body]
    fields = [f.strip() for f in query.split(" FROM ")[0].removeprefix("SELECT ").split(",")]
    for b in batches:
        assert list(b.field_mask.paths) == fields
        assert b.request_id == resp.headers["request-id"]
    assert batches[-1].query_resource_consumption > 0
    return [row for b in batches for row in b.results]


def search(ga, version: str, query: str, **settings: Any) -> tuple[list[Any], Any]:
    """Every row of a paged search, each page parsed into SearchGoogleAdsResponse (which has no request id: the
    REST API sends it as the ``request-id`` header only)."""
    rows: list[Any] = []
    token = None
    while True:
        body: dict[str, Any] = {"query": query, **({"pageToken": token} if token else {})}
        if settings:
            body["searchSettings"] = settings
        resp = _post(ga, version, "search", body)
        assert resp.status_code == 200, resp.text
        page = parse(_service(version).SearchGoogleAdsResponse, resp.json())
        assert resp.headers["request-id"]
        rows.extend(page.results)
        if not page.next_page_token:
            return rows, page
        token = page.next_page_token


def _today(sdk_sandbox) -> date:
    return sdk_sandbox.today()


def test_protos_cover_the_connectors_version():
    assert DEFAULT_API_VERSION in VERSIONS


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("method", ["searchStream", "search"])
def test_dimension_queries(ga, version, method):
    read = stream if method == "searchStream" else (lambda *a: search(*a)[0])
    campaigns = read(ga, version, CAMPAIGNS_QUERY)
    assert [(str(r.campaign.id), r.campaign.name) for r in campaigns] == [
        (c.campaign_id, c.name) for c in catalog.GOOGLE_CAMPAIGNS
    ]
    assert {r.campaign.resource_name for r in campaigns} == {
        f"customers/{CID}/campaigns/{c.campaign_id}" for c in catalog.GOOGLE_CAMPAIGNS
    }
    groups = read(ga, version, AD_GROUPS_QUERY)
    assert [(str(r.ad_group.id), str(r.campaign.id)) for r in groups] == [
        (ag, v[0].campaign_id) for ag, v in GOOGLE_AD_GROUPS.items()
    ]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("method", ["searchStream", "search"])
def test_daily_ad_group_metrics(ga, ads_snap, sdk_sandbox, version, method):
    today = _today(sdk_sandbox)
    since, until = today - timedelta(days=45), today
    query = METRICS_QUERY.format(since=since.isoformat(), until=until.isoformat())
    rows = stream(ga, version, query) if method == "searchStream" else search(ga, version, query)[0]
    got = {(str(r.ad_group.id), r.segments.date): (r.metrics.clicks, r.metrics.cost_micros) for r in rows}
    want = {}
    day = since
    while day <= until:
        for ag in GOOGLE_AD_GROUPS:
            m = ads_snap.ad_group_day(ag, catalog.to_day_ms(day.isoformat()))
            if m is not None:
                want[(ag, day.isoformat())] = (m["clicks"], m["cost_micros"])
        day += timedelta(days=1)
    assert want
    assert got == want
    assert all(r.customer.currency_code == catalog.GOOGLE_CURRENCY for r in rows)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("method", ["searchStream", "search"])
def test_click_views_one_day(ga, ads_snap, sdk_sandbox, version, method):
    day = _today(sdk_sandbox) - timedelta(days=3)
    query = CLICKS_QUERY.format(day=day.isoformat())
    rows = stream(ga, version, query) if method == "searchStream" else search(ga, version, query)[0]
    want = click_views(ads_snap, catalog.to_day_ms(day.isoformat()))
    assert want
    assert [r.click_view.gclid for r in rows] == [c.gclid for c in want]
    assert [r.click_view.keyword_info.text for r in rows] == [c.keyword for c in want]
    assert {r.click_view.ad_group_ad for r in rows} <= {
        f"customers/{CID}/adGroupAds/{c.ad_group_id}~{c.ad_id}" for c in want
    }


def test_every_field_the_sandbox_knows_fits_the_protos(ga):
    """Beyond the connector's queries: every selectable field of every resource, on the newest protos."""
    from sandbox.world.projections.google_ads import _COMPATIBLE, _fields, version_number

    for version in VERSIONS:
        known = _fields(version_number(version))
        for resource, allowed in _COMPATIBLE.items():
            fields = [f for f in known if f.split(".")[0] in allowed and not f.endswith(".resource_name")]
            # The world computes no metrics for click views or the customer row (its GAQL engine fails on them):
            # those queries select their resources' own fields and segments only.
            if resource == "click_view":
                fields = [f for f in fields if not f.startswith("metrics.")]
            if resource == "customer":
                fields = [f for f in fields if f.startswith("customer.")]
            day = "" if resource != "click_view" else " WHERE segments.date = '2026-03-15'"
            if resource != "click_view" and "segments.date" in fields:
                day = " WHERE segments.date BETWEEN '2026-03-01' AND '2026-03-15'"
            rows = stream(ga, version, f"SELECT {', '.join(fields)} FROM {resource}{day}")
            assert rows, f"{version} {resource}"


@pytest.mark.parametrize("version", VERSIONS)
def test_search_counts_total_results_when_asked(ga, version):
    rows, last = search(ga, version, AD_GROUPS_QUERY, returnTotalResultsCount=True)
    assert last.total_results_count == len(rows) == len(GOOGLE_AD_GROUPS)
    _, plain = search(ga, version, AD_GROUPS_QUERY)
    assert plain.total_results_count == 0


def _status(resp: requests.Response, version: str, grpc: str):
    body = resp.json()
    err = (body[0] if isinstance(body, list) else body)["error"]
    # The REST mapping adds the canonical code's name as "status"; the rest is google.rpc.Status.
    assert err.pop("status") == grpc == code_pb2.Code.Name(getattr(code_pb2, grpc))
    _failure_type(version).pb()  # registers GoogleAdsFailure, so the Any details resolve
    status = json_format.Parse(json.dumps(err), status_pb2.Status(), ignore_unknown_fields=False)
    assert status.code == resp.status_code
    return status


def _failures(status, version: str) -> list[Any]:
    failure_pb = _failure_type(version).pb()
    out = []
    for detail in status.details:
        f = failure_pb()
        assert detail.Unpack(f), detail.type_url
        out.append(f)
    return out


@pytest.mark.parametrize("version", VERSIONS)
def test_query_errors_parse_into_google_ads_failure(ga, version):
    for method in ("searchStream", "search"):
        resp = _post(ga, version, method, {"query": "SELECT campaign.id, metrics.cost FROM campaign"})
        assert resp.status_code == 400
        assert isinstance(resp.json(), list) is (method == "searchStream")
        (failure,) = _failures(_status(resp, version, "INVALID_ARGUMENT"), version)
        (error,) = failure.errors
        assert error.error_code.WhichOneof("error_code") == "query_error"
        assert error.trigger.string_value == "metrics.cost"
        assert failure.request_id


@pytest.mark.parametrize("version", VERSIONS)
def test_auth_errors_parse_into_google_ads_failure(ga, version):
    resp = ga.post(
        f"{ga.base}/{version}/customers/{CID}/googleAds:searchStream",
        json={"query": CAMPAIGNS_QUERY},
        headers={"developer-token": "not-the-token"},
        timeout=30,
    )
    assert resp.status_code == 403
    (failure,) = _failures(_status(resp, version, "PERMISSION_DENIED"), version)
    assert failure.errors[0].error_code.WhichOneof("error_code") == "authorization_error"


def test_quota_errors_carry_a_retry_delay(sdk_sandbox, ga):
    version = VERSIONS[0]
    app = sdk_sandbox.google_ads.app
    saved = app.limits.per_minute
    app.reset_limits()
    app.limits.per_minute = 1
    try:
        assert _post(ga, version, "searchStream", {"query": CAMPAIGNS_QUERY}).status_code == 200
        resp = _post(ga, version, "searchStream", {"query": CAMPAIGNS_QUERY})
    finally:
        app.limits.per_minute = saved
        app.reset_limits()
    assert resp.status_code == 429
    (failure,) = _failures(_status(resp, version, "RESOURCE_EXHAUSTED"), version)
    quota = failure.errors[0].details.quota_error_details
    assert quota.retry_delay.seconds > 0 and quota.rate_name


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("method", "body", "unknown"),
    [
        ("search", {"query": CAMPAIGNS_QUERY, "returnTotalResultsCount": True}, "returnTotalResultsCount"),
        ("search", {"query": CAMPAIGNS_QUERY, "searchSettings": {"totalCount": True}}, "searchSettings.totalCount"),
        ("searchStream", {"query": CAMPAIGNS_QUERY, "pageToken": "x"}, "pageToken"),
    ],
    ids=["top-level-count", "unknown-setting", "stream-page-token"],
)
def test_request_fields_the_request_message_lacks_are_refused(ga, version, method, body, unknown):
    """As the real API: a JSON request field its request message does not have is a 400, never ignored."""
    resp = _post(ga, version, method, body, valid=False)
    assert resp.status_code == 400
    status = _status(resp, version, "INVALID_ARGUMENT")
    (detail,) = status.details
    violation = error_details_pb2.BadRequest()
    assert detail.Unpack(violation) and violation.field_violations
    assert f'Unknown name "{unknown.split(".")[-1]}"' in status.message
    with pytest.raises(json_format.ParseError):  # the protos agree that the body is invalid
        json_format.Parse(json.dumps(body), _request_type(version, method).pb()(), ignore_unknown_fields=False)


@pytest.mark.parametrize("version", VERSIONS)
def test_search_settings_and_options_the_sandbox_refuses(ga, version):
    rows, last = search(ga, version, AD_GROUPS_QUERY, omitResults=True, returnTotalResultsCount=True)
    assert rows == [] and last.total_results_count == len(GOOGLE_AD_GROUPS)
    snake = {"query": CAMPAIGNS_QUERY, "search_settings": {"return_total_results_count": True}}  # proto3 JSON too
    page = parse(_service(version).SearchGoogleAdsResponse, _post(ga, version, "search", snake).json())
    assert page.total_results_count == len(page.results) == len(catalog.GOOGLE_CAMPAIGNS)
    checked = _post(ga, version, "search", {"query": CAMPAIGNS_QUERY, "validateOnly": True})
    page = parse(_service(version).SearchGoogleAdsResponse, checked.json())
    assert not page.results and list(page.field_mask.paths) == [
        "campaign.id",
        "campaign.name",
        "campaign.status",
        "campaign.advertising_channel_type",
    ]
    sized = _post(ga, version, "search", {"query": CAMPAIGNS_QUERY, "pageSize": 100})
    assert sized.status_code == 400
    (failure,) = _failures(_status(sized, version, "INVALID_ARGUMENT"), version)
    assert json_format.MessageToDict(failure.errors[0].error_code) == {"requestError": "PAGE_SIZE_NOT_SUPPORTED"}
    summary = _post(ga, version, "searchStream", {"query": CAMPAIGNS_QUERY, "summaryRowSetting": "SUMMARY_ROW_ONLY"})
    assert summary.status_code == 400 and "summary rows" in _status(summary, version, "INVALID_ARGUMENT").message
    plain = _post(ga, version, "searchStream", {"query": CAMPAIGNS_QUERY, "summaryRowSetting": "NO_SUMMARY_ROW"})
    assert plain.status_code == 200
