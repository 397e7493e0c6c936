"""Score the web stitching of a built warehouse against the sandbox's web truth (manifest ``web_identities``).

Items are anonymous ids, and on a shared office computer each run of one person's consecutive use of it (the
manifest's per-window rows): a pair of items is a true merge when both belong to the same true person, a predicted
merge when their views resolve to the same person_key (an item's key: the most common person_key of its views in
``intermediate.int_web__page_views_stitched`` inside the window). An item is linkable when the loaded data holds
evidence for it: an ``identify`` or ``alias`` call of its anonymous id reached the raw layer, or HubSpot tied its
cookie to a contact. A device
that never identifies cannot be linked by any method, so recall is also reported over the pairs of linkable items.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _naive(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).replace(tzinfo=None)


def _is_true(value: Any) -> bool:
    return str(value).lower() in ("true", "1")


@dataclass(frozen=True)
class Item:
    anonymous_id: str
    person_id: str  # the true person
    person_key: str  # the predicted one
    shared: bool
    linkable: bool


@dataclass
class StitchScore:
    items: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    linkable_pairs: int
    linkable_correct: int
    shared_items: int
    shared_device_merges: list[tuple[str, set[str]]] = field(default_factory=list)  # key -> true people sharing
    wrong: list[tuple[str, set[str]]] = field(default_factory=list)  # keys holding several true people
    missed: list[str] = field(default_factory=list)  # true people whose linkable items got several keys

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def linkable_recall(self) -> float:
        return self.linkable_correct / self.linkable_pairs if self.linkable_pairs else 1.0


def stitched_items(con: duckdb.DuckDBPyConnection, manifest: Any) -> list[Item]:
    """One item per anonymous id (per use window on a shared device) that has views in the warehouse."""
    views: dict[str, list[tuple[datetime, str]]] = collections.defaultdict(list)
    for device, viewed_at, key in con.execute(
        "select device_key, viewed_at, person_key from intermediate.int_web__page_views_stitched"
    ).fetchall():
        views[device].append((viewed_at, key))
    reachable = linkable_anonymous_ids(con, manifest)
    items = []
    for row in manifest.web_identities:
        shared = _is_true(row["shared"])
        seen = views.get(row["anonymous_id"], [])
        if shared:
            lo, hi = _naive(row["valid_from"]), _naive(row["valid_to"])
            seen = [v for v in seen if lo <= v[0] <= hi]
        if not seen:
            continue
        key = collections.Counter(k for _, k in seen).most_common(1)[0][0]
        linkable = row["anonymous_id"] in reachable
        items.append(Item(row["anonymous_id"], row["person_id"], key, shared, linkable))
    return items


def score_stitching(con: duckdb.DuckDBPyConnection, manifest: Any) -> StitchScore:
    items = stitched_items(con, manifest)
    by_truth = collections.Counter(i.person_id for i in items)
    by_key = collections.Counter(i.person_key for i in items)
    cells = collections.Counter((i.person_id, i.person_key) for i in items)
    linkable = [i for i in items if i.linkable]
    score = StitchScore(
        items=len(items),
        true_pairs=sum(_pairs(n) for n in by_truth.values()),
        predicted_pairs=sum(_pairs(n) for n in by_key.values()),
        correct_pairs=sum(_pairs(n) for n in cells.values()),
        linkable_pairs=sum(_pairs(n) for n in collections.Counter(i.person_id for i in linkable).values()),
        linkable_correct=sum(
            _pairs(n) for n in collections.Counter((i.person_id, i.person_key) for i in linkable).values()
        ),
        shared_items=sum(1 for i in items if i.shared),
    )
    people_of_key: dict[str, set[str]] = collections.defaultdict(set)
    keys_of_person: dict[str, set[str]] = collections.defaultdict(set)
    sharers: dict[str, set[str]] = collections.defaultdict(set)  # shared anonymous id -> its true people
    for i in items:
        people_of_key[i.person_key].add(i.person_id)
        if i.linkable:
            keys_of_person[i.person_id].add(i.person_key)
        if i.shared:
            sharers[i.anonymous_id].add(i.person_id)
    score.wrong = [(k, ps) for k, ps in people_of_key.items() if len(ps) > 1]
    score.shared_device_merges = [
        (k, ps) for k, ps in people_of_key.items() if any(len(ps & people) > 1 for people in sharers.values())
    ]
    score.missed = sorted(p for p, ks in keys_of_person.items() if len(ks) > 1)
    return score


def anonymous_persons_of_keys(con: duckdb.DuckDBPyConnection, manifest: Any) -> dict[str, set[str]]:
    """{person_key of an anonymous visitor (dim_persons.is_anonymous): the true persons behind its device}."""
    owners: dict[str, set[str]] = collections.defaultdict(set)
    for row in manifest.web_identities:
        owners[row["anonymous_id"]].add(row["person_id"])
    return {
        key: owners.get(device, set())
        for key, device in con.execute(
            "select person_key, key_identifier_value from marts.dim_persons where is_anonymous"
        ).fetchall()
    }


def linkable_anonymous_ids(con: duckdb.DuckDBPyConnection, manifest: Any) -> set[str]:
    """Anonymous ids the loaded data can tie to someone: an identify or alias call of theirs reached the raw layer,
    or HubSpot tied their cookie to a contact (read from the raw calls, not from the models being scored)."""
    called = {
        a
        for (a,) in con.execute(
            "select distinct payload->>'anonymousId' from raw_segment.events"
            " where payload->>'type' in ('identify', 'alias')"
        ).fetchall()
    }
    tied = {r["anonymous_id"] for r in manifest.web_identities if r["hubspot_contact_id"]}
    return called | tied
