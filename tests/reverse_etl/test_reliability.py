"""Exactly-once effects under faults, a poison row isolated by bisection, and a crash between send and commit."""

from __future__ import annotations

from pathlib import Path

import pytest

from reverse_etl.config import load_syncs, parse_sync
from reverse_etl.engine import RunOptions, run_sync
from reverse_etl.hubspot import HubSpotWriter
from reverse_etl.ledger import Ledger
from sandbox.testing import SandboxHandle
from tests.reverse_etl.helpers import (
    emails_count,
    execute,
    ledger_rows,
    list_members,
    query,
    read_contacts,
    segment_contact_ids,
    session,
)

NEW_PEOPLE = 60
UPSERT_ROUTE = "POST /crm/v3/objects/{objectType}/batch/upsert"

# Contacts of the world (matched by id) plus new people only known by email (created by upsert): a duplicate
# create under faults would show up as an email counted twice.
SCORE_SYNC = parse_sync(
    {
        "name": "score_test",
        "source": {
            "model": "score_source",
            "schema": "main",
            "identity_model": "score_people",
            "anonymous_column": None,
        },
        "destination": {"kind": "contact_properties"},
        "mode": "upsert",
        "batch_size": 10,  # small batches: more calls for the fault plan to hit
        "mappings": [
            {"column": "score_text", "property": "journeyhub_score", "type": "string"},
            {"column": "stage", "property": "journeyhub_stage_test", "type": "string"},
        ],
    }
)


def _make_score_source(path: Path, *, poison_key: str | None) -> dict[str, str]:
    """``main.score_people`` / ``main.score_source``; returns {person_key: email} of the new people."""
    execute(
        path,
        "create or replace table main.score_people as "
        "select person_key, email, primary_contact_id, is_archived from marts.dim_persons "
        "where primary_contact_id is not null and not is_archived "
        f"union all select 'new_' || i, 'new.person' || i || '@example.org', null, false from range({NEW_PEOPLE}) t(i)",
        "create or replace table main.score_source as select person_key, cast(length(person_key) * 3 as varchar) "
        "as score_text, 'stage_' || substr(person_key, 1, 3) as stage from main.score_people",
    )
    if poison_key:
        execute(path, f"update main.score_source set score_text = 'not-a-number' where person_key = '{poison_key}'")
    return {f"new_{i}": f"new.person{i}@example.org" for i in range(NEW_PEOPLE)}


def _create_number_property(sb: SandboxHandle) -> None:
    """A portal admin made journeyhub_score a number property; our definition still maps it as text."""
    body = {
        "name": "journeyhub_score",
        "label": "Score",
        "type": "number",
        "fieldType": "number",
        "groupName": "contactinformation",
    }
    r = session(sb).post(f"{sb.hubspot.base_url}/crm/v3/properties/contacts", json=body)
    assert r.status_code == 201, r.text


def test_faults_and_poison_row_exactly_once(warehouse: Path, ledger: Ledger, writer: HubSpotWriter, sb):
    new_people = _make_score_source(warehouse, poison_key="new_7")
    _create_number_property(sb)
    emails_before = emails_count(sb)
    sb.hubspot.set_faults(rate=0.1, kinds=("429", "500", "apply_then_500"), seed=7)

    first = run_sync(SCORE_SYNC, ledger, writer)
    faults = [w["fault"] for w in sb.hubspot.writes() if w["fault"]]
    assert "apply_then_500" in faults, "the fault plan must have hit a write"
    assert first.status == "partial"
    assert [r["record_key"] for r in first.rejected] == ["new_7"]
    assert "not-a-number" in first.rejected[0]["error"] and "VALIDATION_ERROR" in first.rejected[0]["error"]
    assert sb.hubspot.token not in first.rejected[0]["error"]
    good = first.counts["added"] - 1
    assert first.counts["delivered"] == good

    # every good row is in the CRM once: no email counted twice, every new person created exactly once
    after = emails_count(sb)
    assert [e for e, n in after.items() if e and n > 1] == []
    for key, email in new_people.items():
        assert after[email] == (0 if key == "new_7" else 1), (key, email)
    assert sum(after.values()) == sum(emails_before.values()) + NEW_PEOPLE - 1

    # the values arrived: learned ids for the created people, properties read back by id
    learned = dict(query(warehouse, "select person_key, hubspot_id from reverse_etl._id_map"))
    assert set(learned) == set(new_people) - {"new_7"}
    expected = dict(query(warehouse, "select person_key, score_text from main.score_source"))
    ids = dict(query(warehouse, "select person_key, primary_contact_id from main.score_people"))
    ids.update(learned)
    crm = read_contacts(sb, sorted(ids[k] for k in expected if k != "new_7"), ["journeyhub_score"])
    wrong = [k for k in expected if k != "new_7" and crm[ids[k]]["journeyhub_score"] != expected[k]]
    assert wrong == []
    delivered = query(
        warehouse,
        "select record_key, count(*) from reverse_etl._changes where status = 'delivered' "
        "group by 1 having count(*) > 1",
    )
    assert delivered == []

    # next run: only the poison row is retried (and rejected again); good rows are not sent again
    sb.hubspot.clear_faults()
    sb.hubspot.reset_writes()
    second = run_sync(SCORE_SYNC, ledger, writer)
    assert second.counts["added"] == 1 and second.counts["unchanged"] == good
    assert [r["record_key"] for r in second.rejected] == ["new_7"]
    assert "not-a-number" in second.rejected[0]["error"]
    assert [(w["route"], w["inputs"], w["status"]) for w in sb.hubspot.writes()] == [(UPSERT_ROUTE, 1, 400)]
    assert emails_count(sb)[new_people["new_7"]] == 0
    rejected = query(warehouse, "select sync_name, record_key, rejections, last_error from reverse_etl._rejections")
    assert [r[:3] for r in rejected] == [("score_test", "new_7", 2)] and "not-a-number" in rejected[0][3]

    # rejected twice with the same values: with hold_after_rejections 2 the row is held, and nothing is sent
    sb.hubspot.reset_writes()
    holding = SCORE_SYNC.model_copy(update={"hold_after_rejections": 2})
    held = run_sync(holding, ledger, writer)
    assert held.status == "success" and held.counts["added"] == 0 and held.counts["invalid"] == 1
    assert held.invalid[0]["record_key"] == "new_7"
    assert held.invalid[0]["reason"].startswith("held: HubSpot rejected these values 2 runs in a row")
    assert "not-a-number" in held.invalid[0]["reason"]
    assert sb.hubspot.writes() == []

    # once the model is fixed the row goes through, and its rejection count is cleared
    execute(warehouse, "update main.score_source set score_text = '42' where person_key = 'new_7'")
    third = run_sync(holding, ledger, writer)
    assert third.status == "success" and third.counts["delivered"] == 1
    assert emails_count(sb)[new_people["new_7"]] == 1
    assert ledger_rows(warehouse, "_rejections") == []


class Crash(RuntimeError):
    pass


def _crash(_changes) -> None:
    raise Crash("killed after sending, before the commit")


def test_crash_between_send_and_commit_then_rerun(warehouse: Path, ledger: Ledger, writer: HubSpotWriter, sb):
    new_people = _make_score_source(warehouse, poison_key=None)
    stalled = load_syncs()["list_stalled_in_consideration"]
    sb.hubspot.set_faults(rate=0.1, kinds=("429", "500", "apply_then_500"), seed=7)

    for sync in (SCORE_SYNC, stalled):
        with pytest.raises(Crash):
            run_sync(sync, ledger, writer, RunOptions(after_send=_crash))
    # the sends happened, nothing was committed
    assert emails_count(sb)[new_people["new_0"]] == 1
    assert ledger_rows(warehouse, "_snapshots") == [] and ledger_rows(warehouse, "_id_map") == []
    statuses = query(warehouse, "select status from reverse_etl._sync_runs")
    assert sorted(s for (s,) in statuses) == ["running", "running"]

    for sync in (SCORE_SYNC, stalled):
        result = run_sync(sync, ledger, writer)
        assert result.status == "success", result.rejected[:3]
    counts = emails_count(sb)
    assert [e for e, n in counts.items() if e and n > 1] == []
    assert all(counts[e] == 1 for e in new_people.values())
    expected_members = segment_contact_ids(warehouse, "stalled_in_consideration")
    assert list_members(sb, stalled.destination.list_name) == expected_members
    statuses = dict(query(warehouse, "select status, count(*) from reverse_etl._sync_runs group by 1"))
    assert statuses == {"interrupted": 2, "success": 2}

    # members added by the crashed run still count as ours: mirror removes them when they leave the segment
    sb.hubspot.clear_faults()
    execute(
        warehouse,
        "delete from marts.segment_membership where segment_name = 'stalled_in_consideration' and person_key in "
        "(select person_key from marts.segment_membership where segment_name = 'stalled_in_consideration' "
        "order by person_key limit 5)",
    )
    result = run_sync(stalled, ledger, writer)
    assert result.counts["removed"] == 5 and result.status == "success"
    assert list_members(sb, stalled.destination.list_name) == segment_contact_ids(warehouse, "stalled_in_consideration")
