"""The numbers in the report's data island equal aggregates of the published tables they come from."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from journey_map import ReportResult
from journey_map.labels import UNKNOWN_PERSONA

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def con(serving_copy: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(serving_copy), read_only=True)
    yield c
    c.close()


def rows(island: dict[str, Any], name: str) -> list[dict[str, Any]]:
    table = island["data"][name]
    return [dict(zip(table["columns"], r, strict=True)) for r in table["rows"]]


def totals(island: dict[str, Any], name: str, keys: tuple[str, ...], value: str) -> dict[tuple[Any, ...], float]:
    out: dict[tuple[Any, ...], float] = defaultdict(float)
    for r in rows(island, name):
        out[tuple(r[k] for k in keys)] += r[value]
    return dict(out)


def close(a: dict[Any, float], b: dict[Any, float], tolerance: float = 1e-6) -> bool:
    return a.keys() == b.keys() and all(abs(a[k] - b[k]) <= tolerance * max(1.0, abs(b[k])) for k in a)


def test_stage_transition_counts_match_fct_stage_transitions(
    island: dict[str, Any], con: duckdb.DuckDBPyConnection
) -> None:
    expected = {
        (stage, nxt): n
        for stage, nxt, n in con.execute(
            """select t.stage,
                      coalesce(t.next_stage, case when j.is_dropped_off then 'dropped_off' else 'still_here' end),
                      count(*)
               from marts.fct_stage_transitions as t join marts.customer_journeys as j using (person_key)
               group by all"""
        ).fetchall()
    }
    assert totals(island, "stage_flow", ("source", "target"), "persons") == expected
    assert sum(expected.values()) == con.execute("select count(*) from marts.fct_stage_transitions").fetchone()[0]
    # Everyone who entered awareness is counted once in the first column.
    flows = totals(island, "stage_flow", ("source",), "persons")
    assert (
        flows[("awareness",)]
        == con.execute("select count(*) from marts.customer_journeys where current_stage is not null").fetchone()[0]
    )


def test_feedback_along_the_stages_matches_rpt_feedback_by_stage(
    island: dict[str, Any], con: duckdb.DuckDBPyConnection
) -> None:
    """Per stage: answers, the sum of normalised scores, detractors and reviews equal the warehouse's report, and
    the answers are every scored answer of customer_journeys (the browser divides these sums)."""
    for column, measure in (
        ("responses", "survey_responses"),
        ("score_millionths", "normalised_score_millionths_total"),
        ("detractors", "detractor_responses"),
        ("reviews", "review_count"),
    ):
        expected = {
            (stage,): float(n)
            for stage, n in con.execute(
                f"select journey_stage, sum({measure}) from marts.rpt_feedback_by_stage group by all"
            ).fetchall()
        }
        assert close(totals(island, "stage_feedback", ("stage",), column), expected), column
    # every scored answer is counted once: customer_journeys' feedback_count is the same answers per person
    (answers,) = con.execute("select sum(feedback_count) from marts.customer_journeys").fetchone()
    responses = sum(totals(island, "stage_feedback", ("stage",), "responses").values())
    assert responses > 0 and responses == answers


def test_stage_flow_by_persona_matches(island: dict[str, Any], con: duckdb.DuckDBPyConnection) -> None:
    expected = dict(
        con.execute(
            f"""select coalesce(j.persona, '{UNKNOWN_PERSONA}'), count(*)
                from marts.fct_stage_transitions as t join marts.customer_journeys as j using (person_key)
                where t.stage = 'awareness' group by all"""
        ).fetchall()
    )
    got = {k[0]: v for k, v in totals(island, "stage_flow", ("persona",), "persons").items()}
    assert got.keys() == expected.keys()
    per_persona_awareness = {
        k[0]: v
        for k, v in totals(island, "stage_flow", ("persona", "source"), "persons").items()
        if k[1] == "awareness"
    }
    assert per_persona_awareness == expected


def test_funnel_counts_per_persona_match_rpt_funnel_conversion(
    island: dict[str, Any], con: duckdb.DuckDBPyConnection
) -> None:
    expected = {
        (funnel, step, persona): float(n)
        for funnel, step, persona, n in con.execute(
            "select funnel_name, step_number, persona, sum(persons_reached) "
            "from marts.rpt_funnel_conversion group by all"
        ).fetchall()
    }
    assert close(totals(island, "funnels", ("funnel", "step", "persona"), "persons"), expected)
    by_channel = {
        (funnel, step, channel): float(n)
        for funnel, step, channel, n in con.execute(
            "select funnel_name, step_number, entry_channel, sum(persons_reached) "
            "from marts.rpt_funnel_conversion group by all"
        ).fetchall()
    }
    assert close(totals(island, "funnels", ("funnel", "step", "entry_channel"), "persons"), by_channel)
    # The funnel's first step is everyone who entered it, per fct_funnel_steps.
    entered = dict(
        con.execute("select funnel_name, count(distinct person_key) from marts.fct_funnel_steps group by 1").fetchall()
    )
    assert {
        k[0]: v for k, v in totals(island, "funnels", ("funnel", "step"), "persons").items() if k[1] == 1
    } == entered


def test_attributed_revenue_by_channel_and_model_matches(
    island: dict[str, Any], con: duckdb.DuckDBPyConnection
) -> None:
    from_attribution = {
        (m, c): r
        for m, c, r in con.execute(
            "select attribution_model, coalesce(channel, '(unattributed)'), sum(revenue_credit) "
            "from marts.fct_attribution group by all"
        ).fetchall()
    }
    from_report = {
        (m, c): float(r)
        for m, c, r in con.execute(
            """select attribution_model, channel, sum(attributed_revenue) from marts.rpt_channel_performance
               group by all having sum(attributed_revenue) <> 0 or sum(attributed_conversions) <> 0"""
        ).fetchall()
    }
    got = totals(island, "revenue", ("model", "channel"), "revenue")
    assert close(got, from_attribution)
    assert close({k: v for k, v in got.items() if abs(v) > 0 or k in from_report}, from_report, 1e-6)
    assert len({m for m, _ in got}) > 1


def test_standard_markov_revenue_comes_from_the_channel_totals(
    island: dict[str, Any], con: duckdb.DuckDBPyConnection
) -> None:
    # markov_1..3 are the standard whole-data-set allocation: channel totals for everyone, not per-person rows.
    expected = {
        (m, c): (float(r), float(n))
        for m, c, r, n in con.execute(
            """select attribution_model, channel, sum(revenue), sum(conversions)
               from marts.fct_attribution_channel_totals group by all"""
        ).fetchall()
    }
    assert {m for m, _ in expected} == {"markov_1", "markov_2", "markov_3"}
    got_revenue = totals(island, "revenue_whole", ("model", "channel"), "revenue")
    got_conversions = totals(island, "revenue_whole", ("model", "channel"), "conversions")
    assert close(got_revenue, {k: v[0] for k, v in expected.items()})
    assert close(got_conversions, {k: v[1] for k, v in expected.items()})
    meta = island["meta"]
    per_person = {r["model"] for r in rows(island, "revenue")}
    assert per_person.isdisjoint(expected_models := {m for m, _ in expected}) and "markov_path_1" in per_person
    assert set(meta["whole_data_set_models"]) == expected_models and expected_models <= set(meta["models"])
    # Both Markov forms are named and explained where the model is chosen.
    assert meta["labels"]["markov_1"] != meta["labels"]["markov_path_1"]
    assert "per path" in meta["labels"]["markov_path_1"].lower()
    for model in ("markov_1", "markov_path_1"):
        assert "removal effect" in meta["model_notes"][model]
    assert meta["default_model"] == "markov_1"


def test_spend_by_channel_matches(island: dict[str, Any], con: duckdb.DuckDBPyConnection) -> None:
    expected = {
        c: float(s)
        for c, s in con.execute(
            """select channel, sum(spend) from marts.rpt_channel_performance
               where attribution_model = 'linear' group by all having sum(spend) > 0"""
        ).fetchall()
    }
    got = {k[0]: v for k, v in totals(island, "spend", ("channel",), "spend").items()}
    assert expected and close(got, expected)
    total = float(con.execute("select sum(spend) from marts.fct_ad_spend_daily").fetchone()[0])
    assert abs(sum(got.values()) - total) < 0.01


def test_channel_paths_add_up_to_rpt_journey_paths(island: dict[str, Any], con: duckdb.DuckDBPyConnection) -> None:
    got = totals(island, "channel_paths", ("outcome", "path"), "persons")
    for outcome, path, persons, outcome_persons in con.execute(
        "select outcome, channel_path, persons, outcome_persons from marts.rpt_journey_paths"
    ).fetchall():
        assert got[(outcome, path)] == persons, (outcome, path)
        assert sum(v for k, v in got.items() if k[0] == outcome) == outcome_persons


def test_speed_to_lead_and_time_in_stage_match(island: dict[str, Any], con: duckdb.DuckDBPyConnection) -> None:
    inquiries, answered, minutes = con.execute(
        """select count(*), count(speed_to_lead_minutes), sum(speed_to_lead_minutes)
           from marts.customer_journeys where first_inquiry_at is not null"""
    ).fetchone()
    speed = rows(island, "speed_to_lead")
    no_reply = len(island["meta"]["speed_buckets"]) - 1
    assert sum(r["persons"] for r in speed) == inquiries
    assert sum(r["persons"] for r in speed if r["bucket"] != no_reply) == answered
    assert abs(sum(r["total_minutes"] or 0 for r in speed) - float(minutes or 0)) < 1e-6
    expected = {
        (s,): (n, d)
        for s, n, d in con.execute(
            """select stage, count(*), sum(seconds_in_stage) / 86400.0 from marts.fct_stage_transitions
               where left_at is not null group by 1"""
        ).fetchall()
    }
    persons = totals(island, "time_in_stage", ("stage",), "persons")
    days = totals(island, "time_in_stage", ("stage",), "total_days")
    assert persons == {k: v[0] for k, v in expected.items()}
    assert close(days, {k: v[1] for k, v in expected.items()})


def test_everyone_of_a_designed_persona_is_compared_once(
    island: dict[str, Any], con: duckdb.DuckDBPyConnection
) -> None:
    designed = list(island["meta"]["designs"])
    expected = dict(
        con.execute(
            "select persona, count(*) from marts.customer_journeys where current_stage is not null group by 1"
        ).fetchall()
    )
    got = {k[0]: v for k, v in totals(island, "design", ("persona",), "persons").items()}
    assert got == {p: expected[p] for p in designed if p in expected}
    outcomes = {k[0] for k in totals(island, "design", ("outcome",), "persons")}
    assert outcomes <= {"completed", "on_track", "departed"} and "completed" in outcomes


def test_the_file_is_self_contained_and_small(report: ReportResult) -> None:
    text = report.path.read_text()
    # Nothing loaded from elsewhere: no external scripts, styles, images or fonts.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert "@import" not in text and "url(http" not in text
    assert report.bytes < 1_000_000


def test_landing_pages_and_devices_match_fct_web_sessions(
    island: dict[str, Any], con: duckdb.DuckDBPyConnection
) -> None:
    """Sessions and people per landing page and device, and how many of those people identified and converted."""
    for name, column in (("landing_pages", "landing_page_path"), ("devices", "device_category")):
        key = "landing_page" if name == "landing_pages" else "device"
        expected = {
            (k,): (sessions, persons, identified, converted)
            for k, sessions, persons, identified, converted in con.execute(
                f"""select coalesce(s.{column}, '(unknown page)'), count(*), count(distinct s.person_key),
                           count(distinct s.person_key) filter (where not j.is_anonymous),
                           count(distinct s.person_key) filter (where j.is_converted)
                    from marts.fct_web_sessions as s join marts.customer_journeys as j using (person_key)
                    group by all"""
            ).fetchall()
        }
        assert expected, name
        got = {
            k: tuple(totals(island, name, (key,), v)[k] for v in ("sessions", "persons", "identified", "converted"))
            for k in totals(island, name, (key,), "sessions")
        }
        assert got == expected, name
    # the website brings people the CRM never saw: most visitors never identify
    assert island["meta"]["summary"]["anonymous_visitors"] > island["meta"]["summary"]["persons"] / 2


def test_visitor_exits_count_the_people_who_left_before_becoming_leads(
    island: dict[str, Any], con: duckdb.DuckDBPyConnection
) -> None:
    expected = con.execute(
        """select count(*) from marts.customer_journeys as j
           where j.is_dropped_off and j.current_stage in ('awareness', 'engagement')
             and exists (select 1 from marts.fct_web_sessions as s where s.person_key = j.person_key)"""
    ).fetchone()[0]
    assert expected > 0
    assert sum(totals(island, "visitor_exits", ("stage",), "persons").values()) == expected
    assert set(totals(island, "visitor_exits", ("stage",), "persons")) <= {("awareness",), ("engagement",)}
