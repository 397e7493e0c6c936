"""The BI serving copy: readable by a DuckDB 1.x client in another process, swapped atomically, never locked."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from connectors.raw.store import RawRecord, RawStore
from pipelines.publish.serving import ServingCopyBusyError, publish_serving_copy
from tests.support.holders import holding

REPO = Path(__file__).resolve().parents[2]
# `make test` installs a DuckDB 1.x client here: the kind of reader BI drivers bundle.
BI_PYTHON = REPO / ".venv-bi" / "bin" / "python"

READER = r"""
import json, sys, time, duckdb
path, seconds = sys.argv[1], float(sys.argv[2])
reads, errors, last = 0, [], None
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    try:
        with duckdb.connect(path, read_only=True) as con:
            last = con.execute("select max(version), count(*) from marts.facts").fetchone()
        reads += 1
    except Exception as exc:  # any lock or format error is a failure of the serving design
        errors.append(f"{type(exc).__name__}: {exc}")
    time.sleep(0.01)
print(json.dumps({"version": duckdb.__version__, "reads": reads, "errors": errors[:5], "last": last}))
"""


def build_marts(warehouse: Path, version: int) -> None:
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema if not exists marts")
        con.execute(
            "create or replace table marts.facts as select ? as version, range as id from range(?)",
            [version, 1000 * version],
        )


def bi_client() -> Path:
    if not BI_PYTHON.exists():
        pytest.fail(f"{BI_PYTHON} is missing: `make test` creates it (a DuckDB 1.x client, as BI drivers bundle)")
    return BI_PYTHON


def test_a_duckdb_1x_client_reads_the_serving_copy_while_the_pipeline_writes(tmp_path: Path) -> None:
    warehouse, serving = tmp_path / "warehouse.duckdb", tmp_path / "serving" / "serving.duckdb"
    build_marts(warehouse, 1)
    publish_serving_copy(warehouse, serving, parquet_root=tmp_path / "serving" / "parquet")
    reader = subprocess.Popen([str(bi_client()), "-c", READER, str(serving), "6"], stdout=subprocess.PIPE, text=True)
    # Meanwhile the pipeline keeps writing the warehouse (a sync holding the write lock) and republishing.
    for version in range(2, 6):
        with RawStore(warehouse, "hubspot") as store:
            records = [RawRecord(f"{version}-{i}", {"v": version}, datetime(2026, 1, version)) for i in range(500)]
            store.commit_page("contacts", records, sync_id=f"s{version}", state=None)
            time.sleep(0.3)  # the reader keeps going while the warehouse is locked by this writer
        build_marts(warehouse, version)
        publish_serving_copy(warehouse, serving, parquet_root=tmp_path / "serving" / "parquet")
        time.sleep(0.3)
    out = json.loads(reader.communicate(timeout=60)[0])
    assert out["version"].startswith("1."), out["version"]
    assert out["errors"] == [] and out["reads"] > 20, out
    assert out["last"] == [5, 5000]  # the last published state
    parquet = tmp_path / "serving" / "parquet" / "current" / "marts.facts.parquet"
    with duckdb.connect() as con:
        assert con.execute(f"select max(version), count(*) from '{parquet}'").fetchone() == (5, 5000)
    assert len([p for p in (tmp_path / "serving" / "parquet").iterdir() if not p.is_symlink()]) == 2


def test_a_failed_publish_leaves_the_previous_copy_byte_for_byte(tmp_path: Path, monkeypatch) -> None:
    warehouse, serving = tmp_path / "warehouse.duckdb", tmp_path / "serving.duckdb"
    build_marts(warehouse, 1)
    publish_serving_copy(warehouse, serving)
    before = serving.read_bytes()
    build_marts(warehouse, 2)

    import pipelines.publish.serving as module

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(module.os, "replace", boom)
    with pytest.raises(OSError):
        publish_serving_copy(warehouse, serving)
    assert serving.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_the_serving_copy_holds_only_published_schemas(tmp_path: Path) -> None:
    warehouse, serving = tmp_path / "warehouse.duckdb", tmp_path / "serving.duckdb"
    build_marts(warehouse, 3)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema staging; create table staging.secret as select 1 as x")
    result = publish_serving_copy(warehouse, serving)
    assert result.tables == {"marts.facts": 3000}
    out = subprocess.run(
        [
            str(bi_client()),
            "-c",
            f"import duckdb; con = duckdb.connect({str(serving)!r}, read_only=True); "
            'print(con.execute("select count(*) from information_schema.tables '
            "where table_schema = 'staging'\").fetchone()[0])",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "0"
    assert sys.executable != str(BI_PYTHON)


def _read_facts(serving: Path) -> tuple:
    with duckdb.connect(str(serving), read_only=True) as con:
        return con.execute("select max(version), count(*) from marts.facts").fetchone()


def test_a_client_that_wrote_to_the_copy_and_died_leaves_no_stale_log(tmp_path: Path) -> None:
    """A read-write client killed after writing leaves serving.duckdb.wal; next to the next copy that log no
    longer matches and every reader would fail with "WAL does not match database file"."""
    warehouse, serving = tmp_path / "warehouse.duckdb", tmp_path / "serving.duckdb"
    build_marts(warehouse, 1)
    publish_serving_copy(warehouse, serving)
    with holding(serving, read_only=False, write=True):
        pass  # killed (SIGKILL) while open, after its write reached the log
    assert serving.with_name("serving.duckdb.wal").exists(), "the scenario needs a log left behind"
    build_marts(warehouse, 2)
    publish_serving_copy(warehouse, serving)
    assert not serving.with_name("serving.duckdb.wal").exists()
    assert _read_facts(serving) == (2, 2000)


def test_publishing_refuses_while_a_client_holds_the_copy_read_write(tmp_path: Path) -> None:
    warehouse, serving = tmp_path / "warehouse.duckdb", tmp_path / "serving.duckdb"
    build_marts(warehouse, 1)
    publish_serving_copy(warehouse, serving)
    build_marts(warehouse, 2)
    with holding(serving, read_only=False, write=True) as client:
        before = serving.read_bytes()
        with pytest.raises(ServingCopyBusyError, match=f"PID {client.pid}.*read-only"):
            publish_serving_copy(warehouse, serving)
        assert serving.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    publish_serving_copy(warehouse, serving)  # the client is gone: its log is stale and removed
    assert _read_facts(serving) == (2, 2000)
