"""A throwaway PostgreSQL server for the session, and the standard sandbox world built on it and on DuckDB.

The world is loaded into a DuckDB file by the sandbox loader (as the connectors would write it), its raw_* schemas
are copied into PostgreSQL, and the same dbt project is built twice from the same raw data: `dbt build --target
postgres` on the server and `dbt build` (DuckDB) on a copy of the file.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sandbox.loader import ALL_SOURCES, load_world
from sandbox.world import World, WorldConfig
from tests.journey.dbt_helpers import run_dbt
from tests.postgres.cluster import PostgresUnavailable, Server, copy_raw_layer, running_server

CONFIG = WorldConfig(seed=7, people=200, days=60)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    try:
        with running_server() as server:
            yield server
    except PostgresUnavailable as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(exc))


def run_dbt_postgres(server: Server, warehouse: Path, scratch: Path, *args: str) -> Any:
    """`dbt <args> --target postgres` in-process against ``server`` (the profile reads JOURNEYHUB_PG_*)."""
    previous = {k: os.environ.get(k) for k in server.env}
    os.environ.update(server.env)
    try:
        return run_dbt(warehouse, scratch, *args, "--target", "postgres")
    finally:
        for k, v in previous.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@dataclass
class Builds:
    server: Server
    raw: Path  # the DuckDB file holding the raw layer (its raw_* schemas were copied into PostgreSQL)
    duckdb: Path  # a copy of it, built by `dbt build` on DuckDB
    postgres: Any  # the dbtRunnerResult of `dbt build --target postgres`
    duckdb_result: Any
    raw_rows: dict[str, int]
    scratch: Path


@pytest.fixture(scope="session")
def builds(pg_server: Server, tmp_path_factory: pytest.TempPathFactory) -> Builds:
    tmp = tmp_path_factory.mktemp("postgres_build")
    raw = tmp / "raw.duckdb"
    load_world(raw, World(CONFIG), vendors=ALL_SOURCES)
    raw_rows = copy_raw_layer(raw, pg_server)
    duck = tmp / "warehouse.duckdb"
    shutil.copy(raw, duck)
    postgres = run_dbt_postgres(pg_server, raw, tmp / "pg", "build")
    duckdb_result = run_dbt(duck, tmp / "duckdb", "build")
    return Builds(pg_server, raw, duck, postgres, duckdb_result, raw_rows, tmp)
