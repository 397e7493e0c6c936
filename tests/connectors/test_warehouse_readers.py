"""A connection held on the warehouse by a process outside the project's lock (a notebook, a BI tool pointed at the
warehouse) makes a sync wait with a message naming it, and fail with one sentence if it never lets go."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from connectors.raw.locking import WarehouseBusyError
from connectors.raw.store import RawStore
from tests.support.holders import holding


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with RawStore(path, "hubspot") as store:
        store.ensure_stream("contacts")
    return path


def test_a_sync_waits_for_a_reader_and_names_it(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("JOURNEYHUB_WAREHOUSE_WAIT_S", "60")
    with holding(warehouse, read_only=True, seconds=2.0) as reader, caplog.at_level(logging.WARNING):
        started = time.monotonic()
        with RawStore(warehouse, "hubspot") as store:
            store.ensure_stream("deals")
        waited = time.monotonic() - started
    assert waited > 0.5, "the store should have waited for the reader"
    assert any(f"PID {reader.pid}" in r.getMessage() and "waiting" in r.getMessage() for r in caplog.records)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    assert "deals" in tables


def test_a_reader_that_never_lets_go_fails_the_sync_with_one_sentence(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNEYHUB_WAREHOUSE_WAIT_S", "1")
    with holding(warehouse, read_only=True) as reader:
        with pytest.raises(WarehouseBusyError) as raised:
            RawStore(warehouse, "hubspot").open()
        message = str(raised.value)
        assert f"PID {reader.pid}" in message and str(warehouse) in message and "serving copy" in message
        # the lock file is released again: our own next writer is not blocked by the failed attempt
        assert not _lock_is_held(warehouse)


def test_the_cli_prints_the_sentence_not_a_traceback(warehouse: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HUBSPOT_ACCESS_TOKEN": "pat-test-not-used",
        "HUBSPOT_BASE_URL": "http://127.0.0.1:9",
        "JOURNEYHUB_WAREHOUSE_WAIT_S": "1",
    }
    with holding(warehouse, read_only=True) as reader:
        done = subprocess.run(
            [sys.executable, "-m", "connectors", "sync", "hubspot", "--warehouse", str(warehouse)],
            capture_output=True,
            text=True,
            env=env,
            cwd=Path(__file__).resolve().parents[2],
            timeout=120,
        )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    # a line saying it waits (and for whom), then the error: nothing else
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2 and all(f"PID {reader.pid}" in line for line in lines), done.stderr
    assert lines[0].startswith("waiting for") and lines[1].startswith("error: cannot open the warehouse")


def _lock_is_held(warehouse: Path) -> bool:
    from filelock import FileLock, Timeout

    lock = FileLock(f"{warehouse}.lock")
    result: list[bool] = []

    def probe() -> None:
        try:
            lock.acquire(timeout=0)
            lock.release()
            result.append(False)
        except Timeout:
            result.append(True)

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    return result[0]
