"""The HubSpot projection's data: clock-independent timelines (what a person will ever have in HubSpot, with timed
changes) and records as HubSpot shows them at an instant."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple


class Change(NamedTuple):
    ts: int
    prop: str
    value: str | None
    source_type: str
    source_id: str
    user_id: int | None


@dataclass(slots=True)
class RecordTimeline:
    otype: str
    id: str
    created: int
    static: dict[str, str | None]
    changes: list[Change] = field(default_factory=list)
    # forward associations: (to_type, to_id); always defined on the "child" side only (contact->company,
    # deal->contact/company, engagement->contact/deal/company, feedback->contact, shared contact->company)
    links: list[tuple[str, str]] = field(default_factory=list)
    archived_at: int | None = None
    relation: str = "primary"


@dataclass(slots=True)
class SubmissionTimeline:
    ts: int
    form_guid: str
    conversion_id: str
    values: list[dict[str, str]]
    page_url: str
    relation: str  # "primary" | "secondary" | "shared"


@dataclass(slots=True)
class PersonTimeline:
    index: int
    person_id: str
    company: int | None
    records: list[RecordTimeline]
    submissions: list[SubmissionTimeline]
    contact0_created: int | None
    lifecycle0: list[tuple[int, int]]  # (ts, lifecycle rank) changes of the work contact (company rollup)
    shared: list[tuple[int, str, str]]  # (ts, firstname, lastname) of info@ submissions
    instants: list[int]  # every instant at which this person's HubSpot view changes, sorted


@dataclass(slots=True)
class HSRecord:
    """A record as HubSpot shows it at the snapshot instant."""

    otype: str
    id: str
    created: int
    updated: int
    archived_at: int | None
    properties: dict[str, str | None]  # every defined property of the object type
    history: dict[str, list[dict[str, Any]]]  # properties that changed (and HISTORY_PROPERTIES), newest first
    assoc: dict[str, list[str]]  # to_type -> ids (forward links, visible targets only), sorted by int
    person_index: int | None
    relation: str

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


@dataclass(slots=True)
class PersonSnapshot:
    records: list[HSRecord]
    submissions: list[dict[str, Any]]  # (formGuid, submission object)
    next_change: int | None
