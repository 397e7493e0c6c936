"""The optional DuckDB reader/writer round trip (the algorithms themselves never import duckdb)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from attribution import AttributionConfig, attribute
from attribution.duckdb_io import (
    read_conversions,
    read_touches,
    write_attribution,
    write_channel_totals,
    write_removal_effects,
)


def test_read_attribute_write_round_trip():
    con = duckdb.connect()
    con.execute(
        """
        create table touches as select * from (values
            ('p1', 't1', timestamptz '2024-01-01 10:00:00+00', 'email', false, false),
            ('p1', 't2', timestamptz '2024-01-02 10:00:00+00', 'direct', null, true),
            ('p1', 't3', timestamptz '2024-01-03 10:00:00+00', 'search', false, false),
            ('p2', 't4', timestamptz '2024-01-01 10:00:00+00', 'search', false, null),
            ('p3', 't5', timestamptz '2024-01-01 10:00:00+00', 'social', false, false)
        ) as t(person_key, touch_id, occurred_at, channel, is_direct, is_lead)
        """
    )
    con.execute(
        """
        create table conversions as select * from (values
            ('c1', 'p1', timestamptz '2024-01-04 10:00:00+00', 'purchase', 120.0, 'EUR'),
            ('c2', 'p2', timestamptz '2024-01-01 11:00:00+00', 'purchase', null, 'EUR'),
            ('c3', 'p9', timestamptz '2024-01-01 11:00:00+00', 'purchase', 5.0, 'EUR'),
            ('c4', 'p3', timestamptz '2024-01-02 11:00:00+00', 'signup', 0.0, null)
        ) as t(conversion_id, person_key, converted_at, conversion_type, revenue, currency)
        """
    )
    touches = read_touches(con, "touches", is_direct="is_direct", is_lead_creation="is_lead")
    assert touches.channel_names == ["direct", "email", "search", "social"]
    conversions = read_conversions(con, "select * from conversions where conversion_type = 'purchase'")
    result = attribute(touches, conversions, AttributionConfig())
    written = write_attribution(con, result)
    assert written == con.execute("select count(*) from fct_attribution").fetchone()[0]
    bad = con.execute(
        """
        select model, conversion_id, sum(credit) as c, sum(revenue_credit) as r
        from fct_attribution group by all having abs(sum(credit) - 1) > 1e-9
        """
    ).fetchall()
    assert bad == []
    c1 = con.execute(
        "select touch_id, credit from fct_attribution where model = 'last_non_direct' and conversion_id = 'c1'"
    ).fetchall()
    assert c1 == [("t3", 1.0)]
    unattributed = con.execute(
        "select count(*) from fct_attribution where conversion_id = 'c3' and touch_id is null"
    ).fetchone()[0]
    assert unattributed == len(result.touch_models)
    revenue = con.execute("select sum(revenue) from rpt_attribution_channels where model = 'markov_1'").fetchone()[0]
    assert revenue == pytest.approx(125.0)
    # markov_1 is the standard whole-data-set allocation: channel rows only; the path-level split has the touches.
    models = {m for (m,) in con.execute("select distinct model from fct_attribution").fetchall()}
    assert "markov_1" not in models and "markov_path_1" in models


def test_standard_markov_totals_and_removal_effects_tables():
    con = duckdb.connect()
    con.execute(
        """
        create table touches as select * from (values
            ('p1', 't1', timestamptz '2024-01-01 10:00:00+00', 'email'),
            ('p1', 't2', timestamptz '2024-01-02 10:00:00+00', 'search'),
            ('p2', 't3', timestamptz '2024-01-01 10:00:00+00', 'email'),
            ('p3', 't4', timestamptz '2024-01-01 10:00:00+00', 'search'),
            ('p4', 't5', timestamptz '2024-01-01 10:00:00+00', 'search'),
            ('p4', 't6', timestamptz '2024-01-02 10:00:00+00', 'email')
        ) as t(person_key, touch_id, occurred_at, channel)
        """
    )
    con.execute(
        """
        create table conversions as select * from (values
            ('c1', 'p1', timestamptz '2024-01-03 10:00:00+00', 'purchase', 100.0, 'EUR', 1),
            ('c3', 'p3', timestamptz '2024-01-02 10:00:00+00', 'purchase', 50.0, 'EUR', 2),
            ('c9', 'p9', timestamptz '2024-01-02 10:00:00+00', 'purchase', 5.0, null, 1)
        ) as t(conversion_id, person_key, converted_at, conversion_type, revenue, currency, conversion_number)
        """
    )
    touches = read_touches(con, "touches")
    conversions = read_conversions(con, "conversions", is_first_conversion="conversion_number = 1")
    assert conversions.is_first_conversion.tolist() == [True, False, True]  # c1, c3, c9
    assert conversions.currency.tolist() == ["EUR", "EUR", None]  # a NULL stays None (it was read as '?')
    result = attribute(touches, conversions, AttributionConfig(models=("markov_1", "markov_path_2")))
    assert write_channel_totals(con, result, "totals") == 3
    # The hand-solved chain of tests/attribution/test_markov.py: weights 1/4 (email), 3/4 (search).
    rows = con.execute(
        "select channel, currency, conversions, new_customers, revenue from totals order by channel"
    ).fetchall()
    assert rows == [
        ("(unattributed)", None, 1.0, 1.0, 5.0),
        ("email", "EUR", pytest.approx(0.5), pytest.approx(0.25), pytest.approx(37.5)),
        ("search", "EUR", pytest.approx(1.5), pytest.approx(0.75), pytest.approx(112.5)),
    ]
    assert write_removal_effects(con, result, "effects") == 4
    effects = con.execute(
        """select markov_order, channel, currency, removal_effect, conversion_share, revenue_removal_effect,
                  conversion_probability, journeys
           from effects where markov_order = 1 order by channel"""
    ).fetchall()
    assert effects == [
        (1, "email", "EUR", pytest.approx(1 / 3), pytest.approx(0.25), pytest.approx(1 / 3), 0.5, 4),
        (1, "search", "EUR", pytest.approx(1.0), pytest.approx(0.75), pytest.approx(1.0), 0.5, 4),
    ]


def test_core_modules_do_not_import_duckdb():
    code = (
        "import sys, attribution, attribution.engine, attribution.markov, attribution.shapley, attribution.rules;"
        "print(any(m.split('.')[0] in ('duckdb', 'dagster', 'dbt') for m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.strip() == "False"
