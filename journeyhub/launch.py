"""Start and stop the sandbox as a child process, for `make demo` and `make ui`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipelines.settings import REPO_ROOT, read_env_file


@contextmanager
def sandbox_process(
    env_file: Path, *, people: int, days: int, seed: int = 42, timeout_s: float = 120.0
) -> Iterator[dict[str, str]]:
    """Run ``python -m sandbox serve`` until the block exits; yield the vendor variables it wrote."""
    env_file.parent.mkdir(parents=True, exist_ok=True)
    env_file.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "sandbox",
        "serve",
        "--seed",
        str(seed),
        "--people",
        str(people),
        "--days",
        str(days),
        "--env-file",
        str(env_file),
    ]
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + timeout_s
        while not env_file.exists():
            if proc.poll() is not None:
                out = proc.stdout.read() if proc.stdout else ""
                raise RuntimeError(f"the sandbox exited with code {proc.returncode} before it was ready:\n{out}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the sandbox did not write {env_file} within {timeout_s:.0f}s")
            time.sleep(0.1)
        yield read_env_file(env_file)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        env_file.unlink(missing_ok=True)


def export(values: dict[str, str]) -> None:
    for key, value in values.items():
        os.environ[key] = value
