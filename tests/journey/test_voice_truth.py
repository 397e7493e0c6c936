"""The customer's voice on the standard sandbox world (seed 42, 500 people), scored against its ground truth:
every Typeform response, every marketing event participation and every Trustpilot review of a known person lands on
that person in fct_touchpoints (precision and recall printed, `pytest -s`), strangers' answers and reviews stay
unresolved, each touch carries what the feedback layer reads (score on the survey's scale, survey type, event name,
stars), and Google Business Profile ratings add up per location and month."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sandbox.world import World
from sandbox.world.voice import surveys
from sandbox.world.voice.reviews import LOCATIONS, STAR_NAMES, review_book
from tests.journey.conftest import PEOPLE, SEED
from tests.journey.truth_metrics import true_persons_of_keys
from tests.journey.voice_truth_metrics import VoiceScore, score_voice

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def con(truth_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(truth_warehouse))
    yield c
    c.close()


@pytest.fixture(scope="module")
def manifest(truth_world: World) -> Any:
    return truth_world.manifest()


@pytest.fixture(scope="module")
def persons_of_key(con: duckdb.DuckDBPyConnection, manifest: Any) -> dict[str, set[str]]:
    return true_persons_of_keys(con, manifest)


def _owners(manifest: Any, source: str, stream: str) -> dict[str, str]:
    return {
        r["record_id"]: r["person_id"]
        for r in manifest.records
        if r["source"] == source and r["stream"] == stream and r["person_id"]
    }


@pytest.fixture(scope="module")
def surveys_score(con: duckdb.DuckDBPyConnection, manifest: Any, persons_of_key: dict[str, set[str]]) -> VoiceScore:
    owners = _owners(manifest, "typeform", "responses")
    score = score_voice(con, manifest, "survey responses", owners, "typeform", "responses", persons_of_key)
    print(f"\nvoice (seed {SEED}, {PEOPLE} people) {score.line()}")
    return score


@pytest.fixture(scope="module")
def events_score(con: duckdb.DuckDBPyConnection, manifest: Any, persons_of_key: dict[str, set[str]]) -> VoiceScore:
    owners = _owners(manifest, "hubspot", "marketing_event_participations")
    score = score_voice(
        con, manifest, "event participations", owners, "hubspot", "marketing_event_participations", persons_of_key
    )
    print(f"\nvoice (seed {SEED}, {PEOPLE} people) {score.line()}")
    return score


@pytest.fixture(scope="module")
def reviews_score(con: duckdb.DuckDBPyConnection, manifest: Any, persons_of_key: dict[str, set[str]]) -> VoiceScore:
    owners = _owners(manifest, "trustpilot", "reviews")
    score = score_voice(con, manifest, "reviews with an email", owners, "trustpilot", "reviews", persons_of_key)
    print(f"\nvoice (seed {SEED}, {PEOPLE} people) {score.line()}")
    return score


def test_survey_responses_land_on_their_person(surveys_score: VoiceScore) -> None:
    assert surveys_score.truth > 50
    assert surveys_score.precision == 1.0, surveys_score.wrong[:10]
    assert surveys_score.recall >= 0.98, surveys_score.missed[:10]


def test_event_participations_land_on_their_person(events_score: VoiceScore) -> None:
    assert events_score.truth > 100
    assert events_score.precision == 1.0, events_score.wrong[:10]
    assert events_score.recall >= 0.98, events_score.missed[:10]
    assert set(events_score.touches_by_type) == {
        "event_registered",
        "event_attended",
        "event_no_show",
        "event_cancelled",
    }


def test_strangers_answers_stay_unresolved(truth_world: World, con: duckdb.DuckDBPyConnection) -> None:
    """An answer through a forwarded link (an address no one in the CRM has) is no touch of a known person: it is
    listed as unresolved, not dropped and not guessed."""
    truth = {
        typeform_id(r): r for r in truth_world.survey_responses() if r.submitted_at is not None and not r.person_id
    }
    unresolved = {
        r
        for (r,) in con.execute(
            "select source_record_id from intermediate.int_touchpoints_unresolved where source_system = 'typeform'"
        ).fetchall()
    }
    assert truth and set(truth) == unresolved


def typeform_id(r: surveys.SurveyResponse) -> str:
    from connectors.typeform import response_record_id

    return response_record_id(r.form_id, r.token)


def test_survey_touches_carry_score_and_type(truth_world: World, con: duckdb.DuckDBPyConnection) -> None:
    """Each answer keeps its score on the survey's own scale and its survey's type (NPS 0-10, CSAT 1-5)."""
    truth = {typeform_id(r): r for r in truth_world.survey_responses() if r.submitted_at is not None}
    got = {
        record_id: (score, survey_type, detail)
        for record_id, score, survey_type, detail in con.execute(
            """
            select t.source_record_id, t.score, s.survey_type, t.detail
            from intermediate.int_typeform__touchpoints as t
            inner join intermediate.int_typeform__survey_responses as s on t.source_record_id = s.response_id
            """
        ).fetchall()
    }
    assert set(got) == set(truth)
    expected_type = {surveys.NPS_FORM_ID: "NPS", surveys.CSAT_FORM_ID: "CSAT"}
    wrong = [
        (k, got[k], r.score, r.form_id)
        for k, r in truth.items()
        if got[k][0] != r.score
        or got[k][1] != expected_type[r.form_id]
        or got[k][2] != surveys.FORMS_BY_ID[r.form_id]["title"]
    ]
    assert not wrong, wrong[:5]


def test_attended_touches_carry_the_attendance_percentage(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        """
        select touch_type, count(*), count(score), min(score), max(score), count(detail)
        from marts.fct_touchpoints where source_stream = 'marketing_event_participations' group by 1
        """
    ).fetchall()
    by_type = {r[0]: r[1:] for r in rows}
    n, scored, low, high, named = by_type["event_attended"]
    assert scored == n and 0 <= low <= high <= 100 and named == n
    assert all(v[1] == 0 for t, v in by_type.items() if t != "event_attended")


def test_reviews_land_on_their_person(reviews_score: VoiceScore) -> None:
    assert reviews_score.truth > 20
    assert reviews_score.precision == 1.0, reviews_score.wrong[:10]
    assert reviews_score.recall >= 0.98, reviews_score.missed[:10]


def test_review_touches_carry_the_stars_shown(truth_world: World, con: duckdb.DuckDBPyConnection) -> None:
    """A review's touch has the stars the review shows at the clock (a revision's once revised), detail trustpilot;
    reviews from addresses nobody in the CRM has are unresolved, not dropped."""
    shown = {r["id"]: r["stars"] for r in review_book(truth_world).trustpilot_at(truth_world.now_ms)}
    owners = review_book(truth_world).trustpilot_owners(truth_world.now_ms)
    got = dict(
        con.execute(
            "select source_record_id, cast(score as integer) from marts.fct_touchpoints"
            " where source_system = 'trustpilot' and detail = 'trustpilot' and touch_type = 'review'"
        ).fetchall()
    )
    unresolved = {
        r
        for (r,) in con.execute(
            "select source_record_id from intermediate.int_touchpoints_unresolved where source_system = 'trustpilot'"
        ).fetchall()
    }
    assert set(got) | unresolved == set(shown) and not set(got) & unresolved
    assert unresolved == {rid for rid, pid in owners.items() if pid is None}
    assert all(got[k] == shown[k] for k in got), [(k, got[k], shown[k]) for k in got if got[k] != shown[k]][:5]


def test_location_ratings_add_up(truth_world: World, con: duckdb.DuckDBPyConnection) -> None:
    """rpt_location_ratings_monthly: per location and month, the reviews Google shows, their average stars and the
    share with an owner's reply, as computed from the world's reviews."""
    book = review_book(truth_world)
    expected: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for loc, *_ in LOCATIONS:
        for r in book.google_at(loc, truth_world.now_ms):
            expected.setdefault((loc, r["createTime"][:7]), []).append(r)
    got = {
        (loc, month.strftime("%Y-%m")): (n, avg, share)
        for loc, month, n, avg, share in con.execute(
            "select location_id, review_month, reviews, avg_stars, replies_share"
            " from marts.rpt_location_ratings_monthly"
        ).fetchall()
    }
    assert set(got) == set(expected)
    for key, rows in expected.items():
        stars = [STAR_NAMES.index(r["starRating"]) + 1 for r in rows]
        replied = sum("reviewReply" in r for r in rows)
        assert got[key] == (len(rows), round(sum(stars) / len(rows), 4), round(replied / len(rows), 4)), key
