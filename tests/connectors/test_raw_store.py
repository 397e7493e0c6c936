"""The raw layer: merge on the primary key, newest version wins, archived kept, quarantine, state in one commit."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from connectors.raw.store import QuarantinedRecord, RawRecord, RawStore

T1, T2, T3 = datetime(2026, 1, 1), datetime(2026, 1, 2), datetime(2026, 1, 3)


def rows(path: Path, table: str = "raw_hubspot.contacts") -> dict[str, tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {r[0]: r[1:] for r in con.execute(f"select record_id, payload, is_archived from {table}").fetchall()}


def test_newest_version_wins_in_and_across_pages(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with RawStore(db, "hubspot") as store:
        store.commit_page(
            "contacts",
            [RawRecord("1", {"v": 2}, T2), RawRecord("1", {"v": 1}, T1), RawRecord("2", {"v": 1}, T1)],
            sync_id="a",
            state={"cursor": "x"},
        )
        # An older version arriving later (a lookback re-read of a stale page) must not overwrite the newer one.
        store.commit_page("contacts", [RawRecord("1", {"v": 0}, T1)], sync_id="b", state=None)
        store.commit_page("contacts", [RawRecord("2", {"v": 3}, T3, is_archived=True)], sync_id="b", state=None)
    got = rows(db)
    assert json.loads(got["1"][0]) == {"v": 2}
    assert json.loads(got["2"][0]) == {"v": 3} and got["2"][1] is True
    assert len(got) == 2


def test_quarantine_and_state_commit_with_the_page(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with RawStore(db, "hubspot") as store:
        store.commit_page(
            "deals",
            [RawRecord("9", {"ok": True}, T1)],
            sync_id="s1",
            state={"cursor": "2026-01-01T00:00:00.000Z", "run": {"after": "10"}},
            quarantined=[QuarantinedRecord("missing primary key 'id'", {"properties": {}})],
        )
        assert store.get_state("deals").state["run"] == {"after": "10"}
        assert store.quarantine_count("deals", "s1") == 1
    with duckdb.connect(str(db), read_only=True) as con:
        source, stream, reason = con.execute("select source, stream, reason from raw_hubspot._quarantine").fetchone()
    assert (source, stream, reason) == ("hubspot", "deals", "missing primary key 'id'")


def test_a_failed_page_leaves_no_trace(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with RawStore(db, "hubspot") as store:
        store.commit_page("contacts", [RawRecord("1", {"v": 1}, T1)], sync_id="a", state={"cursor": "one"})

        class Boom(Exception):
            pass

        with pytest.raises(Boom), store._transaction() as con:
            con.execute("insert into raw_hubspot.contacts values ('5', '{}', null, false, now(), 'x')")
            raise Boom
        assert store.get_state("contacts").state == {"cursor": "one"}
        assert store.count("contacts") == 1


def test_rejects_unsafe_names(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        RawStore(tmp_path / "w.duckdb", "hub spot")
    with RawStore(tmp_path / "w.duckdb", "hubspot") as store, pytest.raises(ValueError):
        store.ensure_stream("contacts; drop table x")


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def test_deeply_nested_payloads_give_a_clear_error_or_a_quarantine_excerpt_never_a_recursion_error(
    tmp_path: Path,
) -> None:
    # The HTTP layer refuses pages nested deeper than 254 levels; the store is also called directly (the sandbox
    # loader, tests), so it must not crash on what the recursive serialisers cannot handle either.
    deep = {"note": _nested(5000)}
    with RawStore(tmp_path / "w.duckdb", "hubspot") as store:
        store.commit_page(
            "contacts",
            [RawRecord("ok", {"v": 1}, T1)],
            sync_id="a",
            state=None,
            quarantined=[QuarantinedRecord("invalid_encoding", deep, "q1", "detail")],
        )
        (payload,) = store.con.execute("select payload from raw_hubspot._quarantine").fetchone()
        assert "nested too deeply" in payload
        with pytest.raises(ValueError, match=r"record 'x'.*nested too deeply"):
            store.commit_page("contacts", [RawRecord("x", deep, T1)], sync_id="a", state=None)
        assert store.count("contacts") == 1


def test_quarantine_rows_keep_text_that_is_not_utf8_as_escapes(tmp_path: Path) -> None:
    # Bytes that were not UTF-8 reach the store as lone surrogates (surrogateescape): DuckDB cannot store those as
    # text, so the quarantine copy escapes them instead of failing the page.
    bad = b"caf\xe9".decode("utf-8", "surrogateescape")
    with RawStore(tmp_path / "w.duckdb", "hubspot") as store:
        store.commit_page(
            "contacts",
            [],
            sync_id="a",
            state={"cursor": bad},
            quarantined=[QuarantinedRecord("invalid_encoding", {"name": bad}, bad, f"name is {bad!r}")],
        )
        record_id, detail, payload = store.con.execute(
            "select record_id, detail, payload from raw_hubspot._quarantine"
        ).fetchone()
    assert record_id == "caf\\udce9"
    assert json.loads(payload) == {"name": bad}  # a JSON escape: the exact bytes are recoverable
    assert "\\udce9" in detail


def test_payloads_orjson_refuses_are_stored_exactly(tmp_path: Path) -> None:
    # The fast serialiser rejects integers beyond 64 bits and lone surrogates; both are valid parsed JSON, so the
    # record must still be stored: the integer exactly, the surrogate as the replacement character.
    db = tmp_path / "w.duckdb"
    payloads = {
        "big": {"id": 2**70, "name": "Zoë"},
        "surrogate": {"note": json.loads('"\\ud800x"')},
        "plain": {"name": "Zoë", "tags": [1, 2.5, None, True]},
    }
    with RawStore(db, "hubspot") as store:
        store.commit_page("contacts", [RawRecord(k, v, T1) for k, v in payloads.items()], sync_id="a", state=None)
    got = rows(db)
    assert json.loads(got["big"][0]) == {"id": 2**70, "name": "Zoë"}
    assert json.loads(got["plain"][0]) == payloads["plain"]
    assert "Zoë" in got["plain"][0]
    note = json.loads(got["surrogate"][0])["note"]
    assert note.startswith("\ufffd") and note.endswith("x") and "\ud800" not in note


def test_stores_of_several_sources_share_one_connection_and_lock(tmp_path: Path) -> None:
    """One process writing several raw_<source> schemas (the sandbox's direct loader) opens the warehouse once."""
    db = tmp_path / "w.duckdb"
    with RawStore(db, "hubspot") as first:
        second = RawStore(db, "mailchimp").share(first)
        assert second.con is first.con
        second.commit_page("lists", [RawRecord("l1", {"id": "l1"}, T1)], sync_id="a", state=None)
        first.commit_page("contacts", [RawRecord("1", {"v": 1}, T1)], sync_id="a", state=None)
        second.close()  # leaves the shared connection open for its owner
        first.commit_page("contacts", [RawRecord("2", {"v": 1}, T1)], sync_id="a", state=None)
        with pytest.raises(RuntimeError, match="not open"):
            _ = second.con
        with pytest.raises(ValueError, match="another warehouse"):
            RawStore(tmp_path / "other.duckdb", "social").share(first)
    assert set(rows(db)) == {"1", "2"} and set(rows(db, "raw_mailchimp.lists")) == {"l1"}
