"""HubSpot's web analytics of the world: which browser cookies HubSpot ties to which contact, the page views its
Events API serves (``e_visited_page``) and the contact properties it computes from them.

HubSpot's rules, as the sandbox reads them (docs/sandbox.md, "The website"):

* The tracking code sets the ``hubspotutk`` cookie on the marketing pages (not in the web app, not in the mobile
  app). A form submission carrying the cookie (``hutk``) ties it to the submission's contact; once tied, **all** of
  the cookie's page views belong to that contact, the ones before the submission included.
* A cookie belongs to one contact, the first it was tied to: a later submission from the same browser with another
  address (a second contact of the same person, or the company's info@ mailbox) does not move it. The portal's forms
  create a new contact for a new address ("Always create new contact for new email"), which is why the world's
  contacts are what they were before the website existed.
* A contact's ``hs_analytics_first_*`` come from the first view of its first tied cookie and are set when the cookie
  is tied; ``hs_analytics_num_page_views`` / ``_num_visits`` / ``_last_*`` and ``hs_latest_source*`` count every
  tied cookie's views and move with each view (a tied cookie's earlier views count from the moment it is tied), so
  ``lastmodifieddate`` moves with page views, as in HubSpot. Sessions are HubSpot's own: the session rule of
  ``sandbox.world.web.model`` over the views HubSpot sees.
* Archived (deleted) contacts have no events.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.timeutil import iso_ms
from sandbox.world.web import site
from sandbox.world.web.browsing import stable_hex, stable_uuid
from sandbox.world.web.model import Hit, WebActivity, device_sessions

EVENT_TYPE = "e_visited_page"
EVENT_TYPES: tuple[str, ...] = (EVENT_TYPE,)


@dataclass(frozen=True, slots=True)
class CookieTie:
    device: int
    contact_key: int
    at: int  # the submission that tied it


@dataclass(slots=True)
class WebEvent:
    """One page view as the Events API serves it, for one contact (``payload["objectId"]``)."""

    visible_at: int  # max(the view, the tie): HubSpot shows the view from then on
    occurred: int
    contact_key: int
    device: int
    session_start: bool
    payload: dict[str, Any]


def cookie_ties(act: WebActivity) -> dict[int, CookieTie]:
    """The person's cookies HubSpot tied to one of their contacts (device index -> tie)."""
    ties: dict[int, CookieTie] = {}
    for h in act.hits:
        if h.kind != "track" or h.name != "Form Submitted" or h.contact is None or h.contact < 0:
            continue
        dev = act.devices[h.device]
        if dev.hutk is not None and not dev.shared and h.device not in ties:
            ties[h.device] = CookieTie(h.device, h.contact, h.ts)
    return ties


def _event(seed: int, act: WebActivity, view: Hit, n: int, contact_id: str, sid: str, source: str) -> dict[str, Any]:
    dev = act.devices[view.device]
    props = {
        "hs_url": view.url,
        "hs_title": site.title(view.path),
        "hs_referrer": view.referrer,
        "hs_userAgent": dev.user_agent,
        "hs_city": dev.city,
        "hs_region": dev.region,
        "hs_country": dev.country,
        "hs_session_id": sid,
        "hs_session_source": source,
    }
    return {
        "id": stable_uuid(seed, act.owner_id, "hs-event", dev.key, view.ts, n),
        "eventType": EVENT_TYPE,
        "objectType": "contact",
        "objectId": contact_id,
        "occurredAt": iso_ms(view.ts),
        "properties": {k: v for k, v in props.items() if v},  # HubSpot leaves unset properties out
    }


def person_events(seed: int, person_index: int, act: WebActivity | None) -> list[WebEvent]:
    """Every page view HubSpot will ever tie to one of the person's contacts (clock independent)."""
    if act is None:
        return []
    ties = cookie_ties(act)
    if not ties:
        return []
    out: list[WebEvent] = []
    for s in device_sessions(act, hubspot=True):
        tie = ties.get(s.device)
        if tie is None:
            continue
        hutk = act.devices[s.device].hutk
        sid = str(int(stable_hex(hutk, s.start, n=15), 16))
        source = site.HUBSPOT_SOURCE[s.channel]
        contact_id = hs.record_id("contacts", person_index, tie.contact_key)
        for n, v in enumerate(s.views):
            ev = _event(seed, act, v, n, contact_id, sid, source)
            out.append(WebEvent(max(v.ts, tie.at), v.ts, tie.contact_key, s.device, n == 0, ev))
    out.sort(key=lambda e: (e.occurred, e.payload["id"]))
    return out


def _first_seen(events: list[WebEvent], ties: dict[int, CookieTie], key: int) -> tuple[int, dict[str, str | None]]:
    """When the contact's first cookie was tied, and the original-visit properties from its first view."""
    first_tie = min((t for t in ties.values() if t.contact_key == key), key=lambda t: (t.at, t.device))
    views = [e for e in events if e.contact_key == key and e.device == first_tie.device]
    if not views:
        return first_tie.at, {}
    e = min(views, key=lambda e: e.occurred)
    p, at = e.payload["properties"], e.payload["occurredAt"]
    return first_tie.at, {
        "hs_analytics_first_url": p["hs_url"],
        "hs_analytics_first_referrer": p.get("hs_referrer") or None,
        "hs_analytics_first_timestamp": at,
        "hs_analytics_first_visit_timestamp": at,  # a cookie's first view starts its first session
    }


def analytics_changes(
    events: list[WebEvent], ties: dict[int, CookieTie], key: int
) -> tuple[int, dict[str, str | None], list[tuple[int, str, str | None]]]:
    """For one contact: (when its first cookie was tied, its original-visit properties, the timed changes of the
    counting ones). Views of one instant are one change per property."""
    mine = sorted((e for e in events if e.contact_key == key), key=lambda e: (e.visible_at, e.occurred))
    tied_at, first = _first_seen(mine, ties, key)
    changes: list[tuple[int, str, str | None]] = []
    current: dict[str, str | None] = {}

    def put(t: int, prop: str, value: str | None) -> None:
        if current.get(prop, "\0") != value:  # HubSpot records a change only when the value changes
            current[prop] = value
            changes.append((t, prop, value))

    views = visits = 0
    last_view: WebEvent | None = None
    last_visit: WebEvent | None = None
    for i, e in enumerate(mine):
        views += 1
        if last_view is None or e.occurred >= last_view.occurred:
            last_view = e
        if e.session_start:
            visits += 1
            if last_visit is None or e.occurred >= last_visit.occurred:
                last_visit = e
        if i + 1 < len(mine) and mine[i + 1].visible_at == e.visible_at:
            continue
        t = e.visible_at
        p = last_view.payload
        put(t, "hs_analytics_num_page_views", str(views))
        put(t, "hs_analytics_last_url", p["properties"]["hs_url"])
        put(t, "hs_analytics_last_timestamp", p["occurredAt"])
        if last_visit is not None:
            q = last_visit.payload
            put(t, "hs_analytics_num_visits", str(visits))
            put(t, "hs_analytics_last_visit_timestamp", q["occurredAt"])
            put(t, "hs_analytics_last_referrer", q["properties"].get("hs_referrer") or None)
            put(t, "hs_latest_source", q["properties"]["hs_session_source"])
            put(t, "hs_latest_source_timestamp", q["occurredAt"])
    return tied_at, first, changes
