"""Cross-process single-writer lock for the DuckDB warehouse file.

DuckDB lets one process write a database file. Every writer of this project (each connector sync, and the Dagster dbt
step around its whole dbt invocation) holds this lock, so a second writer waits instead of failing on DuckDB's lock.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

log = logging.getLogger(__name__)


class WarehouseBusyError(RuntimeError):
    """Another process held the warehouse write lock for longer than we were willing to wait."""


@contextmanager
def warehouse_lock(warehouse_path: str | Path, *, timeout_s: float = 600.0) -> Iterator[None]:
    lock_path = f"{Path(warehouse_path)}.lock"
    lock = FileLock(lock_path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        log.info("waiting for the warehouse write lock %s (another process is writing)", lock_path)
        try:
            lock.acquire(timeout=timeout_s)
        except Timeout:
            raise WarehouseBusyError(
                f"the warehouse {warehouse_path} has been locked by another writer for {timeout_s:.0f}s "
                f"(lock file {lock_path}); wait for that run to finish and retry"
            ) from None
    try:
        yield
    finally:
        lock.release()
