"""Every documented setting reaches a Dagster run (docs/configuration.md).

The CLI, the Dagster resources and the tests build connectors through one function
(``connectors.registry.connector_from_env``). This test sets every variable that docs/configuration.md documents for
a source to a value other than its default, runs one stream of every source through Dagster with the default
resources, and reads each value back from the run's ``connector_settings`` metadata.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from connectors.registry import SOURCES
from sandbox.testing import run_sandbox
from sandbox.world import World, WorldConfig
from tests.connectors.segment_files import Export, make_export

pytestmark = pytest.mark.e2e

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
SOURCE_SECTIONS = (
    "HubSpot",
    "Mailchimp",
    "Meta",
    "Google Ads",
    "Segment",
    "Typeform",
    "Trustpilot",
    "Google Business Profile",
    "Every source",
)

# One cheap, unpartitioned stream per source.
STREAMS = {
    "hubspot": "owners",
    "mailchimp": "lists",
    "meta_ads": "campaigns",
    "social": "facebook_posts",
    "google_ads": "campaigns",
    "typeform": "forms",
    "trustpilot": "reviews",
    "google_business": "locations",
}

# Segment's one stream is partitioned by received day: run on its own, for one day of a test export (the sandbox
# writes no Segment files yet), in a folder here and in a bucket of moto's S3 server (the two exclusive variables).
SEGMENT_PARTITION_DAYS_BEFORE_TODAY = 2
SEGMENT_SOURCE = "settingsweb01"
BUCKET_ONLY = {"SEGMENT_S3_BUCKET": "s3_bucket", "SEGMENT_S3_ENDPOINT_URL": "s3_endpoint_url"}

# variable -> (value to set, connector setting it must become, that setting's value). None as the value: the
# sandbox's own (URLs, ids), which the run must use for the stream to sync at all.
NUMBERS: dict[str, tuple[str, str, Any]] = {
    "HUBSPOT_REQUESTS_PER_10S": ("150", "requests_per_10s", 150),
    "HUBSPOT_SEARCH_PER_SECOND": ("3", "search_per_second", 3),
    "HUBSPOT_TIMEOUT_S": ("21", "timeout_s", 21.0),
    "HUBSPOT_LOOKBACK_MINUTES": ("45", "lookback_minutes", 45.0),
    "MAILCHIMP_LOOKBACK_MINUTES": ("33", "lookback_minutes", 33.0),
    "MAILCHIMP_PAGE_SIZE": ("77", "page_size", 77),
    "MAILCHIMP_TIMEOUT_S": ("22", "timeout_s", 22.0),
    "MAILCHIMP_ACTIVITY_WINDOW_DAYS": ("21", "activity_window_days", 21),
    "META_API_VERSION": ("v24.0", "api_version", "v24.0"),
    "META_RESTATEMENT_DAYS": ("20", "restatement_days", 20),
    "META_REQUESTS_PER_MINUTE": ("100000", "requests_per_minute", 100000),
    "META_TIMEOUT_S": ("23", "timeout_s", 23.0),
    "META_COMMENTS_REREAD_DAYS": ("9", "comments_reread_days", 9),
    "META_PAGE_SIZE": ("50", "page_size", 50),
    "META_INSIGHTS_PAGE_SIZE": ("250", "insights_page_size", 250),
    "GOOGLE_ADS_API_VERSION": ("v23", "api_version", "v23"),
    "GOOGLE_ADS_RESTATEMENT_DAYS": ("10", "restatement_days", 10),
    "JOURNEYHUB_MAX_FUTURE_SKEW_HOURS": ("30", "max_future_skew_hours", 30.0),
    "TRUSTPILOT_LOOKBACK_DAYS": ("30", "lookback_days", 30.0),
    "TRUSTPILOT_PAGE_SIZE": ("60", "page_size", 60),
    "TRUSTPILOT_TIMEOUT_S": ("24", "timeout_s", 24.0),
    "GOOGLE_BUSINESS_LOOKBACK_HOURS": ("36", "lookback_hours", 36.0),
    "GOOGLE_BUSINESS_PAGE_SIZE": ("40", "page_size", 40),
    "GOOGLE_BUSINESS_TIMEOUT_S": ("25", "timeout_s", 25.0),
    "SEGMENT_PAGE_SIZE": ("40", "page_size", 40),
    "SEGMENT_S3_PREFIX": ("web-logs", "prefix", "web-logs"),
    "SEGMENT_SOURCE_ID": (SEGMENT_SOURCE, "source_id", SEGMENT_SOURCE),
    "AWS_REGION": ("eu-west-1", "region", "eu-west-1"),
    "AWS_DEFAULT_REGION": ("eu-central-1", "default_region", "eu-central-1"),
    # under the sandbox's 2 requests per second, so the run meets no 429
    "TYPEFORM_REQUESTS_PER_SECOND": ("1.5", "requests_per_second", 1.5),
    "TYPEFORM_LOOKBACK_MINUTES": ("31", "lookback_minutes", 31.0),
    "TYPEFORM_PAGE_SIZE": ("500", "page_size", 500),
    "TYPEFORM_TIMEOUT_S": ("24", "timeout_s", 24.0),
    "TYPEFORM_FORM_IDS": ("nPs7Qa2K,cSat4Lm9", "form_ids", "nPs7Qa2K,cSat4Lm9"),
}
FROM_SANDBOX = {
    "HUBSPOT_BASE_URL": "base_url",
    "MAILCHIMP_BASE_URL": "base_url",
    "META_BASE_URL": "base_url",
    "META_AD_ACCOUNT_ID": "ad_account_id",
    "META_PAGE_ID": "page_id",
    "META_IG_USER_ID": "ig_user_id",
    "GOOGLE_ADS_BASE_URL": "base_url",
    "GOOGLE_ADS_CUSTOMER_ID": "customer_id",
    "SEGMENT_EXPORT_PATH": "export_path",  # the test's export folder, until the sandbox writes one
    "TYPEFORM_BASE_URL": "base_url",
    "TRUSTPILOT_BASE_URL": "base_url",
    "TRUSTPILOT_BUSINESS_UNIT_ID": "business_unit_id",
    "GOOGLE_BUSINESS_BASE_URL": "base_url",
    "GOOGLE_BUSINESS_LOCATIONS_URL": "locations_url",
    "GOOGLE_BUSINESS_ACCOUNT": "account_id",
}
# set below from the sandbox's world: the history start, the pinned clock and the manager login
OTHERS = ("JOURNEYHUB_START_DATE", "JOURNEYHUB_TODAY", "GOOGLE_ADS_LOGIN_CUSTOMER_ID")


def segment_export(day: date) -> Export:
    """One received day of calls for SEGMENT_SOURCE, under the SEGMENT_S3_PREFIX the test sets."""
    export = make_export(days=1, files_per_day=2, calls_per_file=10, start=day, source_id=SEGMENT_SOURCE)
    prefix = NUMBERS["SEGMENT_S3_PREFIX"][0]
    export.files = {f"{prefix}/{k.split('/', 1)[1]}": data for k, data in export.files.items()}
    return export


def documented_variables() -> dict[str, set[str]]:
    """``{section: {variable}}`` from the tables of docs/configuration.md."""
    sections: dict[str, set[str]] = {}
    current = None
    for line in DOC.read_text().splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
        elif current and line.startswith("| `"):
            sections.setdefault(current, set()).update(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1]))
    return sections


def source_variables() -> set[str]:
    docs = documented_variables()
    return set().union(*(v for k, v in docs.items() if k.split(" (")[0] in SOURCE_SECTIONS))


def test_every_documented_source_variable_is_covered() -> None:
    secrets = {s for spec in SOURCES.values() for s in spec.secrets}
    covered = set(NUMBERS) | set(FROM_SANDBOX) | set(OTHERS) | set(BUCKET_ONLY) | secrets
    assert source_variables() == covered, "docs/configuration.md and this test disagree"
    # and every documented source variable belongs to a source (its prefix or the shared list)
    orphans = {v for v in source_variables() if not any(v in spec.settings({v: "x"}) for spec in SOURCES.values())}
    assert not orphans


def test_every_documented_variable_reaches_a_dagster_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_world: WorldConfig
) -> None:
    monkeypatch.setenv("JOURNEYHUB_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    with run_sandbox(World(small_world)) as sb, dg.instance_for_test() as instance:
        env = sb.env()
        day = date.fromisoformat(env["JOURNEYHUB_TODAY"]) - timedelta(days=SEGMENT_PARTITION_DAYS_BEFORE_TODAY)
        env["SEGMENT_EXPORT_PATH"] = str(segment_export(day).write(tmp_path / "segment"))
        start = date.fromisoformat(env["JOURNEYHUB_START_DATE"]) + timedelta(days=3)
        values = {
            **{var: setting for var, (setting, _, _) in NUMBERS.items()},
            "JOURNEYHUB_START_DATE": start.isoformat(),
            "GOOGLE_ADS_LOGIN_CUSTOMER_ID": env["GOOGLE_ADS_CUSTOMER_ID"],
        }
        for key, value in {**env, **values}.items():
            monkeypatch.setenv(key, value)
        from pipelines.definitions import INGEST_ASSETS, default_resources

        selection = [dg.AssetKey([f"raw_{source}", stream]) for source, stream in STREAMS.items()]
        result = dg.materialize(INGEST_ASSETS, selection=selection, resources=default_resources(), instance=instance)
        segment = dg.materialize(
            INGEST_ASSETS,
            selection=[dg.AssetKey(["raw_segment", "events"])],
            resources=default_resources(),
            instance=instance,
            partition_key=day.isoformat(),
        )
    assert result.success and segment.success
    events = [*result.get_asset_materialization_events(), *segment.get_asset_materialization_events()]
    seen = {
        e.asset_key.path[0].removeprefix("raw_"): e.materialization.metadata["connector_settings"].value for e in events
    }
    assert set(seen) == {*STREAMS, "segment"}
    # the prefix and source id were used, not only shown: the export's calls were read
    assert segment.get_asset_materialization_events()[0].materialization.metadata["records_synced"].value > 0

    problems = []
    for source, settings in seen.items():
        spec = SOURCES[source]
        for var, (_, field, want) in NUMBERS.items():
            if var in spec.settings({var: "x"}) and settings.get(field) != want:
                problems.append(f"{source}: {var} -> {field} = {settings.get(field)!r}, want {want!r}")
        for var, field in FROM_SANDBOX.items():
            if var in spec.settings({var: "x"}):
                want = env[var].replace("-", "") if var == "GOOGLE_ADS_CUSTOMER_ID" else env[var]
                if settings.get(field) != want:
                    problems.append(f"{source}: {var} -> {field} = {settings.get(field)!r}, want {want!r}")
        # no secret, under any name
        leaked = [
            k for k, v in settings.items() if isinstance(v, str) and v in {env[s] for s in spec.secrets if env.get(s)}
        ]
        if leaked:
            problems.append(f"{source}: secrets shown as {leaked}")
    for source in ("meta_ads", "google_ads"):
        if seen[source].get("start_date") != start.isoformat():
            problems.append(f"{source}: JOURNEYHUB_START_DATE not used: {seen[source].get('start_date')!r}")
        if seen[source].get("today") != env["JOURNEYHUB_TODAY"]:
            problems.append(f"{source}: JOURNEYHUB_TODAY not used: {seen[source].get('today')!r}")
    if seen["google_ads"].get("login_customer_id") != env["GOOGLE_ADS_CUSTOMER_ID"]:
        problems.append("google_ads: GOOGLE_ADS_LOGIN_CUSTOMER_ID not used")
    print(f"\n{sum(len(s) for s in seen.values())} settings read back from {len(seen)} Dagster materializations")
    assert not problems, "\n".join(problems)


def test_the_bucket_variables_reach_a_dagster_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SEGMENT_S3_BUCKET and SEGMENT_S3_ENDPOINT_URL exclude SEGMENT_EXPORT_PATH, so they get a run of their own, on
    moto's S3 server (127.0.0.1), with the AWS credentials from the environment and never shown."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        env = {
            "SEGMENT_S3_BUCKET": "settings-bucket",
            "SEGMENT_S3_ENDPOINT_URL": f"http://{host}:{port}",
            "SEGMENT_S3_PREFIX": NUMBERS["SEGMENT_S3_PREFIX"][0],
            "AWS_ACCESS_KEY_ID": "AKIASETTINGSTEST0000",
            "AWS_SECRET_ACCESS_KEY": "settings-secret-never-shown-0000",
            "AWS_REGION": "us-east-1",
            "JOURNEYHUB_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.delenv("SEGMENT_EXPORT_PATH", raising=False)
        client = boto3.client("s3", endpoint_url=env["SEGMENT_S3_ENDPOINT_URL"], region_name="us-east-1")
        client.create_bucket(Bucket=env["SEGMENT_S3_BUCKET"])
        from pipelines.partitions import daily_partitions

        day = daily_partitions.start.date() + timedelta(days=1)
        segment_export(day).put(client, env["SEGMENT_S3_BUCKET"])
        from pipelines.definitions import INGEST_ASSETS, default_resources

        with dg.instance_for_test() as instance:
            result = dg.materialize(
                INGEST_ASSETS,
                selection=[dg.AssetKey(["raw_segment", "events"])],
                resources=default_resources(),
                instance=instance,
                partition_key=day.isoformat(),
            )
    finally:
        server.stop()
    assert result.success
    [event] = result.get_asset_materialization_events()
    settings = event.materialization.metadata["connector_settings"].value
    assert {field: settings.get(field) for field in BUCKET_ONLY.values()} == {
        field: env[var] for var, field in BUCKET_ONLY.items()
    }
    assert event.materialization.metadata["records_synced"].value > 0
    assert env["AWS_SECRET_ACCESS_KEY"] not in str(settings) and env["AWS_ACCESS_KEY_ID"] not in str(settings)
