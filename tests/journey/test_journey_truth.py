"""The journey models on the standard sandbox world (seed 42, 500 people), scored against its ground truth.

Identity: pairwise precision / recall of person merges over HubSpot contacts, Mailchimp members, Meta leads and
linkable social users (tests/journey/truth_metrics.py). Stages: customer_journeys.current_stage against the true
stage. Both are printed (`pytest -s` shows them); customer_journeys must have one row per person and agree with
fct_stage_transitions.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sandbox.world import World
from tests.journey.conftest import PEOPLE, SEED
from tests.journey.truth_metrics import IdentityScore, StageScore, score_identity, score_stages

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def world(truth_world: World) -> World:
    return truth_world


@pytest.fixture(scope="module")
def warehouse(truth_warehouse: Path) -> Path:
    return truth_warehouse


@pytest.fixture(scope="module")
def con(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(warehouse))
    yield c
    c.close()


@pytest.fixture(scope="module")
def identity(world: World, con: duckdb.DuckDBPyConnection) -> IdentityScore:
    score = score_identity(con, world.manifest())
    print(
        f"\nidentity (seed {SEED}, {PEOPLE} people): {score.records} records, {score.true_pairs} true pairs, "
        f"{score.predicted_pairs} predicted pairs, {score.correct_pairs} correct: precision {score.precision:.4f}, "
        f"recall {score.recall:.4f}; recall over the {score.recoverable_pairs} pairs the data links at all "
        f"{score.recoverable_recall:.4f}"
    )
    return score


@pytest.fixture(scope="module")
def stages(world: World, con: duckdb.DuckDBPyConnection) -> StageScore:
    score = score_stages(con, world.manifest())
    print(
        f"\nstages (seed {SEED}, {PEOPLE} people): {score.correct}/{score.persons} persons at their true stage: "
        f"accuracy {score.accuracy:.4f}; misses (true, predicted): {dict(score.confusion)}"
    )
    return score


def test_identity_precision(identity: IdentityScore) -> None:
    assert identity.precision >= 0.99, identity.wrong[:5]


def test_identity_recall_over_linkable_pairs(identity: IdentityScore) -> None:
    """Every true pair the data connects at all is merged (the guardrails cost no recall here)."""
    assert identity.recoverable_recall >= 0.99, identity.missed[:10]


def test_identity_recall(identity: IdentityScore) -> None:
    assert identity.recall >= 0.99, identity.missed[:10]


def test_stage_accuracy(stages: StageScore) -> None:
    assert stages.persons > 0.7 * PEOPLE
    assert stages.accuracy >= 0.98, stages.confusion


def test_customer_journeys_one_row_per_person(con: duckdb.DuckDBPyConnection) -> None:
    (persons, journeys, distinct, missing) = con.execute(
        """
        select
            (select count(*) from marts.dim_persons),
            (select count(*) from marts.customer_journeys),
            (select count(distinct person_key) from marts.customer_journeys),
            (select count(*) from marts.dim_persons as d
             where not exists (select 1 from marts.customer_journeys as j where j.person_key = d.person_key))
        """
    ).fetchall()[0]
    assert persons == journeys == distinct and missing == 0, (persons, journeys, distinct, missing)


def test_customer_journeys_agree_with_stage_transitions(con: duckdb.DuckDBPyConnection) -> None:
    stages = ["awareness", "engagement", "consideration", "conversion", "retention", "advocacy"]
    pivot = ", ".join(f"max(case when stage = '{s}' then entered_at end) as {s}_at" for s in stages)
    mismatch = " or ".join(f"j.{s}_entered_at is distinct from t.{s}_at" for s in stages)
    (bad,) = con.execute(
        f"""
        select count(*) from marts.customer_journeys as j
        left join (
            select person_key, max(case when is_current then stage end) as current_stage, {pivot}
            from marts.fct_stage_transitions group by person_key
        ) as t on j.person_key = t.person_key
        where j.current_stage is distinct from t.current_stage or {mismatch}
        """
    ).fetchall()[0]
    assert bad == 0


def test_journey_outputs_are_populated(con: duckdb.DuckDBPyConnection) -> None:
    counts: dict[str, Any] = dict(
        con.execute(
            """
            select 'conversions', count(*) from marts.fct_conversions
            union all select 'segments', count(distinct segment_name) from marts.segment_membership
            union all select 'funnels', count(distinct funnel_name) from marts.fct_funnel_steps
            union all select 'paths', count(distinct outcome) from marts.rpt_journey_paths
            union all select 'ttc', count(*) from marts.rpt_time_to_convert
            union all select 'speed', count(speed_to_lead_minutes) from marts.customer_journeys
            union all select 'sessions', count(distinct session_id) from marts.fct_touchpoints
            """
        ).fetchall()
    )
    assert counts["conversions"] > 0 and counts["ttc"] > 0 and counts["speed"] > 0, counts
    assert counts["segments"] >= 6 and counts["funnels"] == 3 and counts["paths"] == 2, counts
    (types,) = con.execute("select count(distinct conversion_type) from marts.fct_conversions").fetchall()[0]
    assert types == 3
