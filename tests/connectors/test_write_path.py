"""The sync write path's two speed-ups keep its guarantees: a page read ahead while the previous one commits, and a
plain INSERT for pages of new records that falls back to the upsert when a record is already stored."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from connectors.raw.store import QuarantinedRecord, RawRecord, RawStore
from connectors.raw.sync import Page, read_ahead

T1, T2 = datetime(2026, 1, 1), datetime(2026, 1, 2)


def test_a_page_meeting_stored_records_is_merged_once_with_its_quarantine_and_state(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with RawStore(db, "hubspot") as store:
        store.commit_page("contacts", [RawRecord("1", {"v": 1}, T1)], sync_id="a", state={"cursor": "one"})
    with RawStore(db, "hubspot") as store:  # a new store: its first page tries the plain INSERT
        n = store.commit_page(
            "contacts",
            [RawRecord("1", {"v": 2}, T2), RawRecord("2", {"v": 1}, T1)],
            sync_id="b",
            state={"cursor": "two"},
            quarantined=[QuarantinedRecord("missing primary key 'id'", {"x": 1})],
        )
        assert n == 2
        assert store.get_state("contacts").state == {"cursor": "two"}
        assert store.quarantine_count("contacts", "b") == 1  # the rolled-back INSERT left no second row
        store.commit_page("contacts", [RawRecord("3", {"v": 1}, T1)], sync_id="b", state=None)
    with duckdb.connect(str(db), read_only=True) as con:
        got = dict(con.execute("select record_id, payload from raw_hubspot.contacts").fetchall())
    assert {k: json.loads(v) for k, v in got.items()} == {"1": {"v": 2}, "2": {"v": 1}, "3": {"v": 1}}


def _pages(
    n: int, read: list[int], fail_at: int | None = None, closed: threading.Event | None = None
) -> Iterator[Page]:
    try:
        for i in range(n):
            if i == fail_at:
                raise RuntimeError(f"page {i} failed")
            read.append(i)
            yield Page([RawRecord(str(i), {}, T1)], {"page": i})
    finally:
        if closed is not None:
            closed.set()


def test_read_ahead_keeps_order_and_raises_after_the_pages_before_the_error() -> None:
    read: list[int] = []
    assert [p.state["page"] for p in read_ahead(_pages(5, read))] == [0, 1, 2, 3, 4]
    got = []
    with pytest.raises(RuntimeError, match="page 3 failed"):
        for p in read_ahead(_pages(5, [], fail_at=3)):
            got.append(p.state["page"])
    assert got == [0, 1, 2]


def test_read_ahead_reads_at_most_one_page_ahead_and_closes_the_reader_when_stopped() -> None:
    read: list[int] = []
    closed = threading.Event()
    pages = read_ahead(_pages(100, read, closed=closed))
    assert next(pages).state["page"] == 0
    time.sleep(0.3)
    assert len(read) <= 3  # the page handed out, one queued, one held by the blocked thread
    pages.close()  # the caller stops (a failed commit): the reader is closed in its own thread
    assert closed.wait(5)
    assert len(read) <= 3
