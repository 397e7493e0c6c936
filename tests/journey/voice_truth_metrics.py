"""Scoring the customer's voice touches against the world's ground truth: each truth record (a Typeform response,
a marketing event participation, a review with an email) owned by a known person should be exactly one touch of
that person in fct_touchpoints, and no touch of a record should land on anyone else."""

from __future__ import annotations

import collections
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from tests.journey.truth_metrics import true_persons_of_keys


@dataclass
class VoiceScore:
    """Precision and recall of records landing on their person: ``truth`` records owned by a known person,
    ``placed`` touches on a person key holding exactly one true person, ``correct`` of those on the owner."""

    label: str
    truth: int
    placed: int
    correct: int
    found: int  # truth records with a correct touch
    wrong: list[tuple[str, str, str]] = field(default_factory=list)  # (record, owner, got)
    missed: list[str] = field(default_factory=list)
    touches_by_type: collections.Counter = field(default_factory=collections.Counter)

    @property
    def precision(self) -> float:
        return self.correct / self.placed if self.placed else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.truth if self.truth else 0.0

    def line(self) -> str:
        return (
            f"{self.label}: {self.truth} true records of known persons, {self.placed} touches on a known person, "
            f"{self.correct} on the right one: precision {self.precision:.4f}, recall {self.recall:.4f} "
            f"(touches by type {dict(self.touches_by_type)})"
        )


def score_voice(
    con: duckdb.DuckDBPyConnection,
    manifest: Any,
    label: str,
    owner_of: dict[str, str],
    source_system: str,
    source_stream: str,
    persons_of_key: dict[str, set[str]] | None = None,
) -> VoiceScore:
    """``owner_of``: {source_record_id: true person id} (records of nobody left out)."""
    persons_of_key = persons_of_key if persons_of_key is not None else true_persons_of_keys(con, manifest)
    rows: Iterable[tuple[str, str, str]] = con.execute(
        "select source_record_id, person_key, touch_type from marts.fct_touchpoints"
        " where source_system = ? and source_stream = ?",
        [source_system, source_stream],
    ).fetchall()
    score = VoiceScore(label, truth=len(owner_of), placed=0, correct=0, found=0)
    found: set[str] = set()
    for record_id, key, touch_type in rows:
        score.touches_by_type[touch_type] += 1
        people = persons_of_key.get(key, set())
        if len(people) != 1:
            if record_id in owner_of:  # a known person's record on a merged or unknown key is a wrong placement
                score.placed += 1
                score.wrong.append((record_id, owner_of[record_id], f"<{len(people)} persons>"))
            continue
        got = next(iter(people))
        score.placed += 1
        if owner_of.get(record_id) == got:
            score.correct += 1
            found.add(record_id)
        else:
            score.wrong.append((record_id, owner_of.get(record_id, "<nobody>"), got))
    score.found = len(found)
    score.missed = sorted(set(owner_of) - found)
    return score
