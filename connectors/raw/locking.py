"""Cross-process access to the DuckDB warehouse file.

DuckDB lets one process write a database file, and while a process has it open for writing no other process can
open it at all; while processes hold it read-only, none can write. Every writer of this project (each connector sync,
attribution, publishing, and the Dagster dbt step around its whole dbt invocation) holds this module's file lock, so
a second writer of ours waits instead of failing. Connections held by anything else (a notebook, a BI tool pointed
at the warehouse instead of the serving copy) are invisible to that lock: :func:`connect_warehouse` waits for them
with a message naming the holder, then fails with one sentence instead of DuckDB's traceback.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from connectors.core.errors import ConnectorError

log = logging.getLogger(__name__)

WAIT_ENV = "JOURNEYHUB_WAREHOUSE_WAIT_S"
DEFAULT_WAIT_S = 300.0
_POLL_S = 0.5
# DuckDB: 'Could not set lock on file "...": Conflicting lock is held in /usr/bin/python3 (PID 4242) by user x.'
_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


class WarehouseBusyError(ConnectorError):
    """Another process kept the warehouse for longer than we were willing to wait."""


def wait_seconds() -> float:
    """How long to wait for another process's connection: ``JOURNEYHUB_WAREHOUSE_WAIT_S`` (default 300)."""
    raw = (os.environ.get(WAIT_ENV) or "").strip()
    try:
        return float(raw) if raw else DEFAULT_WAIT_S
    except ValueError:
        raise ConnectorError(f"{WAIT_ENV}={raw!r} is not a number of seconds") from None


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


def lock_holder(message: str) -> str | None:
    """``"PID 4242 (python3 -m notebook)"`` from DuckDB's lock error; None when the error is not a lock conflict."""
    match = _HOLDER.search(message)
    if not match:
        return None
    pid = match["pid"]
    try:
        # the holder's command line says more than the interpreter path DuckDB reports
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        command = " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)
    except OSError:
        command = ""
    command = " ".join(command.split())  # one line, whatever the program's arguments hold
    if len(command) > 120:
        command = command[:117] + "..."
    return f"PID {pid} ({command or match['program']})"


def connect_warehouse(
    warehouse_path: str | Path,
    *,
    read_only: bool = False,
    config: Mapping[str, str] | None = None,
    wait_s: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to the warehouse; while another process holds the file (a connection outside this
    project's lock), wait up to ``wait_s`` seconds, saying once who holds it, then raise :class:`WarehouseBusyError`
    naming that process."""
    path = str(Path(warehouse_path))
    settings: dict[str, str | bool | int | float | list[str]] = dict(config or {})
    deadline = time.monotonic() + (wait_seconds() if wait_s is None else wait_s)
    said = False
    while True:
        try:
            return duckdb.connect(path, read_only=read_only, config=settings)
        except duckdb.IOException as exc:
            holder = lock_holder(str(exc))
            if holder is None:
                raise
        mode = "read" if read_only else "write"
        if time.monotonic() >= deadline:
            raise WarehouseBusyError(
                f"cannot open the warehouse {path} to {mode}: {holder} has it open. Close that connection "
                f"(BI tools and notebooks should read the serving copy, docs/serving.md) and run again."
            ) from None
        if not said:
            message = f"waiting for {holder} to close the warehouse {path} (opening it to {mode})"
            (on_wait or log.warning)(message)
            said = True
        time.sleep(_POLL_S)
