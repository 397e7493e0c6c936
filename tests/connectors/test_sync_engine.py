"""The sync engine: pages and state commit together, and an interrupted run resumes after its last page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.core.errors import TransientError
from connectors.raw.store import RawRecord, RawStore
from connectors.raw.sync import Page, run_stream_sync


class CountingReader:
    """Ten pages of ten records; can be told to fail after N pages."""

    name = "things"

    def __init__(self, fail_after: int | None = None) -> None:
        self.fail_after = fail_after
        self.pages_read: list[int] = []

    def read(self, state: dict[str, Any], mode: str, *, resuming: bool) -> Iterator[Page]:
        start = (state.get("run") or {}).get("next_page", 0) if resuming else 0
        for page in range(start, 10):
            if self.fail_after is not None and len(self.pages_read) == self.fail_after:
                raise TransientError("network went away")
            self.pages_read.append(page)
            base = datetime(2026, 1, 1) + timedelta(days=page)
            records = [RawRecord(f"{page}-{i}", {"n": page * 10 + i}, base) for i in range(10)]
            yield Page(records, {"cursor": state.get("cursor"), "run": {"mode": mode, "next_page": page + 1}})

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        return {"cursor": "done", "run": None}


def test_interrupted_sync_resumes_after_last_committed_page(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with RawStore(db, "test") as store:
        with pytest.raises(TransientError):
            run_stream_sync(store, CountingReader(fail_after=4), mode="full_refresh")
        assert store.count("things") == 40
        assert store.get_state("things").status == "failed"

        reader = CountingReader()
        result = run_stream_sync(store, reader, mode="incremental")
        assert result.resumed is True
        assert result.mode == "full_refresh"  # the unfinished run's mode, not the one asked for
        assert reader.pages_read == [4, 5, 6, 7, 8, 9]
        assert store.count("things") == 100
        assert store.get_state("things").state == {"cursor": "done", "run": None}
        runs = store.con.execute("select status from raw_test._sync_runs order by started_at").fetchall()
        assert [r[0] for r in runs] == ["failed", "complete"]

        # A finished run does not resume: the next one starts from its own beginning.
        again = CountingReader()
        assert run_stream_sync(store, again).resumed is False
        assert again.pages_read[0] == 0
