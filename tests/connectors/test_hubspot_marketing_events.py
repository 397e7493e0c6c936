"""The HubSpot connector's marketing_events and marketing_event_participations streams: against the sandbox (with
and without faults, full and incremental, checked against the direct loader), against a scripted portal for each
quarantine reason, and against the world's ground truth (every participation lands on its person's contact)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from connectors.hubspot import HubSpotConfig, HubSpotConnector
from connectors.raw.store import RawStore
from sandbox.loader import load_hubspot
from sandbox.server.hubspot import RateLimits
from sandbox.testing import run_sandbox
from sandbox.world import World, WorldConfig
from tests.connectors.scripted_server import Step, scripted_server
from tests.support.warehouse import describe_differences, raw_snapshot

STREAMS = ["marketing_events", "marketing_event_participations"]
CFG = WorldConfig(seed=5, people=300)


def config_for(base_url: str, token: str = "t", **overrides: Any) -> HubSpotConfig:
    base = {"requests_per_10s": 1000, "search_per_second": 50, "backoff_base_s": 0.05, "timeout_s": 2.0}
    base.update(overrides)
    return HubSpotConfig(access_token=token, base_url=base_url, **base)


def sync(path: Path, cfg: HubSpotConfig, mode: str = "incremental"):
    with RawStore(path, "hubspot") as store, HubSpotConnector(cfg) as conn:
        return conn.sync(store, STREAMS, mode=mode)


def expected(world: World, path: Path) -> dict:
    load_hubspot(path, world)
    snap = raw_snapshot(path)
    return {s: snap[s] for s in STREAMS}


def ours(path: Path) -> dict:
    snap = raw_snapshot(path)
    return {s: snap.get(s, {}) for s in STREAMS}


def test_full_sync_with_faults_equals_one_without_and_the_loader(tmp_path: Path) -> None:
    world = World(CFG)
    kinds = ["429_retry_after", "429", "500", "502", "503", "cut"]
    with run_sandbox(world, rate_limits=RateLimits(per_interval=100_000), segment_export=False) as sb:
        cfg = config_for(sb.hubspot.base_url, sb.hubspot.token)
        clean = sync(tmp_path / "clean.duckdb", cfg, mode="full_refresh")
        sb.hubspot.set_faults(rate=0.15, kinds=kinds, seed=7)
        faulty = sync(tmp_path / "faulty.duckdb", cfg, mode="full_refresh")
        injected = sb.hubspot.stats().get("faults_injected", {})
        sb.hubspot.clear_faults()
    assert sum(injected.values()) >= 5, injected
    assert all(r.status == "complete" and r.quarantined == 0 for r in clean + faulty)
    by_stream = {r.stream: r for r in clean}
    assert by_stream["marketing_events"].records >= 15 and by_stream["marketing_event_participations"].records > 200
    want = expected(world, tmp_path / "expected.duckdb")
    for db in ("clean.duckdb", "faulty.duckdb"):
        problems = describe_differences(want, ours(tmp_path / db))
        assert not problems, "\n".join(problems[:10])
    states = {p["properties"]["attendanceState"] for p, _, _ in want["marketing_event_participations"].values()}
    assert states == {"REGISTERED", "ATTENDED", "CANCELLED", "NO_SHOW"}


def test_incremental_runs_as_the_clock_moves_equal_one_full_sync(tmp_path: Path) -> None:
    world = World(CFG, now=CFG.start + (CFG.end - CFG.start) / 2)
    db = tmp_path / "w.duckdb"
    with run_sandbox(world, rate_limits=RateLimits(per_interval=100_000), segment_export=False) as sb:
        cfg = config_for(sb.hubspot.base_url, sb.hubspot.token)
        sync(db, cfg, mode="full_refresh")
        counts = []
        for _ in range(3):
            before = len(world.visible_participations())
            sb.advance(days=12)
            counts.append(len(world.visible_participations()) - before)
            results = sync(db, cfg)
            assert all(r.status == "complete" for r in results)
        sync(tmp_path / "full.duckdb", cfg, mode="full_refresh")
    assert all(c > 0 for c in counts), "the clock should bring new participations"
    problems = describe_differences(ours(tmp_path / "full.duckdb"), ours(db))
    assert not problems, "\n".join(problems[:10])
    problems = describe_differences(expected(world, tmp_path / "expected.duckdb"), ours(db))
    assert not problems, "\n".join(problems[:10])


# -- quarantine: a scripted portal with one bad record beside good ones ------------------------------------------


def _event(object_id: str, **changes: Any) -> dict[str, Any]:
    event = {
        "objectId": object_id,
        "eventName": "Webinar",
        "eventType": "WEBINAR",
        "startDateTime": "2026-02-01T16:00:00.000Z",
        "endDateTime": "2026-02-01T17:00:00.000Z",
        "eventOrganizer": "Us",
        "customProperties": [],
        "createdAt": "2026-01-01T00:00:00.000Z",
        "updatedAt": "2026-02-01T17:00:00.000Z",
    }
    event.update(changes)
    return {k: v for k, v in event.items() if v is not None}


def _participation(pid: str, state: Any = "ATTENDED", contact: Any = "1001") -> dict[str, Any]:
    assoc: dict[str, Any] = {"marketingEvent": {"marketingEventId": "11", "externalEventId": "x1"}}
    if contact is not None:
        assoc["contact"] = {"contactId": contact, "email": "a@example.com"}
    props: dict[str, Any] = {"occurredAt": 1769961600000, "attendanceDurationSeconds": 3000}
    if state is not None:
        props["attendanceState"] = state
    return {"id": pid, "createdAt": "2026-02-01T16:00:00.000Z", "associations": assoc, "properties": props}


def _portal(events: list[dict], parts: list[dict]):
    def answer(req: dict[str, Any]) -> Step:
        path = req["path"].split("?", 1)[0]
        if path.rstrip("/") == "/marketing/v3/marketing-events":
            return Step(200, {"results": events})
        if path.endswith("/breakdown"):
            return Step(200, {"total": len(parts), "results": parts})
        return Step(404, {"status": "error", "category": "OBJECT_NOT_FOUND", "message": "no"})

    return answer


def _quarantined(db: Path) -> list[tuple[str, str, str]]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "select stream, record_id, reason from raw_hubspot._quarantine order by stream, record_id"
        ).fetchall()


def test_an_event_without_start_or_end_dates_is_quarantined(tmp_path: Path) -> None:
    events = [_event("11"), _event("12", startDateTime=None), _event("13", endDateTime="soon")]
    db = tmp_path / "w.duckdb"
    with scripted_server(_portal(events, [])) as (url, _):
        results = sync(db, config_for(url))
    assert {r.stream: r.records for r in results}["marketing_events"] == 1
    assert _quarantined(db) == [
        ("marketing_events", "12", "missing_event_dates"),
        ("marketing_events", "13", "missing_event_dates"),
    ]
    # an upcoming event's future dates are no fault
    assert set(ours(db)["marketing_events"]) == {"11"}


def test_a_participation_with_an_unknown_attendance_state_is_quarantined(tmp_path: Path) -> None:
    parts = [_participation("1"), _participation("2", state="MAYBE"), _participation("3", state=None)]
    db = tmp_path / "w.duckdb"
    with scripted_server(_portal([_event("11")], parts)) as (url, _):
        sync(db, config_for(url))
    assert _quarantined(db) == [
        ("marketing_event_participations", "2", "unknown_attendance_state"),
        ("marketing_event_participations", "3", "unknown_attendance_state"),
    ]
    assert set(ours(db)["marketing_event_participations"]) == {"1"}


def test_a_participation_without_a_contact_is_quarantined(tmp_path: Path) -> None:
    parts = [_participation("1"), _participation("2", contact=None), _participation("3", contact=" ")]
    db = tmp_path / "w.duckdb"
    with scripted_server(_portal([_event("11")], parts)) as (url, _):
        sync(db, config_for(url))
    assert _quarantined(db) == [
        ("marketing_event_participations", "2", "missing_contact"),
        ("marketing_event_participations", "3", "missing_contact"),
    ]


# -- ground truth ---------------------------------------------------------------------------------------------


def test_every_participation_lands_on_the_contact_of_its_person(tmp_path: Path) -> None:
    world = World(CFG)
    db = tmp_path / "w.duckdb"
    with run_sandbox(world, rate_limits=RateLimits(per_interval=100_000), segment_export=False) as sb:
        sync(db, config_for(sb.hubspot.base_url, sb.hubspot.token), mode="full_refresh")
    world.write_manifest(tmp_path / "manifest")
    with (tmp_path / "manifest" / "records.csv").open() as f:
        records = list(csv.DictReader(f))
    contact_person = {r["record_id"]: r["person_id"] for r in records if r["stream"] == "contacts"}
    truth = {r["record_id"]: r["person_id"] for r in records if r["stream"] == "marketing_event_participations"}
    stored = ours(db)["marketing_event_participations"]
    landed = {pid: contact_person.get(p["associations"]["contact"]["contactId"]) for pid, (p, _, _) in stored.items()}
    right = sum(1 for pid, person in landed.items() if person is not None and truth.get(pid) == person)
    precision = right / len(landed)
    recall = sum(1 for pid, person in truth.items() if landed.get(pid) == person) / len(truth)
    print(
        f"\nmarketing event participations: {len(truth)} in the truth, {len(landed)} stored; "
        f"precision {precision:.3f}, recall {recall:.3f}"
    )
    assert len(truth) > 200
    assert precision == 1.0 and recall == 1.0
