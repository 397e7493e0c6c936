"""Feedback scores on the standard sandbox world (seed 42, 500 people), scored against its ground truth.

Every survey answer the world gives must reach int_feedback_scores_parsed on the right person, at its time (to the
second), with the category its score means, and no other survey answer may appear there: HubSpot's NPS answers (a
``survey_response`` event, 0-6 detractor, 7-8 passive, 9-10 promoter) and the Typeform responses of known persons
(the manifest's survey_responses: the NPS form on the same bands, the CSAT form 1-2 / 3 / 4-5). Reviews are scored
in test_voice_truth.py. The share that lands right is printed (recall) beside the share of parsed rows the
truth explains (precision). customer_journeys' last score and detractor flags follow from the same answers.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from sandbox.world import World
from sandbox.world.voice import surveys
from tests.journey.conftest import PEOPLE, SEED
from tests.journey.truth_metrics import true_persons_of_keys

pytestmark = [pytest.mark.slow]


def _ms(ts: datetime) -> int:
    return round(ts.replace(tzinfo=UTC).timestamp() * 1000)


def _nps_category(score: float) -> str:
    return "detractor" if score <= 6 else "passive" if score <= 8 else "promoter"


def _csat_category(score: float) -> str:
    return "detractor" if score <= 2 else "passive" if score <= 3 else "promoter"


@pytest.fixture(scope="module")
def con(truth_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(truth_warehouse))
    yield c
    c.close()


def _truth_answers(world: World) -> collections.Counter[tuple[str, int, str]]:
    """(person, answer time in epoch seconds, category) of every answer a known person gave."""
    answers: collections.Counter[tuple[str, int, str]] = collections.Counter(
        (p.person_id, e.ts // 1000, _nps_category(e.attrs["score"]))
        for p in world.visible_persons()
        for e in world.visible_events(p)
        if e.type == "survey_response"
    )
    for r in world.manifest().survey_responses:
        if r["person_id"] and r["completed"] and r["score"] not in (None, ""):
            category = _nps_category if r["form_id"] == surveys.NPS_FORM_ID else _csat_category
            answers[(r["person_id"], int(r["submitted_at_ms"]) // 1000, category(float(r["score"])))] += 1
    return answers


def test_every_nps_answer_lands_on_its_person_with_its_category(
    truth_world: World, con: duckdb.DuckDBPyConnection
) -> None:
    truth = _truth_answers(truth_world)
    persons_of_key = true_persons_of_keys(con, truth_world.manifest())
    rows = con.execute(
        "select person_key, occurred_at, feedback_category, scale_name from intermediate.int_feedback_scores_parsed"
        " where touch_type = 'survey_response'"
    ).fetchall()
    got: collections.Counter[tuple[str, int, str]] = collections.Counter()
    for key, occurred_at, category, _scale in rows:
        persons = persons_of_key.get(key, set())
        person = next(iter(persons)) if len(persons) == 1 else f"<{len(persons)} persons: {key}>"
        got[(person, _ms(occurred_at) // 1000, category)] += 1
    right = sum((truth & got).values())
    recall = right / sum(truth.values())
    precision = right / sum(got.values()) if got else 0.0
    print(
        f"\nsurvey answers (seed {SEED}, {PEOPLE} people): {sum(truth.values())} in the world, {len(rows)} parsed; "
        f"{right} on the right person with the right category: recall {recall:.4f}, precision {precision:.4f}; "
        f"categories {dict(collections.Counter(c for _, _, c in truth.elements()))}"
    )
    assert truth
    assert {scale for *_, scale in rows} == {"nps", "csat"}
    assert recall == 1.0, sorted(truth - got)[:5]
    assert precision == 1.0, sorted(got - truth)[:5]


def test_journey_feedback_columns_follow_the_answers(truth_world: World, con: duckdb.DuckDBPyConnection) -> None:
    """customer_journeys' feedback_count and last category are the world's answers per person."""
    truth = _truth_answers(truth_world)
    per_person: dict[str, list[tuple[int, str]]] = collections.defaultdict(list)
    for person, ts, category in truth.elements():
        per_person[person].append((ts, category))
    expected = {p: (len(a), max(a)[1]) for p, a in per_person.items()}
    persons_of_key = true_persons_of_keys(con, truth_world.manifest())
    got = {}
    for key, count, category in con.execute(
        "select person_key, feedback_count, last_feedback_category from marts.customer_journeys"
        " where feedback_count > 0"
    ).fetchall():
        (person,) = persons_of_key[key]
        got[person] = (count, category)
    detractors = con.execute(
        "select count(*) filter (where is_detractor), count(*) filter (where is_detractor_after_purchase)"
        " from marts.customer_journeys"
    ).fetchone()
    print(f"\njourney feedback: {len(got)} people with answers; detractors (last answer, after purchase): {detractors}")
    assert got == expected
