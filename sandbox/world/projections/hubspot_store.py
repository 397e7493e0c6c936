"""The HubSpot object store the sandbox server reads from.

It holds the records as of the world's clock, ids in order for cursor paging, an association index in both
directions, form submissions per form (newest first), owners, forms and property definitions. The world refreshes
it with :meth:`HubSpotStore.load` whenever its clock moves. API writes (batch upsert/update/create, property creation,
lists, GDPR delete) are kept in a :class:`WriteOverlay` and laid over the world's records after every load, so they
survive the clock moving; ``objects`` always holds the records as served (world + writes).
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable
from typing import Any

from sandbox.world.config import WorldConfig
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections.hubspot_overlay import WriteOverlay
from sandbox.world.projections.hubspot_records import HSRecord


def email_key(email: str | None) -> str | None:
    """HubSpot matches contact emails case-insensitively and ignoring surrounding whitespace."""
    if email is None:
        return None
    key = email.strip().lower()
    return key or None


class HubSpotStore:
    def __init__(self, config: WorldConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.objects: dict[str, dict[str, HSRecord]] = {t: {} for t in hs.CRM_OBJECT_TYPES}
        self.sorted_ids: dict[str, list[int]] = {t: [] for t in hs.CRM_OBJECT_TYPES}
        self.reverse: dict[tuple[str, str], dict[str, set[str]]] = {}
        self.submissions: dict[str, list[dict[str, Any]]] = {}
        self.owners: list[dict[str, Any]] = hs.owners(config)
        self.forms: list[dict[str, Any]] = hs.forms(config)
        self.properties: dict[str, list[dict[str, Any]]] = {
            t: hs.property_definitions(t, self.owners) for t in hs.CRM_OBJECT_TYPES
        }
        self.version = 0
        self.base: dict[str, dict[str, HSRecord]] = {t: {} for t in hs.CRM_OBJECT_TYPES}  # the world's records
        self.overlay = WriteOverlay()
        self.emails: dict[str, str] = {}  # email_key -> id of the live contact holding it
        self.now_ms = 0  # the world's clock: API writes are stamped with it

    def load(
        self, records: Iterable[HSRecord], submissions: Iterable[dict[str, Any]], now_ms: int | None = None
    ) -> None:
        """Replace the world's content (called by the world after its clock moved); API writes stay laid over it."""
        objects: dict[str, dict[str, HSRecord]] = {t: {} for t in hs.CRM_OBJECT_TYPES}
        reverse: dict[tuple[str, str], dict[str, set[str]]] = {}
        for r in records:
            objects[r.otype][r.id] = r
            for to_type, ids in r.assoc.items():
                for to_id in ids:
                    reverse.setdefault((to_type, to_id), {}).setdefault(r.otype, set()).add(r.id)
        subs: dict[str, list[dict[str, Any]]] = {f["id"]: [] for f in self.forms}
        for s in submissions:
            subs.setdefault(s["formGuid"], []).append(s)
        for lst in subs.values():
            lst.sort(key=lambda s: (-s["submittedAt"], s["conversionId"]))
        with self.lock:
            if now_ms is not None:
                self.now_ms = now_ms
            self.base = objects
            self.objects = {t: dict(objs) for t, objs in objects.items()}
            for otype in hs.CRM_OBJECT_TYPES:
                for rid in self.overlay.touched(otype):
                    self._serve(otype, rid)
            self._index_emails()
            self.sorted_ids = {t: sorted(int(i) for i in objs) for t, objs in self.objects.items()}
            self.reverse = reverse
            self.submissions = subs
            self.version += 1

    # -- API writes (callers hold ``lock``) --------------------------------------------------------------------

    def _serve(self, otype: str, rid: str) -> HSRecord | None:
        """Recompute the served record of ``rid`` from the world's record and the overlay."""
        rec = self.overlay.overlay(otype, rid, self.base[otype].get(rid))
        if rec is None:
            self.objects[otype].pop(rid, None)
        else:
            self.objects[otype][rid] = rec
        return rec

    def _index_emails(self) -> None:
        """Contact emails are unique. A world contact that shows up later with an email a created contact already
        holds is not served (HubSpot would fold that form submission into the existing contact)."""
        created = self.overlay.created.get("contacts", {})
        index: dict[str, str] = {}
        for rid, rec in list(self.objects["contacts"].items()):
            key = email_key(rec.properties.get("email"))
            if key is None or rec.archived:
                continue
            other = index.get(key)
            if other is None:
                index[key] = rid
            elif other in created and rid not in created:
                del self.objects["contacts"][rid]
            elif rid in created and other not in created:
                del self.objects["contacts"][other]
                index[key] = rid
        self.emails = index

    def write(self, otype: str, rid: str, values: dict[str, str | None]) -> HSRecord:
        """Lay ``values`` over a live record at the world's clock; returns the record as now served."""
        old = self.objects[otype][rid]
        self.overlay.record_write(otype, rid, values, self.now_ms)
        rec = self._serve(otype, rid)
        assert rec is not None
        if otype == "contacts":
            self._reindex_email(rid, old.properties.get("email"), rec.properties.get("email"))
        return rec

    def create(self, otype: str, values: dict[str, str | None]) -> HSRecord:
        """A new record with a fresh id (never a world id) and ``values``."""
        rid = self.overlay.new_id(otype)
        self.overlay.created.setdefault(otype, {})[rid] = self.now_ms
        self.overlay.record_write(otype, rid, values, self.now_ms)
        rec = self._serve(otype, rid)
        assert rec is not None
        bisect.insort(self.sorted_ids[otype], int(rid))
        if otype == "contacts":
            self._reindex_email(rid, None, rec.properties.get("email"))
        return rec

    def gdpr_delete(self, otype: str, rid: str) -> None:
        """Remove the record from every read, every list and every later load."""
        rec = self.objects[otype].get(rid)
        self.overlay.forget(otype, rid)
        self._serve(otype, rid)
        ids = self.sorted_ids[otype]
        pos = bisect.bisect_left(ids, int(rid))
        if pos < len(ids) and ids[pos] == int(rid):
            del ids[pos]
        if otype == "contacts" and rec is not None:
            self._reindex_email(rid, rec.properties.get("email"), None)

    def _reindex_email(self, rid: str, old: str | None, new: str | None) -> None:
        old_key, new_key = email_key(old), email_key(new)
        if old_key is not None and self.emails.get(old_key) == rid:
            del self.emails[old_key]
        if new_key is not None:
            self.emails[new_key] = rid

    def add_property(self, otype: str, definition: dict[str, Any]) -> None:
        self.overlay.custom_properties.setdefault(otype, []).append(definition)
        # records need no refresh: reads of a property a record has no value for give null
        self.properties[otype].append(definition)

    # -- reads -------------------------------------------------------------------------------------------------

    def get(self, otype: str, rid: str) -> HSRecord | None:
        return self.objects[otype].get(rid)

    def page_ids(self, otype: str, after: int | None, archived: bool, limit: int) -> tuple[list[HSRecord], int | None]:
        """Up to ``limit`` records with id >= after (archived ones only, or live ones only); and the next cursor."""
        objs = self.objects[otype]
        ids = self.sorted_ids[otype]
        pos = 0 if after is None else bisect.bisect_left(ids, after)
        out: list[HSRecord] = []
        while pos < len(ids):
            r = objs[str(ids[pos])]
            if r.archived == archived:
                if len(out) == limit:
                    return out, ids[pos]
                out.append(r)
            pos += 1
        return out, None

    def associations(self, otype: str, rid: str, to_type: str) -> list[str]:
        """Ids of ``to_type`` records associated with a live record, sorted numerically."""
        rec = self.objects[otype].get(rid)
        if rec is None or rec.archived:
            return []
        found = set(rec.assoc.get(to_type, ()))
        found.update(self.reverse.get((otype, rid), {}).get(to_type, ()))
        to_objs = self.objects[to_type]
        return sorted((i for i in found if (t := to_objs.get(i)) is not None and not t.archived), key=int)

    def property_names(self, otype: str) -> list[str]:
        return [p["name"] for p in self.properties[otype]]

    def property_types(self, otype: str) -> dict[str, str]:
        """Defined properties (the world's and those created through the API) -> HubSpot type."""
        return {p["name"]: p["type"] for p in self.properties[otype]}

    def property_definition(self, otype: str, name: str) -> dict[str, Any] | None:
        return next((p for p in self.properties[otype] if p["name"] == name), None)

    def contact_by_email(self, email: str) -> HSRecord | None:
        rid = self.emails.get(email_key(email) or "")
        return None if rid is None else self.objects["contacts"].get(rid)

    def form_ids(self) -> list[str]:
        return [f["id"] for f in self.forms]
