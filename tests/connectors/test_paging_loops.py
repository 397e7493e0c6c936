"""Paging cursors that repeat or cycle end the stream partial at the last good page, with an error that names the
stream and says the cursor repeated, instead of looping forever (or, with offsets, stopping early with records
missing). Each scripted server below loops for a while and then gives up, so the code before the guard finished
"complete" here instead of hanging the test run."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from connectors.hubspot import HubSpotConfig, HubSpotConnector
from connectors.mailchimp import MailchimpConfig, MailchimpConnector
from connectors.meta import MetaAdsConnector, MetaConfig
from connectors.raw.store import RawStore
from connectors.raw.sync import SyncResult, run_stream_sync
from tests.connectors.scripted_server import Step, scripted_server

T = "2026-01-02T00:00:00.000Z"
GIVE_UP_AFTER = 40  # requests: then the scripted vendor stops looping


def crm(i: int) -> dict[str, Any]:
    return {"id": str(i), "properties": {"hs_object_id": str(i)}, "createdAt": T, "updatedAt": T, "archived": False}


def hubspot(url: str) -> HubSpotConnector:
    cfg = HubSpotConfig(access_token="pat-na1-secret-0000", base_url=url, backoff_base_s=0.01, lookback_minutes=0)
    return HubSpotConnector(cfg)


def quarantine(db: Path, source: str) -> list[tuple[str, str, dict]]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(f"select stream, reason, payload from raw_{source}._quarantine").fetchall()
    return [(stream, reason, json.loads(payload)) for stream, reason, payload in rows]


def assert_stopped_at_repeat(result: SyncResult, source: str, stream: str) -> None:
    assert result.status == "partial", result
    assert result.quarantined_by_reason == {"repeated_cursor": 1}
    assert f"{source}.{stream}" in result.error and "repeated" in result.error


class Looping:
    """A responder that serves ``answer(request)`` until it has answered GIVE_UP_AFTER requests, then ``final``."""

    def __init__(self, answer, final: Step) -> None:
        self.answer, self.final, self.count = answer, final, 0

    def __call__(self, request: dict) -> Step:
        self.count += 1
        return self.answer(request) if self.count <= GIVE_UP_AFTER else self.final


def test_hubspot_after_cursor_that_cycles_ends_the_stream_partial_at_the_last_good_page(tmp_path: Path) -> None:
    pages = {None: (["1", "2"], "2"), "2": (["3", "4"], "3"), "3": (["5", "6"], "2")}  # 3 sends back to 2

    def answer(request: dict) -> Step:
        if request["query"].get("archived") == ["true"]:
            return Step(200, {"results": []})
        ids, nxt = pages[(request["query"].get("after") or [None])[0]]
        return Step(
            200,
            {
                "results": [{"id": i, "email": f"o{i}@x.com", "updatedAt": T} for i in ids],
                "paging": {"next": {"after": nxt}},
            },
        )

    db = tmp_path / "w.duckdb"
    with scripted_server(Looping(answer, Step(200, {"results": []}))) as (url, script):
        with RawStore(db, "hubspot") as store:
            result = run_stream_sync(store, hubspot(url).reader("owners"), mode="full_refresh")
            state = store.get_state("owners")
            stored = store.count("owners")
        served = len(script.requests)
    assert_stopped_at_repeat(result, "hubspot", "owners")
    assert served == 3  # it noticed on the page that pointed back, and asked for nothing more
    # The pages before the repeat are in; the page whose cursor repeated is not, and the next run starts there.
    assert stored == 4 and state.status == "partial" and state.state["run"]["after"] == "3"
    [(stream, reason, payload)] = quarantine(db, "hubspot")
    assert (stream, reason) == ("owners", "repeated_cursor")
    assert payload["request"] == "GET /crm/v3/owners" and payload["cursor"] == "2"


def test_hubspot_crm_list_cursor_cycle_in_a_full_refresh(tmp_path: Path) -> None:
    pages = {None: ([1, 2], "p2"), "p2": ([3, 4], "p3"), "p3": ([5, 6], "p2")}

    def answer(request: dict) -> Step:
        if request["route"] == "/crm/v3/properties/companies":
            return Step(200, {"results": [{"name": "name"}]})
        if request["query"].get("archived") == ["true"]:
            return Step(200, {"results": []})
        ids, nxt = pages[(request["query"].get("after") or [None])[0]]
        return Step(200, {"results": [crm(i) for i in ids], "paging": {"next": {"after": nxt}}})

    looping = Looping(answer, Step(200, {"results": []}))
    with scripted_server(looping) as (url, _), RawStore(tmp_path / "w.duckdb", "hubspot") as store:
        result = run_stream_sync(store, hubspot(url).reader("companies"), mode="full_refresh")
        state = store.get_state("companies")
        assert store.count("companies") == 4
    assert_stopped_at_repeat(result, "hubspot", "companies")
    assert state.state["run"]["phase"] == "active" and state.state["run"]["after"] == "p3"


def test_hubspot_keyset_search_that_ignores_the_id_filter_does_not_loop(tmp_path: Path) -> None:
    # A full page (200, the search limit) of the same records, whatever hs_object_id > last id says.
    same = {"total": 1000, "results": [crm(i) for i in range(1, 201)]}

    def answer(request: dict) -> Step:
        if request["route"].startswith("/crm/v3/properties/"):
            return Step(200, {"results": [{"name": "name"}]})
        if request["route"].endswith("/search"):
            return Step(200, same)
        return Step(200, {"results": []})

    with scripted_server(Looping(answer, Step(200, {"total": 0, "results": []}))) as (url, script):
        with RawStore(tmp_path / "w.duckdb", "hubspot") as store:
            store.save_state(
                "companies", {"cursor": "2026-01-01T00:00:00.000Z", "run": None}, status="complete", sync_id="earlier"
            )
            result = run_stream_sync(store, hubspot(url).reader("companies"), mode="incremental")
            state = store.get_state("companies")
            assert store.count("companies") == 200
        searches = [r for r in script.requests if r["route"].endswith("/search")]
    assert_stopped_at_repeat(result, "hubspot", "companies")
    assert len(searches) == 2
    assert state.state["run"]["phase"] == "changed" and state.state["run"]["last_id"] == "200"


def test_hubspot_association_paging_that_cycles_does_not_loop(tmp_path: Path) -> None:
    def answer(request: dict) -> Step:
        route = request["route"]
        if route.startswith("/crm/v3/properties/"):
            return Step(200, {"results": [{"name": "hs_survey_type"}]})
        if route.startswith("/crm/v4/associations/"):
            inputs = request["json"]["inputs"]
            return Step(
                200,
                {
                    "results": [
                        {
                            "from": {"id": i["id"]},
                            "to": [{"toObjectId": 9, "associationTypes": []}],
                            "paging": {"next": {"after": "a1"}},
                        }
                        for i in inputs
                    ]
                },
            )
        if request["query"].get("archived") == ["true"]:
            return Step(200, {"results": []})
        return Step(200, {"results": [crm(1)]})

    final = Step(200, {"results": []})
    with scripted_server(Looping(answer, final)) as (url, _), RawStore(tmp_path / "w.duckdb", "hubspot") as store:
        result = run_stream_sync(store, hubspot(url).reader("feedback_submissions"), mode="full_refresh")
    assert_stopped_at_repeat(result, "hubspot", "feedback_submissions")
    assert "associations" in result.error


def test_meta_cursors_after_that_cycles_ends_partial(tmp_path: Path) -> None:
    pages = {None: ("1", "c1"), "c1": ("2", "c2"), "c2": ("3", "c1")}

    def answer(request: dict) -> Step:
        rid, nxt = pages[(request["query"].get("after") or [None])[0]]
        return Step(
            200,
            {
                "data": [{"id": rid, "name": "x", "updated_time": "2026-01-02T00:00:00+0000"}],
                "paging": {"cursors": {"after": nxt}, "next": "http://graph/next"},
            },
        )

    with scripted_server(Looping(answer, Step(200, {"data": []}))) as (url, _):
        cfg = MetaConfig(access_token="EAAB-secret", base_url=url, ad_account_id="act_1", backoff_base_s=0.01)
        conn = MetaAdsConnector(cfg, start_date=date(2026, 1, 1))
        with RawStore(tmp_path / "w.duckdb", "meta_ads") as store:
            result = run_stream_sync(store, conn.reader("campaigns"), mode="full_refresh")
            state = store.get_state("campaigns")
            assert store.count("campaigns") == 2
    assert_stopped_at_repeat(result, "meta_ads", "campaigns")
    assert state.state["run"]["after"] == "c2"


def test_mailchimp_server_that_ignores_the_offset_is_caught_instead_of_losing_records(tmp_path: Path) -> None:
    # Six lists, two per page; the server answers the first page whatever the offset. Walking the offsets to
    # total_items would end "complete" with four lists never read.
    page = {"lists": [{"id": "a1"}, {"id": "b2"}], "total_items": 6}
    with scripted_server(Looping(lambda r: Step(200, page), Step(200, {"lists": [], "total_items": 6}))) as (url, _):
        cfg = MailchimpConfig(api_key="key-us6", base_url=url, page_size=2, backoff_base_s=0.01)
        with RawStore(tmp_path / "w.duckdb", "mailchimp") as store:
            result = run_stream_sync(store, MailchimpConnector(cfg).reader("lists"), mode="full_refresh")
            state = store.get_state("lists")
            assert store.count("lists") == 2
    assert_stopped_at_repeat(result, "mailchimp", "lists")
    assert state.state["run"]["offset"] == 2  # the next run asks for that page again
