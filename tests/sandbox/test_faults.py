from __future__ import annotations

import socket
import time

import pytest
import requests

from sandbox.testing import run_sandbox
from sandbox.world import World, WorldConfig


@pytest.fixture(scope="module")
def sb():
    with run_sandbox(World(WorldConfig(people=40))) as handle:
        yield handle


def _get(sb, timeout=5.0):
    return requests.get(
        f"{sb.hubspot.base_url}/crm/v3/objects/contacts",
        headers={"Authorization": f"Bearer {sb.hubspot.token}"},
        timeout=timeout,
    )


@pytest.mark.parametrize(
    ("kind", "status"), [("429_retry_after", 429), ("429", 429), ("500", 500), ("502", 502), ("503", 503)]
)
def test_short_circuit_faults(sb, kind, status):
    sb.hubspot.set_faults(rate=1.0, kinds=(kind,), seed=1)
    try:
        r = _get(sb)
    finally:
        sb.hubspot.clear_faults()
    assert r.status_code == status
    if kind == "429_retry_after":
        assert r.headers["Retry-After"] == "1"
    if kind == "429":
        assert "Retry-After" not in r.headers
        assert r.json()["policyName"] == "TEN_SECONDLY_ROLLING"
    if kind == "502":
        assert r.headers["Content-Type"].startswith("text/html") and b"Bad Gateway" in r.content
    assert r.headers["Content-Length"] == str(len(r.content))
    assert sb.hubspot.stats()["faults_injected"].get(kind, 0) >= 1
    assert _get(sb).status_code == 200


def test_slow_fault_exceeds_client_timeout(sb):
    sb.hubspot.set_faults(rate=1.0, kinds=("slow",), slow_seconds=0.6)
    try:
        with pytest.raises(requests.exceptions.ReadTimeout):
            _get(sb, timeout=0.2)
        r = _get(sb, timeout=5)  # a patient client gets the normal answer
        assert r.status_code == 200 and r.json()["results"]
    finally:
        sb.hubspot.clear_faults()


def test_cut_fault_truncates_body(sb):
    sb.hubspot.set_faults(rate=1.0, kinds=("cut",))
    try:
        with pytest.raises(requests.exceptions.RequestException):
            _get(sb).json()
        # raw socket: full Content-Length announced, about half the body sent, then the connection closes
        host, port = sb.hubspot.base_url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=5) as s:
            s.sendall(
                b"GET /crm/v3/objects/contacts?limit=50 HTTP/1.1\r\nHost: x\r\n"
                + f"Authorization: Bearer {sb.hubspot.token}\r\n\r\n".encode()
            )
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = int(next(h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")).split(b":")[1])
        assert head.startswith(b"HTTP/1.1 200")
        assert 0 < len(body) < length
    finally:
        sb.hubspot.clear_faults()


def test_fault_rate_is_deterministic_and_control_endpoints(sb):
    base = sb.hubspot.base_url
    r = requests.post(f"{base}/_sandbox/faults", json={"rate": 0.5, "kinds": ["500", "503"], "seed": 7})
    assert r.status_code == 200 and r.json()["rate"] == 0.5
    first = [_get(sb).status_code for _ in range(20)]
    requests.post(f"{base}/_sandbox/faults", json={"rate": 0.5, "kinds": ["500", "503"], "seed": 7})
    second = [_get(sb).status_code for _ in range(20)]
    requests.post(f"{base}/_sandbox/faults", json={"rate": 0})
    assert first == second
    assert {500, 503, 200} >= set(first) and 200 in first and len(set(first)) > 1
    # control endpoints are never faulted and need no auth
    requests.post(f"{base}/_sandbox/faults", json={"rate": 1.0, "kinds": ["500"]})
    try:
        assert requests.get(f"{base}/_sandbox/stats").status_code == 200
    finally:
        requests.post(f"{base}/_sandbox/faults", json={"rate": 0})
    assert requests.post(f"{base}/_sandbox/faults", json={"rate": 0.5, "kinds": ["boom"]}).status_code == 400
    stats = requests.get(f"{base}/_sandbox/stats").json()
    assert stats["by_route"]["GET /crm/v3/objects/{objectType}"] >= 40
    assert stats["records_served"]["GET /crm/v3/objects/{objectType}"] > 0


def test_faulted_request_has_no_side_effects():
    from sandbox.server.hubspot import RateLimits

    with run_sandbox(World(WorldConfig(people=10)), rate_limits=RateLimits(per_interval=3)) as sb:
        sb.hubspot.set_faults(rate=1.0, kinds=("500",))
        assert [_get(sb).status_code for _ in range(5)] == [500] * 5
        sb.hubspot.clear_faults()
        # the faulted requests used none of the 3-per-window budget
        assert [_get(sb).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_every_vendor_has_the_generic_faults_and_its_own_stats():
    with run_sandbox(World(WorldConfig(people=30)), vendors=("mailchimp", "meta", "google_ads")) as sb:
        env = sb.env()
        calls = {
            "mailchimp": lambda: requests.get(
                f"{env['MAILCHIMP_BASE_URL']}/lists", auth=("x", env["MAILCHIMP_API_KEY"]), timeout=5
            ),
            "meta": lambda: requests.get(
                f"{env['META_BASE_URL']}/v25.0/{env['META_PAGE_ID']}/posts",
                params={"access_token": env["META_ACCESS_TOKEN"]},
                timeout=5,
            ),
            "google_ads": lambda: requests.post(
                f"{env['GOOGLE_ADS_BASE_URL']}/v24/customers/{env['GOOGLE_ADS_CUSTOMER_ID']}/googleAds:searchStream",
                json={"query": "SELECT campaign.id FROM campaign"},
                headers={
                    "Authorization": f"Bearer {env['GOOGLE_ADS_ACCESS_TOKEN']}",
                    "developer-token": env["GOOGLE_ADS_DEVELOPER_TOKEN"],
                },
                timeout=5,
            ),
        }
        for name, call in calls.items():
            vendor = getattr(sb, name)
            assert call().status_code == 200
            vendor.set_faults(rate=1.0, kinds=("cut",))
            with pytest.raises(requests.exceptions.RequestException):
                call().json()
            vendor.set_faults(rate=1.0, kinds=("slow",), slow_seconds=0.5)
            with pytest.raises(requests.exceptions.Timeout):
                requests.get(f"{vendor.base_url}/nothing", timeout=0.2)
            time.sleep(0.5)  # the slow request is recorded once answered
            vendor.clear_faults()
            stats = vendor.stats()
            assert stats["faults_injected"] == {"cut": 1, "slow": 1} and stats["requests"] == 3
            assert sum(stats["records_served"].values()) > 0
            sb.advance(hours=1)
            clock = requests.get(f"{vendor.base_url}/_sandbox/clock", timeout=5).json()["now"]
            assert clock == sb.env()["JOURNEYHUB_TODAY"] + clock[10:]
