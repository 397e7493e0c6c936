"""Each vendor's own error signals, classified by its connector: what is retried, what fails, and how it reads."""

from __future__ import annotations

import random

import pytest

from connectors.core.errors import AuthenticationError, RequestError
from connectors.core.http import RetryPolicy
from connectors.google_ads import GoogleAdsApi, GoogleAdsConfig
from connectors.meta import GraphApi, MetaConfig
from tests.connectors.scripted_server import Step, scripted_server


def meta_api(url: str, sleeps: list[float]) -> GraphApi:
    api = GraphApi(MetaConfig(access_token="EAAB-secret-token", base_url=url, ad_account_id="act_1"))
    api.http.retry = RetryPolicy(max_attempts=4, base_delay_s=0.01)
    api.http._sleep = sleeps.append
    api.http._rng = random.Random(0)
    return api


def meta_error(code: int, message: str, subcode: int | None = None) -> dict:
    err = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbC123"}
    if subcode:
        err["error_subcode"] = subcode
    return {"error": err}


def test_meta_rate_limit_as_http_400_code_17_is_waited_out() -> None:
    sleeps: list[float] = []
    steps = [
        Step(400, meta_error(17, "(#17) User request limit reached", 2446079)),
        Step(400, meta_error(613, "(#613) Calls to this api have exceeded the rate limit.")),
        Step(200, {"data": [{"id": "1"}], "paging": {"cursors": {"after": "x"}}}),
    ]
    with scripted_server(steps) as (url, script):
        body = meta_api(url, sleeps).get("act_1", "campaigns", {"fields": "id"})
    assert body["data"] == [{"id": "1"}]
    assert len(script.requests) == 3 and len(sleeps) == 2


def test_meta_bad_request_fails_at_once_with_metas_message() -> None:
    with (
        scripted_server([Step(400, meta_error(100, "(#100) Tried accessing nonexisting field (spendd)"))]) as (
            url,
            script,
        ),
        pytest.raises(RequestError) as err,
    ):
        meta_api(url, []).get("act_1", "insights", {"fields": "spendd"})
    assert len(script.requests) == 1
    assert "Graph error 100" in str(err.value) and "nonexisting field (spendd)" in str(err.value)
    assert "AbC123" in str(err.value)  # fbtrace_id, what Meta support asks for


def test_meta_expired_token_names_the_variable() -> None:
    with (
        scripted_server([Step(400, meta_error(190, "Error validating access token: EAAB-secret-token"))]) as (
            url,
            _,
        ),
        pytest.raises(AuthenticationError) as err,
    ):
        meta_api(url, []).get("me")
    assert "META_ACCESS_TOKEN" in str(err.value)
    assert "EAAB-secret-token" not in str(err.value)


def google_error(code: int, status: str, error_code: dict, message: str, retry_delay: str | None = None) -> list:
    detail: dict = {
        "@type": "type.googleapis.com/google.ads.googleads.v24.errors.GoogleAdsFailure",
        "errors": [{"errorCode": error_code, "message": message}],
    }
    if retry_delay:
        detail["errors"][0]["details"] = {"quotaErrorDetails": {"rateScope": "ACCOUNT", "retryDelay": retry_delay}}
    return [{"error": {"code": code, "message": message, "status": status, "details": [detail]}}]


def google_api(url: str, sleeps: list[float]) -> GoogleAdsApi:
    api = GoogleAdsApi(
        GoogleAdsConfig(access_token="ya29.tok", developer_token="devtok123", customer_id="1234567890", base_url=url)
    )
    api.http.retry = RetryPolicy(max_attempts=4, base_delay_s=0.01)
    api.http._sleep = sleeps.append
    api.http._rng = random.Random(0)
    return api


def test_google_ads_quota_error_honours_retry_delay() -> None:
    sleeps: list[float] = []
    steps = [
        Step(429, google_error(429, "RESOURCE_EXHAUSTED", {"quotaError": "RESOURCE_EXHAUSTED"}, "Too many", "3s")),
        Step(200, [{"results": [{"campaign": {"id": "1"}}], "fieldMask": "campaign.id"}]),
    ]
    with scripted_server(steps) as (url, _):
        rows = google_api(url, sleeps).search_stream("SELECT campaign.id FROM campaign")
    assert rows == [{"campaign": {"id": "1"}}]
    assert 3.0 <= sleeps[0] < 3.1


def test_google_ads_bad_query_fails_with_the_error_code() -> None:
    body = google_error(400, "INVALID_ARGUMENT", {"queryError": "UNRECOGNIZED_FIELD"}, "Unrecognized field 'x'.")
    with scripted_server([Step(400, body)]) as (url, script), pytest.raises(RequestError) as err:
        google_api(url, []).search_stream("SELECT x FROM campaign")
    assert len(script.requests) == 1
    assert "UNRECOGNIZED_FIELD" in str(err.value) and "INVALID_ARGUMENT" in str(err.value)


@pytest.mark.parametrize(
    "usage",
    [
        "[" * 5000 + "]" * 5000,  # nested beyond Python's recursion limit
        '{"act_1": [{"estimated_time_to_regain_access": "soon"}]}',  # not a number
        '{"act_1": ["not an object"]}',
    ],
)
def test_meta_rate_limit_with_a_hostile_usage_header_is_still_waited_out(usage: str) -> None:
    sleeps: list[float] = []
    steps = [
        Step(400, meta_error(80004, "(#80004) There have been too many calls"), {"X-Business-Use-Case-Usage": usage}),
        Step(200, {"data": [{"id": "1"}]}),
    ]
    with scripted_server(steps) as (url, script):
        body = meta_api(url, sleeps).get("act_1", "campaigns", {"fields": "id"})
    assert body["data"] == [{"id": "1"}]
    assert len(script.requests) == 2 and len(sleeps) == 1


@pytest.mark.parametrize("details", [["not an object"], [{"errors": ["nor this"]}], "a string"])
def test_google_ads_error_with_odd_details_is_classified_not_a_crash(details: object) -> None:
    sleeps: list[float] = []
    error = [{"error": {"code": 429, "message": "Too many", "status": "RESOURCE_EXHAUSTED", "details": details}}]
    steps = [Step(429, error), Step(200, [{"results": [{"campaign": {"id": "1"}}]}])]
    with scripted_server(steps) as (url, _):
        rows = google_api(url, sleeps).search_stream("SELECT campaign.id FROM campaign")
    assert rows == [{"campaign": {"id": "1"}}] and len(sleeps) == 1
