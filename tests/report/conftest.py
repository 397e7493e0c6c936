"""A published serving copy of a small sandbox world and the journey map built from it, once per session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from journey_map import ReportResult, build_report
from tests.report.build_serving import build_serving_copy


@pytest.fixture(scope="session")
def serving_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_serving_copy(tmp_path_factory.mktemp("journey_map"))


@pytest.fixture(scope="session")
def report(serving_copy: Path) -> ReportResult:
    return build_report(serving_copy, serving_copy.parent.parent / "report" / "journey_map.html")


@pytest.fixture(scope="session")
def island(report: ReportResult) -> dict[str, Any]:
    """The data island as read back from the written file (not the in-memory dict the file was made from)."""
    from journey_map import read_island

    return read_island(report.path.read_text())
