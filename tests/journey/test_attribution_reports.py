"""Attribution in the warehouse: marts.fct_attribution, the standard Markov channel totals and the removal effects
written by the pipeline's attribution step, then the channel and campaign performance reports built on them by dbt,
checked against the tables they come from and, for the standard Markov totals, against an independent solve."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from attribution import build_paths, is_channel_level
from attribution.duckdb_io import read_conversions, read_touches
from pipelines.transform.attribution import AttributionRun, AttributionSettings, run_attribution
from tests.attribution.markov_reference import Journey, solve
from tests.journey.dbt_helpers import problems, run_dbt

pytestmark = [pytest.mark.slow]

SETTINGS = AttributionSettings()
TOUCH_MODELS = [m for m in SETTINGS.models if not is_channel_level(m)]
STANDARD_MARKOV = [m for m in SETTINGS.models if is_channel_level(m)]


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
    assert set(per_model) == set(TOUCH_MODELS)
    assert set(per_model.values()) == {expected[0]}, per_model
    # The standard Markov models credit channels, not touches: their totals hold every counted conversion too.
    standard = dict(
        con.execute(
            "select attribution_model, sum(conversions) from marts.fct_attribution_channel_totals group by 1"
        ).fetchall()
    )
    assert set(standard) == set(STANDARD_MARKOV) == {"markov_1", "markov_2", "markov_3"}
    for model, total in standard.items():
        assert abs(total - expected[0]) < 1e-9, model


def test_the_written_tables_have_the_columns_the_dbt_hook_creates(con: duckdb.DuckDBPyConnection) -> None:
    from attribution.duckdb_io import CHANNEL_TOTAL_COLUMNS
    from attribution.standard_markov import REMOVAL_EFFECT_COLUMNS
    from pipelines.transform.attribution import ATTRIBUTION_COLUMNS

    for table, columns in (
        ("fct_attribution", ATTRIBUTION_COLUMNS),
        ("fct_attribution_channel_totals", CHANNEL_TOTAL_COLUMNS),
        ("fct_markov_removal_effects", REMOVAL_EFFECT_COLUMNS),
    ):
        found = con.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ? "
            "order by ordinal_position",
            [table],
        ).fetchall()
        assert tuple(c for (c,) in found) == columns, table


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
    assert spend_total > 0 and len(rows) == len(TOUCH_MODELS)
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


def _journeys(con: duckdb.DuckDBPyConnection) -> list[Journey]:
    """The journeys the pipeline attributes, cut by the engine's path builder (its rules are tested in
    tests/attribution); what is solved on them below is the test's own."""
    excluded = ", ".join(f"'{c}'" for c in SETTINGS.excluded_channels)
    touches = read_touches(con, "marts.fct_touchpoints", touch_id="touchpoint_id", where=f"channel not in ({excluded})")
    conversions = read_conversions(con, "marts.fct_conversions", is_first_conversion="conversion_number = 1")
    paths = build_paths(touches, conversions, SETTINGS.engine_config())
    names = paths.channel_names
    out = []
    for i in range(paths.n_conversions):
        seq = tuple(names[c] for c in paths.channel[paths.offsets[i] : paths.offsets[i + 1]])
        out.append(Journey(seq, True, float(paths.revenue[i]), paths.currency[i], bool(paths.first_conversion[i])))
    for j in range(paths.n_null_paths):
        seq = tuple(names[c] for c in paths.null_channel[paths.null_offsets[j] : paths.null_offsets[j + 1]])
        out.append(Journey(seq, False))
    return out


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


@pytest.mark.parametrize("order", [1, 2, 3])
def test_standard_markov_totals_in_the_warehouse_equal_an_independent_solve(
    con: duckdb.DuckDBPyConnection, order: int
) -> None:
    journeys = _journeys(con)
    ref = solve(journeys, order)
    assert ref.conversions > 50 and len(ref.channels) > 5
    model = f"markov_{order}"
    unattributed: dict = {}
    for j in journeys:
        if j.converted and not j.channels:
            cell = unattributed.setdefault(("(unattributed)", j.currency), [0.0, 0.0, 0.0])
            cell[0], cell[1], cell[2] = cell[0] + 1, cell[1] + j.is_first, cell[2] + j.revenue
    expected = {
        k: (ref.conversions_credited[k], ref.new_customers_credited[k], ref.revenue_credited[k])
        for k in ref.conversions_credited
    } | {k: tuple(v) for k, v in unattributed.items()}
    got = {
        (channel, currency): (conversions, new_customers, revenue)
        for channel, currency, conversions, new_customers, revenue in con.execute(
            """select channel, currency, conversions, new_customers, revenue
               from marts.fct_attribution_channel_totals where attribution_model = ?""",
            [model],
        ).fetchall()
    }
    assert got.keys() == expected.keys()
    for key, want in expected.items():
        assert all(_close(g, w) for g, w in zip(got[key], want, strict=True)), (key, got[key], want)
    # rpt_channel_performance_total holds the same numbers next to spend (one currency: the reporting one).
    report = dict(
        con.execute(
            "select channel, attributed_conversions from marts.rpt_channel_performance_total "
            "where attribution_model = ?",
            [model],
        ).fetchall()
    )
    for (channel, _currency), want in expected.items():
        assert _close(report[channel], want[0]), channel
    # The removal effects table reproduces the shares from the probabilities it holds.
    effects = con.execute(
        """select channel, removal_effect, conversion_probability, conversion_probability_without_channel,
                  conversion_share, converting_journeys, revenue_removal_effect
           from marts.fct_markov_removal_effects where markov_order = ?""",
        [order],
    ).fetchall()
    assert {e[0] for e in effects} == set(ref.channels)
    for channel, re, p, p_without, share, converting, re_value in effects:
        assert (
            _close(re, ref.removal_effect[channel]) and _close(p, ref.p) and _close(p_without, ref.p_without[channel])
        )
        assert _close(1 - p_without / p, re) and _close(
            share * converting, sum(v for (c, _), v in ref.conversions_credited.items() if c == channel)
        )
        assert _close(re_value, ref.value_removal_effect[(channel, ref.currencies[0])])


def test_channel_totals_report_compares_every_model_with_spend(con: duckdb.DuckDBPyConnection) -> None:
    total_spend = float(con.execute("select sum(spend) from marts.fct_ad_spend_daily").fetchone()[0])
    counted = con.execute(
        "select count(*), sum(coalesce(revenue, 0)) from marts.fct_conversions "
        "where conversion_type in ('deal_won', 'purchase')"
    ).fetchone()
    rows = con.execute(
        """select attribution_model, sum(attributed_conversions), sum(attributed_revenue), sum(spend),
                  count(*) filter (where spend > 0 and abs(roas - attributed_revenue / spend) > 1e-9),
                  count(*) filter (where attributed_new_customers > 0 and spend > 0
                                     and abs(cac - spend / attributed_new_customers) > 1e-9),
                  count(*) filter (where spend > 0 and attributed_conversions > 0 and abs(cost_per_conversion
                                     - spend / attributed_conversions) > 1e-9)
           from marts.rpt_channel_performance_total group by 1"""
    ).fetchall()
    assert {r[0] for r in rows} == set(SETTINGS.models)
    for model, conversions, revenue, spend, bad_roas, bad_cac, bad_cpa in rows:
        assert abs(conversions - counted[0]) < 1e-6 and abs(float(revenue) - float(counted[1])) < 0.01, model
        assert abs(float(spend) - total_spend) < 0.01 and bad_roas == bad_cac == bad_cpa == 0, model
    # The standard and the path-level Markov credits differ on these journeys (that is why both exist).
    standard, path = (
        dict(
            con.execute(
                "select channel, attributed_conversions from marts.rpt_channel_performance_total "
                "where attribution_model = ?",
                [m],
            ).fetchall()
        )
        for m in ("markov_1", "markov_path_1")
    )
    assert max(abs(standard[c] - path.get(c, 0.0)) for c in standard) > 0.5


def test_campaign_report_holds_the_path_level_markov_only(con: duckdb.DuckDBPyConnection) -> None:
    models = {
        m for (m,) in con.execute("select distinct attribution_model from marts.rpt_campaign_performance").fetchall()
    }
    assert models == set(TOUCH_MODELS) and "markov_path_1" in models and "markov_1" not in models


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


def test_gx_suite_of_the_channel_totals_fails_when_a_model_loses_credit(
    truth_warehouse: Path, attributed: AttributionRun, tmp_path: Path
) -> None:
    from quality import GxRunner, published_suites

    suite = next(s for s in published_suites() if s.name == "marts.fct_attribution_channel_totals")
    assert suite.asset == ("marts", "fct_attribution_channel_totals")
    runner = GxRunner(tmp_path / "quality", build_docs=False)
    copy = tmp_path / "broken.duckdb"
    with duckdb.connect(str(truth_warehouse)) as c:
        c.execute("checkpoint")
    shutil.copy(truth_warehouse, copy)
    with duckdb.connect(str(copy)) as c:
        assert runner.validate(suite, c).passed
        c.execute(
            "update marts.fct_attribution_channel_totals set conversions = conversions - 0.5 "
            "where attribution_model = 'markov_2' and channel = 'email'"
        )
        broken = runner.validate(suite, c)
    assert not broken.passed
    assert {f.column for f in broken.failed} == {"conversion_spread"}
