"""The raw layer's generic pieces behind the file-based and tier-gated streams: bookkeeping rows committed with their
page, readers told what is already done, streams the account does not offer, and files that cannot be read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from connectors.core.errors import BadFile, StreamUnavailableError, UnreadableFileError
from connectors.raw.bookkeeping import SideRows, SideTable
from connectors.raw.store import RawRecord, RawStore
from connectors.raw.sync import Page, run_stream_sync

DONE = SideTable("_done", columns=(("name", "varchar"), ("size_bytes", "bigint")), key=("name",))


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_side_rows_are_written_in_the_transaction_of_their_page(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with RawStore(db, "files") as store:
        page = [RawRecord("a", {"x": 1}, None)]
        store.commit_page(
            "s", page, sync_id="one", state={"n": 1}, side_rows=[SideRows(DONE, ({"name": "f1", "size_bytes": 3},))]
        )
        # a page whose transaction fails (here its second batch of side rows is bad) writes none of it: not its
        # records, not its first batch, not its state
        with pytest.raises(ValueError, match="must set exactly"):
            store.commit_page(
                "s",
                [RawRecord("b", {"x": 2}, None)],
                sync_id="two",
                state={"n": 2},
                side_rows=[SideRows(DONE, ({"name": "f2", "size_bytes": 4},)), SideRows(DONE, ({"name": "f3"},))],
            )
        assert store.get_state("s").state == {"n": 1}
        assert store.side_rows(DONE) == [{"name": "f1", "size_bytes": 3}]
        # a later version of a row replaces it (the key is the file)
        store.commit_page(
            "s", [], sync_id="three", state={"n": 3}, side_rows=[SideRows(DONE, ({"name": "f1", "size_bytes": 5},))]
        )
    assert rows(db, "select record_id from raw_files.s") == [("a",)]
    assert rows(db, "select name, size_bytes, _sync_id from raw_files._done") == [("f1", 5, "three")]


def test_side_tables_refuse_bad_names_and_rows() -> None:
    with pytest.raises(ValueError):
        SideTable("_sync_state", columns=(("a", "varchar"),), key=("a",))
    with pytest.raises(ValueError):
        SideTable("files", columns=(("a", "varchar"),), key=("a",))
    with pytest.raises(ValueError):
        SideTable("_x", columns=(("a", "varchar; drop table t"),), key=("a",))
    with pytest.raises(ValueError):
        SideTable("_x", columns=(("a", "varchar"),), key=("b",))


class Reader:
    """A stream of two pages that records what it was told is done, and can end in any error."""

    name = "s"
    side_tables = (DONE,)

    def __init__(self, end: BaseException | None = None) -> None:
        self.end = end
        self.told: dict[str, list[dict[str, Any]]] | None = None

    def use_side_rows(self, found: dict[str, list[dict[str, Any]]]) -> None:
        self.told = found

    def details(self) -> dict[str, Any]:
        return {"files_loaded": 2}

    def read(self, state: dict[str, Any], mode: str, *, resuming: bool) -> Iterator[Page]:
        start = (state.get("run") or {}).get("page", 0) if resuming else 0
        for n in range(start, 2):
            side = [SideRows(DONE, ({"name": f"f{n}", "size_bytes": n},))]
            yield Page([RawRecord(f"r{n}", {"n": n}, None)], {"cursor": None, "run": {"page": n + 1}}, [], side)
        if self.end is not None:
            raise self.end

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        return {"cursor": "done", "run": None}


def test_a_reader_with_side_tables_is_told_their_rows_before_it_reads(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with RawStore(db, "files") as store:
        first = Reader()
        result = run_stream_sync(store, first)
        assert first.told == {"_done": []}
        second = Reader()
        run_stream_sync(store, second)
    assert second.told == {"_done": [{"name": "f0", "size_bytes": 0}, {"name": "f1", "size_bytes": 1}]}
    assert result.details == {"files_loaded": 2}
    [(details,)] = rows(db, f"select details from raw_files._sync_runs where sync_id = '{result.sync_id}'")
    assert json.loads(details) == {"files_loaded": 2}


def test_an_unavailable_stream_ends_with_a_note_keeps_its_state_and_is_resumed_later(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with RawStore(db, "files") as store:
        gone = run_stream_sync(store, Reader(StreamUnavailableError("this plan has no such API")))
        assert (gone.status, gone.note, gone.error, gone.records) == (
            "unavailable",
            "this plan has no such API",
            None,
            2,
        )
        assert store.get_state("s").state["run"] == {"page": 2}  # the position of its last committed page
        back = run_stream_sync(store, Reader())
    assert back.resumed and back.status == "complete" and back.records == 0
    [(status, details)] = rows(db, f"select status, details from raw_files._sync_runs where sync_id = '{gone.sync_id}'")
    assert status == "unavailable" and json.loads(details)["note"] == "this plan has no such API"


def test_unreadable_files_end_the_stream_partial_with_one_row_per_file(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    bad = [BadFile("x/1.gz", "BadGzipFile: Not a gzipped file", 10), BadFile("x/2.gz", "EOFError: truncated", 7)]
    with RawStore(db, "files") as store:
        result = run_stream_sync(store, Reader(UnreadableFileError("two files", files=bad)))
    assert result.status == "partial" and result.records == 2 and result.quarantined_by_reason == {"corrupt_file": 2}
    found = rows(db, "select reason, record_id, payload from raw_files._quarantine order by record_id")
    assert [(r, i) for r, i, _ in found] == [("corrupt_file", "x/1.gz"), ("corrupt_file", "x/2.gz")]
    assert json.loads(found[1][2]) == {"file": "x/2.gz", "size_bytes": 7, "problem": "EOFError: truncated"}
    assert rows(db, "select name from raw_files._done order by 1") == [("f0",), ("f1",)]  # the good files are in
