"""Folding a person's HubSpot timeline at an instant: records created by then, property values and history as of
then, associations between visible live records, and when the view next changes."""

from __future__ import annotations

from typing import Any

from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections.hubspot_records import Change, HSRecord, PersonSnapshot, PersonTimeline, RecordTimeline
from sandbox.world.timeutil import iso_ms


def _history_entry(c: Change) -> dict[str, Any]:
    e: dict[str, Any] = {
        "value": c.value if c.value is not None else "",
        "timestamp": iso_ms(c.ts),
        "sourceType": c.source_type,
        "sourceId": c.source_id,
    }
    if c.user_id is not None:
        e["updatedByUserId"] = c.user_id
    return e


def _initial_entry(value: str, ts: int) -> dict[str, Any]:
    return {"value": value, "timestamp": iso_ms(ts), "sourceType": "CRM_UI", "sourceId": ""}


def history_for(rec: HSRecord, prop: str) -> list[dict[str, Any]]:
    """History of any property, newest first (a never-changed value has one entry at creation)."""
    h = rec.history.get(prop)
    if h is not None:
        return list(h)
    v = rec.properties.get(prop)
    return [] if v is None else [_initial_entry(v, rec.created)]


def _fold(rec: RecordTimeline, now: int) -> HSRecord:
    otype = rec.otype
    props = dict.fromkeys(hs.PROPERTY_NAMES[otype])
    props.update(rec.static)
    hist_props = hs.HISTORY_PROPERTIES.get(otype, ())
    history: dict[str, list[dict[str, Any]]] = {p: [] for p in hist_props}
    last = rec.created
    for c in rec.changes:
        if c.ts > now:
            break
        props[c.prop] = c.value
        if c.ts > last:
            last = c.ts
        h = history.get(c.prop)
        if h is None:
            h = history[c.prop] = []
            initial = rec.static.get(c.prop)
            if initial is not None and c.ts > rec.created:
                h.append(_initial_entry(initial, rec.created))
        h.append(_history_entry(c))
    for entries in history.values():
        entries.reverse()
    archived_at = rec.archived_at if rec.archived_at is not None and rec.archived_at <= now else None
    if archived_at is not None:
        last = max(last, archived_at)
    props[hs.CREATED_PROPERTY[otype]] = iso_ms(rec.created)
    props[hs.LAST_MODIFIED_PROPERTY[otype]] = iso_ms(last)
    props["hs_object_id"] = rec.id
    return HSRecord(otype, rec.id, rec.created, last, archived_at, props, history, {}, None, rec.relation)


def snapshot(tl: PersonTimeline, now: int) -> PersonSnapshot:
    """The person's HubSpot records and form submissions as of ``now``."""
    out: list[HSRecord] = []
    live: dict[str, bool] = {}  # record id -> visible and not archived
    for rec in tl.records:
        if rec.created > now:
            continue
        r = _fold(rec, now)
        r.person_index = tl.index
        live[r.id] = r.archived_at is None
        out.append(r)
    company_visible = tl.contact0_created is not None and tl.contact0_created <= now
    by_id = {r.id: r for r in out}
    for rec in tl.records:
        r = by_id.get(rec.id)
        if r is None or r.archived_at is not None:
            continue
        for to_type, to_id in rec.links:
            ok = company_visible if to_type == "companies" else live.get(to_id, False)
            if ok:
                r.assoc.setdefault(to_type, []).append(to_id)
    for r in out:
        for ids in r.assoc.values():
            ids.sort(key=int)
    subs = [
        {
            "formGuid": s.form_guid,
            "conversionId": s.conversion_id,
            "submittedAt": s.ts,
            "values": s.values,
            "pageUrl": s.page_url,
            "_relation": s.relation,
        }
        for s in tl.submissions
        if s.ts <= now
    ]
    nxt = None
    inst = tl.instants
    lo, hi = 0, len(inst)
    while lo < hi:
        mid = (lo + hi) // 2
        if inst[mid] <= now:
            lo = mid + 1
        else:
            hi = mid
    if lo < len(inst):
        nxt = inst[lo]
    return PersonSnapshot(out, subs, nxt)
