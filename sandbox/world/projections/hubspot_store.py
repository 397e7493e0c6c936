"""The HubSpot object store the sandbox server reads from.

It holds the records as of the world's clock, ids in order for cursor paging, an association index in both
directions, form submissions per form (newest first), owners, forms and property definitions. The world refreshes
it with :meth:`HubSpotStore.load` whenever its clock moves. Writes (batch upsert, lists, property creation, GDPR
delete) of a later issue can be added as methods that mutate ``objects`` / ``properties`` under ``lock``.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable
from typing import Any

from sandbox.world.config import WorldConfig
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections.hubspot import HSRecord


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

    def load(self, records: Iterable[HSRecord], submissions: Iterable[dict[str, Any]]) -> None:
        """Replace the store's content (called by the world after its clock moved)."""
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
        sorted_ids = {t: sorted(int(i) for i in objs) for t, objs in objects.items()}
        with self.lock:
            self.objects = objects
            self.reverse = reverse
            self.submissions = subs
            self.sorted_ids = sorted_ids
            self.version += 1

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

    def form_ids(self) -> list[str]:
        return [f["id"] for f in self.forms]
