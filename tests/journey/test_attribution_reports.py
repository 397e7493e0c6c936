"""Attribution in the warehouse: marts.fct_attribution written by the pipeline's attribution step, then the channel
and campaign performance reports built on it by dbt, checked against the tables they come from."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipelines.transform.attribution import AttributionRun, AttributionSettings, run_attribution
from tests.journey.dbt_helpers import problems, run_dbt

pytestmark = [pytest.mark.slow]

SETTINGS = AttributionSettings()


@pytest.fixture(scope="module")
def attributed(truth_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> AttributionRun:
    run = run_attribution(truth_warehouse, SETTINGS.engine_config(), SETTINGS.excluded_channels)
    result = run_dbt(
        truth_warehouse, tmp_path_factory.mktemp("attribution_reports"), "build", "-s", "source:attribution+"
    )
    assert result.success and not problems(result), problems(result)
    return run


@pytest.fixture(scope="module")
def con(truth_warehouse: Path, attributed: AttributionRun) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(truth_warehouse))
    yield c
    c.close()


def test_every_counted_conversion_is_attributed_under_every_model(con: duckdb.DuckDBPyConnection) -> None:
    types = ", ".join(f"'{t}'" for t in SETTINGS.conversion_types or [])
    expected = con.execute(f"select count(*) from marts.fct_conversions where conversion_type in ({types})").fetchone()
    per_model = dict(
        con.execute(
            "select attribution_model, count(distinct conversion_id) from marts.fct_attribution group by 1"
        ).fetchall()
    )
    assert expected[0] > 50
    assert set(per_model) == set(SETTINGS.models)
    assert set(per_model.values()) == {expected[0]}, per_model


def test_credit_is_conserved_in_the_table(con: duckdb.DuckDBPyConnection) -> None:
    worst = con.execute(
        """
        select max(abs(credit - 1)), max(abs(revenue_credit - coalesce(revenue, 0)))
        from (
            select a.attribution_model, a.conversion_id, sum(a.credit) as credit,
                   sum(a.revenue_credit) as revenue_credit, any_value(c.revenue) as revenue
            from marts.fct_attribution as a join marts.fct_conversions as c using (conversion_id)
            group by all
        )
        """
    ).fetchone()
    assert worst[0] < 1e-9 and worst[1] < 1e-6, worst


def test_last_touch_matches_an_independent_query(con: duckdb.DuckDBPyConnection) -> None:
    """The last touch (not a CRM bookkeeping touch) in the 90 days before each conversion, found in SQL."""
    mismatches = con.execute(
        f"""
        with last_touch as (
            select c.conversion_id, arg_max(t.touchpoint_id, (t.occurred_at, t.touchpoint_id)) as touchpoint_id
            from marts.fct_conversions as c
            join marts.fct_touchpoints as t
              on t.person_key = c.person_key
             and t.occurred_at <= c.converted_at
             and t.occurred_at >= c.converted_at - interval {int(SETTINGS.lookback_days or 0)} day
             and t.channel <> 'crm'
            where c.conversion_type in ('deal_won', 'purchase')
            group by 1
        )
        select count(*), count(*) filter (where a.touchpoint_id is distinct from l.touchpoint_id)
        from marts.fct_attribution as a join last_touch as l using (conversion_id)
        where a.attribution_model = 'last_touch'
        """
    ).fetchone()
    assert mismatches[0] > 50 and mismatches[1] == 0, mismatches


def test_channel_report_adds_up_and_keeps_platform_numbers_apart(con: duckdb.DuckDBPyConnection) -> None:
    spend_total, meta_reported, google_reported = con.execute(
        """
        select sum(spend), sum(conversions) filter (where platform = 'meta_ads'),
               sum(conversions) filter (where platform = 'google_ads')
        from marts.fct_ad_spend_daily
        """
    ).fetchone()
    rows = con.execute(
        """
        select attribution_model, sum(spend), sum(attributed_conversions), sum(meta_ads_reported_conversions),
               sum(google_ads_reported_conversions),
               count(*) filter (where meta_ads_reported_conversions is not null
                                  and google_ads_reported_conversions is not null)
        from marts.rpt_channel_performance group by 1
        """
    ).fetchall()
    assert spend_total > 0 and len(rows) == len(SETTINGS.models)
    for model, spend, _conversions, meta, google, both in rows:
        assert abs(float(spend) - float(spend_total)) < 0.01, model
        assert float(meta) == float(meta_reported) and float(google) == float(google_reported), model
        assert both == 0, f"{model}: a channel row mixes both platforms' own numbers"
    bad_ratios = con.execute(
        """
        select count(*) from marts.rpt_channel_performance
        where (spend > 0 and abs(roas - attributed_revenue / spend) > 1e-9)
           or (spend = 0 and roas is not null)
           or (attributed_new_customers > 0 and spend > 0 and abs(cac - spend / attributed_new_customers) > 1e-9)
        """
    ).fetchone()[0]
    assert bad_ratios == 0


def test_campaign_report_matches_platform_numbers(con: duckdb.DuckDBPyConnection) -> None:
    mismatched = con.execute(
        """
        with platform as (
            select campaign_key, sum(spend) as spend, sum(conversions) as conversions
            from marts.fct_ad_spend_daily group by 1
        ),
        report as (
            select attribution_model, campaign_key, sum(spend) as spend,
                   sum(platform_reported_conversions) as conversions
            from marts.rpt_campaign_performance where platform is not null group by 1, 2
        )
        select count(*) from report join platform using (campaign_key)
        where abs(report.spend - platform.spend) > 0.01 or report.conversions <> platform.conversions
        """
    ).fetchone()[0]
    campaigns = con.execute(
        "select count(distinct campaign_key) from marts.rpt_campaign_performance where attributed_conversions > 0"
    ).fetchone()[0]
    assert mismatched == 0 and campaigns > 3


def test_gx_conservation_suite_fails_on_a_broken_table(
    truth_warehouse: Path, attributed: AttributionRun, tmp_path: Path
) -> None:
    from quality import GxRunner, published_suites

    suite = next(s for s in published_suites() if s.name == "marts.fct_attribution")
    runner = GxRunner(tmp_path / "quality", build_docs=False)
    copy = tmp_path / "broken.duckdb"
    with duckdb.connect(str(truth_warehouse)) as c:
        c.execute("checkpoint")
    shutil.copy(truth_warehouse, copy)
    with duckdb.connect(str(copy)) as c:
        assert runner.validate(suite, c).passed
        c.execute(
            "update marts.fct_attribution set credit = credit * 0.5 where attribution_id = "
            "(select min(attribution_id) from marts.fct_attribution where attribution_model = 'linear')"
        )
        broken = runner.validate(suite, c)
    assert not broken.passed
    [failure] = broken.failed
    assert failure.column == "credit" and failure.unexpected_count == 1 and failure.severity == "error"
