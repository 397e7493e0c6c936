"""A 7-day backfill of the daily ad partitions through Dagster: one run, exactly those days, both platforms."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from sandbox.testing import run_sandbox
from sandbox.world import World, WorldConfig

pytestmark = pytest.mark.e2e


def test_seven_day_backfill_of_ad_partitions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_world: WorldConfig
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("JOURNEYHUB_WAREHOUSE", str(warehouse))
    with run_sandbox(World(small_world)) as sb, dg.instance_for_test() as instance:
        for key, value in sb.env().items():
            monkeypatch.setenv(key, value)
        from pipelines.definitions import build_defs, default_resources, range_tags
        from pipelines.ingest.google_ads import google_ads_daily
        from pipelines.ingest.meta import meta_ads_insights

        defs = build_defs(**default_resources())
        first = small_world.start_date + timedelta(days=10)
        last = first + timedelta(days=6)
        result = dg.materialize(
            [meta_ads_insights, google_ads_daily],
            resources=defs.resources,
            instance=instance,
            tags=range_tags(first.isoformat(), last.isoformat()),
        )
        runs = instance.get_runs()
    assert result.success
    assert len(runs) == 1  # a single-run backfill: one run and one API range per platform
    mats = result.get_asset_materialization_events()
    assert {m.asset_key.to_user_string() for m in mats} == {
        "raw_meta_ads/ads_insights",
        "raw_google_ads/ad_group_daily_metrics",
        "raw_google_ads/click_views",
    }
    with duckdb.connect(str(warehouse), read_only=True) as con:
        meta_days = {
            r[0]
            for r in con.execute("select distinct payload->>'date_start' from raw_meta_ads.ads_insights").fetchall()
        }
        google_days = {
            r[0]
            for r in con.execute(
                "select distinct payload->'segments'->>'date' from raw_google_ads.ad_group_daily_metrics"
            ).fetchall()
        }
    want = {(first + timedelta(days=i)).isoformat() for i in range(7)}
    assert meta_days == want
    assert google_days == want
    assert date.fromisoformat(min(want)) == first
