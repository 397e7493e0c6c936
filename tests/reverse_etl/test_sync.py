"""Syncs against the sandbox portal: what lands in HubSpot equals the warehouse; unchanged data sends nothing; a
dry run changes nothing; the circuit breaker refuses a truncated segment."""

from __future__ import annotations

from pathlib import Path

from reverse_etl.config import load_syncs
from reverse_etl.engine import RunOptions, run_sync
from reverse_etl.hubspot import HubSpotWriter
from reverse_etl.ledger import Ledger
from reverse_etl.values import to_hubspot
from tests.reverse_etl.helpers import execute, ledger_rows, list_members, query, read_contacts, segment_contact_ids

SYNCS = load_syncs()
FIELDS = SYNCS["journey_fields_to_contacts"]
STALLED = SYNCS["list_stalled_in_consideration"]
ADVOCATES = SYNCS["list_advocates"]


def _expected_properties(path: Path) -> dict[str, dict[str, str]]:
    cols = [m.column for m in FIELDS.mappings]
    rows = query(
        path,
        f"select p.primary_contact_id, {', '.join('j.' + c for c in cols)} from marts.customer_journeys j "
        "join marts.dim_persons p using (person_key) where p.primary_contact_id is not null and not p.is_archived",
    )
    return {
        str(r[0]): {m.property: to_hubspot(v, m.type, m.options) for m, v in zip(FIELDS.mappings, r[1:], strict=True)}
        for r in rows
    }


def test_sync_makes_crm_equal_to_segment_tables(warehouse: Path, ledger: Ledger, writer: HubSpotWriter, sb):
    for sync in (FIELDS, STALLED, ADVOCATES):
        result = run_sync(sync, ledger, writer)
        assert result.status == "success", (result.status, result.rejected[:3])

    # list members, read back through the API, equal the segment tables
    for sync, segment in ((STALLED, "stalled_in_consideration"), (ADVOCATES, "advocates")):
        expected = segment_contact_ids(warehouse, segment)
        assert expected, segment
        assert list_members(sb, sync.destination.list_name) == expected

    # contact properties equal customer_journeys (normalised to HubSpot strings; null clears)
    expected = _expected_properties(warehouse)
    props = [m.property for m in FIELDS.mappings]
    crm = read_contacts(sb, sorted(expected), props)
    assert set(crm) == set(expected)
    mismatches = [
        (cid, p, crm[cid].get(p), want)
        for cid, values in expected.items()
        for p, want in values.items()
        if (crm[cid].get(p) or "") != want
    ]
    assert not mismatches, mismatches[:5]
    assert any(v["journeyhub_stage"] for v in expected.values())

    runs = ledger_rows(warehouse, "_sync_runs")
    assert len(runs) == 3 and {r[4] for r in runs} == {"success"}
    snap = query(warehouse, "select count(*) from reverse_etl._snapshots where sync_name = ?", [STALLED.name])
    assert snap[0][0] == len(segment_contact_ids(warehouse, "stalled_in_consideration"))


def test_second_sync_without_changes_makes_no_write_calls(warehouse: Path, ledger: Ledger, writer: HubSpotWriter, sb):
    for sync in (FIELDS, STALLED, ADVOCATES):
        run_sync(sync, ledger, writer)
    assert sb.hubspot.write_call_count() > 0
    sb.hubspot.reset_writes()
    for sync in (FIELDS, STALLED, ADVOCATES):
        again = run_sync(sync, ledger, writer)
        assert again.status == "success"
        assert again.counts["added"] == again.counts["changed"] == again.counts["removed"] == 0
    assert sb.hubspot.write_call_count() == 0, sb.hubspot.writes()

    # one real change is exactly one small write
    target = sorted(segment_contact_ids(warehouse, "advocates"))[0]
    execute(
        warehouse,
        "delete from marts.segment_membership where segment_name = 'advocates' and person_key = "
        f"(select person_key from marts.dim_persons where primary_contact_id = '{target}')",
    )
    result = run_sync(ADVOCATES, ledger, writer)
    assert result.counts["removed"] == 1 and result.status == "success"
    assert [w["route"] for w in sb.hubspot.writes()] == ["PUT /crm/v3/lists/{listId}/memberships/remove"]
    assert target not in list_members(sb, ADVOCATES.destination.list_name)


def test_dry_run_leaves_crm_and_sync_state_untouched(warehouse: Path, ledger: Ledger, writer: HubSpotWriter, sb):
    run_sync(STALLED, ledger, writer)
    members_before = list_members(sb, STALLED.destination.list_name)
    state_before = {t: ledger_rows(warehouse, t) for t in ("_sync_runs", "_changes", "_snapshots", "_id_map")}
    sb.hubspot.reset_writes()

    # half the segment leaves: a real run would remove them; the dry run only reports it
    execute(
        warehouse,
        "delete from marts.segment_membership where segment_name = 'stalled_in_consideration' "
        "and person_key in (select person_key from marts.segment_membership "
        "where segment_name = 'stalled_in_consideration' order by person_key limit 10)",
    )
    plan = run_sync(STALLED, ledger, writer, RunOptions(dry_run=True))
    assert plan.status == "dry_run" and plan.run_id is None
    assert plan.counts["removed"] == 10
    assert len(plan.samples["remove"]) == 5 and all(s["hubspot_id"] for s in plan.samples["remove"])
    assert sb.hubspot.write_call_count() == 0
    assert list_members(sb, STALLED.destination.list_name) == members_before
    assert {t: ledger_rows(warehouse, t) for t in state_before} == state_before


def test_breaker_refuses_truncated_segment(warehouse: Path, ledger: Ledger, writer: HubSpotWriter, sb):
    run_sync(STALLED, ledger, writer)
    members = list_members(sb, STALLED.destination.list_name)
    assert len(members) > 20
    snapshot_before = ledger_rows(warehouse, "_snapshots")
    sb.hubspot.reset_writes()

    execute(warehouse, "delete from marts.segment_membership where segment_name = 'stalled_in_consideration'")
    refused = run_sync(STALLED, ledger, writer)
    assert refused.status == "refused" and "empty source" in refused.message
    assert sb.hubspot.write_call_count() == 0
    assert list_members(sb, STALLED.destination.list_name) == members
    assert ledger_rows(warehouse, "_snapshots") == snapshot_before
    status = query(
        warehouse,
        "select status, removed, message from reverse_etl._sync_runs where sync_name = ? order by started_at",
        [STALLED.name],
    )
    assert status[-1][0] == "refused" and status[-1][1] == len(members)

    # an explicit override applies the removal (only of members this tool added)
    done = run_sync(STALLED, ledger, writer, RunOptions(allow_large_changes=True))
    assert done.status == "success" and done.counts["removed"] == len(members)
    assert list_members(sb, STALLED.destination.list_name) == set()


def test_mirror_never_removes_members_added_by_humans(warehouse: Path, ledger: Ledger, writer: HubSpotWriter, sb):
    from tests.reverse_etl.helpers import list_id, session

    run_sync(ADVOCATES, ledger, writer)
    lid = list_id(sb, ADVOCATES.destination.list_name)
    members = list_members(sb, ADVOCATES.destination.list_name)
    human = next(
        str(r[0])
        for r in query(
            warehouse, "select primary_contact_id from marts.dim_persons where primary_contact_id is not null"
        )
        if r[0] is not None and str(r[0]) not in members
    )
    r = session(sb).put(f"{sb.hubspot.base_url}/crm/v3/lists/{lid}/memberships/add", json=[human])
    assert r.status_code == 200 and r.json()["recordsIdsAdded"] == [human]

    execute(warehouse, "delete from marts.segment_membership where segment_name = 'advocates'")
    done = run_sync(ADVOCATES, ledger, writer, RunOptions(allow_large_changes=True))
    assert done.counts["removed"] == len(members)
    assert list_members(sb, ADVOCATES.destination.list_name) == {human}


def test_changes_older_than_the_retention_are_deleted_with_a_run(
    warehouse: Path, ledger: Ledger, writer: HubSpotWriter, sb
):
    first = run_sync(ADVOCATES, ledger, writer)
    assert first.counts["added"] > 0
    kept = len(ledger_rows(warehouse, "_changes", f"run_id = '{first.run_id}'"))
    assert kept == first.counts["added"]
    # age that run's rows, and a row of another sync, past the retention
    execute(
        warehouse,
        "update reverse_etl._changes set recorded_at = recorded_at - interval 91 day",
        "insert into reverse_etl._changes (run_id, sync_name, record_key, operation, status, recorded_at) "
        "values ('old', 'another_sync', 'k', 'add', 'delivered', now() - interval 400 day)",
    )
    short = ADVOCATES.model_copy(update={"changes_retention_days": 90})
    second = run_sync(short, ledger, writer)
    assert second.status == "success"
    assert ledger_rows(warehouse, "_changes", f"run_id = '{first.run_id}'") == []
    assert len(ledger_rows(warehouse, "_changes", "sync_name = 'another_sync'")) == 1  # other syncs: their own rules
    assert len(ledger_rows(warehouse, "_sync_runs", f"run_id = '{first.run_id}'")) == 1  # runs are kept


def test_breaker_refuses_a_model_that_suddenly_holds_many_more_people(
    warehouse: Path, ledger: Ledger, writer: HubSpotWriter, sb
):
    run_sync(STALLED, ledger, writer)
    members = list_members(sb, STALLED.destination.list_name)
    sb.hubspot.reset_writes()
    # a broken filter: every person of the warehouse is now "stalled in consideration"
    execute(
        warehouse,
        "insert into marts.segment_membership (person_key, segment_name, member_since) "
        "select person_key, 'stalled_in_consideration', current_timestamp from marts.dim_persons "
        "where person_key not in (select person_key from marts.segment_membership "
        "where segment_name = 'stalled_in_consideration')",
    )
    refused = run_sync(STALLED, ledger, writer)
    assert refused.status == "refused" and "would be added" in refused.message, refused.message
    assert refused.counts["added"] > STALLED.thresholds.max_add_share * len(members)
    assert sb.hubspot.write_call_count() == 0
    assert list_members(sb, STALLED.destination.list_name) == members
