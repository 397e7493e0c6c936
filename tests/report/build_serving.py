"""Build a small published serving copy from the sandbox world: load, dbt build, attribution, publish.

Used by the report tests (once per session) and runnable by hand for development:
``python -m tests.report.build_serving var/jm``. The warehouse is built in a child process: dbt-duckdb keeps the
file attached for the life of the process, and publishing must attach it again.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pipelines.publish.serving import publish_serving_copy

# Small enough to build in about a minute, big enough that every persona, stage and channel shows up.
SEED, PEOPLE, DAYS = 7, 200, 60
REPO = Path(__file__).resolve().parents[2]


def build_warehouse(warehouse: Path) -> None:
    """Load the sandbox world into ``warehouse``, run dbt, the attribution step and its reports (in this process)."""
    from pipelines.transform.attribution import AttributionSettings, run_attribution
    from sandbox.loader import load_world
    from sandbox.world import World, WorldConfig
    from tests.journey.dbt_helpers import problems, run_dbt

    load_world(warehouse, World(WorldConfig(seed=SEED, people=PEOPLE, days=DAYS)))
    result = run_dbt(warehouse, warehouse.parent, "build")
    assert result.success and not problems(result), problems(result)
    settings = AttributionSettings()
    run_attribution(warehouse, settings.engine_config(), settings.excluded_channels)
    result = run_dbt(warehouse, warehouse.parent, "build", "-s", "source:attribution+")
    assert result.success and not problems(result), problems(result)


def build_serving_copy(root: Path) -> Path:
    """Return the path of a serving DuckDB file built under ``root`` (the warehouse stays beside it)."""
    root.mkdir(parents=True, exist_ok=True)
    warehouse = root / "warehouse.duckdb"
    code = "import sys; from pathlib import Path; from tests.report.build_serving import build_warehouse; "
    code += "build_warehouse(Path(sys.argv[1]))"
    subprocess.run([sys.executable, "-c", code, str(warehouse)], cwd=REPO, check=True)
    serving = root / "serving" / "serving.duckdb"
    publish_serving_copy(warehouse, serving, parquet_root=root / "serving" / "parquet")
    return serving


if __name__ == "__main__":
    print(build_serving_copy(Path(sys.argv[1])))
