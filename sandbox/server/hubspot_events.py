"""HubSpot's Events API (web analytics): ``GET /events/v3/events`` and ``GET /events/v3/events/event-types``
(https://developers.hubspot.com/docs/reference/api/analytics-and-events/event-analytics; the published spec is
``PublicApiSpecs/Events/Events/Rollouts/147897/v3/events.json`` of HubSpot-public-api-spec-collection).

The page views (``e_visited_page``) of contacts whose browser cookie HubSpot tied to them, the views before the
tie included (``sandbox/world/projections/hubspot_web.py``). Parameters:

* ``objectType`` (``contact``, ``contacts`` or ``0-1``; another CRM type has no events; an unknown one → 400),
  ``objectId`` (needs ``objectType``, else 400), ``objectProperty.email`` (the contact with that address),
  ``eventType`` (``e_visited_page``; another name has no events), ``id`` (repeatable: those event ids only);
* ``occurredAfter`` / ``occurredBefore``: ISO 8601 (or epoch ms), both **exclusive**;
* ``sort``: ``DESCENDING`` (default, newest first) or ``ASCENDING``, by ``occurredAt`` then ``id``;
* ``limit``: default 10, at most 100 (over → 400, as the CRM list endpoints answer); ``after``: the opaque keyset
  cursor of ``paging.next.after``, stable while new events arrive.

The spec does not say the limit's maximum, the default order nor whether the time bounds include their instant:
those three are the sandbox's reading. Auth, rate limits and faults are the CRM's (the app's hooks).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Any

from sandbox.server.base import Request, Response
from sandbox.server.hubspot_errors import validation
from sandbox.server.hubspot_params import Handlers, b64, int_param, object_type, unb64
from sandbox.world.projections.hubspot_store import HubSpotStore
from sandbox.world.projections.hubspot_web import EVENT_TYPES
from sandbox.world.timeutil import parse_time_ms

EventIndex = Callable[[], tuple[list[tuple[int, str]], list[dict[str, Any]]]]
MAX_LIMIT = 100
DEFAULT_LIMIT = 10


def _time(req: Request, name: str) -> int | Response | None:
    v = req.arg(name)
    if not v:
        return None
    try:
        return parse_time_ms(v)
    except ValueError:
        return validation(f"Invalid value for query parameter '{name}': {v!r} is not a date-time")


class EventReads(Handlers):
    def __init__(self, store: HubSpotStore, base_url: Callable[[], str], index: EventIndex | None) -> None:
        super().__init__(store, base_url)
        self.index = index

    def event_types(self, req: Request) -> Response:
        return Response.json(200, {"eventTypes": list(EVENT_TYPES)}, records=len(EVENT_TYPES))

    def events(self, req: Request) -> Response:
        limit = int_param(req, "limit", DEFAULT_LIMIT)
        if isinstance(limit, Response):
            return limit
        if limit < 1 or limit > MAX_LIMIT:
            return validation(f"limit must be between 1 and {MAX_LIMIT}")
        raw_type, object_id = req.arg("objectType"), req.arg("objectId")
        if object_id and not raw_type:
            return validation("objectId requires objectType")
        otype = object_type(raw_type) if raw_type else "contacts"
        if otype is None:
            return validation(f"Unable to infer object type from: {raw_type}")
        after_t, before_t = _time(req, "occurredAfter"), _time(req, "occurredBefore")
        for bound in (after_t, before_t):
            if isinstance(bound, Response):
                return bound
        order = (req.arg("sort") or "DESCENDING").upper()
        if order not in ("ASCENDING", "DESCENDING"):
            return validation(f"sort must be ASCENDING or DESCENDING, not {req.arg('sort')!r}")
        cursor: tuple[int, str] | None = None
        if req.arg("after"):
            try:
                ms, _, eid = unb64(req.arg("after") or "").partition("|")
                cursor = (int(ms), eid)
            except ValueError:
                return validation("Invalid paging cursor 'after'")
        keys, events = self.index() if self.index is not None else ([], [])
        wanted = self._wanted(req, otype, object_id)
        if wanted is None:
            return Response.json(200, {"results": []})
        results, more = self._page(keys, events, wanted, after_t, before_t, order, cursor, limit, req.multi("id"))
        out: dict[str, Any] = {"results": results}
        if more and results:
            last = results[-1]
            nxt = b64(f"{parse_time_ms(last['occurredAt'])}|{last['id']}")
            query = "&".join(f"{k}={v[-1]}" for k, v in req.query.items() if k != "after")
            out["paging"] = {"next": {"after": nxt, "link": f"{self.base_url()}/events/v3/events/?{query}&after={nxt}"}}
        return Response.json(200, out, records=len(results))

    def _wanted(self, req: Request, otype: str, object_id: str | None) -> set[str] | None:
        """The contact ids the request may see (live contacts, narrowed by objectId / objectProperty.email); None
        when nothing can match."""
        event_type = req.arg("eventType")
        if otype != "contacts" or (event_type and event_type not in EVENT_TYPES):
            return None
        with self.store.lock:
            live = {rid for rid, r in self.store.objects["contacts"].items() if not r.archived}
            email = req.arg("objectProperty.email")
            if email:
                rec = self.store.contact_by_email(email)
                live &= {rec.id} if rec is not None else set()
        if object_id:
            live &= {object_id.strip()}
        return live

    @staticmethod
    def _page(
        keys: list[tuple[int, str]],
        events: list[dict[str, Any]],
        wanted: set[str],
        after_t: int | None,
        before_t: int | None,
        order: str,
        cursor: tuple[int, str] | None,
        limit: int,
        ids: list[str],
    ) -> tuple[list[dict[str, Any]], bool]:
        """One page in the requested order, strictly past the cursor; whether more follow."""
        id_set = set(ids)
        if order == "ASCENDING":
            start = bisect.bisect_right(keys, cursor) if cursor is not None else 0
            positions: range = range(start, len(keys))
        else:
            start = bisect.bisect_left(keys, cursor) - 1 if cursor is not None else len(keys) - 1
            positions = range(start, -1, -1)
        out: list[dict[str, Any]] = []
        for i in positions:
            ms, eid = keys[i]
            if (after_t is not None and ms <= after_t) or (before_t is not None and ms >= before_t):
                continue
            ev = events[i]
            if ev["objectId"] not in wanted or (id_set and eid not in id_set):
                continue
            if len(out) == limit:
                return out, True
            out.append(ev)
        return out, False
