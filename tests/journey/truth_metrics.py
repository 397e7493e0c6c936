"""Score the journey models of a built warehouse against the sandbox world's ground-truth manifest.

* Identity: pairwise same-person decisions over the person-level records of every source (HubSpot contacts,
  Mailchimp members, Meta leads, linkable social users). A pair is a true merge when both records belong to the same
  true person, a predicted merge when both resolve to the same person_key (an unresolved record is a person of its
  own). Shared records (the info@ contacts, which belong to several people) are left out.
* Stages: for every person of customer_journeys that maps to a true person (through its records, or, for an
  anonymous visitor, through its device: web_truth_metrics), whether current_stage equals the person's true stage.
  Each true person is scored once: a device of a person the records already find, left anonymous because it never
  identified, is a stitching miss (web_truth_metrics), counted here as `split_devices`, not as a second person.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Any

import duckdb

from tests.journey.web_truth_metrics import anonymous_persons_of_keys, linkable_anonymous_ids


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


@dataclass
class IdentityScore:
    records: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    recoverable_pairs: int = 0  # true pairs whose records share identifiers in the data at all (any path)
    recoverable_correct: int = 0
    missed: list[tuple[str, str]] = field(default_factory=list)  # (record, true person) examples of lost merges
    wrong: list[tuple[str, set[str]]] = field(default_factory=list)  # (person_key, true persons) over-merges

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def recoverable_recall(self) -> float:
        """Recall over the true pairs the data can link at all: both records in one component of the raw identity
        edges (no guardrails). A duplicate contact sharing no identifier with its twin is out of reach."""
        return self.recoverable_correct / self.recoverable_pairs if self.recoverable_pairs else 1.0


def truth_records(manifest: Any) -> dict[tuple[str, str], str]:
    """{(identifier_type, identifier_value): true person_id} for every scored record."""
    persons = {p["person_id"]: p for p in manifest.persons}
    out: dict[tuple[str, str], str] = {}
    for r in manifest.records:
        if r["relation"] in ("shared", "unlinked"):
            continue
        key = None
        if r["source"] == "hubspot" and r["stream"] == "contacts":
            key = ("hubspot_contact_id", r["record_id"])
        elif r["source"] == "mailchimp" and r["stream"] == "list_members":
            key = ("mailchimp_member_id", r["record_id"])
        elif r["source"] == "meta_ads" and r["stream"] == "leads":
            key = ("meta_lead_id", r["record_id"])
        if key is not None:
            out[key] = r["person_id"]
    # linkable social users: one record per user id (not per comment)
    for p in persons.values():
        if str(p["social_linkable"]).lower() not in ("true", "1"):
            continue
        if p["facebook_user_id"]:
            out[("facebook_user_id", p["facebook_user_id"])] = p["person_id"]
        if p["instagram_username"]:
            out[("instagram_username", p["instagram_username"])] = p["person_id"]
    return out


def score_identity(con: duckdb.DuckDBPyConnection, manifest: Any) -> IdentityScore:
    truth = truth_records(manifest)
    resolved = {
        (t, v): k
        for t, v, k in con.execute(
            "select identifier_type, identifier_value, person_key from intermediate.int_identity_nodes_resolved"
            " where person_key is not null"
        ).fetchall()
    }
    predicted = {rec: resolved.get(rec) or f"unresolved:{rec[0]}:{rec[1]}" for rec in truth}
    by_truth = collections.Counter(truth.values())
    by_pred = collections.Counter(predicted.values())
    cells = collections.Counter((truth[rec], predicted[rec]) for rec in truth)
    score = IdentityScore(
        records=len(truth),
        true_pairs=sum(_pairs(n) for n in by_truth.values()),
        predicted_pairs=sum(_pairs(n) for n in by_pred.values()),
        correct_pairs=sum(_pairs(n) for n in cells.values()),
    )
    persons_of_key: dict[str, set[str]] = collections.defaultdict(set)
    keys_of_person: dict[str, set[str]] = collections.defaultdict(set)
    for rec, person in truth.items():
        persons_of_key[predicted[rec]].add(person)
        keys_of_person[person].add(predicted[rec])
    score.wrong = [(k, ps) for k, ps in persons_of_key.items() if len(ps) > 1]
    evidence = _raw_components(con)
    reach = {rec: evidence.get(rec, f"alone:{rec[0]}:{rec[1]}") for rec in truth}
    score.recoverable_pairs = sum(
        _pairs(n) for n in collections.Counter((truth[rec], reach[rec]) for rec in truth).values()
    )
    score.recoverable_correct = sum(
        _pairs(n) for n in collections.Counter((truth[rec], reach[rec], predicted[rec]) for rec in truth).values()
    )
    score.missed = [(f"{t}:{v}", p) for (t, v), p in truth.items() if len(keys_of_person[p]) > 1]
    return score


def _raw_components(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], int]:
    """Connected components of int_identity_edges_unioned without any guardrail (union-find in Python)."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(x: tuple[str, str]) -> tuple[str, str]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for rt, rid, it, iv in con.execute(
        "select record_type, record_id, identifier_type, identifier_value from intermediate.int_identity_edges_unioned"
    ).fetchall():
        a, b = find((rt, rid)), find((it, iv))
        if a != b:
            parent[a] = b
    roots: dict[tuple[str, str], int] = {}
    return {node: roots.setdefault(find(node), len(roots)) for node in list(parent)}


@dataclass
class StageScore:
    persons: int
    correct: int
    confusion: collections.Counter = field(default_factory=collections.Counter)  # (true, predicted) of misses
    visitors: int = 0  # of the persons scored, anonymous visitors (mapped through their device)
    visitors_correct: int = 0
    split_devices: int = 0  # anonymous keys of a person the records find (not scored twice)

    @property
    def accuracy(self) -> float:
        return self.correct / self.persons if self.persons else 0.0


def score_stages(con: duckdb.DuckDBPyConnection, manifest: Any) -> StageScore:
    truth = truth_records(manifest)
    true_stage = {p["person_id"]: p["true_stage"] or None for p in manifest.persons}
    key_persons: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for t, v, k in con.execute(
        "select identifier_type, identifier_value, person_key from intermediate.int_identity_nodes_resolved"
        " where person_key is not null"
    ).fetchall():
        if (t, v) in truth:
            key_persons[k][truth[(t, v)]] += 1
    known = set(truth.values())
    anonymous = anonymous_persons_of_keys(con, manifest)
    score = StageScore(persons=0, correct=0)
    for person_key, stage in con.execute("select person_key, current_stage from marts.customer_journeys").fetchall():
        people = key_persons.get(person_key)
        visitor = False
        if people:
            person = people.most_common(1)[0][0]
        elif len(anonymous.get(person_key, ())) == 1:
            person = next(iter(anonymous[person_key]))
            if person in known:
                score.split_devices += 1
                continue
            visitor = True
        else:
            continue
        score.persons += 1
        score.visitors += visitor
        if stage == true_stage[person]:
            score.correct += 1
            score.visitors_correct += visitor
        else:
            score.confusion[(true_stage[person], stage)] += 1
    return score


def true_persons_of_keys(con: duckdb.DuckDBPyConnection, manifest: Any) -> dict[str, set[str]]:
    """{person_key: the true persons whose scored records (truth_records) resolve to it}. A correct key has exactly
    one; a key holding none of them is a person the data made up."""
    truth = truth_records(manifest)
    out: dict[str, set[str]] = collections.defaultdict(set)
    for t, v, k in con.execute(
        "select identifier_type, identifier_value, person_key from intermediate.int_identity_nodes_resolved"
        " where person_key is not null"
    ).fetchall():
        if (t, v) in truth:
            out[k].add(truth[(t, v)])
    return dict(out)


@dataclass
class PersonCensus:
    """dim_persons against the true people: persons of the manifest with a scored record, and the web's persons
    (visitors, and anyone whose devices the warehouse shows), found through their anonymous ids."""

    persons: int
    true_people: int
    phantoms: list[str]  # person keys holding no true person
    merged: list[tuple[str, set[str]]]  # person keys holding several true people
    split: list[str]  # true people spread over several person keys through data that links them
    missing: list[str]  # true people with no person key
    anonymous: int = 0  # person keys of anonymous visitors
    unlinkable_devices: int = 0  # extra keys: a device of a person that nothing in the data identifies


def census_persons(con: duckdb.DuckDBPyConnection, manifest: Any) -> PersonCensus:
    persons_of_key = true_persons_of_keys(con, manifest)
    anonymous = anonymous_persons_of_keys(con, manifest)
    devices = dict(
        con.execute("select person_key, key_identifier_value from marts.dim_persons where is_anonymous").fetchall()
    )
    linkable = linkable_anonymous_ids(con, manifest)
    for key, people in anonymous.items():
        persons_of_key.setdefault(key, set()).update(people)
    keys = [k for (k,) in con.execute("select person_key from marts.dim_persons").fetchall()]
    true_people = set(truth_records(manifest).values()) | {p for k in keys for p in anonymous.get(k, ())}
    # an anonymous key of a device nothing identifies, beside another key of the same person, is an unlinkable
    # device (scored by the stitching recall), not a split the data could have avoided
    keys_holding: dict[str, set[str]] = collections.defaultdict(set)
    for k in keys:
        for p in persons_of_key.get(k, ()):
            keys_holding[p].add(k)
    unlinkable: set[str] = set()
    for held in keys_holding.values():
        loose = {k for k in held if k in devices and devices[k] not in linkable}
        # keep the person's other keys, or one of the loose ones when they are all the person has
        unlinkable |= loose if held - loose else loose - {min(loose)}
    counted = [k for k in keys if k not in unlinkable]
    keys_of_person = collections.Counter(p for k in counted for p in persons_of_key.get(k, ()))
    return PersonCensus(
        persons=len(keys),
        true_people=len(true_people),
        phantoms=[k for k in keys if not persons_of_key.get(k)],
        merged=[(k, persons_of_key[k]) for k in keys if len(persons_of_key.get(k, ())) > 1],
        split=sorted(p for p, n in keys_of_person.items() if n > 1),
        missing=sorted(true_people - set(keys_of_person)),
        anonymous=len(devices),
        unlinkable_devices=len(unlinkable),
    )
