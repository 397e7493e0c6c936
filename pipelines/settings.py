"""Where things live, and the environment defaults shared by Python and dbt.

dbt run through dagster-dbt may execute from a copy of the project folder, so the warehouse location is always an
absolute path in ``JOURNEYHUB_WAREHOUSE``, read by both the Python resources and ``dbt_project/profiles.yml``.
"""

from __future__ import annotations

import logging
import os
from datetime import date
from pathlib import Path

from connectors.core.clock import history_start, today_from

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
VAR_DIR = REPO_ROOT / "var"

WAREHOUSE_ENV = "JOURNEYHUB_WAREHOUSE"
SANDBOX_ENV_FILE_ENV = "JOURNEYHUB_SANDBOX_ENV_FILE"
DEFAULT_WAREHOUSE = VAR_DIR / "warehouse.duckdb"
DEFAULT_SANDBOX_ENV_FILE = VAR_DIR / "sandbox.env"

# Vendor variables a running sandbox writes to its env file; any of them set means "real credentials".
SANDBOX_VARIABLES = (
    "HUBSPOT_BASE_URL",
    "HUBSPOT_ACCESS_TOKEN",
    "MAILCHIMP_API_KEY",
    "META_ACCESS_TOKEN",
    "GOOGLE_ADS_ACCESS_TOKEN",
    "TRUSTPILOT_CLIENT_SECRET",
    "GOOGLE_BUSINESS_TOKEN",
)


def start_date() -> date:
    """The first day of history to sync (and the first daily partition): ``JOURNEYHUB_START_DATE``."""
    return history_start(os.environ)


def today() -> date:
    """The platform's "today": the wall clock, unless ``JOURNEYHUB_TODAY`` pins it (the sandbox's world clock)."""
    return today_from(os.environ)()


SERVING_ENV = "JOURNEYHUB_SERVING_DIR"


def serving_paths() -> tuple[Path, Path]:
    """The serving DuckDB file and Parquet folder BI tools read (``JOURNEYHUB_SERVING_DIR``, default var/serving)."""
    root = Path(os.environ.get(SERVING_ENV) or VAR_DIR / "serving").expanduser().resolve()
    return root / "serving.duckdb", root / "parquet"


QUALITY_ENV = "JOURNEYHUB_QUALITY_DIR"


def quality_dir() -> Path:
    """Where the Great Expectations context and its Data Docs live (``<dir>/gx/uncommitted/data_docs``)."""
    return Path(os.environ.get(QUALITY_ENV) or VAR_DIR / "quality").expanduser().resolve()


def warehouse_path() -> Path:
    return Path(os.environ.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE).expanduser().resolve()


def read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def apply_environment_defaults() -> None:
    """Fill in what the user did not set: the warehouse path, and the sandbox's vendor settings.

    The sandbox (``make sandbox``) writes its URLs and tokens to ``var/sandbox.env``. They are used only when none
    of the vendor variables is set, so real credentials always win.
    """
    os.environ[WAREHOUSE_ENV] = str(warehouse_path())
    if any(os.environ.get(v) for v in SANDBOX_VARIABLES):
        return
    env_file = Path(os.environ.get(SANDBOX_ENV_FILE_ENV) or DEFAULT_SANDBOX_ENV_FILE)
    if env_file.is_file():
        for key, value in read_env_file(env_file).items():
            os.environ.setdefault(key, value)
        log.info("no vendor credentials set: using the sandbox described in %s", env_file)
