"""A failing blocking check (a dbt test, a Great Expectations suite) stops the run before publishing: the BI serving
copy stays byte for byte as it was, and nothing downstream of it (reverse ETL) runs."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from connectors.registry import stream_names
from pipelines.publish.serving import publish_serving_copy
from sandbox.loader import load_world
from sandbox.testing import run_sandbox
from sandbox.world import World, WorldConfig

pytestmark = pytest.mark.e2e

WORLD = WorldConfig(seed=3, people=120, days=45)


def _published_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A raw layer loaded from the sandbox and an earlier serving copy (a marker table) already published."""
    warehouse, serving_dir = tmp_path / "warehouse.duckdb", tmp_path / "serving"
    monkeypatch.setenv("JOURNEYHUB_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("JOURNEYHUB_SERVING_DIR", str(serving_dir))
    load_world(warehouse, WORLD)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts; create table marts.fct_touchpoints as select 1 as previous_publish")
    publish_serving_copy(warehouse, serving_dir / "serving.duckdb")
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop table marts.fct_touchpoints")
    return warehouse, serving_dir / "serving.duckdb"


def test_failed_dbt_test_keeps_the_previous_serving_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warehouse, serving = _published_once(tmp_path, monkeypatch)
    before = serving.read_bytes()
    with duckdb.connect(str(warehouse)) as con:
        # A submission without its form's GUID: the not_null test on stg_hubspot__form_submissions.form_id fails.
        con.execute(
            "update raw_hubspot.form_submissions set payload = json_merge_patch(payload, '{\"formGuid\": null}') "
            "where record_id = (select min(record_id) from raw_hubspot.form_submissions)"
        )
    from pipelines.definitions import build_defs, default_resources
    from pipelines.publish.assets import serving_copy
    from pipelines.transform.dbt import journey_dbt_models

    defs = build_defs(**default_resources())
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [journey_dbt_models, serving_copy], resources=defs.resources, instance=instance, raise_on_error=False
        )
    assert not result.success
    failed_checks = [c.check_name for c in result.get_asset_check_evaluations() if not c.passed]
    assert any("form_submissions_form_id" in name for name in failed_checks), failed_checks
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "staging/stg_hubspot__deals" in materialized  # what built is still recorded
    assert "publish/serving_copy" not in materialized
    assert serving.read_bytes() == before


def test_failed_gx_suite_blocks_publishing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The published-table suite of customer_journeys fails (the business narrowed the allowed stages): the
    blocking GX check stops the serving copy and everything after it, though every dbt test passed."""
    _, serving = _published_once(tmp_path, monkeypatch)
    before = serving.read_bytes()
    import quality.suites

    monkeypatch.setattr(quality.suites, "STAGES", ("engagement", "consideration", "conversion", "retention"))
    from pipelines.definitions import build_defs, default_resources

    raw = dg.AssetSelection.key_prefixes(*([f"raw_{source}"] for source in stream_names()))
    # everything after ingestion: dbt, attribution, the quality checks, publishing and reverse ETL (against the
    # sandbox CRM, which logs every write call)
    job = dg.define_asset_job("gate", selection=dg.AssetSelection.all() - raw)
    with run_sandbox(World(WORLD)) as sb, dg.instance_for_test() as instance:
        for key, value in sb.env().items():
            monkeypatch.setenv(key, value)
        defs = build_defs(**default_resources())
        result = (
            dg.Definitions.merge(defs, dg.Definitions(jobs=[job]))
            .resolve_job_def("gate")
            .execute_in_process(instance=instance, raise_on_error=False)
        )
        crm_writes = sb.hubspot.write_call_count()
    failed = {
        (c.asset_key.to_user_string(), c.check_name): c.severity
        for c in result.get_asset_check_evaluations()
        if not c.passed
    }
    # both published suites that check stage values fail: the journeys' current stage and the feedback report's
    # stage at the answer
    assert failed == {
        ("marts/customer_journeys", "gx_contract"): dg.AssetCheckSeverity.ERROR,
        ("marts/rpt_feedback_by_stage", "gx_contract"): dg.AssetCheckSeverity.ERROR,
    }, failed
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "marts/customer_journeys" in materialized
    assert "publish/serving_copy" not in materialized
    assert not any(k.startswith("reverse_etl/") for k in materialized)
    assert crm_writes == 0
    assert serving.read_bytes() == before
