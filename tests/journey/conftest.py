"""The standard sandbox world (seed 42, 500 people) loaded and built once per session, shared by the journey tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.loader import ALL_SOURCES, load_world
from sandbox.world import World, WorldConfig
from tests.journey.dbt_helpers import problems, run_dbt

SEED, PEOPLE = 42, 500


@pytest.fixture(scope="session")
def truth_world() -> World:
    return World(WorldConfig(seed=SEED, people=PEOPLE))


@pytest.fixture(scope="session")
def truth_warehouse(truth_world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("journey_truth")
    path = tmp / "warehouse.duckdb"
    load_world(path, truth_world, vendors=ALL_SOURCES)
    result = run_dbt(path, tmp, "build")
    assert result.success and not problems(result), problems(result)
    return path
