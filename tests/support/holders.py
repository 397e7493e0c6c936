"""Another process holding a DuckDB file open, as a notebook or a BI tool would."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HOLDER = r"""
import sys, time, duckdb
path, read_only, seconds, write = sys.argv[1], sys.argv[2] == "ro", float(sys.argv[3]), sys.argv[4] == "write"
con = duckdb.connect(path, read_only=read_only)
if write:
    con.execute("create or replace table main.touched_by_a_client as select 42 as answer")
print("holding", flush=True)
time.sleep(seconds)
con.close()
"""


@contextmanager
def holding(path: Path, *, read_only: bool, seconds: float = 120.0, write: bool = False) -> Iterator[subprocess.Popen]:
    """A subprocess that opens ``path`` and keeps it open for ``seconds`` (killed on exit)."""
    args = [sys.executable, "-c", HOLDER, str(path), "ro" if read_only else "rw", str(seconds), str(write).lower()]
    proc = subprocess.Popen([*args[:-1], "write" if write else "-"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
        yield proc
    finally:
        proc.kill()
        proc.wait()
