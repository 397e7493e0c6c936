"""The journey models on the standard sandbox world (seed 42, 500 people), scored against its ground truth.

Identity: pairwise precision / recall of person merges over HubSpot contacts, Mailchimp members, Meta leads and
linkable social users (tests/journey/truth_metrics.py), and a census of dim_persons against the true people.
Stages: customer_journeys.current_stage against the true stage. All are printed (`pytest -s` shows them);
customer_journeys must have one row per person and agree with fct_stage_transitions. Touches the truth can check
one by one: every newsletter sign-up, every referral, every form submission lands on the right person.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sandbox.world import World
from tests.journey.conftest import PEOPLE, SEED
from tests.journey.truth_metrics import (
    IdentityScore,
    StageScore,
    census_persons,
    score_identity,
    score_stages,
    true_persons_of_keys,
)

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
        f"accuracy {score.accuracy:.4f} (anonymous visitors {score.visitors_correct}/{score.visitors}; "
        f"{score.split_devices} unidentified devices of known persons not scored twice); "
        f"misses (true, predicted): {dict(score.confusion)}"
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
    """Over every person, anonymous visitors included (their stage comes from their views: the third is
    engagement)."""
    assert stages.persons > 0.7 * PEOPLE and stages.visitors > 5 * PEOPLE, (stages.persons, stages.visitors)
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


def _ms(ts: datetime) -> int:
    """A warehouse timestamp (naive UTC) as the world's epoch milliseconds."""
    return round(ts.replace(tzinfo=UTC).timestamp() * 1000)


def _person_of(persons_of_key: dict[str, set[str]], person_key: str) -> str:
    """The true person behind a person key, or a marker that says why there is none."""
    persons = persons_of_key.get(person_key, set())
    if len(persons) == 1:
        return next(iter(persons))
    return f"<{len(persons)} true persons: {person_key}>"


def test_dim_persons_is_one_row_per_true_person(world: World, con: duckdb.DuckDBPyConnection) -> None:
    """No phantom persons (a shared-mailbox submission whose phone matches nobody is no person), none merged,
    split or missing; anonymous visitors are persons, flagged. The only extra rows are devices of a person that
    nothing in the data identifies (a second phone that never filled a form or logged in): anonymous persons of
    their own, which no method could tie to their owner."""
    census = census_persons(con, world.manifest())
    print(
        f"\npersons (seed {SEED}, {PEOPLE} people): dim_persons has {census.persons} rows for {census.true_people} "
        f"true people ({census.anonymous} anonymous, {census.unlinkable_devices} of them unidentifiable devices "
        f"of someone with another key); phantoms {len(census.phantoms)}, merged {len(census.merged)}, split "
        f"{len(census.split)}, missing {len(census.missing)}"
    )
    assert not census.phantoms, census.phantoms
    assert not census.merged and not census.split and not census.missing, census
    assert census.anonymous > 5 * PEOPLE
    assert census.persons == census.true_people + census.unlinkable_devices


def test_every_form_submission_touch_is_its_submitters(world: World, con: duckdb.DuckDBPyConnection) -> None:
    """A touch made from a form submission belongs to the person who submitted it (a referred person's form is no
    touch of the referrer's); a shared-mailbox submission nothing links to its submitter stays unresolved."""
    manifest = world.manifest()
    submitter = {r["record_id"]: r["person_id"] for r in manifest.records if r["stream"] == "form_submissions"}
    persons_of_key = true_persons_of_keys(con, manifest)
    wrong = [
        (touch_type, record_id, submitter.get(record_id), _person_of(persons_of_key, key))
        for key, touch_type, record_id in con.execute(
            "select person_key, touch_type, source_record_id from marts.fct_touchpoints"
            " where source_system = 'hubspot' and source_stream = 'form_submissions'"
        ).fetchall()
        if _person_of(persons_of_key, key) != submitter.get(record_id)
    ]
    assert not wrong, wrong[:10]
    resolved = {r for (r,) in con.execute("select source_record_id from marts.fct_touchpoints").fetchall()}
    unresolved = {
        r
        for (r,) in con.execute(
            "select source_record_id from intermediate.int_touchpoints_unresolved"
            " where source_system = 'hubspot' and source_stream = 'form_submissions'"
        ).fetchall()
    }
    shared = {
        r["record_id"] for r in manifest.records if r["stream"] == "form_submissions" and r["relation"] == "shared"
    }
    assert set(submitter) <= resolved | unresolved, sorted(set(submitter) - resolved - unresolved)[:5]
    assert unresolved <= shared, sorted(unresolved - shared)[:5]


def test_every_email_subscribe_event_is_one_touch_of_its_person(world: World, con: duckdb.DuckDBPyConnection) -> None:
    """Every newsletter / offers sign-up of the world is one email_subscribe touch on the right person, dated by the
    sign-up. An address joining both interest groups with one sign-up is one event per group in the world and one
    opt-in (one member, one timestamp_opt) in Mailchimp: one touch."""
    events: collections.Counter[tuple[str, str, int]] = collections.Counter()
    for p in world.visible_persons():
        for e in world.visible_events(p):
            if e.type == "email_subscribe":
                events[(p.person_id, e.attrs["email"], e.ts)] += 1
    persons_of_key = true_persons_of_keys(con, world.manifest())
    touches = collections.Counter(
        (_person_of(persons_of_key, key), address, _ms(occurred_at))
        for key, address, occurred_at in con.execute(
            "select person_key, identifier_value, occurred_at from marts.fct_touchpoints"
            " where touch_type = 'email_subscribe'"
        ).fetchall()
    )
    print(
        f"\nsign-ups (seed {SEED}, {PEOPLE} people): {sum(events.values())} email_subscribe events = "
        f"{len(events)} sign-ups; {sum(touches.values())} email_subscribe touches"
    )
    assert events
    assert sorted(set(events) - set(touches))[:5] == [] and sorted(set(touches) - set(events))[:5] == []
    assert all(n == 1 for n in touches.values()), [k for k, n in touches.items() if n > 1][:5]
    (channels,) = con.execute(
        "select list(distinct channel) from marts.fct_touchpoints where touch_type = 'email_subscribe'"
    ).fetchall()[0]
    assert channels == ["email"]


def test_every_referral_is_one_touch_of_the_referrer(world: World, con: duckdb.DuckDBPyConnection) -> None:
    """A referral given is one touch of the referrer at the moment they gave it, whoever it brought in (one referral
    brought four people in the standard world)."""
    referrals = collections.Counter(
        (p.person_id, e.ts)
        for p in world.visible_persons()
        for e in world.visible_events(p)
        if e.type == "referral_given"
    )
    persons_of_key = true_persons_of_keys(con, world.manifest())
    people = {person for person, _ in referrals}
    touches = collections.Counter(
        (_person_of(persons_of_key, key), _ms(occurred_at))
        for key, occurred_at in con.execute("select person_key, occurred_at from marts.fct_touchpoints").fetchall()
    )
    found = {referral: touches[referral] for referral in referrals}
    print(
        f"\nreferrals (seed {SEED}, {PEOPLE} people): {sum(referrals.values())} by {len(people)} people;"
        f" touches of the referrer at the referral: {found}"
    )
    assert referrals
    assert all(n == 1 for n in found.values()), found


def test_every_true_advocate_is_an_advocate(world: World, con: duckdb.DuckDBPyConnection) -> None:
    """Advocacy (a referral given, a promoter score) is a stage the data can show: every true advocate is one, entered
    when the truth says."""
    manifest = world.manifest()
    persons_of_key = true_persons_of_keys(con, manifest)
    truth = {p["person_id"]: p["advocacy_at"] for p in manifest.persons if p["advocacy_at"]}
    got = {
        _person_of(persons_of_key, key): entered_at
        for key, entered_at in con.execute(
            "select person_key, advocacy_entered_at from marts.customer_journeys where advocacy_entered_at is not null"
        ).fetchall()
    }
    assert truth
    missing = sorted(set(truth) - set(got))
    assert not missing, missing
    late = {
        p: (t, got[p]) for p, t in truth.items() if _ms(datetime.fromisoformat(t).replace(tzinfo=None)) != _ms(got[p])
    }
    assert not late, late
