"""Typeform syncs against the sandbox: faults (500s, 429s, timeouts) change nothing, incremental equals full, and
every stored response of a known person carries the hidden field that resolves to that person (the ground truth)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from connectors.raw.store import RawStore
from connectors.typeform import TypeformConfig, TypeformConnector
from sandbox.server.faults import FaultPlan
from sandbox.server.typeform import TypeformLimits
from sandbox.testing import run_sandbox
from sandbox.world import World, WorldConfig

CONFIG = WorldConfig(people=200, seed=11)


def sync(sb, path: Path, mode: str = "full_refresh", **overrides) -> None:
    env = {**sb.env(), "TYPEFORM_REQUESTS_PER_SECOND": "200", "TYPEFORM_PAGE_SIZE": "4"}
    config = TypeformConfig.from_env(env, backoff_base_s=0.01, **overrides)
    with RawStore(path, "typeform") as store, TypeformConnector(config) as connector:
        results = connector.sync(store, mode=mode)
    assert all(r.status == "complete" for r in results), results


def rows(path: Path, table: str) -> dict[str, str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return dict(con.execute(f"select record_id, payload::varchar from raw_typeform.{table}").fetchall())
    finally:
        con.close()


def test_a_sync_with_faults_equals_one_without(tmp_path: Path) -> None:
    world = World(CONFIG)
    with run_sandbox(world, vendors=("typeform",), segment_export=False, typeform_limits=TypeformLimits(200)) as sb:
        sync(sb, tmp_path / "clean.duckdb")
        sb.typeform.set_faults(FaultPlan(rate=0.35, kinds=("500", "429", "503", "slow"), seed=5, slow_seconds=1.2))
        sync(sb, tmp_path / "faulty.duckdb", timeout_s=0.3)
        time.sleep(1.5)  # a slow answer the client gave up on is counted once the server has slept it out
        faults = sb.typeform.stats()["faults_injected"]
    assert {"500", "429", "slow"} <= set(faults), faults
    clean = rows(tmp_path / "clean.duckdb", "responses")
    assert clean and rows(tmp_path / "faulty.duckdb", "responses") == clean
    assert rows(tmp_path / "faulty.duckdb", "forms") == rows(tmp_path / "clean.duckdb", "forms")
    print(f"\n{len(clean)} responses equal with faults {faults}")


def test_incremental_equals_full(tmp_path: Path) -> None:
    world = World(CONFIG, now=datetime(2026, 2, 1, tzinfo=UTC))
    with run_sandbox(world, vendors=("typeform",), segment_export=False, typeform_limits=TypeformLimits(200)) as sb:
        inc = tmp_path / "incremental.duckdb"
        sync(sb, inc, "incremental")
        counts = [len(rows(inc, "responses"))]
        for _ in range(4):
            sb.advance(days=15)
            sync(sb, inc, "incremental")
            counts.append(len(rows(inc, "responses")))
        sync(sb, tmp_path / "full.duckdb")
    assert counts[0] < counts[-1], counts
    assert rows(inc, "responses") == rows(tmp_path / "full.duckdb", "responses")
    print(f"\nresponses after each incremental run: {counts}")


def test_every_known_persons_response_resolves_to_them(tmp_path: Path) -> None:
    world = World(CONFIG)
    with run_sandbox(world, vendors=("typeform",), segment_export=False, typeform_limits=TypeformLimits(200)) as sb:
        sync(sb, tmp_path / "w.duckdb")
    import json

    stored = {k: json.loads(v) for k, v in rows(tmp_path / "w.duckdb", "responses").items()}
    m = world.manifest()
    truth = {r["token"]: r for r in m.survey_responses}
    persons = {p["person_id"]: p for p in m.persons}
    owned = {r["record_id"]: r["person_id"] for r in m.records if r["source"] == "typeform"}
    emails = {e for p in m.persons for e in (p.get("emails") or "").split(";") if e}
    resolved = by_contact = strangers = 0
    for rid, payload in stored.items():
        row = truth[payload["token"]]
        hidden = payload["hidden"]
        if not row["person_id"]:
            strangers += 1
            assert rid not in owned and not hidden["contact_id"]
            assert hidden["email"].strip().lower() not in emails, "a stranger's address is nobody's"
            continue
        person = persons[row["person_id"]]
        assert owned[rid] == row["person_id"]
        contact_ok = hidden["contact_id"] and hidden["contact_id"] in person["hubspot_contact_ids"].split(";")
        email_ok = hidden["email"].strip().lower() in person["emails"].split(";")
        assert contact_ok or email_ok, (rid, hidden, person["person_id"])
        resolved += 1
        by_contact += bool(contact_ok)
    completed = [r for r in m.survey_responses if r["completed"]]
    assert len(stored) == len(completed), "every submitted response is stored, no partial one"
    assert resolved and strangers
    print(
        f"\n{resolved}/{resolved} responses of known persons resolve to them ({by_contact} by contact_id, the rest by "
        f"email); {strangers} from nobody the world knows; "
        f"{len(m.survey_responses) - len(completed)} partial ones not stored"
    )
