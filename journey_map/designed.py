"""The designed (future-state) journey per persona, declared in YAML, and how real journeys compare with it.

A design is an ordered list of steps; each step is a journey stage and, optionally, the channels the touch that
brings the person into that stage is expected to come through. A person follows the design while their stages
(in ladder order, entered by a rule of their own) match its steps one by one, each through an expected channel.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from journey_map.labels import CHANNELS, STAGES, label


class DesignError(ValueError):
    """The designed-journey configuration is invalid; the message says where and why."""


class DesignedStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stage: str
    # Empty: any channel will do for this step.
    channels: list[str] = Field(default_factory=list)

    @field_validator("stage")
    @classmethod
    def _known_stage(cls, value: str) -> str:
        if value not in STAGES:
            raise ValueError(f"unknown stage {value!r}; the stages are {', '.join(STAGES)}")
        return value

    @field_validator("channels")
    @classmethod
    def _known_channels(cls, values: list[str]) -> list[str]:
        unknown = [v for v in values if v not in CHANNELS]
        if unknown:
            raise ValueError(
                f"unknown channel(s) {', '.join(map(repr, unknown))}; the channels are {', '.join(CHANNELS)}"
            )
        return values


class DesignedJourney(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = ""
    steps: list[DesignedStep] = Field(min_length=1)

    @model_validator(mode="after")
    def _ladder_order(self) -> DesignedJourney:
        # Stages are a monotonic ladder in the data, so a design that goes down (or repeats) could never be followed.
        ranks = [STAGES.index(s.stage) for s in self.steps]
        if any(b <= a for a, b in itertools.pairwise(ranks)):
            order = " -> ".join(s.stage for s in self.steps)
            raise ValueError(f"steps must go up the stage ladder ({' -> '.join(STAGES)}), got {order}")
        return self


class DesignedJourneys(BaseModel):
    model_config = ConfigDict(extra="forbid")

    personas: dict[str, DesignedJourney]


def load_designed_journeys(path: Path) -> DesignedJourneys:
    """Read and validate the YAML file; raises DesignError naming the file and the offending entry."""
    try:
        raw = yaml.safe_load(path.read_text())
    except FileNotFoundError as exc:
        raise DesignError(f"{path}: designed-journey file not found") from exc
    except yaml.YAMLError as exc:
        raise DesignError(f"{path}: not valid YAML: {exc}") from exc
    return parse_designed_journeys(raw, source=str(path))


def parse_designed_journeys(raw: Any, source: str = "designed journeys") -> DesignedJourneys:
    try:
        return DesignedJourneys.model_validate(raw if raw is not None else {})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}" for err in exc.errors()
        )
        raise DesignError(f"{source}: {problems}") from exc


COMPLETED, ON_TRACK, DEPARTED = "completed", "on_track", "departed"


@dataclass(frozen=True)
class Verdict:
    """How one person's journey compares with their persona's design."""

    outcome: str  # completed | on_track | departed
    steps_followed: int  # designed steps matched before the person stopped or departed
    departure: str | None  # plain-language reason, for departed journeys


def compare(design: DesignedJourney, stages: list[tuple[str, bool, str | None]]) -> Verdict:
    """Compare a person's stages (ladder order: stage, entered by its own rule, channel of the entering touch)."""
    # Inferred stages were skipped in reality (a higher stage was reached first), so they are not part of the path.
    actual = [(stage, channel) for stage, own, channel in stages if own]
    position = 0
    for stage, channel in actual:
        if position == len(design.steps):
            break  # the design is complete; what happens after it is not a departure
        expected = design.steps[position]
        if stage == expected.stage:
            if expected.channels and channel not in expected.channels:
                wanted = " or ".join(label(c) for c in expected.channels)
                return Verdict(DEPARTED, position, f"Reached {label(stage)} through {label(channel)}, not {wanted}")
            position += 1
        # Actual stages go up the ladder, so a stage below the expected one is an extra stage the design leaves out;
        # one above it means the expected stage was skipped.
        elif STAGES.index(stage) < STAGES.index(expected.stage):
            return Verdict(DEPARTED, position, f"Went through {label(stage)}, which the design leaves out")
        else:
            return Verdict(DEPARTED, position, f"Skipped {label(expected.stage)}")
    if position == len(design.steps):
        return Verdict(COMPLETED, position, None)
    return Verdict(ON_TRACK, position, None)


def conformance(
    designs: DesignedJourneys, sequences: list[tuple[str, str, list[tuple[str, bool, str | None]]]]
) -> list[list[Any]]:
    """Rows [persona, cohort, outcome, steps_followed, departure, persons] for personas that have a design."""
    counts: Counter[tuple[str, str, str, int, str]] = Counter()
    for persona, cohort, stages in sequences:
        design = designs.personas.get(persona)
        if design is None:
            continue
        verdict = compare(design, stages)
        counts[(persona, cohort, verdict.outcome, verdict.steps_followed, verdict.departure or "")] += 1
    return [[*key, n] for key, n in sorted(counts.items())]
