"""Reverse ETL from a PostgreSQL warehouse: the source query and the ledger run through SQLAlchemy on the server
the session built the marts on, against a sandbox HubSpot portal of the same world (so contact ids match)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.hubspot import HubSpotConfig
from reverse_etl.config import load_syncs
from reverse_etl.engine import run_sync
from reverse_etl.hubspot import HubSpotWriter
from reverse_etl.ledger import Ledger
from sandbox.testing import SandboxHandle, run_sandbox
from sandbox.world import World
from tests.postgres.cluster import postgres_query
from tests.postgres.conftest import CONFIG, Builds
from tests.reverse_etl.conftest import FAST
from tests.reverse_etl.helpers import list_members, read_contacts

SYNCS = load_syncs()
FIELDS = SYNCS["journey_fields_to_contacts"]
ADVOCATES = SYNCS["list_advocates"]


@pytest.fixture()
def sb() -> Iterator[SandboxHandle]:
    with run_sandbox(World(CONFIG), rate_limits=FAST, vendors=("hubspot",)) as handle:
        yield handle


def _pg(builds: Builds, sql: str) -> list[tuple]:
    return postgres_query(builds.server)(sql)[1]


def test_syncs_read_and_record_on_postgres(builds: Builds, sb: SandboxHandle) -> None:
    assert builds.postgres.success
    s = builds.server
    ledger = Ledger(f"postgresql+psycopg2://{s.user}:{s.password}@{s.host}:{s.port}/{s.database}")
    writer = HubSpotWriter(
        HubSpotConfig(access_token=sb.hubspot.token, base_url=sb.hubspot.base_url, requests_per_10s=5000)
    )
    try:
        first = {sync.name: run_sync(sync, ledger, writer) for sync in (FIELDS, ADVOCATES)}
        assert {name: r.status for name, r in first.items()} == {FIELDS.name: "success", ADVOCATES.name: "success"}
        assert first[ADVOCATES.name].counts["added"] > 0 and first[FIELDS.name].counts["added"] > 0

        # what HubSpot holds equals the PostgreSQL marts
        advocates = {
            str(r[0])
            for r in _pg(
                builds,
                "select p.primary_contact_id from marts.segment_membership s join marts.dim_persons p using "
                "(person_key) where s.segment_name = 'advocates' and p.primary_contact_id is not null "
                "and not p.is_archived",
            )
        }
        assert advocates and list_members(sb, ADVOCATES.destination.list_name) == advocates
        stages = {
            str(r[0]): r[1]
            for r in _pg(
                builds,
                "select p.primary_contact_id, j.current_stage from marts.customer_journeys j join marts.dim_persons p "
                "using (person_key) where p.primary_contact_id is not null and not p.is_archived",
            )
        }
        crm = read_contacts(sb, sorted(stages), ["journeyhub_stage"])
        assert {cid: crm[cid].get("journeyhub_stage") or None for cid in stages} == stages

        # the ledger lives on the server: runs, changes and snapshots; a second run sends nothing
        runs = _pg(builds, "select sync_name, status from reverse_etl._sync_runs order by sync_name")
        assert runs == sorted([(FIELDS.name, "success"), (ADVOCATES.name, "success")])
        snapshot_rows = _pg(builds, f"select count(*) from reverse_etl._snapshots where sync_name = '{ADVOCATES.name}'")
        assert snapshot_rows == [(len(advocates),)]
        sb.hubspot.reset_writes()
        again = run_sync(ADVOCATES, ledger, writer)
        assert again.status == "success" and again.counts["added"] == again.counts["removed"] == 0
        assert sb.hubspot.write_call_count() == 0
    finally:
        writer.close()
