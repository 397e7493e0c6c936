"""The BI-facing serving copy: the published tables in a DuckDB file that DuckDB 1.x readers can open, plus Parquet.

BI tools never open the warehouse: DuckDB allows one writing process per file, and a reader of the warehouse would
either block the pipeline or fail on its lock. Publishing copies the published schemas into a new file written in an
older storage version (most BI drivers bundle DuckDB 1.x, which cannot read DuckDB 2.0 files), then swaps it in with
an atomic rename. A reader that has the old file open keeps reading it; the next connection sees the new one. Parquet
goes to a new versioned folder and a ``current`` symlink is swapped the same way.

The serving copy is for reading. A client that opened it read-write and died leaves ``serving.duckdb.wal`` behind;
next to a newly swapped-in file that log no longer matches, and every later reader fails ("WAL does not match
database file"). Publishing therefore removes a stale log before the swap, and refuses to publish while a client
holds the copy open read-write (its log would go stale the same way), naming that client.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from connectors.core.errors import ConnectorError
from connectors.raw.locking import connect_warehouse, lock_holder, warehouse_lock

# DuckDB 1.4 and later (and so every current BI driver) read this storage version.
SERVING_STORAGE_VERSION = "v1.4.0"
PUBLISHED_SCHEMAS = ("marts",)
PARQUET_VERSIONS_KEPT = 2


@dataclass
class PublishResult:
    serving_path: Path
    parquet_dir: Path | None
    tables: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class ServingCopyBusyError(ConnectorError):
    """A client holds the serving copy open read-write: publishing now would leave its log stale."""


def _clear_stale_wal(serving: Path) -> None:
    """Remove ``serving.duckdb.wal`` left by a read-write client that is gone; refuse while one is still open."""
    wal = serving.with_name(f"{serving.name}.wal")
    if not wal.exists():
        return
    try:
        # succeeds unless a writer holds the file: readers share their lock
        duckdb.connect(str(serving), read_only=True).close()
    except duckdb.IOException as exc:
        holder = lock_holder(str(exc))
        if holder is not None:
            raise ServingCopyBusyError(
                f"the serving copy {serving} is open read-write in {holder}: BI tools must open it read-only "
                "(docs/serving.md). Close that connection and publish again."
            ) from None
        # any other failure to read it (a log that does not match the file) also means the log is stale
    wal.unlink(missing_ok=True)


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def publish_serving_copy(
    warehouse: Path,
    serving: Path,
    *,
    parquet_root: Path | None = None,
    schemas: tuple[str, ...] = PUBLISHED_SCHEMAS,
    lock_timeout_s: float = 600.0,
) -> PublishResult:
    """Copy every table of ``schemas`` from the warehouse into a fresh serving file and swap it in atomically."""
    started = time.monotonic()
    serving.parent.mkdir(parents=True, exist_ok=True)
    tmp = serving.with_name(f".{serving.name}.{uuid.uuid4().hex[:8]}.tmp")
    result = PublishResult(serving_path=serving, parquet_dir=None)
    version_dir = None
    if parquet_root is not None:
        version_dir = parquet_root / f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
        version_dir.mkdir(parents=True)
    try:
        # The warehouse is read under the writers' lock, so no sync or dbt run changes it half-way through the copy.
        with warehouse_lock(warehouse, timeout_s=lock_timeout_s), duckdb.connect() as con:
            # a read-only probe first: it waits for (and names) a foreign process that holds the warehouse
            connect_warehouse(warehouse, read_only=True).close()
            con.execute(f"attach {_quote(warehouse)} as wh (read_only)")
            con.execute(f"attach {_quote(tmp)} as serving (storage_version '{SERVING_STORAGE_VERSION}')")
            tables = con.execute(
                "select schema_name, table_name from duckdb_tables() where database_name = 'wh' "
                f"and schema_name in ({', '.join('?' for _ in schemas)}) order by 1, 2",
                list(schemas),
            ).fetchall()
            for schema in sorted({s for s, _ in tables}):
                con.execute(f'create schema serving."{schema}"')
            for schema, table in tables:
                con.execute(f'create table serving."{schema}"."{table}" as select * from wh."{schema}"."{table}"')
                counted = con.execute(f'select count(*) from serving."{schema}"."{table}"').fetchone()
                if counted is None:  # an aggregate without group by answers exactly one row
                    raise RuntimeError(f"DuckDB answered no row to count(*) of serving.{schema}.{table}")
                result.tables[f"{schema}.{table}"] = int(counted[0])
                if version_dir is not None:
                    target = version_dir / f"{schema}.{table}.parquet"
                    con.execute(f'copy serving."{schema}"."{table}" to {_quote(target)} (format parquet)')
            con.execute("detach serving")
        if tmp.with_name(f"{tmp.name}.wal").exists():
            raise RuntimeError(f"DuckDB did not checkpoint {tmp} when detaching it; not publishing a half-written copy")
        _clear_stale_wal(serving)
        os.replace(tmp, serving)
    except BaseException:
        tmp.unlink(missing_ok=True)
        if version_dir is not None:
            shutil.rmtree(version_dir, ignore_errors=True)
        raise
    if parquet_root is not None and version_dir is not None:
        result.parquet_dir = _swap_current(parquet_root, version_dir)
    result.seconds = time.monotonic() - started
    return result


def _swap_current(root: Path, version_dir: Path) -> Path:
    """Point ``root/current`` at the new version atomically and keep only the newest versions."""
    link = root / "current"
    tmp_link = root / f".current.{uuid.uuid4().hex[:8]}"
    os.symlink(version_dir.relative_to(root), tmp_link)
    os.replace(tmp_link, link)
    versions = sorted((p for p in root.iterdir() if p.is_dir() and not p.is_symlink()), key=lambda p: p.stat().st_mtime)
    for old in versions[:-PARQUET_VERSIONS_KEPT]:
        if old.resolve() != version_dir.resolve():
            shutil.rmtree(old, ignore_errors=True)
    return link
