"""The website's sources through Dagster: ``raw_segment/events`` partitioned by received day (a partition reads
exactly its day folders, ``late_files`` and the daily schedule every folder), its metadata and quarantine-rate check,
the ``segment`` resource from the environment, and ``raw_hubspot/web_events`` in the HubSpot multi-asset."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from pipelines.ingest.factory import QUARANTINE_CHECK
from pipelines.ingest.hubspot import hubspot_raw
from pipelines.ingest.segment import segment_events
from pipelines.resources import HubSpotResource, SegmentResource, WarehouseResource
from tests.connectors.scripted_server import scripted_server
from tests.connectors.segment_files import START, Export, key, line, make_export
from tests.connectors.test_hubspot_web_events import TOKEN, EventsApi, events_between
from tests.connectors.test_segment_sync import bad_lines

EVENTS = dg.AssetKey(["raw_segment", "events"])


def resources(tmp_path: Path, export: Export) -> dict[str, Any]:
    root = export.write(tmp_path / "export")
    return {
        "warehouse": WarehouseResource(path=str(tmp_path / "w.duckdb")),
        "segment": SegmentResource.from_env({"SEGMENT_EXPORT_PATH": str(root), "SEGMENT_PAGE_SIZE": "20"}),
    }


def run(tmp_path: Path, export: Export, **kwargs: Any) -> dg.ExecuteInProcessResult:
    with dg.instance_for_test() as instance:
        return dg.materialize(
            [segment_events], resources=resources(tmp_path, export), instance=instance, raise_on_error=False, **kwargs
        )


def meta(result: dg.ExecuteInProcessResult) -> dict[str, Any]:
    [event] = result.get_asset_materialization_events()
    return {k: getattr(v, "value", v) for k, v in event.materialization.metadata.items()}


def loaded_days(tmp_path: Path) -> list[str]:
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        return [
            str(r[0]) for r in con.execute("select distinct received_day from raw_segment._files order by 1").fetchall()
        ]


def test_a_partition_reads_exactly_its_day_folder_and_reports_files_events_and_late_files(tmp_path: Path) -> None:
    export = make_export(days=3, files_per_day=2, calls_per_file=10)
    day = START + timedelta(days=1)
    result = run(tmp_path, export, partition_key=day.isoformat())
    assert result.success
    assert loaded_days(tmp_path) == [day.isoformat()]
    m = meta(result)
    assert (m["files_seen"], m["files_loaded"], m["late_files"], m["quarantined"]) == (2, 2, 0, 0)
    assert m["events"] == m["records_synced"] > 0 and m["received_days"] == f"{day} to {day}"
    [check] = result.get_asset_check_evaluations()
    assert check.check_name == QUARANTINE_CHECK and check.passed


def test_late_files_widens_a_partitioned_run_to_every_day_folder(tmp_path: Path) -> None:
    export = make_export(days=3, files_per_day=1, calls_per_file=5)
    last = START + timedelta(days=2)
    assert run(tmp_path, export, partition_key=last.isoformat()).success
    # a file lands late in the first day's folder; the next day's partition alone would not list that folder
    export.add(key(START, "900-late.gz"), [line(c) for c in list(export.calls.values())[:2]])
    narrow = run(tmp_path, export, partition_key=last.isoformat())
    assert meta(narrow)["files_loaded"] == 0
    wide = run(
        tmp_path,
        export,
        partition_key=last.isoformat(),
        run_config={"ops": {"segment_events": {"config": {"late_files": True}}}},
    )
    m = meta(wide)
    assert (m["files_loaded"], m["late_files"], m["files_already_loaded"]) == (3, 3, 1)
    assert loaded_days(tmp_path) == [(START + timedelta(days=d)).isoformat() for d in range(3)]


def test_the_quarantine_rate_check_fails_a_day_of_bad_lines(tmp_path: Path) -> None:
    export = make_export(days=1, files_per_day=1, calls_per_file=5)
    export.add(key(START, "050-bad.gz"), list(bad_lines().values()))
    result = run(tmp_path, export, partition_key=START.isoformat())
    [check] = result.get_asset_check_evaluations()
    assert not check.passed and check.metadata["quarantined"].value == len(bad_lines())
    assert meta(result)["quarantined"] == len(bad_lines())


def test_the_daily_schedule_sets_late_files_for_the_segment_asset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connectors.registry import SOURCES
    from pipelines.definitions import SCHEDULED_RUN_CONFIG, build_defs, refresh_all_daily

    for var in {s for spec in SOURCES.values() for s in spec.secrets}:
        monkeypatch.setenv(var, "placeholder")  # validating a run config resolves the resources' EnvVars
    monkeypatch.setenv("JOURNEYHUB_WAREHOUSE", str(tmp_path / "w.duckdb"))

    defs = build_defs()
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(instance=instance)
        request = refresh_all_daily.evaluate_tick(context).run_requests[0]
    assert request.run_config == SCHEDULED_RUN_CONFIG
    assert request.run_config["ops"]["segment_events"]["config"]["late_files"] is True
    job = defs.resolve_job_def("refresh_all")
    assert dg.validate_run_config(job, request.run_config)


def test_the_segment_resource_takes_its_settings_and_optional_aws_secrets_from_the_environment() -> None:
    env = {"SEGMENT_S3_BUCKET": "b", "AWS_REGION": "eu-west-1", "AWS_SECRET_ACCESS_KEY": "s3cr3t", "OTHER": "x"}
    resource = SegmentResource.from_env(env)
    assert resource.settings == {"SEGMENT_S3_BUCKET": "b", "AWS_REGION": "eu-west-1"}  # no secret among them
    bound = resource.model_dump()
    assert bound["aws_access_key_id"] is None  # unset: left to boto3's chain, not an EnvVar that fails the run
    assert bound["aws_secret_access_key"] is not None


@pytest.mark.parametrize("status", [403, 404])
def test_web_events_is_a_hubspot_asset_that_ends_unavailable_on_a_portal_without_the_events_api(
    tmp_path: Path, status: int
) -> None:
    assert dg.AssetKey(["raw_hubspot", "web_events"]) in hubspot_raw.keys
    api = EventsApi(events_between(0, 5))
    api.unavailable = status
    with scripted_server(api) as (url, _), dg.instance_for_test() as instance:
        hubspot = HubSpotResource(access_token=TOKEN, settings={"HUBSPOT_BASE_URL": url})
        result = dg.materialize(
            [hubspot_raw],
            selection=[dg.AssetKey(["raw_hubspot", "web_events"])],
            resources={"warehouse": WarehouseResource(path=str(tmp_path / "w.duckdb")), "hubspot": hubspot},
            instance=instance,
        )
    assert result.success
    m = meta(result)
    assert m["status"] == "unavailable" and "no Events API" in m["note"] and "hs_analytics_" in m["note"]
    [check] = result.get_asset_check_evaluations()
    assert check.passed
