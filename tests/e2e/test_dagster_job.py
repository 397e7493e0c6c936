"""The whole platform through Dagster's own execution: sync the sandbox, dbt build with tests as checks."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from sandbox.testing import run_sandbox
from sandbox.world import World, WorldConfig

pytestmark = pytest.mark.e2e


def test_refresh_all_job_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_world: WorldConfig) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("JOURNEYHUB_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("JOURNEYHUB_SERVING_DIR", str(tmp_path / "serving"))
    with run_sandbox(World(small_world)) as sb, dg.instance_for_test() as instance:
        for key, value in sb.env().items():
            monkeypatch.setenv(key, value)
        # the sandbox's limits are the real ones; these settings reach the run through the default resources
        monkeypatch.setenv("META_REQUESTS_PER_MINUTE", "100000")
        monkeypatch.setenv("HUBSPOT_REQUESTS_PER_10S", "1000")
        assert sb.env()["SEGMENT_EXPORT_PATH"], "the sandbox writes the website's Segment export files"
        from pipelines.definitions import build_defs, range_tags
        from pipelines.settings import start_date, today

        job = build_defs().resolve_job_def("refresh_all")
        tags = range_tags(start_date().isoformat(), today().isoformat())
        first = job.execute_in_process(instance=instance, tags=tags)
        second = job.execute_in_process(instance=instance, tags=tags)

    assert first.success and second.success
    materialized = {e.asset_key.to_user_string(): e for e in first.get_asset_materialization_events()}
    assert {f"raw_hubspot/{s}" for s in ("contacts", "deals", "form_submissions", "calls")} <= set(materialized)
    for source in ("mailchimp", "meta_ads", "google_ads", "social", "segment"):
        assert any(k.startswith(f"raw_{source}/") for k in materialized), source
    fct_key = next(k for k in materialized if k.endswith("fct_touchpoints"))
    fct_rows = materialized[fct_key].materialization.metadata["dagster/row_count"].value
    assert fct_rows > 500
    # the UI shows each dbt table's columns with the warehouse's types and the YAML's descriptions
    columns = {c.name: c for c in materialized[fct_key].materialization.metadata["dagster/column_schema"].value.columns}
    assert columns["occurred_at"].type == "timestamp" and columns["touchpoint_id"].type == "varchar"
    assert columns["occurred_at"].description

    checks = first.get_asset_check_evaluations()
    assert len(checks) >= 20, "dbt tests should run as asset checks"
    failed = [(c.asset_key.to_user_string(), c.check_name) for c in checks if not c.passed]
    assert not failed, failed

    contacts = materialized["raw_hubspot/contacts"].materialization.metadata
    assert contacts["dagster/row_count"].value == contacts["records_synced"].value > 0
    # The second run is incremental against an unchanged world: nothing is added or lost.
    again = {e.asset_key.to_user_string(): e for e in second.get_asset_materialization_events()}
    contacts_again = again["raw_hubspot/contacts"].materialization.metadata
    assert contacts_again["mode"].value == "incremental"
    # The first run's reverse ETL wrote journey fields onto the contacts, which moved their lastmodifieddate, so the
    # incremental sync reads those contacts back (and only them); the echo changes no journey, so the second run's
    # reverse ETL sends nothing (asserted below): no feedback loop.
    assert contacts_again["records_synced"].value <= contacts["records_synced"].value
    assert contacts_again["dagster/row_count"].value == contacts["dagster/row_count"].value
    assert again[fct_key].materialization.metadata["dagster/row_count"].value == fct_rows

    with duckdb.connect(str(warehouse), read_only=True) as con:
        schema = con.execute(
            "select table_schema from information_schema.tables where table_name = 'fct_touchpoints'"
        ).fetchone()[0]
        types = con.execute(f"select count(distinct touch_type) from {schema}.fct_touchpoints").fetchone()[0]
        systems = {r[0] for r in con.execute(f"select distinct source_system from {schema}.fct_touchpoints").fetchall()}
        voice = {
            r[0]
            for r in con.execute(
                f"select distinct touch_type from {schema}.fct_touchpoints"
                " where source_system in ('typeform', 'trustpilot') or touch_type like 'event_%'"
            ).fetchall()
        }
        ratings = con.execute(f"select count(*) from {schema}.rpt_location_ratings_monthly").fetchone()[0]
    assert types >= 4
    # the customer's voice: every new source synced, its touches on the timeline, Google's ratings by location
    for source in ("typeform", "trustpilot", "google_business"):
        assert any(k.startswith(f"raw_{source}/") for k in materialized), source
    assert {"raw_hubspot/marketing_events", "raw_hubspot/marketing_event_participations"} <= set(materialized)
    assert {"survey_response", "review", "event_registered", "event_attended"} <= voice, voice
    assert ratings > 0
    # The run ends by publishing the marts to the BI serving copy.
    published = materialized["publish/serving_copy"].materialization.metadata["tables"].value
    with duckdb.connect(str(tmp_path / "serving" / "serving.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_touchpoints").fetchone()[0] == fct_rows
    assert published["marts.fct_touchpoints"] == fct_rows
    assert systems >= {"hubspot", "mailchimp", "meta_ads", "google_ads"}

    # Attribution runs between the journey models and the performance reports, all in the same run.
    attribution = materialized["marts/fct_attribution"].materialization.metadata
    assert attribution["conversions"].value > 0
    assert "| paid_social |" in attribution["revenue_by_channel"].value
    gx_checks = {c.asset_key.to_user_string(): c for c in checks if c.check_name == "gx_contract"}
    assert gx_checks["marts/fct_attribution"].passed  # credit conserved (Great Expectations suite)
    assert {"marts/customer_journeys", "raw_hubspot/contacts", "raw_meta_ads/ads_insights"} <= set(gx_checks)
    docs = gx_checks["marts/customer_journeys"].metadata["data_docs_path"].value
    assert Path(docs).is_file()
    assert {"marts/rpt_channel_performance", "marts/rpt_campaign_performance"} <= set(materialized)
    assert published["marts.fct_attribution"] == attribution["dagster/row_count"].value
    assert published["marts.rpt_channel_performance"] > 0
    # The same step writes the standard Markov channel totals and the removal effects behind them; the whole-period
    # channel report puts them next to spend, and everything is published.
    for key in ("marts/fct_attribution_channel_totals", "marts/fct_markov_removal_effects"):
        rows = materialized[key].materialization.metadata["dagster/row_count"].value
        assert rows > 0 and published[key.replace("/", ".")] == rows, key
    assert gx_checks["marts/fct_attribution_channel_totals"].passed
    assert "marts/rpt_channel_performance_total" in materialized
    with duckdb.connect(str(tmp_path / "serving" / "serving.duckdb"), read_only=True) as con:
        standard = con.execute(
            """select count(distinct attribution_model), min(credit_level), max(credit_level)
               from marts.rpt_channel_performance_total
               where attribution_model in ('markov_1', 'markov_2', 'markov_3')"""
        ).fetchone()
    assert standard == (3, "channel", "channel")

    # After publishing: the journey map, and reverse ETL pushing journey fields and segment lists to the CRM.
    assert "publish/journey_map" in materialized
    pushed = materialized["reverse_etl/journey_fields_to_contacts"].materialization.metadata
    assert pushed["queried"].value > 0 and pushed["added"].value + pushed["changed"].value > 0
    # the second run sees no change in the world: nothing to send
    pushed_again = again["reverse_etl/journey_fields_to_contacts"].materialization.metadata
    assert pushed_again["added"].value + pushed_again["changed"].value + pushed_again["removed"].value == 0
