"""The designed-journey configuration: validation with clear errors, and how a journey is compared with it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from journey_map import DEFAULT_DESIGN_PATH, DesignError, load_designed_journeys
from journey_map.designed import COMPLETED, DEPARTED, ON_TRACK, DesignedJourney, compare, parse_designed_journeys
from journey_map.labels import STAGES

REPO = Path(__file__).resolve().parents[2]


def test_the_shipped_configuration_is_valid_and_covers_every_persona() -> None:
    designs = load_designed_journeys(DEFAULT_DESIGN_PATH)
    assert set(designs.personas) == {
        "bargain_hunter",
        "researcher",
        "referral",
        "paid_search_shopper",
        "social_follower",
    }


def test_the_stage_ladder_matches_the_dbt_project() -> None:
    project = yaml.safe_load((REPO / "dbt_project" / "dbt_project.yml").read_text())
    assert tuple(project["vars"]["journey_stages"]) == STAGES


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"personas": {"researcher": {"steps": [{"stage": "awarenes"}]}}}, "personas.researcher.steps.0.stage"),
        (
            {"personas": {"researcher": {"steps": [{"stage": "awareness", "channels": ["tv"]}]}}},
            "unknown channel(s) 'tv'",
        ),
        (
            {"personas": {"researcher": {"steps": [{"stage": "conversion"}, {"stage": "awareness"}]}}},
            "steps must go up the stage ladder",
        ),
        ({"personas": {"researcher": {"steps": []}}}, "personas.researcher.steps"),
        ({"personas": {"researcher": {"stages": [{"stage": "awareness"}]}}}, "personas.researcher.stages"),
        ({"persona": {}}, "persona"),
    ],
)
def test_invalid_configurations_fail_with_a_message_naming_the_entry(raw: object, message: str) -> None:
    with pytest.raises(DesignError) as error:
        parse_designed_journeys(raw, source="designed.yaml")
    assert message in str(error.value) and str(error.value).startswith("designed.yaml: ")


def test_unreadable_files_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(DesignError, match="not found"):
        load_designed_journeys(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("personas: [unclosed")
    with pytest.raises(DesignError, match="not valid YAML"):
        load_designed_journeys(broken)


DESIGN = DesignedJourney.model_validate(
    {
        "steps": [
            {"stage": "awareness", "channels": ["paid_search"]},
            {"stage": "consideration"},
            {"stage": "conversion"},
        ]
    }
)


@pytest.mark.parametrize(
    ("stages", "outcome", "followed", "departure"),
    [
        # Engagement inferred (skipped in reality) is not a departure from a design that leaves it out.
        (
            [("awareness", True, "paid_search"), ("engagement", False, "crm"), ("consideration", True, "direct")],
            ON_TRACK,
            2,
            None,
        ),
        (
            [("awareness", True, "paid_search"), ("consideration", True, "x"), ("conversion", True, "crm")],
            COMPLETED,
            3,
            None,
        ),
        # What happens after the design ends is not a departure.
        (
            [
                ("awareness", True, "paid_search"),
                ("consideration", True, "x"),
                ("conversion", True, "crm"),
                ("retention", True, "crm"),
            ],
            COMPLETED,
            3,
            None,
        ),
        ([("awareness", True, "display")], DEPARTED, 0, "Reached Awareness through Display, not Paid search"),
        (
            [("awareness", True, "paid_search"), ("engagement", True, "email"), ("consideration", True, "x")],
            DEPARTED,
            1,
            "Went through Engagement, which the design leaves out",
        ),
        (
            [("awareness", True, "paid_search"), ("consideration", False, "crm"), ("conversion", True, "crm")],
            DEPARTED,
            1,
            "Skipped Consideration",
        ),
    ],
)
def test_a_journey_is_compared_with_the_design_step_by_step(
    stages: list[tuple[str, bool, str | None]], outcome: str, followed: int, departure: str | None
) -> None:
    verdict = compare(DESIGN, stages)
    assert (verdict.outcome, verdict.steps_followed, verdict.departure) == (outcome, followed, departure)
