"""Run dbt on a warehouse file from tests (target/ and logs/ kept out of the repository)."""

from __future__ import annotations

import collections
import os
from pathlib import Path
from typing import Any

from dbt.cli.main import dbtRunner

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"


def run_dbt(warehouse: Path, scratch: Path, *args: str) -> Any:
    """`dbt <args>` against ``warehouse``; returns the dbtRunnerResult (raises on an exception inside dbt)."""
    previous = os.environ.get("JOURNEYHUB_WAREHOUSE")
    os.environ["JOURNEYHUB_WAREHOUSE"] = str(warehouse.resolve())
    try:
        result = dbtRunner().invoke(
            [
                *args,
                "--project-dir",
                str(PROJECT_DIR),
                "--profiles-dir",
                str(PROJECT_DIR),
                "--target-path",
                str(scratch / "target"),
                "--log-path",
                str(scratch / "logs"),
                "--no-use-colors",
                "--quiet",
            ]
        )
    finally:
        if previous is None:
            os.environ.pop("JOURNEYHUB_WAREHOUSE", None)
        else:
            os.environ["JOURNEYHUB_WAREHOUSE"] = previous
    assert result.exception is None, result.exception
    return result


def problems(result: Any) -> list[tuple[str, str, str]]:
    """Nodes that did not succeed or pass (warnings included)."""
    return [
        (r.node.unique_id, str(r.status), r.message)
        for r in result.result.results
        if str(r.status) not in ("success", "pass")
    ]


def statuses(result: Any) -> collections.Counter[str]:
    return collections.Counter(str(r.status) for r in result.result.results)
