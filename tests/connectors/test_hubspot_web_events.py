"""HubSpot's web analytics (the Events API, ``raw_hubspot.web_events``): paging, the incremental window, portals
without the API, the record contract, faults and a killed sync.

The sandbox's HubSpot server does not serve the Events API yet, so these tests run against a small Events API of
their own (:class:`EventsApi`): HubSpot's documented request (``objectType``, ``eventType``, ``occurredAfter``,
``occurredBefore``, ``limit``, ``after``) and answer (``results`` of ``{id, eventType, objectType, objectId,
occurredAt, properties}``, ``paging.next.after``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from connectors.core.clock import parse_present, to_iso_z
from connectors.core.errors import AuthenticationError
from connectors.hubspot import HubSpotConfig, HubSpotConnector
from connectors.raw.store import RawStore
from tests.connectors.scripted_server import Step, scripted_server
from tests.support.warehouse import describe_differences, raw_snapshot

REPO = Path(__file__).resolve().parents[2]
TOKEN = "pat-na1-webevents-secret-0000"
START = datetime(2026, 3, 1, 8, 0, 0)


def event(n: int, at: datetime) -> dict[str, Any]:
    """A page view as HubSpot's Events API returns it (the spec's ExternalUnifiedEvent)."""
    return {
        "id": f"{n:08x}-7c1e-4b6e-9a57-{n * 7919:012x}",
        "eventType": "e_visited_page",
        "objectType": "contact",
        "objectId": str(1000 + n % 37),
        "occurredAt": to_iso_z(at),
        "properties": {
            "hs_url": f"https://www.example.com/{['pricing', 'blog/attribution', 'demo', ''][n % 4]}",
            "hs_title": ["Pricing", "Attribution 101", "Book a demo", "Home"][n % 4],
            "hs_referrer": "https://www.google.com/" if n % 3 == 0 else "",
            "hs_userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15",
            "hs_city": "portland",
            "hs_region": "or",
            "hs_country": "us",
            "hs_session_id": f"session-{n // 3}",
            "hs_session_source": ["ORGANIC_SEARCH", "DIRECT_TRAFFIC", "PAID_SEARCH"][n % 3],
        },
    }


class EventsApi:
    """An Events API over a list of events: filters on the window, pages by an opaque ``after`` token, and can
    answer like a portal without the API (``unavailable``), inject faults, or slow down so a kill lands mid-sync."""

    def __init__(self, events: list[dict[str, Any]], *, page_limit: int = 100) -> None:
        self.events = events
        self.page_limit = page_limit
        self.unavailable: int | None = None
        self.fault_every = 0  # every n-th request answers with a fault (429, 502, a cut body in turn)
        self.faults = 0
        self.served = 0
        self.delay_s = 0.0
        self.calls: list[dict[str, list[str]]] = []
        self.searches = 0

    def __call__(self, request: dict[str, Any]) -> Step:
        if request["headers"].get("Authorization") != f"Bearer {TOKEN}":
            return Step(401, {"status": "error", "category": "INVALID_AUTHENTICATION", "message": "bad token"})
        if request["route"] == "/crm/v3/objects/contacts/search":
            # the late-views phase of incremental runs: no contact changed in these scripted portals
            self.searches += 1
            return Step(200, {"total": 0, "results": []})
        if request["route"] != "/events/v3/events/":
            return Step(404, {"status": "error", "category": "OBJECT_NOT_FOUND", "message": "no route"})
        if self.unavailable:
            return Step(self.unavailable, {"status": "error", "category": "FORBIDDEN", "message": "not on this tier"})
        self.served += 1
        if self.fault_every and self.served % self.fault_every == 0:
            self.faults += 1
            return [Step(429, {"status": "error", "message": "secondly"}), Step(502, {}), Step(cut=True)][
                self.faults % 3
            ]
        q = request["query"]
        self.calls.append(q)
        assert q["objectType"] == ["contact"] and q["eventType"] == ["e_visited_page"]
        after = parse_present(q["occurredAfter"][0]) if "occurredAfter" in q else None
        before = parse_present(q["occurredBefore"][0])
        window = [
            e
            for e in sorted(self.events, key=lambda e: (e["occurredAt"], e["id"]))
            if (after is None or parse_present(e["occurredAt"]) >= after) and parse_present(e["occurredAt"]) < before
        ]
        limit = min(int(q.get("limit", ["20"])[0]), self.page_limit)
        offset = int(q["after"][0].removeprefix("tok")) if "after" in q else 0
        body: dict[str, Any] = {"results": window[offset : offset + limit]}
        if offset + limit < len(window):
            body["paging"] = {"next": {"after": f"tok{offset + limit}", "link": "?after=..."}}
        return Step(200, body, delay_s=self.delay_s)


def events_between(first: int, last: int, start: datetime = START) -> list[dict[str, Any]]:
    return [event(n, start + timedelta(minutes=17 * n)) for n in range(first, last)]


def config(url: str, **overrides: Any) -> HubSpotConfig:
    base = {"requests_per_10s": 1000, "backoff_base_s": 0.01, "timeout_s": 2.0}
    return HubSpotConfig(access_token=TOKEN, base_url=url, **{**base, **overrides})


def sync(db: Path, cfg: HubSpotConfig, mode: str = "incremental", streams: list[str] | None = None):
    with RawStore(db, "hubspot") as store, HubSpotConnector(cfg) as conn:
        return conn.sync(store, streams or ["web_events"], mode=mode), conn.api.http


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def stored_events(db: Path) -> dict[str, Any]:
    return raw_snapshot(db)["web_events"]


def test_a_full_sync_pages_through_every_event_and_stores_it_untouched(tmp_path: Path) -> None:
    events = events_between(0, 230)
    api = EventsApi(events)
    db = tmp_path / "w.duckdb"
    with scripted_server(api) as (url, _):
        [result], _ = sync(db, config(url))
    assert result.status == "complete" and result.pages == 3 and result.records == 230
    assert stored_events(db) == {e["id"]: (e, parse_present(e["occurredAt"]), False) for e in events}
    assert result.cursor == max(e["occurredAt"] for e in events)
    first = api.calls[0]
    assert first["limit"] == ["100"] and "occurredAfter" not in first and "occurredBefore" in first
    # the window is fixed for the whole run: every page asks the same question
    assert {c["occurredBefore"][0] for c in api.calls} == {first["occurredBefore"][0]}


def test_an_incremental_sync_reads_only_the_window_after_the_cursor_minus_the_lookback(tmp_path: Path) -> None:
    api = EventsApi(events_between(0, 150))
    db = tmp_path / "w.duckdb"
    with scripted_server(api) as (url, _):
        [full], _ = sync(db, config(url), mode="full_refresh")
        api.events += events_between(150, 190)
        api.calls.clear()
        [incremental], _ = sync(db, config(url, lookback_minutes=60))
    since = parse_present(api.calls[0]["occurredAfter"][0])
    assert since == parse_present(full.cursor) - timedelta(minutes=60)
    # the new events and the few inside the lookback, not the whole history again
    assert incremental.mode == "incremental" and 40 <= incremental.records < 50
    assert incremental.cursor == max(e["occurredAt"] for e in api.events)
    clean = tmp_path / "clean.duckdb"
    with scripted_server(EventsApi(api.events)) as (url, _):
        sync(clean, config(url), mode="full_refresh")
    assert not describe_differences(raw_snapshot(clean), raw_snapshot(db))


@pytest.mark.parametrize("status", [403, 404])
def test_a_portal_without_the_events_api_ends_the_stream_unavailable_and_the_sync_goes_on(
    tmp_path: Path, status: int
) -> None:
    api = EventsApi(events_between(0, 10))
    api.unavailable = status
    db = tmp_path / "w.duckdb"

    def portal(request: dict[str, Any]) -> Step:
        if request["route"] == "/crm/v3/owners" and request["query"].get("archived") == ["true"]:
            return Step(200, {"results": []})
        if request["route"] == "/crm/v3/owners":
            return Step(200, {"results": [{"id": "7", "email": "o@x.com", "updatedAt": "2026-03-01T00:00:00Z"}]})
        return api(request)

    with scripted_server(portal) as (url, _):
        results, _ = sync(db, config(url), streams=["web_events", "owners"])
    web, owners = results
    assert web.status == "unavailable" and web.records == 0 and web.error is None
    assert f"HTTP {status}" in web.note and "no Events API" in web.note and "hs_analytics_" in web.note
    assert owners.status == "complete" and owners.records == 1  # the next stream still ran
    [(run_status, error, details)] = rows(
        db, "select status, error, details from raw_hubspot._sync_runs where stream = 'web_events'"
    )
    assert run_status == "unavailable" and error is None and "no Events API" in json.loads(details)["note"]
    assert rows(db, "select status from raw_hubspot._sync_state where stream = 'web_events'") == [("unavailable",)]
    assert rows(db, "select count(*) from raw_hubspot.web_events") == [(0,)]


def test_a_bad_token_still_fails_the_stream(tmp_path: Path) -> None:
    with scripted_server(EventsApi([])) as (url, _):
        cfg = HubSpotConfig(access_token="pat-na1-wrong-0000", base_url=url, backoff_base_s=0.01)
        with pytest.raises(AuthenticationError):
            sync(tmp_path / "w.duckdb", cfg)


def test_events_that_break_the_contract_are_quarantined_with_their_reason(tmp_path: Path) -> None:
    good = events_between(0, 5)
    bad = {
        "missing_primary_key": {**event(90, START), "id": None},
        "missing_object_id": {k: v for k, v in event(91, START).items() if k != "objectId"},
        "unparseable_timestamp": {**event(92, START), "occurredAt": "yesterday at noon"},
        "missing_timestamp": {k: v for k, v in event(93, START).items() if k != "occurredAt"},
        "timestamp_too_old": {**event(94, START), "occurredAt": "1970-01-01T00:00:00Z"},
        "duplicate_primary_key": {**good[1], "properties": {"hs_url": "a second copy"}},
    }
    db = tmp_path / "w.duckdb"

    def answer(request: dict[str, Any]) -> Step:
        return Step(200, {"results": [*good[:3], *bad.values(), *good[3:]]})

    with scripted_server(answer) as (url, _):
        [result], _ = sync(db, config(url))
    assert result.records == 5 and result.quarantined == len(bad)
    assert result.quarantined_by_reason == {reason: 1 for reason in bad}
    assert set(stored_events(db)) == {e["id"] for e in good}
    assert stored_events(db)[good[1]["id"]][0] == good[1]  # the first copy in the page is kept


def test_every_events_request_counts_against_the_ten_second_limiter(tmp_path: Path) -> None:
    api = EventsApi(events_between(0, 250))
    with scripted_server(api) as (url, server), RawStore(tmp_path / "w.duckdb", "hubspot") as store:
        with HubSpotConnector(config(url)) as conn:
            limiter = conn.api.http.limiters["default"]
            counted: list[float] = []
            acquire = limiter.acquire
            limiter.acquire = lambda: counted.append(1.0) or acquire()  # type: ignore[method-assign]
            conn.sync(store, ["web_events"], mode="full_refresh")
        assert len(counted) == len(server.requests) == 3


def test_a_repeating_paging_cursor_ends_the_stream_partial(tmp_path: Path) -> None:
    page = {"results": events_between(0, 2), "paging": {"next": {"after": "same"}}}
    other = {"results": events_between(2, 4), "paging": {"next": {"after": "same"}}}
    with scripted_server([Step(200, page), Step(200, other)]) as (url, _):
        [result], _ = sync(tmp_path / "w.duckdb", config(url))
    assert result.status == "partial" and result.quarantined_by_reason == {"repeated_cursor": 1}
    assert result.records == 2  # the first page is in; the next sync resumes at the page that looped


def test_faults_give_the_same_warehouse_as_a_clean_sync(tmp_path: Path) -> None:
    events = events_between(0, 420)
    clean, faulty = tmp_path / "clean.duckdb", tmp_path / "faulty.duckdb"
    with scripted_server(EventsApi(events)) as (url, _):
        sync(clean, config(url))
    api = EventsApi(events)
    api.fault_every = 2
    with scripted_server(api) as (url, _):
        _, http = sync(faulty, config(url))
    assert api.faults >= 2 and http.stats.retries >= api.faults
    assert not describe_differences(raw_snapshot(clean), raw_snapshot(faulty))


def test_a_sync_killed_mid_stream_resumes_at_its_last_page_and_equals_a_clean_sync(tmp_path: Path) -> None:
    events = events_between(0, 1200)
    clean = tmp_path / "clean.duckdb"
    with scripted_server(EventsApi(events)) as (url, _):
        sync(clean, config(url))
    api = EventsApi(events)
    api.delay_s = 0.15  # twelve pages: a kill after the second commit lands mid-stream
    db = tmp_path / "w.duckdb"
    with scripted_server(api) as (url, _):
        env = {**os.environ, "HUBSPOT_ACCESS_TOKEN": TOKEN, "HUBSPOT_BASE_URL": url, "PYTHONPATH": str(REPO)}
        cmd = [sys.executable, "-m", "connectors", "sync", "hubspot", "--streams", "web_events"]
        cmd += ["--warehouse", str(db), "--verbose"]
        proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert proc.stdout is not None
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if line.startswith("hubspot.web_events: 2 pages"):
                break
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL, "".join(seen)
        [(state,)] = rows(db, "select state from raw_hubspot._sync_state where stream = 'web_events'")
        assert json.loads(state)["run"]["after"], "the killed sync left no resume position"
        api.delay_s = 0.0
        before = len(api.calls)
        [result], _ = sync(db, config(url))
    assert result.resumed and result.status == "complete"
    # it continued from its saved page boundary: the resumed run's first request carries the saved token
    assert "after" in api.calls[before]
    assert not describe_differences(raw_snapshot(clean), raw_snapshot(db))
    assert rows(db, "select count(*) from raw_hubspot._quarantine") == [(0,)]
