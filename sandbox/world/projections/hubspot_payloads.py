"""HubSpot JSON shapes of a record: the v3 object, v4 association items, the connector's raw payload and the v1
form submission."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections.hubspot_records import HSRecord
from sandbox.world.projections.hubspot_snapshot import history_for
from sandbox.world.timeutil import iso_ms


def object_json(
    rec: HSRecord,
    properties: Iterable[str] | None = None,
    history: Iterable[str] = (),
) -> dict[str, Any]:
    """The v3 object (``SimplePublicObject``) with the requested properties (None = every defined property)."""
    if properties is None:
        props = dict(rec.properties)
    else:
        allp = rec.properties
        props = {p: allp.get(p) for p in properties}
    out: dict[str, Any] = {"id": rec.id, "properties": props}
    hist = list(history)
    if hist:
        out["propertiesWithHistory"] = {p: history_for(rec, p) for p in hist if p in rec.properties}
    out["createdAt"] = iso_ms(rec.created)
    out["updatedAt"] = iso_ms(rec.updated)
    out["archived"] = rec.archived_at is not None
    if rec.archived_at is not None:
        out["archivedAt"] = iso_ms(rec.archived_at)
    return out


def v4_items(from_type: str, to_type: str, ids: Iterable[str]) -> list[dict[str, Any]]:
    types = hs.association_types(from_type, to_type)
    return [{"toObjectId": i, "associationTypes": [dict(t) for t in types]} for i in ids]


def raw_payload(rec: HSRecord, history: tuple[str, ...], associations: tuple[str, ...]) -> dict[str, Any]:
    """The payload the connector stores for a CRM object after a full sync (see docs/sandbox.md)."""
    out = object_json(rec, None, history)
    if not history:
        out.pop("propertiesWithHistory", None)
    if associations:  # key omitted for streams that store no associations (as propertiesWithHistory)
        out["associations"] = {
            to: ([] if rec.archived_at is not None else v4_items(rec.otype, to, rec.assoc.get(to, ())))
            for to in associations
        }
    return out


def submission_object(sub: dict[str, Any]) -> dict[str, Any]:
    """The v1 submission object (without our bookkeeping keys)."""
    return {
        "conversionId": sub["conversionId"],
        "submittedAt": sub["submittedAt"],
        "values": sub["values"],
        "pageUrl": sub["pageUrl"],
    }
