"""The HTTP layer against a hostile server: bodies that trickle in, redirects to other hosts, absurdly nested JSON."""

from __future__ import annotations

import json
import random
import time
from datetime import date
from pathlib import Path

import pytest

from connectors.core.errors import ConfigurationError, MalformedPageError, RequestError, RetriesExhaustedError
from connectors.core.http import HttpClient, RetryPolicy
from connectors.google_ads import GoogleAdsApi, GoogleAdsConfig
from connectors.hubspot import HubSpotConfig, HubSpotConnector
from connectors.meta import MetaAdsConnector, MetaConfig
from connectors.raw.store import RawStore
from connectors.raw.sync import run_stream_sync
from tests.connectors.scripted_server import Step, scripted_server

SECRET = "pat-na1-11111111-2222-3333-4444-555555555555"
# A second loopback host: a redirect there leaves the vendor's host, as a redirect to an attacker's would.
OTHER_HOST = "127.0.0.2"
# connectors.core.jsonbody.MAX_JSON_DEPTH: orjson, which stores every payload, serialises no deeper.
MAX_JSON_DEPTH = 254


def client_for(url: str, *, attempts: int = 3, **kw) -> HttpClient:
    return HttpClient(
        url,
        source="testvendor",
        credential_env_var="TESTVENDOR_TOKEN",
        headers={"Authorization": f"Bearer {SECRET}", "developer-token": "devtok-secret-123"},
        secrets=[SECRET, "devtok-secret-123"],
        retry=RetryPolicy(max_attempts=attempts, base_delay_s=0.01),
        sleep=lambda s: None,
        rng=random.Random(1),
        **kw,
    )


def _wait_for(predicate, timeout_s: float = 10.0) -> None:
    end = time.monotonic() + timeout_s
    while not predicate() and time.monotonic() < end:
        time.sleep(0.05)


# -- a total deadline per request -------------------------------------------------------------------------------


def test_a_body_that_trickles_in_is_cut_off_at_the_total_deadline() -> None:
    # One byte every 0.2 s is always inside the 1 s read timeout, so only a deadline for the whole answer (three
    # read timeouts by default) stops it; the whole body would take about 9 s.
    body = {"results": ["x" * 30]}
    size = len(json.dumps(body).encode())
    with scripted_server([Step(200, body, trickle_s=0.2)]) as (url, script):
        client = client_for(url, attempts=1, timeout_s=1.0)
        with pytest.raises(RetriesExhaustedError) as err:
            client.get("/slow")
        _wait_for(lambda: bool(script.bytes_sent))
    assert "timeout" in str(err.value) and "3s" in str(err.value)
    assert client.stats.failures["TransientError"] == 1
    # The client hung up: the server could not send the whole body.
    assert script.bytes_sent and script.bytes_sent[0] < size


def test_a_trickled_body_is_retried_like_any_timeout() -> None:
    steps = [Step(200, {"results": ["x" * 30]}, trickle_s=0.2), Step(200, {"results": [1]})]
    with scripted_server(steps) as (url, script):
        client = client_for(url, timeout_s=1.0, total_timeout_s=1.0)
        assert client.get("/slow") == {"results": [1]}
    assert len(script.requests) == 2 and client.stats.retries == 1


# -- redirects ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_to_another_host_is_refused_and_no_credential_reaches_it(status: int) -> None:
    # requests drops Authorization on a redirect to another host, but not Google's developer-token header.
    with scripted_server([], host=OTHER_HOST) as (other, elsewhere):
        location = f"{other}/collect?access_token=leaked-abc&x=1"
        with scripted_server([Step(status, b"", {"Location": location})]) as (url, script):
            config = GoogleAdsConfig(
                access_token="ya29.secret-access",
                developer_token="devtok-secret-123",
                customer_id="1234567890",
                base_url=url,
            )
            api = GoogleAdsApi(config)
            api.http.retry = RetryPolicy(max_attempts=3, base_delay_s=0.01)
            with pytest.raises(RequestError) as err:
                api.search_stream("SELECT campaign.id FROM campaign")
    assert elsewhere.requests == []
    message = str(err.value)
    assert f"HTTP {status}" in message and other.removeprefix("http://") in message
    assert "collect" not in message and "leaked-abc" not in message  # the host only, never the path or query
    assert len(script.requests) == 1  # a redirect is an answer, not a hiccup: not retried


def test_a_hubspot_page_redirected_elsewhere_fails_the_stream_instead_of_storing_the_other_hosts_answer(
    tmp_path: Path,
) -> None:
    t = "2026-01-02T00:00:00.000Z"
    owners = [{"id": str(i), "email": f"o{i}@x.com", "updatedAt": t} for i in range(1, 6)]
    with scripted_server([Step(200, {"results": []})] * 5, host=OTHER_HOST) as (other, elsewhere):
        steps = [
            Step(200, {"results": owners[:2], "paging": {"next": {"after": "3"}}}),
            Step(302, b"", {"Location": f"{other}/crm/v3/owners?after=3&hapikey=abc"}),
        ]
        with scripted_server(steps) as (url, _):
            conn = HubSpotConnector(HubSpotConfig(access_token=SECRET, base_url=url, backoff_base_s=0.01))
            with RawStore(tmp_path / "w.duckdb", "hubspot") as store:
                with pytest.raises(RequestError) as err:
                    run_stream_sync(store, conn.reader("owners"), mode="full_refresh")
                status, error = store.con.execute("select status, error from raw_hubspot._sync_runs").fetchone()
                state = store.get_state("owners")
                stored = store.count("owners")
    assert elsewhere.requests == []
    assert "HTTP 302" in str(err.value) and other.removeprefix("http://") in str(err.value)
    assert status == "failed" and "HTTP 302" in error and "hapikey" not in error
    # Nothing of the other host's answer was stored; the run resumes after the first page.
    assert stored == 2 and state.status == "failed" and state.state["run"]["after"] == "3"


def test_an_absolute_url_on_another_host_is_refused_before_anything_is_sent() -> None:
    with scripted_server([], host=OTHER_HOST) as (other, elsewhere), scripted_server([]) as (url, _):
        client = client_for(url)
        with pytest.raises(ConfigurationError) as err:
            client.get(f"{other}/x?token=1")
    assert elsewhere.requests == []
    assert OTHER_HOST in str(err.value)


# -- deeply nested JSON -------------------------------------------------------------------------------------------


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_json_nested_five_thousand_levels_is_an_unparseable_page() -> None:
    with scripted_server([Step(200, _nested(5000))] * 3) as (url, script), pytest.raises(MalformedPageError) as err:
        client_for(url).get("/deep")
    assert len(script.requests) == 3
    assert f"nested deeper than {MAX_JSON_DEPTH} levels" in err.value.problem


@pytest.mark.parametrize(
    ("depth", "ok"),
    [(MAX_JSON_DEPTH, True), (MAX_JSON_DEPTH + 1, False), (600, False), (990, False)],
)
def test_the_depth_limit_is_the_same_whichever_way_a_body_is_parsed(depth: int, ok: bool) -> None:
    # An object around the lists, and a NaN beside them on the second variant, so both decoding paths are covered.
    plain = b'{"results": ' + _nested(depth - 1) + b"}"
    with_nan = b'{"nan": NaN, "results": ' + _nested(depth - 1) + b"}"
    for body in (plain, with_nan):
        with scripted_server([Step(200, body)] * 3) as (url, _):
            client = client_for(url)
            if ok:
                assert isinstance(client.get("/d")["results"], list)
            else:
                with pytest.raises(MalformedPageError, match="nested deeper"):
                    client.get("/d")


def test_a_meta_stream_with_a_deeply_nested_page_ends_partial(tmp_path: Path) -> None:
    first = {
        "data": [{"id": "1", "name": "ok", "updated_time": "2026-01-02T00:00:00+0000"}],
        "paging": {"cursors": {"after": "c1"}, "next": "http://x/next"},
    }
    with scripted_server([Step(200, first), *[Step(200, _nested(5000))] * 3]) as (url, _):
        cfg = MetaConfig(access_token="t0ken-xyz", base_url=url, ad_account_id="act_1", backoff_base_s=0.01)
        conn = MetaAdsConnector(cfg, start_date=date(2026, 1, 1))
        with RawStore(tmp_path / "w.duckdb", "meta_ads") as store:
            result = run_stream_sync(store, conn.reader("campaigns"), mode="full_refresh")
            state = store.get_state("campaigns")
    assert result.status == "partial" and result.records == 1
    assert result.quarantined_by_reason == {"malformed_page": 1}
    assert state.state["run"]["after"] == "c1"
