"""A warehouse with marts built once per session from the sandbox world (seed 7), copied per test, and a fresh
sandbox HubSpot portal per test (the same world, so warehouse contact ids are the portal's ids)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from connectors.hubspot import HubSpotConfig
from reverse_etl.hubspot import HubSpotWriter
from reverse_etl.ledger import Ledger
from sandbox.loader import load_world
from sandbox.server.hubspot import RateLimits
from sandbox.testing import SandboxHandle, run_sandbox
from sandbox.world import World, WorldConfig
from tests.journey.dbt_helpers import problems, run_dbt

WORLD = WorldConfig(seed=7, people=200, days=60)
FAST = RateLimits(search_per_second=1000, per_interval=100_000)


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("reverse_etl_wh")
    path = tmp / "warehouse.duckdb"
    load_world(path, World(WORLD))
    result = run_dbt(path, tmp, "build")
    assert result.success and not problems(result), problems(result)
    # Fold the write-ahead log into the file: tests copy the .duckdb file alone.
    con = duckdb.connect(str(path))
    con.execute("checkpoint")
    con.close()
    return path


@pytest.fixture()
def warehouse(built_warehouse: Path, tmp_path: Path) -> Path:
    """A private copy: syncs write their ledger into it and tests edit the marts."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, path)
    return path


@pytest.fixture()
def ledger(warehouse: Path) -> Ledger:
    return Ledger.for_duckdb(warehouse)


@pytest.fixture()
def sb() -> Iterator[SandboxHandle]:
    with run_sandbox(World(WORLD), rate_limits=FAST, vendors=("hubspot",)) as handle:
        yield handle


@pytest.fixture()
def writer(sb: SandboxHandle) -> Iterator[HubSpotWriter]:
    config = HubSpotConfig(
        access_token=sb.hubspot.token,
        base_url=sb.hubspot.base_url,
        requests_per_10s=5000,
        backoff_base_s=0.02,
        max_attempts=10,
    )
    w = HubSpotWriter(config)
    yield w
    w.close()
