"""Shared fixtures. Every test that needs a vendor starts the sandbox's real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from sandbox.world import WorldConfig

# Tests never pick up a developer's running sandbox or warehouse by accident.
os.environ["JOURNEYHUB_SANDBOX_ENV_FILE"] = str(Path(__file__).parent / "no-sandbox.env")
# Great Expectations contexts and Data Docs of test runs stay out of the repository's var/.
if "JOURNEYHUB_QUALITY_DIR" not in os.environ:
    _QUALITY_DIR = tempfile.mkdtemp(prefix="journeyhub-quality-")
    os.environ["JOURNEYHUB_QUALITY_DIR"] = _QUALITY_DIR
    atexit.register(shutil.rmtree, _QUALITY_DIR, ignore_errors=True)  # one per run, gone with it


@pytest.fixture
def small_world() -> WorldConfig:
    """About 200 people over two months: a few pages per stream, fast enough for every test."""
    return WorldConfig(seed=7, people=200, days=60)


# Fixtures that build a warehouse with dbt: the tests using them are `slow` (left out of `make check`).
DBT_BUILT = {"built_warehouse", "builds", "pg_server"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if DBT_BUILT & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
