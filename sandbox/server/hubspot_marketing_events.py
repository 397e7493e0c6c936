"""HubSpot's Marketing Events API (read side): the portal's events and their participations breakdown
(https://developers.hubspot.com/docs/guides/api/marketing/marketing-events; the published spec is
``PublicApiSpecs/Marketing/Marketing Events/Rollouts/129888/v3/marketingEvents.json`` of
HubSpot-public-api-spec-collection). The world's events and participations: ``sandbox/world/events.py``.

* ``GET /marketing/v3/marketing-events/`` (every event, "sorted by objectId"; ``limit`` default 10, at most 100,
  ``after`` = the opaque ``paging.next.after``), ``GET /marketing/v3/marketing-events/{objectId}``;
* ``GET /marketing/v3/marketing-events/events/{externalEventId}?externalAccountId=`` (required);
* the breakdowns ``GET .../participations/{externalAccountId}/{externalEventId}/breakdown``,
  ``.../participations/{marketingEventId}/breakdown`` and ``.../participations/contacts/{contactIdentifier}/breakdown``
  (email or contact id), each with ``state``, ``limit``, ``after`` (and ``contactIdentifier`` on the event ones),
  answering ``{results, total, paging}`` (``total``: every match, not the page);
* the counters ``GET .../participations/{externalAccountId}/{externalEventId}`` and ``.../participations/{id}``.

Participations show for contacts that exist and are not archived (a deleted contact takes its participations), in
``(occurredAt, id)`` order, keyset-paged so a cursor stays valid while new participations arrive. The spec says neither
the breakdown's order nor what an unknown event answers: ascending ``occurredAt`` and a 404 are the sandbox's reading.
Auth, rate limits and faults are the CRM's (the app's hooks).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Any, Protocol

from sandbox.server.base import Request, Response
from sandbox.server.hubspot_errors import error, validation
from sandbox.server.hubspot_params import Handlers, b64, int_param, unb64
from sandbox.world.events import STATES, MarketingEvent, Participation, participation_payload
from sandbox.world.projections.hubspot_store import HubSpotStore

MAX_LIMIT = 100
DEFAULT_LIMIT = 10
BASE = "/marketing/v3/marketing-events"
# The spec's ParticipationProperties.attendanceState enum (the world never writes EMPTY).
FILTER_STATES = frozenset((*STATES, "EMPTY"))


class MarketingEventsSource(Protocol):
    """What the endpoints read of a world (``World`` provides it)."""

    def visible_marketing_events(self) -> list[MarketingEvent]: ...

    def visible_participations(self) -> list[tuple[Participation, str]]: ...

    def marketing_event_payloads(self, live: set[str] | None = None) -> list[dict[str, Any]]: ...


def _not_found(what: str) -> Response:
    return error(404, "OBJECT_NOT_FOUND", f"{what} not found")


class MarketingEventReads(Handlers):
    def __init__(self, store: HubSpotStore, base_url: Callable[[], str], source: MarketingEventsSource | None) -> None:
        super().__init__(store, base_url)
        self.source = source

    # -- events ----------------------------------------------------------------------------------------------

    def _events(self) -> list[dict[str, Any]]:
        return self.source.marketing_event_payloads(self._live()) if self.source is not None else []

    def list_events(self, req: Request) -> Response:
        limit = self._limit(req)
        if isinstance(limit, Response):
            return limit
        after = 0
        if req.arg("after"):
            try:
                after = int(unb64(req.arg("after") or ""))
            except ValueError:
                return validation("Invalid paging cursor 'after'")
        rows = [e for e in self._events() if int(e["objectId"]) > after]
        page = rows[:limit]
        out: dict[str, Any] = {"results": page}
        if len(rows) > limit:
            nxt = b64(page[-1]["objectId"])
            out["paging"] = {"next": {"after": nxt, "link": f"{self.base_url()}{BASE}/?limit={limit}&after={nxt}"}}
        return Response.json(200, out, records=len(page))

    def get_event(self, req: Request) -> Response:
        object_id = req.params["objectId"].strip()
        found = next((e for e in self._events() if e["objectId"] == object_id), None)
        return Response.json(200, found, records=1) if found else _not_found(f"Marketing event {object_id}")

    def get_external_event(self, req: Request) -> Response:
        external_id, account = req.params["externalEventId"], req.arg("externalAccountId")
        if not account:
            return validation("Query parameter 'externalAccountId' is required")
        event = self._external(account, external_id)
        if event is None:
            return _not_found(f"Marketing event {account}/{external_id}")
        body = next(e for e in self._events() if e["objectId"] == event.object_id)
        # The v1 read (MarketingEventPublicReadResponse) names the object id ``id`` and has no appInfo.
        v1 = {k: v for k, v in body.items() if k != "appInfo"}
        return Response.json(200, {"id": body["objectId"], **v1}, records=1)

    # -- participations ----------------------------------------------------------------------------------------

    def breakdown_external(self, req: Request) -> Response:
        event = self._external(req.params["externalAccountId"], req.params["externalEventId"])
        if event is None:
            return _not_found("Marketing event {externalAccountId}/{externalEventId}".format(**req.params))
        return self._breakdown(req, event.k, req.arg("contactIdentifier"))

    def breakdown_internal(self, req: Request) -> Response:
        event = self._internal(req.params["marketingEventId"])
        if isinstance(event, Response):
            return event
        return self._breakdown(req, event.k, req.arg("contactIdentifier"))

    def breakdown_contact(self, req: Request) -> Response:
        return self._breakdown(req, None, req.params["contactIdentifier"])

    def counters_external(self, req: Request) -> Response:
        event = self._external(req.params["externalAccountId"], req.params["externalEventId"])
        if event is None:
            return _not_found("Marketing event {externalAccountId}/{externalEventId}".format(**req.params))
        return self._counters(event)

    def counters_internal(self, req: Request) -> Response:
        event = self._internal(req.params["marketingEventId"])
        return event if isinstance(event, Response) else self._counters(event)

    # -- helpers -----------------------------------------------------------------------------------------------

    def _limit(self, req: Request) -> int | Response:
        limit = int_param(req, "limit", DEFAULT_LIMIT)
        if isinstance(limit, Response):
            return limit
        if limit < 1 or limit > MAX_LIMIT:
            return validation(f"limit must be between 1 and {MAX_LIMIT}")
        return limit

    def _live(self) -> set[str]:
        with self.store.lock:
            return {rid for rid, r in self.store.objects["contacts"].items() if not r.archived}

    def _external(self, account: str, external_id: str) -> MarketingEvent | None:
        if self.source is None:
            return None
        return next(
            (
                e
                for e in self.source.visible_marketing_events()
                if e.external_account_id == account and e.external_event_id == external_id
            ),
            None,
        )

    def _internal(self, raw: str) -> MarketingEvent | Response:
        if not raw.strip().isdigit():
            return validation(f"Invalid value for path parameter 'marketingEventId': {raw!r} is not an integer")
        events = self.source.visible_marketing_events() if self.source is not None else []
        found = next((e for e in events if e.object_id == raw.strip().lstrip("0")), None)
        return found if found is not None else _not_found(f"Marketing event {raw}")

    def _contact_ids(self, identifier: str | None) -> set[str] | None:
        """The contacts a ``contactIdentifier`` names (an id or an email), None when not filtered."""
        if identifier is None or not identifier.strip():
            return None
        ident = identifier.strip()
        if ident.isdigit():
            return {ident}
        rec = self.store.contact_by_email(ident)
        return {rec.id} if rec is not None else set()

    def _counters(self, event: MarketingEvent) -> Response:
        live = self._live()
        counts = {s: 0 for s in STATES}
        for part, _ in self.source.visible_participations() if self.source is not None else []:
            if part.event_k == event.k and part.contact_id in live:
                counts[part.state] += 1
        body = {
            "registered": counts["REGISTERED"],
            "attended": counts["ATTENDED"],
            "cancelled": counts["CANCELLED"],
            "noShows": counts["NO_SHOW"],
        }
        return Response.json(200, body, records=1)

    def _breakdown(self, req: Request, event_k: int | None, contact: str | None) -> Response:
        limit = self._limit(req)
        if isinstance(limit, Response):
            return limit
        state = (req.arg("state") or "").strip().upper() or None
        if state is not None and state not in FILTER_STATES:
            return validation(f"state must be one of {', '.join(sorted(FILTER_STATES))}, not {req.arg('state')!r}")
        cursor: tuple[int, str] | None = None
        if req.arg("after"):
            try:
                ms, _, pid = unb64(req.arg("after") or "").partition("|")
                cursor = (int(ms), pid)
            except ValueError:
                return validation("Invalid paging cursor 'after'")
        wanted = self._contact_ids(contact)
        live = self._live()
        rows = [
            part
            for part, _ in (self.source.visible_participations() if self.source is not None else [])
            if (event_k is None or part.event_k == event_k)
            and (state is None or part.state == state)
            and part.contact_id in live
            and (wanted is None or part.contact_id in wanted)
        ]
        keys = [(p.occurred, p.id) for p in rows]
        start = bisect.bisect_right(keys, cursor) if cursor is not None else 0
        page = rows[start : start + limit]
        events = {e.k: e for e in self.source.visible_marketing_events()} if self.source is not None else {}
        results = [participation_payload(p, events[p.event_k], self._contact(p.contact_id)) for p in page]
        out: dict[str, Any] = {"total": len(rows), "results": results}
        if start + limit < len(rows):
            nxt = b64(f"{page[-1].occurred}|{page[-1].id}")
            query = "&".join(f"{k}={v[-1]}" for k, v in req.query.items() if k != "after")
            out["paging"] = {"next": {"after": nxt, "link": f"{self.base_url()}{req.path}?{query}&after={nxt}"}}
        return Response.json(200, out, records=len(results))

    def _contact(self, contact_id: str) -> dict[str, str]:
        with self.store.lock:
            props = self.store.objects["contacts"][contact_id].properties
        out = {"contactId": contact_id, "email": props.get("email") or ""}
        for name in ("firstname", "lastname"):
            if props.get(name):
                out[name] = str(props[name])
        return out


def register_marketing_event_routes(router: Any, reads: MarketingEventReads) -> None:
    """The routes, most specific first: the router takes the first pattern that matches."""
    p = f"{BASE}/participations"
    router.add("GET", BASE, reads.list_events)
    router.add("GET", f"{BASE}/events/{{externalEventId}}", reads.get_external_event)
    router.add("GET", f"{p}/contacts/{{contactIdentifier}}/breakdown", reads.breakdown_contact)
    router.add("GET", f"{p}/{{externalAccountId}}/{{externalEventId}}/breakdown", reads.breakdown_external)
    router.add("GET", f"{p}/{{marketingEventId}}/breakdown", reads.breakdown_internal)
    router.add("GET", f"{p}/{{externalAccountId}}/{{externalEventId}}", reads.counters_external)
    router.add("GET", f"{p}/{{marketingEventId}}", reads.counters_internal)
    router.add("GET", f"{BASE}/{{objectId}}", reads.get_event)
