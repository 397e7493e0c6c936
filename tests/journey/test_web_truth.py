"""The web models on the standard sandbox world (seed 42, 500 people), scored against its web truth: stitching of
anonymous ids (pairwise precision and recall, shared office computers never merging their users), sessions
(every true session found, with its channel, landing page and page count) and views (a view both trackers show
is one row). Scores are printed (`pytest -s`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from sandbox.world import World
from tests.journey.conftest import PEOPLE, SEED
from tests.journey.web_truth_metrics import StitchScore, score_stitching

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def con(truth_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(truth_warehouse))
    yield c
    c.close()


@pytest.fixture(scope="module")
def stitching(truth_world: World, con: duckdb.DuckDBPyConnection) -> StitchScore:
    score = score_stitching(con, truth_world.manifest())
    print(
        f"\nstitching (seed {SEED}, {PEOPLE} people): {score.items} anonymous ids / shared-device windows "
        f"({score.shared_items} windows on shared devices), {score.true_pairs} true pairs, {score.predicted_pairs} "
        f"predicted, {score.correct_pairs} correct: precision {score.precision:.4f}, recall {score.recall:.4f}; "
        f"recall over the {score.linkable_pairs} pairs the data can link {score.linkable_recall:.4f}; "
        f"merges across a shared device {len(score.shared_device_merges)}"
    )
    return score


def test_stitching_precision(stitching: StitchScore) -> None:
    assert stitching.true_pairs > 100 and stitching.shared_items > 20
    assert stitching.precision >= 0.99, stitching.wrong[:5]


def test_stitching_recall(stitching: StitchScore) -> None:
    """Over every true pair of anonymous ids (per use window on a shared device), linkable or not: the world's
    people identify on the browsers they switch to, so only a visitor's rare second browser and an identify the
    export has not delivered yet stay out of reach."""
    assert stitching.recall >= 0.98, stitching.missed[:10]


def test_stitching_recall_over_linkable_pairs(stitching: StitchScore) -> None:
    """Every pair of devices the data ties to one person (an identify or alias call, a HubSpot cookie tie) is
    stitched to that person. A device that never identifies (a visitor's second browser) holds nothing to link it
    by: it is an anonymous person, and only the plain recall counts it."""
    assert stitching.linkable_recall >= 0.98, stitching.missed[:10]


def test_no_person_merged_across_a_shared_device(stitching: StitchScore) -> None:
    assert not stitching.shared_device_merges, stitching.shared_device_merges[:5]


def test_sessions_match_the_true_sessions(truth_world: World, con: duckdb.DuckDBPyConnection) -> None:
    """Every true session (30 minutes idle or a new campaign, per device, never two people) is one row of
    fct_web_sessions with the true channel, landing page and page count."""
    truth = truth_world.manifest().sessions
    got = {
        (anonymous_id, started_at.isoformat(timespec="milliseconds") + "Z"): (channel, landing, views)
        for anonymous_id, started_at, channel, landing, views in con.execute(
            "select anonymous_id, started_at, channel, landing_page_path, page_count from marts.fct_web_sessions"
        ).fetchall()
    }
    missing = [t["session_id"] for t in truth if (t["anonymous_id"], t["started_at"]) not in got]
    found = [
        (t, got[(t["anonymous_id"], t["started_at"])]) for t in truth if (t["anonymous_id"], t["started_at"]) in got
    ]
    channel_ok = sum(1 for t, g in found if g[0] == t["channel"])
    landing_ok = sum(1 for t, g in found if g[1] == t["landing_page"])
    views_ok = sum(1 for t, g in found if g[2] == int(t["views"]))
    print(
        f"\nsessions (seed {SEED}, {PEOPLE} people): {len(truth)} true, {len(got)} built, {len(missing)} missing; "
        f"channel {channel_ok}, landing page {landing_ok}, page count {views_ok} of {len(found)} right"
    )
    assert truth and len(missing) <= 0.01 * len(truth), missing[:5]
    assert len(got) <= 1.01 * len(truth)
    assert channel_ok >= 0.99 * len(found) and landing_ok >= 0.99 * len(found) and views_ok >= 0.99 * len(found)


def test_a_view_both_trackers_show_is_one_page_view(con: duckdb.DuckDBPyConnection) -> None:
    """Each HubSpot web event is in fct_page_views exactly once, on the Segment view it shows when there is one."""
    (events, rows, distinct, matched) = con.execute(
        """
        select
            (select count(*) from raw_hubspot.web_events),
            (select count(*) from marts.fct_page_views where web_event_id is not null),
            (select count(distinct web_event_id) from marts.fct_page_views),
            (select count(*) from marts.fct_page_views where seen_by = 'segment and hubspot')
        """
    ).fetchall()[0]
    assert events > 0 and events == rows == distinct, (events, rows, distinct)
    assert matched >= 0.95 * events, (matched, events)


def test_sessions_are_touches(con: duckdb.DuckDBPyConnection) -> None:
    """Every web session is one web_session touch of its person in fct_touchpoints."""
    (sessions, touches, wrong_person) = con.execute(
        """
        select
            (select count(*) from marts.fct_web_sessions),
            (select count(*) from marts.fct_touchpoints where touch_type = 'web_session'),
            (select count(*) from marts.fct_touchpoints as t
             inner join marts.fct_web_sessions as s on t.touch_event_id = s.session_id
             where t.person_key <> s.person_key)
        """
    ).fetchall()[0]
    assert sessions > 0 and sessions == touches and wrong_person == 0, (sessions, touches, wrong_person)
