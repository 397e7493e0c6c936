"""An incremental run of int_identity_nodes_resolved equals a full refresh, edge case by edge case.

int_identity_nodes_resolved resolves again only the components that new or changed edges can touch (its header
gives the argument). Each round here gives records new versions in int_identity_edges_unioned directly, the way the
edges model writes them (all of a record's rows replaced, a new _extracted_at), then builds the model incrementally
on one copy of the warehouse and with --full-refresh on another; every row, ids and fingerprints included, must
match. The
rounds cover what the argument has to get right: two persons merging, a person splitting, a record vanishing, a
profile record becoming a shared mailbox and back, an identifier going over its cap and back under it, a phone
from a shared-mailbox form founding no person until another record vouches for it and again when that record
vanishes, and a change to the guardrail seeds.
"""

from __future__ import annotations

import collections
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from sandbox.loader import load_world
from sandbox.world import World, WorldConfig
from tests.journey.dbt_helpers import problems, run_dbt

pytestmark = [pytest.mark.slow]

CONFIG = WorldConfig(seed=7, people=150)
EDGES = "intermediate.int_identity_edges_unioned"
IDENTITIES = "intermediate.int_identity_nodes_resolved"

Edit = Callable[[duckdb.DuckDBPyConnection], None]


def _identifiers(con: duckdb.DuckDBPyConnection, record_type: str, record_id: str) -> list[tuple[str, str]]:
    return con.execute(
        f"""select identifier_type, identifier_value from {EDGES}
            where record_type = ? and record_id = ? and identifier_type <> record_type order by all""",
        [record_type, record_id],
    ).fetchall()


def _new_version(
    con: duckdb.DuckDBPyConnection, record_type: str, record_id: str, identifiers: list[tuple[str, str]]
) -> None:
    """Replace a record's edges as a new version of it would: its own row plus one row per identifier."""
    source_system, source_stream, observed_at, extracted_at = con.execute(
        f"""select source_system, source_stream, observed_at, _extracted_at + interval 1 second from {EDGES}
            where record_type = ? and record_id = ? and identifier_type = record_type""",
        [record_type, record_id],
    ).fetchone()
    con.execute(f"delete from {EDGES} where record_type = ? and record_id = ?", [record_type, record_id])
    for identifier_type, identifier_value in [(record_type, record_id), *identifiers]:
        con.execute(
            f"""insert into {EDGES} (identity_edge_id, record_id, identifier_value, record_type, identifier_type,
                    source_system, source_stream, observed_at, _extracted_at)
                values (md5(? || '|' || ? || '|' || ? || '|' || ?), ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                *(record_type, record_id, identifier_type, identifier_value),
                *(record_id, identifier_value, record_type, identifier_type),
                *(source_system, source_stream, observed_at, extracted_at),
            ],
        )


def _add_record(
    con: duckdb.DuckDBPyConnection,
    record_type: str,
    record_id: str,
    source: tuple[str, str],
    identifiers: list[tuple[str, str]],
) -> None:
    """A record the edges have not seen: its own row plus one row per identifier, observed and staged now."""
    observed_at, extracted_at = con.execute(f"select max(observed_at), max(_extracted_at) from {EDGES}").fetchone()
    for identifier_type, identifier_value in [(record_type, record_id), *identifiers]:
        con.execute(
            f"""insert into {EDGES} (identity_edge_id, record_id, identifier_value, record_type, identifier_type,
                    source_system, source_stream, observed_at, _extracted_at)
                values (md5(? || '|' || ? || '|' || ? || '|' || ?), ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                *(record_type, record_id, identifier_type, identifier_value),
                *(record_id, identifier_value, record_type, identifier_type),
                *(*source, observed_at, extracted_at),
            ],
        )


def _contacts_with_email(con: duckdb.DuckDBPyConnection, n: int) -> list[tuple[str, str]]:
    """n HubSpot contacts that are persons of their own, each with one email, in a fixed order."""
    return con.execute(
        f"""
        select edges.record_id, edges.identifier_value
        from {EDGES} as edges
        inner join {IDENTITIES} as ids
            on ids.identifier_type = 'email' and ids.identifier_value = edges.identifier_value
        where edges.record_type = 'hubspot_contact_id' and edges.identifier_type = 'email' and ids.is_linking
        qualify count(*) over (partition by edges.record_id) = 1
            and count(*) over (partition by ids.person_key) = 1
        order by edges.record_id
        limit {n}
        """
    ).fetchall()


def _person(con: duckdb.DuckDBPyConnection, identifier_type: str, value: str) -> str | None:
    row = con.execute(
        f"select person_key from {IDENTITIES} where identifier_type = ? and identifier_value = ?",
        [identifier_type, value],
    ).fetchone()
    return None if row is None else row[0]


def _rows(path: Path) -> collections.Counter[tuple]:
    with duckdb.connect(str(path)) as con:
        return collections.Counter(con.execute(f"select * from {IDENTITIES}").fetchall())


def _round(tmp_path: Path, warehouse: Path, name: str, edit: Edit) -> duckdb.DuckDBPyConnection:
    """Apply ``edit``, build incrementally and with --full-refresh, assert equal rows; the incremental copy wins."""
    with duckdb.connect(str(warehouse)) as con:
        edit(con)
        con.execute("checkpoint")
    full = tmp_path / f"{name}_full.duckdb"
    shutil.copy(warehouse, full)
    incremental = run_dbt(warehouse, tmp_path / f"{name}_incremental", "run", "-s", "int_identity_nodes_resolved")
    assert incremental.success and not problems(incremental), problems(incremental)
    refreshed = run_dbt(full, tmp_path / f"{name}_full", "run", "-s", "int_identity_nodes_resolved", "--full-refresh")
    assert refreshed.success and not problems(refreshed), problems(refreshed)
    got, want = _rows(warehouse), _rows(full)
    assert got == want, (name, sorted(got - want)[:5], sorted(want - got)[:5])
    return duckdb.connect(str(warehouse))


def test_incremental_identity_resolution_equals_full_refresh(tmp_path: Path) -> None:
    start = datetime(CONFIG.start_date.year, CONFIG.start_date.month, CONFIG.start_date.day, tzinfo=UTC)
    warehouse = tmp_path / "warehouse.duckdb"
    load_world(warehouse, World(CONFIG, now=start + timedelta(days=60)))
    first = run_dbt(
        warehouse, tmp_path / "first", "build", "-s", "+int_identity_nodes_resolved", "--exclude-resource-type", "test"
    )
    assert first.success and not problems(first), problems(first)

    with duckdb.connect(str(warehouse)) as con:
        contacts = _contacts_with_email(con, 12)
        max_contacts = con.execute(
            "select max_per_person from reference.identity_identifier_types"
            " where identifier_type = 'hubspot_contact_id'"
        ).fetchone()[0]
    assert len(contacts) == 12 and max_contacts < 10
    (a, email_a), (b, email_b), (c, email_c), (d, _) = contacts[:4]
    crowd = [record for record, _ in contacts[4:]]  # 8 contacts, more than the cap allows on one phone
    phone = "+15550001234"

    # 1. merge: contact a also carries b's address; split: c drops its only address; vanish: d is gone
    def merge_split_vanish(con: duckdb.DuckDBPyConnection) -> None:
        _new_version(con, "hubspot_contact_id", a, [("email", email_a), ("email", email_b)])
        _new_version(con, "hubspot_contact_id", c, [])
        con.execute(f"delete from {EDGES} where record_type = 'hubspot_contact_id' and record_id = ?", [d])

    con = _round(tmp_path, warehouse, "merge_split_vanish", merge_split_vanish)
    with con:
        assert _person(con, "hubspot_contact_id", a) == _person(con, "hubspot_contact_id", b) is not None
        assert _person(con, "hubspot_contact_id", c) != _person(con, "email", email_c)
        assert _person(con, "hubspot_contact_id", d) is None
        assert con.execute(f"select count(*) from {IDENTITIES} where identifier_value = ?", [d]).fetchone()[0] == 0

    # 2. a shared mailbox: b takes a blocked address, so b links nothing and a keeps only its own and b's email
    def shared_mailbox(con: duckdb.DuckDBPyConnection) -> None:
        _new_version(con, "hubspot_contact_id", b, [("email", email_b), ("email", "info@acme-example.com")])

    con = _round(tmp_path, warehouse, "shared_mailbox", shared_mailbox)
    with con:
        assert con.execute(
            f"select is_shared_record from {IDENTITIES} where identifier_type = 'hubspot_contact_id' "
            "and identifier_value = ?",
            [b],
        ).fetchone()[0]
        assert _person(con, "hubspot_contact_id", b) is None
        assert _person(con, "hubspot_contact_id", a) == _person(con, "email", email_b)

    # 3. ... and back: b drops the blocked address and links again
    def shared_mailbox_back(con: duckdb.DuckDBPyConnection) -> None:
        _new_version(con, "hubspot_contact_id", b, [("email", email_b)])

    con = _round(tmp_path, warehouse, "shared_mailbox_back", shared_mailbox_back)
    with con:
        assert _person(con, "hubspot_contact_id", b) == _person(con, "hubspot_contact_id", a) is not None

    # 4. over the cap: one phone on 8 contacts (a switchboard) links none of them
    def over_cap(con: duckdb.DuckDBPyConnection) -> None:
        for record in crowd:
            _new_version(
                con, "hubspot_contact_id", record, [*_identifiers(con, "hubspot_contact_id", record), ("phone", phone)]
            )

    con = _round(tmp_path, warehouse, "over_cap", over_cap)
    with con:
        assert con.execute(
            f"select is_over_cap from {IDENTITIES} where identifier_type = 'phone' and identifier_value = ?", [phone]
        ).fetchone()[0]
        assert len({_person(con, "hubspot_contact_id", record) for record in crowd}) == len(crowd)

    # 5. back under it: all but two drop the phone, which now links those two contacts (unchanged records among them)
    def under_cap(con: duckdb.DuckDBPyConnection) -> None:
        for record in crowd[2:]:
            kept = [i for i in _identifiers(con, "hubspot_contact_id", record) if i != ("phone", phone)]
            _new_version(con, "hubspot_contact_id", record, kept)

    con = _round(tmp_path, warehouse, "under_cap", under_cap)
    with con:
        assert _person(con, "hubspot_contact_id", crowd[0]) == _person(con, "hubspot_contact_id", crowd[1])
        assert _person(con, "hubspot_contact_id", crowd[2]) != _person(con, "hubspot_contact_id", crowd[0])

    # 6. a form sent from a shared mailbox with a phone nobody has founds no person
    mailbox_phone = "+15550004321"

    def shared_mailbox_form(con: duckdb.DuckDBPyConnection) -> None:
        _add_record(
            con,
            "hubspot_form_submission_id",
            "s-from-info",
            ("hubspot", "form_submissions"),
            [("email", "info@acme-example.com"), ("phone", mailbox_phone)],
        )

    con = _round(tmp_path, warehouse, "shared_mailbox_form", shared_mailbox_form)
    with con:
        assert _person(con, "hubspot_form_submission_id", "s-from-info") is None
        assert con.execute(
            f"select is_shared_mailbox_only from {IDENTITIES} where identifier_type = 'phone' and identifier_value = ?",
            [mailbox_phone],
        ).fetchone()[0]

    # 7. a Meta lead gives the same phone: it vouches for it, and the form reaches the lead's person
    def vouched(con: duckdb.DuckDBPyConnection) -> None:
        _add_record(con, "meta_lead_id", "l-vouches", ("meta_ads", "leads"), [("phone", mailbox_phone)])

    con = _round(tmp_path, warehouse, "vouched", vouched)
    with con:
        assert _person(con, "hubspot_form_submission_id", "s-from-info") == _person(con, "meta_lead_id", "l-vouches")
        assert _person(con, "phone", mailbox_phone) is not None

    # 8. ... and the lead vanishes: the form is unresolved again
    def unvouched(con: duckdb.DuckDBPyConnection) -> None:
        con.execute(f"delete from {EDGES} where record_type = 'meta_lead_id' and record_id = 'l-vouches'")

    con = _round(tmp_path, warehouse, "unvouched", unvouched)
    with con:
        assert _person(con, "hubspot_form_submission_id", "s-from-info") is None
        assert _person(con, "phone", mailbox_phone) is None

    # 9. a guardrail seed changes (b's address blocked by hand): every node is resolved again; a and b, the contacts
    # holding it, become shared mailboxes, and a's own address is a person of its own
    def blocklist_change(con: duckdb.DuckDBPyConnection) -> None:
        con.execute(
            "insert into reference.identity_blocklist (identifier_type, match_type, pattern, reason) "
            "values ('email', 'value', ?, 'test: blocked by hand')",
            [email_b],
        )

    con = _round(tmp_path, warehouse, "blocklist_change", blocklist_change)
    with con:
        assert _person(con, "email", email_b) is None
        assert _person(con, "hubspot_contact_id", a) is None and _person(con, "hubspot_contact_id", b) is None
        assert _person(con, "email", email_a) is not None
