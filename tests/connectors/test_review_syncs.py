"""The Trustpilot and Google Business Profile connectors against the sandbox: faults change nothing, incremental
equals full, tokens are renewed, each contract reason quarantines its records, and every Trustpilot review with a
known person's email lands on that person (precision and recall printed)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import duckdb
import pytest

from connectors.core.errors import AuthenticationError
from connectors.raw.store import RawStore
from connectors.registry import connector_from_env
from connectors.trustpilot import TrustpilotApi, TrustpilotConfig
from sandbox.testing import run_sandbox
from sandbox.world import World, WorldConfig
from sandbox.world.voice.reviews import review_book
from tests.connectors.scripted_server import Exchange, proxy_server
from tests.support.warehouse import describe_differences, raw_snapshot

SOURCES = ("trustpilot", "google_business")
VENDORS = ("trustpilot", "google_business")
# Small pages so paging, resuming and faults get exercised on a small world.
FAST = {"TRUSTPILOT_PAGE_SIZE": "7", "GOOGLE_BUSINESS_PAGE_SIZE": "5"}


def sync(path: Path, env: dict[str, str], source: str, mode: str = "incremental") -> tuple[list[Any], Any]:
    with connector_from_env(source, env) as conn, RawStore(path, source) as store:
        for http in (conn.api.http, getattr(conn.api, "token_http", None), getattr(conn.api, "locations_http", None)):
            if http is not None:
                http.retry = http.retry.__class__(max_attempts=10, base_delay_s=0.05)
        return conn.sync(store, mode=mode), conn.api.http.stats


def assert_same(want: Path, got: Path, source: str) -> None:
    problems = describe_differences(raw_snapshot(want, source), raw_snapshot(got, source))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("source", SOURCES)
def test_faults_give_the_same_warehouse(tmp_path: Path, source: str) -> None:
    world = World(WorldConfig(seed=11, people=300, days=60))
    with run_sandbox(world, vendors=VENDORS, segment_export=False) as sb:
        tiny = {"TRUSTPILOT_PAGE_SIZE": "1", "GOOGLE_BUSINESS_PAGE_SIZE": "2"}  # many requests to fault
        clean, _ = sync(tmp_path / "clean.duckdb", {**sb.env(), **tiny}, source, mode="full_refresh")
        vendor = getattr(sb, source)
        vendor.set_faults(
            rate=0.3, kinds=["429", "429_retry_after", "500", "502", "503", "cut", "slow"], seed=3, slow_seconds=1.5
        )
        env = {**sb.env(), **tiny, "TRUSTPILOT_TIMEOUT_S": "1", "GOOGLE_BUSINESS_TIMEOUT_S": "1"}
        faulted, _ = sync(tmp_path / "faulted.duckdb", env, source, mode="full_refresh")
        injected = vendor.stats()["faults_injected"]
    assert sum(r.pages for r in clean) > len(clean), "expected several pages"
    assert sum(injected.values()) >= 4 and len(injected) >= 3, injected
    assert all(r.status == "complete" for r in faulted)
    assert_same(tmp_path / "clean.duckdb", tmp_path / "faulted.duckdb", source)


@pytest.mark.parametrize("source", SOURCES)
def test_incremental_equals_full(tmp_path: Path, source: str) -> None:
    world = World(WorldConfig(seed=7, people=300, days=60))
    db = tmp_path / "incremental.duckdb"
    with run_sandbox(world, vendors=VENDORS, segment_export=False) as sb:
        sync(db, {**sb.env(), **FAST}, source, mode="full_refresh")
        before = {r["id"]: r for r in review_book(world).trustpilot_at(world.now_ms)}
        records = []
        for _ in range(3):  # new reviews, revisions and replies arrive as the clock moves
            sb.advance(days=10)
            results, _ = sync(db, {**sb.env(), **FAST}, source)
            records.append(sum(r.records for r in results))
        sync(tmp_path / "full.duckdb", {**sb.env(), **FAST}, source, mode="full_refresh")
        full = sum(len(rows) for rows in raw_snapshot(tmp_path / "full.duckdb", source).values())
        after = review_book(world).trustpilot_at(world.now_ms)
    revised = [r for r in after if r["id"] in before and r["updatedAt"] != before[r["id"]]["updatedAt"]]
    if source == "trustpilot":
        assert revised, "the world revises some reviews after the first sync"
    assert_same(tmp_path / "full.duckdb", db, source)
    assert max(records) < full, "incremental syncs read less than everything"


def test_trustpilot_token_is_renewed_when_it_expires(small_world: WorldConfig) -> None:
    world = World(small_world)
    with run_sandbox(world, vendors=("trustpilot",), segment_export=False) as sb:
        config = TrustpilotConfig.from_env({**sb.env(), "TRUSTPILOT_PAGE_SIZE": "5"})
        # The server's tokens live 0.3 s but it says "0": the client cannot know, and learns it from the 401.
        sb.trustpilot.app.token_ttl_s = 0.3
        api = TrustpilotApi(config)
        pages = api.review_pages({"orderBy": "createdat.asc"})
        first, _ = next(pages)
        time.sleep(0.5)
        second, _ = next(pages)
        assert api.tokens_fetched == 2 and first and second and first != second
        assert sb.trustpilot.stats()["by_status"].get("401") == 1
        api.close()
        # A token the server says lives 100 s is renewed before it lapses, without a 401.
        sb.trustpilot.app.token_ttl_s = 100.0
        now = [0.0]
        api = TrustpilotApi(config, clock=lambda: now[0])
        pages = api.review_pages({"orderBy": "createdat.asc"})
        next(pages)
        now[0] = 95.0
        next(pages)
        assert api.tokens_fetched == 2 and sb.trustpilot.stats()["by_status"].get("401") == 1
        api.close()
        # Wrong credentials fail on the token endpoint, naming the variables and never the secret.
        bad = TrustpilotConfig.from_env({**sb.env(), "TRUSTPILOT_CLIENT_SECRET": "not-the-secret-0000"})
        api = TrustpilotApi(bad)
        with pytest.raises(AuthenticationError) as err:
            next(api.review_pages({}))
        api.close()
    assert "TRUSTPILOT_CLIENT_SECRET" in str(err.value) and "not-the-secret-0000" not in str(err.value)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _break_trustpilot(ex: Exchange) -> object | None:
    if not ex.path.endswith("/reviews") or ex.query.get("page") != ["1"] or not isinstance(ex.body, dict):
        return None
    reviews = [dict(r) for r in ex.body["reviews"]]
    reviews[0].pop("stars")
    reviews[1]["stars"] = 6
    reviews[2]["stars"] = 4.5
    reviews[3].pop("createdAt")
    reviews[4]["createdAt"] = "last tuesday"
    reviews[5]["updatedAt"] = "2026-13-45T99:00:00Z"
    return {**ex.body, "reviews": reviews}


def _break_google(ex: Exchange) -> object | None:
    if not ex.path.endswith("/reviews") or "pageToken" in ex.query or not isinstance(ex.body, dict):
        return None
    reviews = [dict(r) for r in ex.body.get("reviews", [])]
    if ex.path.split("/")[-2] != sorted(_LOCATION_IDS)[0] or len(reviews) < 5:
        return None
    reviews[0].pop("starRating")
    reviews[1]["starRating"] = "STAR_RATING_UNSPECIFIED"
    reviews[2]["starRating"] = "SIX"
    reviews[3].pop("updateTime")
    reviews[4]["createTime"] = "yesterday"
    return {**ex.body, "reviews": reviews}


_LOCATION_IDS: list[str] = []
EXPECTED_REASONS = {
    "trustpilot": {"missing_stars": 1, "invalid_stars": 2, "missing_timestamp": 1, "unparseable_timestamp": 2},
    "google_business": {
        "missing_stars": 1,
        "unknown_star_rating": 2,
        "missing_timestamp": 1,
        "unparseable_timestamp": 1,
    },
}


@pytest.mark.parametrize("source", SOURCES)
def test_each_contract_reason_quarantines_its_records(tmp_path: Path, small_world: WorldConfig, source: str) -> None:
    from sandbox.world.voice.reviews import LOCATIONS

    _LOCATION_IDS[:] = [loc for loc, *_ in LOCATIONS]
    world = World(small_world)
    db = tmp_path / "w.duckdb"
    with run_sandbox(world, vendors=VENDORS, segment_export=False) as sb:
        env = {**sb.env(), **FAST}
        sync(tmp_path / "clean.duckdb", env, source, mode="full_refresh")
        mutate = _break_trustpilot if source == "trustpilot" else _break_google
        with proxy_server(_origin(sb.env()[f"{source.upper()}_BASE_URL"]), mutate) as (url, _):
            proxied = {
                **env,
                "TRUSTPILOT_BASE_URL": url,
                "GOOGLE_BUSINESS_BASE_URL": url,
                "GOOGLE_BUSINESS_LOCATIONS_URL": url,
            }
            results, _ = sync(db, proxied, source, mode="full_refresh")
    reviews = next(r for r in results if r.stream == "reviews")
    assert reviews.status == "complete"
    assert reviews.quarantined_by_reason == EXPECTED_REASONS[source]
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(f"select reason, record_id, payload from raw_{source}._quarantine").fetchall()
    assert len(rows) == sum(EXPECTED_REASONS[source].values()) and all(rid and raw for _, rid, raw in rows)
    clean = raw_snapshot(tmp_path / "clean.duckdb", source)["reviews"]
    kept = raw_snapshot(db, source)["reviews"]
    assert set(kept) < set(clean) and len(clean) - len(kept) == len(rows), "every other review is stored as it was"
    assert all(kept[rid] == clean[rid] for rid in kept)


def _norm(email: str) -> str:
    return email.strip().lower()


def test_trustpilot_reviews_land_on_the_right_person(tmp_path: Path) -> None:
    world = World(WorldConfig(seed=42, people=500))
    db = tmp_path / "w.duckdb"
    with run_sandbox(world, vendors=("trustpilot",), segment_export=False) as sb:
        sync(db, sb.env(), "trustpilot", mode="full_refresh")
        manifest = world.manifest()
    truth = {r["record_id"]: r["person_id"] for r in manifest.records if r["source"] == "trustpilot"}
    owner_of_email: dict[str, set[str]] = {}
    for p in manifest.persons:
        for email in filter(None, str(p.get("emails") or "").split(";")):
            owner_of_email.setdefault(_norm(email), set()).add(p["person_id"])
    reviews = raw_snapshot(db, "trustpilot")["reviews"]
    predicted: dict[str, str] = {}
    for rid, (payload, _, _) in reviews.items():
        owners = owner_of_email.get(_norm(payload.get("referralEmail") or ""), set())
        if len(owners) == 1:
            predicted[rid] = next(iter(owners))
    correct = sum(1 for rid, pid in predicted.items() if truth.get(rid) == pid)
    precision = correct / len(predicted)
    recall = correct / len(truth)
    unknown = len(set(reviews) - set(truth))
    print(
        f"\ntrustpilot reviews -> persons by normalised referralEmail: {len(reviews)} reviews, {len(truth)} by known "
        f"persons, {unknown} from unknown addresses; precision {precision:.3f}, recall {recall:.3f}"
    )
    assert set(truth) <= set(reviews) and unknown > 0
    assert not set(predicted) - set(truth), "no review from an unknown address is given to someone"
    assert precision == 1.0 and recall == 1.0


@pytest.mark.parametrize("source", SOURCES)
def test_killed_sync_resumes_without_duplicates(tmp_path: Path, source: str) -> None:
    from tests.connectors.test_vendor_syncs import _kill_mid_sync, _unfinished_streams

    world = World(WorldConfig(seed=7, people=300, days=60))
    one_per_page = {"TRUSTPILOT_PAGE_SIZE": "1", "GOOGLE_BUSINESS_PAGE_SIZE": "1"}
    with run_sandbox(world, vendors=VENDORS, segment_export=False) as sb:
        env = {**os.environ, **sb.env(), **one_per_page}
        sync(tmp_path / "clean.duckdb", env, source, mode="full_refresh")
        for attempt in range(5):  # the kill races the child: retry until a run was really cut short
            db = tmp_path / f"w{attempt}.duckdb"
            _kill_mid_sync(db, env, source)
            if _unfinished_streams(db, source):
                break
        else:
            pytest.fail("five kills in a row landed between streams: nothing was left unfinished")
        results, _ = sync(db, env, source)
    assert any(r.resumed for r in results)
    assert not _unfinished_streams(db, source)
    assert_same(tmp_path / "clean.duckdb", db, source)
