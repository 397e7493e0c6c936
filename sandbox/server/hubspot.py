"""The HubSpot API of the sandbox: real paths, shapes, paging, auth, errors and rate limits.

Vendor documentation:
- CRM objects, search and batch reads: https://developers.hubspot.com/docs/api/crm/understanding-the-crm
- associations v4: https://developers.hubspot.com/docs/api/crm/associations
- owners: https://developers.hubspot.com/docs/api/crm/owners
- forms: https://developers.hubspot.com/docs/api/marketing/forms
- limits: https://developers.hubspot.com/docs/api/usage-details
- web analytics (Events API): https://developers.hubspot.com/docs/reference/api/analytics-and-events/event-analytics
- marketing events: https://developers.hubspot.com/docs/guides/api/marketing/marketing-events

Shapes are validated against HubSpot's published OpenAPI specs
(https://github.com/HubSpot/HubSpot-public-api-spec-collection) and its official Python SDK (tests). As HubSpot does,
a path with a trailing slash is served as the path without it (the SDK asks for ``/crm/v3/owners/``).

The app holds the hooks every request goes through (auth, rate limits, faults, errors, control endpoints) and the
route table; the handlers live in one module per route group: ``hubspot_objects`` (CRM object reads),
``hubspot_search``, ``hubspot_associations`` (v4), ``hubspot_portal`` (properties, owners, forms, submissions),
``hubspot_events`` (the Events API's page views), ``hubspot_marketing_events`` (marketing events and their
participations) and ``hubspot_writes`` (reverse-ETL writes, with
``hubspot_write_values``, ``hubspot_properties_api``, ``hubspot_lists`` and ``hubspot_write_log``).
"""

from __future__ import annotations

from sandbox.server.base import Request, Response, Route, VendorApp
from sandbox.server.hubspot_associations import AssociationReads
from sandbox.server.hubspot_errors import correlation_id as _cid
from sandbox.server.hubspot_errors import error as _error
from sandbox.server.hubspot_events import EventIndex, EventReads
from sandbox.server.hubspot_limits import RateLimiter, RateLimits
from sandbox.server.hubspot_marketing_events import (
    MarketingEventReads,
    MarketingEventsSource,
    register_marketing_event_routes,
)
from sandbox.server.hubspot_objects import ObjectReads
from sandbox.server.hubspot_portal import PortalReads
from sandbox.server.hubspot_search import SearchApi
from sandbox.server.hubspot_write_log import WriteLog
from sandbox.server.hubspot_writes import register_write_routes
from sandbox.world.projections.hubspot_store import HubSpotStore

# RateLimits is part of HubSpotApp's signature; callers (tests, sandbox.testing) import it from here.
__all__ = ["DEFAULT_TOKEN", "HubSpotApp", "RateLimits"]

DEFAULT_TOKEN = "sandbox-hubspot-token"

_BAD_PROXY_HTML = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
    b"<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"
)


class HubSpotApp(VendorApp):
    name = "hubspot"

    def __init__(
        self,
        store: HubSpotStore,
        *,
        token: str = DEFAULT_TOKEN,
        rate_limits: RateLimits | None = None,
        search_cap: int = 10_000,
        web_events: EventIndex | None = None,
        marketing_events: MarketingEventsSource | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.token = token
        self._limiter = RateLimiter(rate_limits or RateLimits())

        def base_url() -> str:
            return self.base_url

        objects = ObjectReads(store, base_url)
        self._search = SearchApi(store, base_url, search_cap)
        associations = AssociationReads(store, base_url)
        portal = PortalReads(store, base_url)
        r = self.router
        r.trailing_slash = True  # the official SDK asks for /crm/v3/owners/ and /marketing/v3/forms/
        r.add("GET", "/crm/v3/objects/{objectType}", objects.list_objects)
        r.add("GET", "/crm/v3/objects/{objectType}/{objectId}", objects.get_object)
        r.add("POST", "/crm/v3/objects/{objectType}/search", self._search.search)
        r.add("POST", "/crm/v3/objects/{objectType}/batch/read", objects.batch_read)
        r.add("POST", "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read", associations.assoc_batch_read)
        r.add("GET", "/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}", associations.assoc_list)
        r.add("GET", "/crm/v3/properties/{objectType}", portal.properties)
        r.add("GET", "/crm/v3/owners", portal.owners)
        r.add("GET", "/crm/v3/owners/{ownerId}", portal.owner)
        r.add("GET", "/marketing/v3/forms", portal.forms)
        r.add("GET", "/marketing/v3/forms/{formId}", portal.form)
        r.add("GET", "/form-integrations/v1/submissions/forms/{formGuid}", portal.submissions)
        events = EventReads(store, base_url, web_events)  # no world's page views without ``web_events``
        r.add("GET", "/events/v3/events", events.events)
        r.add("GET", "/events/v3/events/event-types", events.event_types)
        # no world's marketing events without ``marketing_events``
        register_marketing_event_routes(r, MarketingEventReads(store, base_url, marketing_events))
        # reverse-ETL writes (sandbox/server/hubspot_writes.py); every call that reaches them is logged here
        self.write_log = WriteLog()
        register_write_routes(r, store, base_url, self.write_log)

    @property
    def limits(self) -> RateLimits:
        return self._limiter.limits

    @limits.setter
    def limits(self, value: RateLimits) -> None:
        self._limiter.limits = value

    @property
    def search_cap(self) -> int:
        return self._search.cap

    @search_cap.setter
    def search_cap(self, value: int) -> None:
        self._search.cap = value

    # -- hooks -------------------------------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        return {"HUBSPOT_BASE_URL": self.base_url, "HUBSPOT_ACCESS_TOKEN": self.token}

    def authenticate(self, req: Request) -> Response | None:
        auth = req.headers.get("authorization", "")
        if auth.startswith("Bearer ") and auth[7:].strip() == self.token:
            return None
        return _error(
            401,
            "INVALID_AUTHENTICATION",
            "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find "
            "more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
        )

    def admit(self, req: Request, route: Route) -> tuple[Response | None, list[tuple[str, str]]]:
        return self._limiter.admit(self.token, route.pattern.endswith("/search"))

    def reset_limits(self) -> None:
        self._limiter.reset()

    def fault_response(self, kind: str) -> Response:
        if kind in ("429", "429_retry_after"):
            resp = _error(
                429,
                "RATE_LIMIT",
                "You have reached your ten_secondly_rolling limit.",
                extra={"errorType": "RATE_LIMIT", "policyName": "TEN_SECONDLY_ROLLING", "requestId": _cid()},
            )
            if kind == "429_retry_after":
                resp.headers.append(("Retry-After", "1"))
            return resp
        if kind == "502":
            return Response(502, _BAD_PROXY_HTML, content_type="text/html")
        if kind == "503":
            return _error(503, "SERVICE_UNAVAILABLE", "Service Unavailable: the service is temporarily overloaded.")
        return _error(500, "INTERNAL_ERROR", "internal error")

    def not_found(self, req: Request) -> Response:
        return _error(404, "OBJECT_NOT_FOUND", f"No route found for {req.method} {req.path}")

    def error(self, status: int, message: str) -> Response:
        category = {400: "VALIDATION_ERROR", 404: "OBJECT_NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(status, "ERROR")
        return _error(status, category, message)

    def control(self, req: Request, action: str) -> Response | None:
        if action == "writes" and req.method == "GET":
            calls = self.write_log.calls()
            return Response.json(200, {"count": len(calls), "calls": calls})
        if action == "writes/reset" and req.method == "POST":
            self.write_log.reset()
            return Response.json(200, {"ok": True})
        if action == "limits":
            if req.method == "POST":
                data = req.json() or {}
                lim = self.limits
                self.limits = RateLimits(
                    per_interval=int(data.get("per_interval", lim.per_interval)),
                    interval_ms=int(data.get("interval_ms", lim.interval_ms)),
                    search_per_second=int(data.get("search_per_second", lim.search_per_second)),
                    daily=int(data.get("daily", lim.daily)),
                )
                if "search_cap" in data:
                    self.search_cap = int(data["search_cap"])
                if data.get("reset"):
                    self.reset_limits()
            lim = self.limits
            return Response.json(
                200,
                {
                    "per_interval": lim.per_interval,
                    "interval_ms": lim.interval_ms,
                    "search_per_second": lim.search_per_second,
                    "daily": lim.daily,
                    "search_cap": self.search_cap,
                },
            )
        return None
