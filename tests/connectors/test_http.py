"""The shared HTTP layer: retries, backoff, Retry-After, timeouts, cut bodies, typed errors, no secrets."""

from __future__ import annotations

import logging
import random

import pytest

from connectors.core.errors import AuthenticationError, ConfigurationError, RequestError, RetriesExhaustedError
from connectors.core.http import HttpClient, Redactor, RetryPolicy, parse_retry_after
from connectors.core.ratelimit import SlidingWindowLimiter
from tests.connectors.scripted_server import Step, scripted_server

SECRET = "pat-na1-11111111-2222-3333-4444-555555555555"


def make_client(url: str, sleeps: list[float], **kw) -> HttpClient:
    return HttpClient(
        url,
        source="testvendor",
        credential_env_var="TESTVENDOR_TOKEN",
        headers={"Authorization": f"Bearer {SECRET}"},
        secrets=[SECRET],
        timeout_s=kw.pop("timeout_s", 2.0),
        retry=kw.pop("retry", RetryPolicy(max_attempts=5, base_delay_s=0.01)),
        sleep=sleeps.append,
        rng=random.Random(1),
        **kw,
    )


def test_retries_transient_failures_then_returns_body() -> None:
    steps = [
        Step(429, {"status": "error", "message": "slow down"}, {"Retry-After": "2"}),
        Step(500, {"message": "boom"}),
        Step(502, b"<html>bad gateway</html>"),
        Step(200, {"results": [1, 2, 3]}, cut=True),
        Step(200, {"results": [1, 2, 3]}),
    ]
    sleeps: list[float] = []
    with scripted_server(steps) as (url, script):
        client = make_client(url, sleeps)
        assert client.get("/things") == {"results": [1, 2, 3]}
    assert len(script.requests) == 5
    assert client.stats.retries == 4
    # Retry-After is honoured (2 s plus a little jitter); the others back off exponentially from the base.
    assert 2.0 <= sleeps[0] < 2.1
    assert all(s < 1.0 for s in sleeps[1:])


def test_timeout_is_retried() -> None:
    sleeps: list[float] = []
    with scripted_server([Step(200, {"late": True}, delay_s=1.5), Step(200, {"ok": 1})]) as (url, _):
        client = make_client(url, sleeps, timeout_s=0.5)
        assert client.get("/x") == {"ok": 1}
    assert client.stats.failures["TransientError"] == 1


def test_gives_up_after_max_attempts_with_a_clear_error() -> None:
    sleeps: list[float] = []
    with scripted_server([Step(503, {"message": "down"})] * 5) as (url, _):
        client = make_client(url, sleeps)
        with pytest.raises(RetriesExhaustedError) as err:
            client.get("/x")
    assert "still failing after 5 attempts" in str(err.value)
    assert "HTTP 503" in str(err.value)
    assert len(sleeps) == 4


def test_backoff_grows_exponentially_without_retry_after() -> None:
    policy = RetryPolicy(base_delay_s=1.0, max_delay_s=60.0)
    rng = random.Random(7)
    ceilings = [policy.delay(attempt, None, rng) for attempt in range(1, 8)]
    assert all(d <= min(60.0, 2 ** (i)) for i, d in enumerate(ceilings))
    assert max(ceilings[4:]) > 2.0  # later attempts can wait much longer than early ones


def test_auth_error_names_the_variable_and_hides_the_token(caplog: pytest.LogCaptureFixture) -> None:
    body = {
        "status": "error",
        "message": f"Authentication credentials not found for token {SECRET}",
        "category": "INVALID_AUTHENTICATION",
        "correlationId": "x",
    }
    caplog.set_level(logging.DEBUG)
    with scripted_server([Step(401, body)]) as (url, script):
        client = make_client(url, [])
        with pytest.raises(AuthenticationError) as err:
            client.get(f"/x?token={SECRET}")
    assert len(script.requests) == 1  # never retried
    text = f"{err.value} {err.value!r} {caplog.text}"
    assert "TESTVENDOR_TOKEN" in str(err.value)
    assert SECRET not in text
    assert err.value.__cause__ is None


def test_bad_request_is_not_retried() -> None:
    body = {"status": "error", "message": "Property values were not valid", "category": "VALIDATION_ERROR"}
    with scripted_server([Step(400, body)]) as (url, script):
        client = make_client(url, [])
        with pytest.raises(RequestError) as err:
            client.post("/x", json_body={"a": 1})
    assert len(script.requests) == 1
    assert "VALIDATION_ERROR: Property values were not valid" in str(err.value)


def test_connection_refused_names_base_url_variable() -> None:
    client = make_client("http://127.0.0.1:9", [], base_url_env_var="TESTVENDOR_BASE_URL")
    with pytest.raises(RetriesExhaustedError) as err:
        client.get("/x")
    assert "TESTVENDOR_BASE_URL" in str(err.value)


def test_rejects_a_base_url_that_is_not_http() -> None:
    with pytest.raises(ConfigurationError, match="not an http"):
        make_client("ftp://example.com", [])


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("soon") is None


def test_redactor_scrubs_every_secret() -> None:
    redact = Redactor(["abcd1234", None, "xy"])  # too-short secrets are ignored rather than shredding text
    assert redact("token=abcd1234&x=abcd1234") == "token=***&x=***"
    assert redact("xy") == "xy"


def test_sliding_window_limiter_waits_for_the_window() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    limiter = SlidingWindowLimiter(3, 10.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        assert limiter.acquire() == 0.0
    waited = limiter.acquire()
    assert 9.9 < waited < 10.1
    assert now[0] >= 10.0
