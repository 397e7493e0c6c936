"""The website's ground truth, as of the world's clock: who is behind each anonymous id (per time window on a shared
device), who the never-identified visitors are, everyone's true sessions, and which Segment calls and HubSpot web
events belong to whom (docs/sandbox.md, "Ground-truth manifest").

* ``web_identities.csv``: one row per (anonymous id, person) — per run of consecutive use on a shared office
  computer — with ``valid_from`` / ``valid_to`` (first and last call of that run), the device, when that person
  identified on it in Segment (``identified_at``: the first ``identify``, empty when they never did), the user id
  they set, the device's HubSpot cookie and the contact HubSpot tied it to (``hubspot_contact_id``,
  ``hubspot_tied_at``).
* ``sessions.csv``: every true session (the rule of ``sandbox/world/web/model.py`` over one person's views of one
  device; on a shared device a session never spans two people).
* ``persons.csv`` gains ``is_visitor``, ``anonymous_ids``, ``web_sessions``, ``first_session_channel``,
  ``first_landing_page``, ``first_device``, and one row per visible visitor (``V0000001``, persona = profile).
* ``records.csv`` gains ``segment.events`` (message id; ``relation`` ``shared_device`` on an office computer) for
  every call the export files hold, and ``hubspot.web_events`` (event id) for every event the Events API serves.
"""

from __future__ import annotations

from typing import Any, Protocol

from sandbox.world.person import Person
from sandbox.world.projections.segment import Call, export_cutoff, received_before, segment_url
from sandbox.world.stages import STAGES, stage_entries, true_stage
from sandbox.world.timeutil import iso_ms
from sandbox.world.web.model import Device, WebActivity, device_sessions
from sandbox.world.web.visitors import Visitor

PERSON_WEB_COLUMNS = (
    "is_visitor",
    "anonymous_ids",
    "web_sessions",
    "first_session_channel",
    "first_landing_page",
    "first_device",
)
IDENTITY_COLUMNS = (
    "anonymous_id",
    "person_id",
    "device",
    "shared",
    "valid_from",
    "valid_to",
    "identified_at",
    "user_id",
    "hubspot_utk",
    "hubspot_contact_id",
    "hubspot_tied_at",
)
SESSION_COLUMNS = (
    "session_id",
    "person_id",
    "anonymous_id",
    "device",
    "started_at",
    "ended_at",
    "views",
    "channel",
    "landing_page",
    "landing_url",
    "referrer",
)


class WebView(Protocol):
    """What the web truth reads of a world (``World`` provides it)."""

    persons: list[Person]
    visitors: list[Visitor]

    @property
    def now_ms(self) -> int: ...

    def segment_calls(self) -> list[Call]: ...

    def hubspot_web_event_owners(self) -> list[tuple[str, str]]: ...

    def hubspot_cookie_ties(self, person: Person) -> dict[int, tuple[str, int]]: ...


def person_web_columns(act: WebActivity | None, now: int, *, visitor: bool) -> dict[str, Any]:
    row: dict[str, Any] = {"is_visitor": visitor, "anonymous_ids": "", "web_sessions": 0}
    row.update(first_session_channel="", first_landing_page="", first_device="")
    if act is None:
        return row
    used = {h.device for h in act.hits if h.ts <= now}
    row["anonymous_ids"] = ";".join(d.anonymous_id for i, d in enumerate(act.devices) if i in used)
    sessions = device_sessions(act, now)
    row["web_sessions"] = len(sessions)
    if sessions:
        s = sessions[0]
        row.update(
            first_session_channel=s.channel,
            first_landing_page=s.landing.path,
            first_device=act.devices[s.device].kind,
        )
    return row


def visitor_rows(world: WebView) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """persons.csv and stages.csv rows of the visitors whose first visit is visible."""
    now = world.now_ms
    persons: list[dict[str, Any]] = []
    stages: list[dict[str, Any]] = []
    for v in world.visitors:
        views = [h.ts for h in v.web.hits_until(now) if h.is_view]
        if not views:
            continue
        entries = stage_entries((), now, views)
        row: dict[str, Any] = {
            "person_id": v.visitor_id,
            "person_index": v.index,
            "persona": v.profile,
            "true_stage": true_stage((), now, views) or "",
        }
        for s in STAGES:
            row[f"{s}_at"] = iso_ms(entries[s]) if s in entries else ""
            if s in entries:
                stages.append({"person_id": v.visitor_id, "stage": s, "entered_at": iso_ms(entries[s])})
        row.update(is_anonymous=True, first_touch_at=iso_ms(views[0]), visible_events=0, social_linkable=False)
        row.update(person_web_columns(v.web, now, visitor=True))
        persons.append(row)
    return persons, stages


def _owners(world: WebView) -> list[tuple[str, WebActivity, Person | None]]:
    out: list[tuple[str, WebActivity, Person | None]] = [(p.person_id, p.web, p) for p in world.persons if p.web]
    out.extend((v.visitor_id, v.web, None) for v in world.visitors)
    return out


def identity_rows(world: WebView) -> list[dict[str, Any]]:
    now = world.now_ms
    rows: list[dict[str, Any]] = []
    shared: dict[str, list[tuple[int, str, Any, Device]]] = {}  # anonymous id -> (ts, owner, hit, device)
    for owner, act, person in _owners(world):
        ties = world.hubspot_cookie_ties(person) if person is not None else {}
        for d, dev in enumerate(act.devices):
            hits = [h for h in act.hits if h.device == d and h.ts <= now]
            if not hits:
                continue
            if dev.shared:
                shared.setdefault(dev.anonymous_id, []).extend((h.ts, owner, h, dev) for h in hits)
            else:
                rows.append(_identity(dev, owner, hits, ties.get(d)))
    for uses in shared.values():
        # one row per run of consecutive calls by the same person: who sat at the office computer when
        uses.sort(key=lambda u: (u[0], u[1]))
        run: list[tuple[int, str, Any, Device]] = []
        for use in uses:
            if run and run[-1][1] != use[1]:
                rows.append(_identity(run[0][3], run[0][1], [u[2] for u in run], None))
                run = []
            run.append(use)
        if run:
            rows.append(_identity(run[0][3], run[0][1], [u[2] for u in run], None))
    rows.sort(key=lambda r: (r["valid_from"], r["anonymous_id"], r["person_id"]))
    return rows


def _identity(dev: Device, owner: str, hits: list[Any], tie: tuple[str, int] | None) -> dict[str, Any]:
    identify = next((h for h in hits if h.kind == "identify"), None)
    user = next((h.user_id for h in hits if h.user_id), None)
    return {
        "anonymous_id": dev.anonymous_id,
        "person_id": owner,
        "device": dev.kind,
        "shared": dev.shared,
        "valid_from": iso_ms(hits[0].ts),
        "valid_to": iso_ms(hits[-1].ts),
        "identified_at": iso_ms(identify.ts) if identify is not None else "",
        "user_id": user or "",
        "hubspot_utk": dev.hutk or "",
        "hubspot_contact_id": tie[0] if tie else "",
        "hubspot_tied_at": iso_ms(tie[1]) if tie else "",
    }


def session_rows(world: WebView) -> list[dict[str, Any]]:
    now = world.now_ms
    rows: list[dict[str, Any]] = []
    for owner, act, _ in _owners(world):
        for s in device_sessions(act, now):
            dev = act.devices[s.device]
            landing = s.landing
            url = segment_url(landing.path, landing.query)[0] if dev.kind != "app" else ""
            rows.append(
                {
                    "session_id": f"{dev.anonymous_id}:{s.start}",
                    "person_id": owner,
                    "anonymous_id": dev.anonymous_id,
                    "device": dev.kind,
                    "started_at": iso_ms(s.start),
                    "ended_at": iso_ms(s.end),
                    "views": len(s.views),
                    "channel": s.channel,
                    "landing_page": landing.path,
                    "landing_url": url,
                    "referrer": landing.referrer,
                }
            )
    rows.sort(key=lambda r: (r["started_at"], r["session_id"]))
    return rows


def web_records(world: WebView) -> list[dict[str, Any]]:
    cutoff = export_cutoff(world.now_ms)
    out: list[dict[str, Any]] = []
    for c in world.segment_calls():
        if received_before(cutoff, c) is not None:
            relation = "shared_device" if c.shared else "primary"
            out.append(_record("segment", "events", c.message_id, c.owner, relation))
    for event_id, owner in world.hubspot_web_event_owners():
        out.append(_record("hubspot", "web_events", event_id, owner, "primary"))
    return out


def _record(source: str, stream: str, rid: str, owner: str, relation: str) -> dict[str, Any]:
    return {
        "source": source,
        "stream": stream,
        "record_id": rid,
        "person_id": owner,
        "relation": relation,
        "archived": False,
    }
