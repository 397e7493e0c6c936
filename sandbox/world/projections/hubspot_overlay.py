"""What API clients wrote to the sandbox HubSpot portal, kept apart from the world's projection.

The world re-projects its records every time its clock moves, so writes cannot live in the projected records: they
live here and are laid over the world's records by :class:`~sandbox.world.projections.hubspot_store.HubSpotStore`
after every load. Written values carry the (world-clock) time of the write, so a later change the world makes to the
same property wins, as it would in HubSpot ("last write wins"); a property the world never touches keeps the written
value forever. Created records, GDPR deletions, custom property definitions and lists are kept here too.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections.hubspot_records import HSRecord
from sandbox.world.projections.hubspot_snapshot import history_for
from sandbox.world.timeutil import iso_ms, parse_time_ms

# Created contacts get ids from here on: above every id the world can project (persons use 1e12 + index * 1000 + k,
# shared info@ contacts 1.9e12 + company index), so a created id never collides with a world id, now or after advance.
CREATED_ID_BASE: dict[str, int] = {t: base + 990 * 10**9 for t, base in hs.ID_BASE.items()}
# History entries of API writes: HubSpot marks changes made by a private app as INTEGRATION changes.
WRITE_SOURCE_TYPE = "INTEGRATION"
WRITE_SOURCE_ID = "sandbox-reverse-etl"


@dataclass(slots=True)
class Write:
    """One written property value (``None`` = cleared) at world-clock time ``ts`` (epoch ms)."""

    value: str | None
    ts: int


@dataclass
class HSList:
    """A lists-v3 list (MANUAL or SNAPSHOT) and its members (record id -> membership time, epoch ms)."""

    list_id: str
    name: str
    object_type_id: str
    processing_type: str
    created: int
    updated: int
    version: int = 1
    members: dict[str, int] = field(default_factory=dict)


@dataclass
class WriteOverlay:
    """Everything written through the API. Mutated only under the store's lock."""

    writes: dict[str, dict[str, dict[str, list[Write]]]] = field(default_factory=dict)  # otype -> id -> prop -> writes
    created: dict[str, dict[str, int]] = field(default_factory=dict)  # otype -> id -> created at (ms)
    deleted: dict[str, set[str]] = field(default_factory=dict)  # otype -> GDPR-deleted ids
    blocklisted_emails: set[str] = field(default_factory=set)  # lower-case, from gdpr-delete
    custom_properties: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # otype -> Property objects
    lists: dict[str, HSList] = field(default_factory=dict)
    next_seq: dict[str, int] = field(default_factory=dict)
    next_list_id: int = 1001

    def new_id(self, otype: str) -> str:
        seq = self.next_seq.get(otype, 0) + 1
        self.next_seq[otype] = seq
        return str(CREATED_ID_BASE[otype] + seq)

    def record_write(self, otype: str, rid: str, values: dict[str, str | None], ts: int) -> None:
        props = self.writes.setdefault(otype, {}).setdefault(rid, {})
        for name, value in values.items():
            props.setdefault(name, []).append(Write(value, ts))

    def touched(self, otype: str) -> set[str]:
        """Ids whose served record differs from the world's: written, created or deleted."""
        return set(self.writes.get(otype, {})) | set(self.created.get(otype, {})) | self.deleted.get(otype, set())

    def is_deleted(self, otype: str, rid: str) -> bool:
        return rid in self.deleted.get(otype, ())

    def forget(self, otype: str, rid: str) -> None:
        """GDPR delete: drop every trace of the record and keep it out of every later load."""
        self.writes.get(otype, {}).pop(rid, None)
        self.created.get(otype, {}).pop(rid, None)
        self.deleted.setdefault(otype, set()).add(rid)
        for lst in self.lists.values():
            lst.members.pop(rid, None)

    def overlay(self, otype: str, rid: str, base: HSRecord | None) -> HSRecord | None:
        """The record as served: the world's record (or a created one) with the written values laid over it."""
        if self.is_deleted(otype, rid):
            return None
        created = self.created.get(otype, {}).get(rid)
        if base is None and created is None:
            return None
        rec = _blank(otype, rid, created) if base is None else base
        props = dict(rec.properties)
        history = dict(rec.history)
        updated = rec.updated
        for name, writes in self.writes.get(otype, {}).get(rid, {}).items():
            merged = _merge_history(history_for(rec, name), writes)
            history[name] = merged
            props[name] = merged[0]["value"] or None
            updated = max(updated, writes[-1].ts)
        if updated != rec.updated:
            props[hs.LAST_MODIFIED_PROPERTY[otype]] = iso_ms(updated)
        return dataclasses.replace(rec, properties=props, history=history, updated=updated)


def _blank(otype: str, rid: str, created: int) -> HSRecord:
    props: dict[str, str | None] = dict.fromkeys(hs.PROPERTY_NAMES[otype])
    props[hs.CREATED_PROPERTY[otype]] = iso_ms(created)
    props[hs.LAST_MODIFIED_PROPERTY[otype]] = iso_ms(created)
    props["hs_object_id"] = rid
    return HSRecord(otype, rid, created, created, None, props, {}, {}, None, "created")


def _merge_history(world: list[dict[str, Any]], writes: list[Write]) -> list[dict[str, Any]]:
    """World history and API writes, newest first. On equal times the write wins: it was made after the world's
    state at that instant was visible."""
    entries = [(parse_time_ms(e["timestamp"]), 0, -i, e) for i, e in enumerate(world)]
    for i, w in enumerate(writes):
        entry = {
            "value": w.value if w.value is not None else "",
            "timestamp": iso_ms(w.ts),
            "sourceType": WRITE_SOURCE_TYPE,
            "sourceId": WRITE_SOURCE_ID,
        }
        entries.append((w.ts, 1, i, entry))
    entries.sort(key=lambda t: (t[0], t[1], t[2]), reverse=True)
    return [e for *_, e in entries]
