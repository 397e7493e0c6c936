"""The direct loader's customer-voice rows (raw_typeform, raw_trustpilot, raw_google_business) are exactly what the
real connectors store after a full sync against the sandbox servers, at two clock positions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from connectors.raw.store import RawStore
from connectors.registry import connector_from_env
from sandbox.loader import ALL_SOURCES, load_world
from sandbox.loader_voice import STREAMS as VOICE_STREAMS
from sandbox.loader_voice import VOICE_SOURCES
from sandbox.server.typeform import TypeformLimits
from sandbox.testing import run_sandbox
from sandbox.world import World, WorldConfig

CFG = WorldConfig(seed=5, people=800, days=60)
# Small pages so the connectors page; Typeform's 2 requests/s lifted on both sides.
FAST = {
    "TYPEFORM_PAGE_SIZE": "7",
    "TYPEFORM_REQUESTS_PER_SECOND": "500",
    "TRUSTPILOT_PAGE_SIZE": "9",
    "GOOGLE_BUSINESS_PAGE_SIZE": "5",
}


def _rows(path: Path, source: str, stream: str) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            rid: (json.loads(p), upd, arch)
            for rid, p, upd, arch in con.execute(
                f"select record_id, payload::varchar, record_updated_at, is_archived from raw_{source}.{stream}"
            ).fetchall()
        }
    finally:
        con.close()


def _sync(path: Path, env: dict[str, str], source: str) -> None:
    with connector_from_env(source, env) as conn, RawStore(path, source) as store:
        for http in (conn.api.http, getattr(conn.api, "token_http", None), getattr(conn.api, "locations_http", None)):
            if http is not None:
                http.retry = http.retry.__class__(max_attempts=5, base_delay_s=0.05)
        results = conn.sync(store, mode="full_refresh", progress=lambda _: None)
    assert all(r.status == "complete" for r in results), results


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    """Two clock positions (mid-window and 25 days and 7 hours later, with reviews revised and replied to in
    between): at each, the loader from the world, the loader from the config at that clock, and a connector sync."""
    d = tmp_path_factory.mktemp("voice")
    world = World(CFG, now=datetime(2026, 2, 10, 9, tzinfo=UTC))
    out = []
    with run_sandbox(world, vendors=VOICE_SOURCES, segment_export=False, typeform_limits=TypeformLimits(500)) as sb:
        for k in range(2):
            if k:
                sb.advance(days=25, hours=7)
            pos = d / f"t{k}"
            pos.mkdir()
            loaded = load_world(pos / "loader.duckdb", world, vendors=VOICE_SOURCES)
            load_world(pos / "config.duckdb", CFG, now=world.now, vendors=VOICE_SOURCES)
            for source in VOICE_SOURCES:
                _sync(pos / "connector.duckdb", {**sb.env(), **FAST}, source)
            out.append((pos, loaded))
    return out


@pytest.mark.parametrize("source", VOICE_SOURCES)
@pytest.mark.parametrize("position", [0, 1])
def test_loader_equals_connector_full_sync(synced, source, position):
    pos, loaded = synced[position]
    streams = list(loaded[source].rows)
    assert streams == list(VOICE_STREAMS[source])
    matched = total = 0
    for stream in streams:
        got = _rows(pos / "connector.duckdb", source, stream)
        assert got, f"{source}.{stream} is empty after a sync"
        for db in ("loader.duckdb", "config.duckdb"):
            want = _rows(pos / db, source, stream)
            assert set(want) == set(got), (db, stream, sorted(set(want) ^ set(got))[:5])
            diff = [k for k in want if want[k] != got[k]]
            assert not diff, (db, stream, diff[0], want[diff[0]], got[diff[0]])
            matched += sum(want[k] == got[k] for k in got)
            total += len(got)
    # both loads (from the world and from the config at its clock) against the connector's rows
    print(f"\n{source} at clock {position}: {matched}/{total} loaded rows equal to the connector's ({streams})")


def test_second_clock_sees_changes(synced):
    """The two positions differ (new responses and reviews, revisions, replies), so the comparison covers the
    clock: more rows later, and some Google review changed in between."""
    (a, _), (b, _) = synced
    for source, stream in (("typeform", "responses"), ("trustpilot", "reviews"), ("google_business", "reviews")):
        early, late = _rows(a / "loader.duckdb", source, stream), _rows(b / "loader.duckdb", source, stream)
        assert set(early) < set(late), (source, stream, len(early), len(late))
    early, late = (
        _rows(a / "loader.duckdb", "google_business", "reviews"),
        _rows(b / "loader.duckdb", "google_business", "reviews"),
    )
    assert any(early[k] != late[k] for k in early), "no Google review changed between the clocks"


def test_voice_sources_are_loaded_by_default():
    assert set(VOICE_SOURCES) <= set(ALL_SOURCES)


def test_first_person_adds_what_the_next_people_bring(tmp_path):
    """Persons 120..199 of a world of 200, loaded on their own, are the rows a world of 200 has beyond a world of 120:
    no response or review written twice (strangers' answers and reviews, and Google reviews, included), and both
    loads together give the world of 200. Forms and locations come with every load."""
    now = datetime(2026, 3, 1, tzinfo=UTC)
    small, big = WorldConfig(seed=5, people=120, days=60), WorldConfig(seed=5, people=200, days=60)
    load_world(tmp_path / "small.duckdb", small, now=now, vendors=VOICE_SOURCES)
    added = load_world(tmp_path / "added.duckdb", big, now=now, vendors=VOICE_SOURCES, first_person=120)
    load_world(tmp_path / "full.duckdb", big, now=now, vendors=VOICE_SOURCES)
    assert added["google_business"].rows["reviews"] > 0 and added["trustpilot"].rows["reviews"] > 0
    for source in VOICE_SOURCES:
        for stream in added[source].rows:
            a, b = _rows(tmp_path / "small.duckdb", source, stream), _rows(tmp_path / "added.duckdb", source, stream)
            full = _rows(tmp_path / "full.duckdb", source, stream)
            if stream not in ("forms", "locations"):
                assert not set(a) & set(b), (source, stream, sorted(set(a) & set(b))[:3])
            assert full and {k: v[0] for k, v in {**a, **b}.items()} == {k: v[0] for k, v in full.items()}, stream
