"""Erasure: gdpr-deleted in HubSpot, gone from lists and from the ledger, never pushed (re-created) again."""

from __future__ import annotations

from pathlib import Path

from reverse_etl.config import load_syncs
from reverse_etl.engine import run_sync
from reverse_etl.erasure import process_erasures
from reverse_etl.hubspot import HubSpotWriter
from reverse_etl.ledger import Ledger, identifier_hash
from tests.reverse_etl.helpers import emails_count, execute, ledger_rows, list_members, query, session

SYNCS = load_syncs()
FIELDS = SYNCS["journey_fields_to_contacts"]
STALLED = SYNCS["list_stalled_in_consideration"]


def test_erased_person_is_deleted_in_crm_and_forgotten(warehouse: Path, ledger: Ledger, writer: HubSpotWriter, sb):
    for sync in (FIELDS, STALLED):
        assert run_sync(sync, ledger, writer).status == "success"
    person_key, email, contact_id = query(
        warehouse,
        "select p.person_key, p.email, p.primary_contact_id from marts.segment_membership s "
        "join marts.dim_persons p using (person_key) where s.segment_name = 'stalled_in_consideration' "
        "and p.email is not null and p.primary_contact_id is not null order by p.person_key limit 1",
    )[0]
    assert contact_id in list_members(sb, STALLED.destination.list_name)
    assert ledger_rows(warehouse, "_snapshots", f"record_key = '{person_key}'")

    # the request names the address in another case, as people type it
    execute(
        warehouse,
        f"insert into reverse_etl.erasure_requests values ('{email.upper()}', null, now())",
    )
    outcomes = process_erasures(ledger, writer)
    assert [o.result for o in outcomes] == ["erased"]

    # HubSpot: the contact is gone from every read, and from the list
    r = session(sb).get(f"{sb.hubspot.base_url}/crm/v3/objects/contacts/{contact_id}")
    assert r.status_code == 404
    assert contact_id not in list_members(sb, STALLED.destination.list_name)
    assert emails_count(sb)[email.lower()] == 0

    # the ledger forgot them; only hashed proof remains, and the request row is gone
    for table in ("_snapshots", "_id_map", "_changes"):
        assert (
            ledger_rows(
                warehouse,
                table,
                f"record_key = '{person_key}'" if table != "_id_map" else f"person_key = '{person_key}'",
            )
            == []
        )
    assert ledger_rows(warehouse, "erasure_requests") == []
    proof = {r[0]: r[3] for r in ledger_rows(warehouse, "_erasures")}
    assert proof == {
        identifier_hash("email", email): "erased",
        identifier_hash("person_key", person_key): "erased",
    }
    assert all(email.lower() not in str(row).lower() for row in ledger_rows(warehouse, "_erasures"))

    # the person is still in the marts, but no sync pushes (or re-creates) them, and nothing is "removed"
    sb.hubspot.reset_writes()
    for sync in (FIELDS, STALLED):
        again = run_sync(sync, ledger, writer)
        assert again.status == "success"
        assert again.counts["added"] == again.counts["removed"] == again.counts["changed"] == 0
    assert sb.hubspot.write_call_count() == 0
    assert emails_count(sb)[email.lower()] == 0
    assert query(warehouse, "select count(*) from reverse_etl._snapshots where record_key = ?", [person_key]) == [(0,)]
