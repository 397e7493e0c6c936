"""The Dagster code location: every asset, check, job, schedule and resource of the platform.

Loaded by ``workspace.yaml`` (``dagster dev -w workspace.yaml`` / ``make ui``).
"""

from datetime import timedelta
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource

from pipelines.settings import apply_environment_defaults

apply_environment_defaults()

# The modules below read the environment (partition start date, dbt target) when imported.
from pipelines.ingest.google_ads import google_ads_daily, google_ads_raw  # noqa: E402
from pipelines.ingest.google_business import google_business_raw  # noqa: E402
from pipelines.ingest.hubspot import hubspot_raw  # noqa: E402
from pipelines.ingest.mailchimp import mailchimp_raw  # noqa: E402
from pipelines.ingest.meta import meta_ads_insights, meta_ads_raw, social_raw  # noqa: E402
from pipelines.ingest.segment import segment_events  # noqa: E402
from pipelines.ingest.trustpilot import trustpilot_raw  # noqa: E402
from pipelines.ingest.typeform import typeform_raw  # noqa: E402
from pipelines.partitions import daily_partitions  # noqa: E402
from pipelines.publish.assets import serving_copy  # noqa: E402
from pipelines.quality.checks import build_quality_checks  # noqa: E402
from pipelines.quality.freshness import raw_source_freshness  # noqa: E402
from pipelines.report.assets import journey_map  # noqa: E402
from pipelines.resources import (  # noqa: E402
    GoogleAdsResource,
    GoogleBusinessResource,
    HubSpotResource,
    MailchimpResource,
    MetaResource,
    SegmentResource,
    TrustpilotResource,
    TypeformResource,
    WarehouseResource,
)
from pipelines.reverse_etl import reverse_etl_assets, reverse_etl_job  # noqa: E402
from pipelines.settings import WAREHOUSE_ENV, today  # noqa: E402
from pipelines.transform.attribution import fct_attribution  # noqa: E402
from pipelines.transform.dbt import (  # noqa: E402
    DBT_EXECUTABLE,
    DBT_TARGET,
    attribution_dbt_models,
    dbt_project,
    journey_dbt_models,
)

INGEST_ASSETS = [
    hubspot_raw,
    mailchimp_raw,
    meta_ads_raw,
    meta_ads_insights,
    social_raw,
    google_ads_raw,
    google_ads_daily,
    segment_events,
    typeform_raw,
    trustpilot_raw,
    google_business_raw,
]

# Ad platforms restate the last weeks of conversions (Meta up to 28 days), so the scheduled refresh re-reads them.
RESTATEMENT_DAYS = 28

refresh_all = dg.define_asset_job(
    name="refresh_all",
    selection=dg.AssetSelection.all(),
    description="Sync every source (ad metrics for the run's day range), build and test every dbt model, attribute "
    "conversions, build the performance reports, and, when every blocking check passed, publish the serving copy, "
    "draw the journey map and push segments and journey fields to the CRM.",
)


# The scheduled run lists every Segment day folder, not only the restatement range's: late files for older days.
SCHEDULED_RUN_CONFIG = {"ops": {segment_events.op.name: {"config": {"late_files": True}}}}


def restatement_range(days: int = RESTATEMENT_DAYS) -> tuple[str, str]:
    """Partition keys from ``days`` ago to today: the window the ad platforms may still revise."""
    end = today()
    start = max(end - timedelta(days=days - 1), daily_partitions.start.date())
    return start.isoformat(), end.isoformat()


def range_tags(first: str, last: str) -> dict[str, str]:
    return {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last}


@dg.schedule(
    name="refresh_all_daily",
    job=refresh_all,
    cron_schedule="0 6 * * *",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every morning: sync every source, re-read the last 28 days of ad metrics, load every new Segment "
    "file (late ones for older days too), rebuild the models.",
)
def refresh_all_daily(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    first, last = restatement_range()
    return dg.RunRequest(run_key=f"refresh-{last}", tags=range_tags(first, last), run_config=SCHEDULED_RUN_CONFIG)


def default_resources() -> dict[str, Any]:
    """Every resource from the environment: each vendor's settings are its variables (README, docs/configuration.md)
    and its secrets EnvVar, so what the CLI reads is what a Dagster run uses."""
    return {
        "warehouse": WarehouseResource(path=dg.EnvVar(WAREHOUSE_ENV)),
        "hubspot": HubSpotResource.from_env(),
        "mailchimp": MailchimpResource.from_env(),
        "meta": MetaResource.from_env(),
        "google_ads": GoogleAdsResource.from_env(),
        "segment": SegmentResource.from_env(),
        "typeform": TypeformResource.from_env(),
        "trustpilot": TrustpilotResource.from_env(),
        "google_business": GoogleBusinessResource.from_env(),
        "dbt": DbtCliResource(
            project_dir=dbt_project,
            profiles_dir=str(dbt_project.project_dir),
            target=DBT_TARGET,
            dbt_executable=DBT_EXECUTABLE,
        ),
    }


def build_defs(**resource_overrides: Any) -> dg.Definitions:
    """The platform's definitions. Tests pass resources bound to their sandbox; everyone else gets the environment."""
    return dg.Definitions(
        assets=[
            *INGEST_ASSETS,
            journey_dbt_models,
            fct_attribution,
            attribution_dbt_models,
            serving_copy,
            journey_map,
            *reverse_etl_assets,
        ],
        asset_checks=[*build_quality_checks(), raw_source_freshness],
        jobs=[refresh_all, reverse_etl_job],
        schedules=[refresh_all_daily],
        resources={**default_resources(), **resource_overrides},
    )


defs = build_defs()
