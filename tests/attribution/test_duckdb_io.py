"""The optional DuckDB reader/writer round trip (the algorithms themselves never import duckdb)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from attribution import AttributionConfig, attribute
from attribution.duckdb_io import read_conversions, read_touches, write_attribution


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
    assert unattributed == len(result.models)
    revenue = con.execute("select sum(revenue) from rpt_attribution_channels where model = 'markov_1'").fetchone()[0]
    assert revenue == pytest.approx(125.0)


def test_core_modules_do_not_import_duckdb():
    code = (
        "import sys, attribution, attribution.engine, attribution.markov, attribution.shapley, attribution.rules;"
        "print(any(m.split('.')[0] in ('duckdb', 'dagster', 'dbt') for m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.strip() == "False"
