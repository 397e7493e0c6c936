"""`make ui`: the sandbox plus `dagster dev` on the project's workspace, stopped together with Ctrl-C."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from journeyhub.launch import export, sandbox_process
from pipelines.settings import DEFAULT_SANDBOX_ENV_FILE, REPO_ROOT, SANDBOX_VARIABLES, apply_environment_defaults


def main() -> int:
    apply_environment_defaults()
    # `dg dev` reads the project from pyproject.toml ([tool.dg]); it wants to know the virtualenv it runs in.
    venv = Path(sys.executable).parent.parent
    os.environ.setdefault("VIRTUAL_ENV", str(venv))
    dagster = [str(venv / "bin" / "dg"), "dev", "--host", "127.0.0.1", "--port", os.environ.get("DAGSTER_PORT", "3000")]
    if any(os.environ.get(v) for v in SANDBOX_VARIABLES):
        print("vendor credentials found in the environment: starting Dagster against them (no sandbox)")
        return subprocess.call(dagster, cwd=REPO_ROOT)
    with sandbox_process(DEFAULT_SANDBOX_ENV_FILE, people=500, days=90) as env:
        export(env)
        print(
            f"sandbox vendor APIs running ({len(env)} settings in {DEFAULT_SANDBOX_ENV_FILE}); Dagster UI on port 3000"
        )
        try:
            return subprocess.call(dagster, cwd=REPO_ROOT)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    raise SystemExit(main())
