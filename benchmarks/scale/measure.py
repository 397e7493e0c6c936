"""Wall time and peak memory of a child process, and the facts of the machine it ran on.

Every timed step runs in its own child process: ``os.wait4`` returns that child's own resource usage, so its peak
resident set size (``ru_maxrss``: the largest of the child and of the grandchildren it waited for) is the step's
peak, free of whatever the harness or an earlier step held.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any


@dataclass
class Measured:
    name: str
    seconds: float
    peak_mb: float
    returncode: int
    # the last JSON object the step printed on stdout (row counts, inner timings)
    info: dict[str, Any] = field(default_factory=dict)
    log: str = ""


def run_child(name: str, argv: list[str], *, log_dir: Path, env: dict[str, str] | None = None) -> Measured:
    """Run ``argv`` to the end; stdout to ``<name>.out``, stderr to ``<name>.log`` under ``log_dir``."""
    log_dir.mkdir(parents=True, exist_ok=True)
    out_path, log_path = log_dir / f"{name}.out", log_dir / f"{name}.log"
    print(f"[bench] {name} ...", file=sys.stderr, flush=True)
    with open(out_path, "w") as out, open(log_path, "w") as log:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=log, env=env)
        # wait4 rather than proc.wait(): only wait4 hands back this child's own rusage (peak RSS)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    info: dict[str, Any] = {}
    for line in reversed(out_path.read_text().splitlines()):
        if line.startswith("{"):
            try:
                info = json.loads(line)
                break
            except json.JSONDecodeError:
                continue
    peak_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    m = Measured(name, seconds, peak_mb, proc.returncode, info, str(log_path))
    print(f"[bench] {name}: {seconds:.1f} s, peak {peak_mb:,.0f} MB, rc {m.returncode}", file=sys.stderr, flush=True)
    return m


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_facts() -> dict[str, Any]:
    """CPU, cores, RAM, OS and the versions that decide the numbers."""
    cpu = next((ln.split(":", 1)[1].strip() for ln in _read("/proc/cpuinfo").splitlines() if "model name" in ln), "")
    mem_kb = next((int(ln.split()[1]) for ln in _read("/proc/meminfo").splitlines() if ln.startswith("MemTotal")), 0)
    return {
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kb / 1024**2, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "duckdb": _version("duckdb"),
        "dbt-core": _version("dbt-core"),
        "dbt-duckdb": _version("dbt-duckdb"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
