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


class _TwoStreams:
    """A connector whose first stream fails, to show what each way of syncing does with the streams after it."""

    source = "test"
    stream_names = ("broken", "things")

    def __init__(self) -> None:
        self.read: list[str] = []

    def reader(self, name: str) -> CountingReader:
        self.read.append(name)
        reader = CountingReader(fail_after=2 if name == "broken" else None)
        reader.name = name
        return reader


def test_sync_streams_yields_one_outcome_per_stream_and_goes_on_after_an_error(tmp_path: Path) -> None:
    from connectors.base import sync_streams

    connector = _TwoStreams()
    with RawStore(tmp_path / "w.duckdb", "test") as store:
        outcomes = list(sync_streams(store, connector, mode="full_refresh", sync_id="s1", progress=lambda _: None))
        assert [o.stream for o in outcomes] == ["broken", "things"]
        broken, things = outcomes
        assert isinstance(broken.error, TransientError) and broken.result is None
        assert things.error is None and things.result is not None and things.result.records == 100
        assert things.result.sync_id == "s1"
        runs = dict(store.con.execute("select stream, status from raw_test._sync_runs").fetchall())
        assert runs == {"broken": "failed", "things": "complete"}
        with pytest.raises(KeyError, match="unknown test streams \\['nope'\\]"):
            sync_streams(store, connector, ["nope"])


def test_connector_sync_raises_the_first_error_and_syncs_nothing_after_it(tmp_path: Path) -> None:
    from connectors.base import Connector

    class Both(_TwoStreams, Connector):
        pass

    connector = Both()
    with RawStore(tmp_path / "w.duckdb", "test") as store:
        with pytest.raises(TransientError, match="network went away"):
            connector.sync(store, mode="full_refresh", progress=lambda _: None)
        assert connector.read == ["broken"]
        assert [r.stream for r in connector.sync(store, ["things"], progress=lambda _: None)] == ["things"]
