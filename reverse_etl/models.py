"""The records that flow through a sync run: source rows, prepared payloads, planned changes and their outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Operation = Literal["add", "change", "remove"]
# delivered: HubSpot accepted it; rejected: HubSpot refused it (retried next run); skipped: nothing to send
ChangeStatus = Literal["pending", "delivered", "rejected", "skipped", "invalid"]


@dataclass(frozen=True)
class SourceRow:
    """One row of the sync's source model, with the identity columns resolved."""

    key: Any
    email: Any
    object_id: Any
    values: dict[str, Any]
    archived: bool = False
    # A website visitor who never identified: no contact, no email, nothing the CRM could hold.
    anonymous: bool = False


@dataclass(frozen=True)
class PreparedRow:
    """A valid row: the destination-facing payload (HubSpot strings) and its hash."""

    key: str
    email: str | None
    object_id: str | None  # the HubSpot contact id when known (warehouse or id map)
    payload: dict[str, str]
    payload_hash: str

    @property
    def match(self) -> tuple[str, str]:
        """How HubSpot finds the record: its object id once we know it, else the email."""
        if self.object_id:
            return ("hs_object_id", self.object_id)
        return ("email", self.email or "")


@dataclass(frozen=True)
class InvalidRow:
    key: str | None
    reason: str


@dataclass(frozen=True)
class SnapshotEntry:
    """What the last run delivered for one record: the payload hash, the HubSpot id it landed on, and whether this
    tool created that record or list membership (only those may be removed in mirror mode)."""

    key: str
    payload_hash: str
    destination_id: str | None
    owned: bool


@dataclass
class Change:
    key: str
    operation: Operation
    row: PreparedRow | None = None
    previous: SnapshotEntry | None = None
    status: ChangeStatus = "pending"
    destination_id: str | None = None
    owned: bool = False
    error: str | None = None


@dataclass
class Plan:
    """The diff of one run against the last delivered snapshot."""

    sync_name: str
    queried: int  # rows of persons the CRM can hold (anonymous visitors are counted apart)
    valid: list[PreparedRow]
    invalid: list[InvalidRow]
    changes: list[Change]
    unchanged: int
    synced_rows: int  # rows in the last delivered snapshot: the destination set this sync owns
    anonymous: int = 0  # anonymous website visitors in the source: not sent, not invalid, not removed

    def count(self, op: str) -> int:
        return sum(1 for c in self.changes if c.operation == op)

    def counts(self) -> dict[str, int]:
        return {
            "queried": self.queried,
            "added": self.count("add"),
            "changed": self.count("change"),
            "removed": self.count("remove"),
            "unchanged": self.unchanged,
            "invalid": len(self.invalid),
            "anonymous_visitors": self.anonymous,
            "synced_before": self.synced_rows,
        }


@dataclass
class RunResult:
    run_id: str | None
    sync_name: str
    status: str  # success | partial | refused | dry_run | failed
    dry_run: bool
    counts: dict[str, int]
    message: str = ""
    samples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    rejected: list[dict[str, str]] = field(default_factory=list)
    invalid: list[dict[str, str]] = field(default_factory=list)
    http: dict[str, Any] = field(default_factory=dict)
