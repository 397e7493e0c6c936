"""The Dagster code location: every asset, check, job, schedule and resource of the platform.

Loaded by ``workspace.yaml`` (``dagster dev -w workspace.yaml`` / ``make ui``).
"""

from __future__ import annotations

import os

import dagster as dg
from dagster_dbt import DbtCliResource

from pipelines.settings import apply_environment_defaults

apply_environment_defaults()

from pipelines.ingest.hubspot import hubspot_raw  # noqa: E402  (needs the environment defaults above)
from pipelines.resources import HubSpotResource, WarehouseResource  # noqa: E402
from pipelines.settings import WAREHOUSE_ENV  # noqa: E402
from pipelines.transform.dbt import DBT_EXECUTABLE, DBT_TARGET, dbt_project, journey_dbt_models  # noqa: E402

refresh_all = dg.define_asset_job(
    name="refresh_all",
    selection=dg.AssetSelection.all(),
    description="Sync every source, then build and test every dbt model.",
    tags={"dagster/max_retries": "0"},
)

refresh_schedule = dg.ScheduleDefinition(
    name="refresh_all_every_6_hours",
    job=refresh_all,
    cron_schedule="0 */6 * * *",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Turn on in the UI (Automation tab) to refresh the whole platform four times a day.",
)


def build_defs(*, hubspot: HubSpotResource | None = None) -> dg.Definitions:
    """The platform's definitions. Tests pass resources bound to their sandbox; everyone else gets the environment."""
    return dg.Definitions(
        assets=[hubspot_raw, journey_dbt_models],
        jobs=[refresh_all],
        schedules=[refresh_schedule],
        resources={
            "warehouse": WarehouseResource(path=dg.EnvVar(WAREHOUSE_ENV)),
            "hubspot": hubspot
            or HubSpotResource(
                access_token=dg.EnvVar("HUBSPOT_ACCESS_TOKEN"),
                base_url=os.environ.get("HUBSPOT_BASE_URL") or "https://api.hubapi.com",
            ),
            "dbt": DbtCliResource(
                project_dir=dbt_project,
                profiles_dir=str(dbt_project.project_dir),
                target=DBT_TARGET,
                dbt_executable=DBT_EXECUTABLE,
            ),
        },
    )


defs = build_defs()
