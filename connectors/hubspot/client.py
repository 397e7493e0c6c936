"""HubSpot API access: the HTTP client (auth, rate limits, the envelope check, HubSpot's error classifier) and the calls
the streams need."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

import requests

from connectors.core.errors import AuthenticationError, RequestError, StreamUnavailableError
from connectors.core.http import Classified, HttpClient, RetryPolicy, parse_retry_after
from connectors.core.paging import PageGuard
from connectors.core.ratelimit import SlidingWindowLimiter
from connectors.hubspot.config import BASE_URL_ENV, TOKEN_ENV, HubSpotConfig

# v4 batch reads accept up to 1,000 inputs; 100 keeps each response small enough to retry cheaply.
ASSOCIATION_BATCH = 100
BATCH_READ_LIMIT = 100
# Load balancers in front of APIs refuse request lines over 8-16 KB. A list read names every property in its query
# string; beyond this many characters of them, a stream lists ids only and reads the records by id with the
# properties in a POST body (batch/read), which has no such limit.
PROPERTY_QUERY_BUDGET = 6000
# The Events API (web analytics). HubSpot documents it for Enterprise tiers only (the spec's
# x-hubspot-product-tier-requirements) and a 403 as "the authentication provided does not have the proper
# permissions to access the specific URL"; a portal that cannot have it may also not route it (404). Either answer
# to this endpoint means: no web analytics events here, not a failed sync.
EVENTS_PATH = "/events/v3/events/"
EVENTS_UNAVAILABLE_STATUSES = (403, 404)
EVENTS_PAGE_LIMIT = 100
# Every tier has marketing events (the spec's x-hubspot-product-tier-requirements: FREE).
MARKETING_EVENTS_PATH = "/marketing/v3/marketing-events/"


def expect_results(body: Any) -> str | None:
    """Every HubSpot endpoint the connector reads answers ``{"results": [...], ...}``."""
    if not isinstance(body, dict):
        return f"expected an object with 'results', got {'an empty body' if body is None else type(body).__name__}"
    if not isinstance(body.get("results"), list):
        return "no 'results' list" if "results" not in body else f"'results' is a {type(body['results']).__name__}"
    return None


def classify_hubspot(resp: requests.Response, body: Any) -> Classified | None:
    """HubSpot specifics the generic rules get wrong."""
    if resp.status_code == 429 and isinstance(body, dict) and body.get("policyName") == "DAILY":
        # Retrying a daily limit inside a sync only burns what is left; fail with the reason instead.
        return Classified(
            "request",
            "HubSpot daily API limit reached (policy DAILY); it resets at midnight in the portal's time zone",
        )
    if resp.status_code == 429:
        policy = body.get("policyName") if isinstance(body, dict) else None
        return Classified(
            "rate_limited",
            f"HTTP 429 rate limited{f' ({policy})' if policy else ''}",
            parse_retry_after(resp.headers.get("Retry-After")),
        )
    if resp.status_code == 403 and isinstance(body, dict) and body.get("category") == "MISSING_SCOPES":
        scopes: list[str] = []
        for err in body.get("errors") or []:
            scopes += (err.get("context") or {}).get("requiredGranularScopes") or []
        need = f" (needs {', '.join(scopes)})" if scopes else ""
        return Classified("auth", f"HTTP 403 MISSING_SCOPES: the private app lacks a scope{need}")
    return None


class HubSpotApi:
    """Thin typed wrappers over the HubSpot endpoints the connector reads."""

    def __init__(self, config: HubSpotConfig, *, http: HttpClient | None = None) -> None:
        self.config = config
        self.http = http or HttpClient(
            config.base_url,
            source="hubspot",
            credential_env_var=TOKEN_ENV,
            base_url_env_var=BASE_URL_ENV,
            headers={"Authorization": f"Bearer {config.access_token}"},
            secrets=[config.access_token],
            timeout_s=config.timeout_s,
            retry=RetryPolicy(max_attempts=config.max_attempts, base_delay_s=config.backoff_base_s),
            limiters={
                "default": SlidingWindowLimiter(config.requests_per_10s, 10.0),
                "search": SlidingWindowLimiter(config.search_per_second, 1.0),
            },
            classifier=classify_hubspot,
        )
        self._property_names: dict[str, list[str]] = {}

    def close(self) -> None:
        self.http.close()

    # -- metadata --------------------------------------------------------------------------------------------

    def property_names(self, object_type: str) -> list[str]:
        """Every property the portal defines for an object type, so a sync stores all of them."""
        if object_type not in self._property_names:
            body = self.http.get(f"/crm/v3/properties/{object_type}", expect=expect_results)
            names = sorted(
                {p["name"] for p in (body or {}).get("results", []) if isinstance(p, dict) and p.get("name")}
            )
            self._property_names[object_type] = names
        return self._property_names[object_type]

    # -- reads -----------------------------------------------------------------------------------------------

    def list_objects(
        self,
        object_type: str,
        *,
        properties: list[str],
        history: Iterable[str] = (),
        archived: bool = False,
        after: str | None = None,
        limit: int = 100,
    ) -> dict[str, Any]:
        params: list[tuple[str, str]] = [("limit", str(limit)), ("archived", "true" if archived else "false")]
        params += [("properties", p) for p in properties]
        params += [("propertiesWithHistory", p) for p in history]
        if after:
            params.append(("after", after))
        return self.http.get(f"/crm/v3/objects/{object_type}", params=params, expect=expect_results)

    def search_changed(
        self,
        object_type: str,
        *,
        cursor_property: str,
        since_ms: int,
        after_id: str | None,
        properties: list[str],
        limit: int,
    ) -> dict[str, Any]:
        """One keyset page of records modified since ``since_ms``, in ``hs_object_id`` order.

        Paging by ``hs_object_id > last id`` instead of the ``after`` offset keeps every query far from the
        10,000-result cap of the search API, and the last id is a resume position that survives a crash.
        """
        filters = [{"propertyName": cursor_property, "operator": "GTE", "value": str(since_ms)}]
        if after_id is not None:
            filters.append({"propertyName": "hs_object_id", "operator": "GT", "value": str(after_id)})
        body = {
            "filterGroups": [{"filters": filters}],
            "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
            "properties": properties,
            "limit": limit,
        }
        return self.http.post(
            f"/crm/v3/objects/{object_type}/search", json_body=body, limiter="search", expect=expect_results
        )

    def batch_read(
        self,
        object_type: str,
        ids: list[str],
        *,
        properties: list[str],
        history: Iterable[str] = (),
        archived: bool = False,
    ) -> list[dict[str, Any]]:
        """Records by id with every requested property (in the body, so any number of them fits); ``archived``
        reads archived records, which the default read does not return."""
        out: list[dict[str, Any]] = []
        for chunk in _chunks(ids, BATCH_READ_LIMIT):
            body = {
                "inputs": [{"id": i} for i in chunk],
                "properties": properties,
                "propertiesWithHistory": list(history),
            }
            resp = self.http.post(
                f"/crm/v3/objects/{object_type}/batch/read",
                params={"archived": "true"} if archived else None,
                json_body=body,
                expect=expect_results,
            )
            out += [r for r in resp.get("results", []) if isinstance(r, dict)]
        return out

    def associations(self, from_type: str, to_type: str, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        """v4 batch read: ``{from id: [to items]}`` with ``toObjectId`` as a string, following per-id paging."""
        found: dict[str, list[dict[str, Any]]] = {}
        pending: list[dict[str, str]] = [{"id": i} for i in ids]
        path = f"/crm/v4/associations/{from_type}/{to_type}/batch/read"
        guards: dict[str, PageGuard] = {}
        while pending:
            batch, pending = pending[:ASSOCIATION_BATCH], pending[ASSOCIATION_BATCH:]
            resp = self.http.post(path, json_body={"inputs": batch}, expect=expect_results)
            for result in resp["results"]:
                if not isinstance(result, dict):
                    continue  # an association answer without a from id belongs to no record of ours
                from_id = str((result.get("from") or {}).get("id"))
                items = found.setdefault(from_id, [])
                to = result.get("to") or []
                for item in to:
                    items.append({**item, "toObjectId": str(item.get("toObjectId"))})
                nxt = ((result.get("paging") or {}).get("next") or {}).get("after")
                guard = guards.setdefault(from_id, PageGuard(f"POST {path} (record {from_id})"))
                guard.after_page(to, str(nxt) if nxt else None)
                if nxt:
                    pending.append({"id": from_id, "after": str(nxt)})
        return found

    def paged(self, path: str, params: dict[str, Any], after: str | None = None) -> Iterator[tuple[dict, str | None]]:
        """Yield ``(page body, after token for the next page)`` for HubSpot's ``paging.next.after`` endpoints."""
        guard = PageGuard(f"GET {path}", after)
        while True:
            query = dict(params)
            if after:
                query["after"] = after
            body = self.http.get(path, params=query, expect=expect_results)
            after = ((body.get("paging") or {}).get("next") or {}).get("after")
            guard.after_page(body.get("results"), after)
            yield body, after
            if not after:
                return

    def events(
        self,
        *,
        event_type: str,
        occurred_after: str | None,
        occurred_before: str,
        after: str | None = None,
        limit: int = EVENTS_PAGE_LIMIT,
        object_id: str | None = None,
    ) -> Iterator[tuple[dict, str | None]]:
        """Pages of contact events of one type in ``[occurred_after, occurred_before)`` (of one contact when
        ``object_id`` is given), like :meth:`paged` (the same 10-second limiter and paging guard). Raises
        :class:`StreamUnavailableError` when the portal has no Events API."""
        params: dict[str, Any] = {"objectType": "contact", "eventType": event_type, "limit": limit}
        if object_id is not None:
            params["objectId"] = object_id
        if occurred_after:
            params["occurredAfter"] = occurred_after
        params["occurredBefore"] = occurred_before
        try:
            yield from self.paged(EVENTS_PATH, params, after)
        except (AuthenticationError, RequestError) as exc:
            if exc.status not in EVENTS_UNAVAILABLE_STATUSES:
                raise
            raise StreamUnavailableError(
                f"HubSpot answered HTTP {exc.status} to GET {EVENTS_PATH}: this portal has no Events API (web "
                "analytics events need Marketing, Sales, Service or Content Hub Enterprise), so no page views are "
                "synced; the contacts' hs_analytics_* properties (first and last visit, page views, visits, source) "
                "are the web analytics this portal has",
                source="hubspot",
                status=exc.status,
            ) from None

    def marketing_event_ids(self) -> list[str]:
        """Every marketing event's ``objectId``, in id order (what the participation breakdowns are read by)."""
        ids: set[str] = set()
        for body, _ in self.paged(MARKETING_EVENTS_PATH, {"limit": 100}):
            ids.update(str(e["objectId"]) for e in body.get("results", []) if isinstance(e, dict) and e.get("objectId"))
        return sorted(ids, key=lambda i: (len(i), i))

    def list_forms(self) -> list[dict[str, Any]]:
        forms: list[dict[str, Any]] = []
        for body, _ in self.paged("/marketing/v3/forms", {"limit": 50}):
            forms += [f for f in body.get("results", []) if isinstance(f, dict)]
        return forms


def property_query_chars(properties: Iterable[str], history: Iterable[str] = ()) -> int:
    """How many characters the property names add to a list read's query string."""
    named = [("properties", p) for p in properties] + [("propertiesWithHistory", p) for p in history]
    return sum(len(key) + len(quote(name, safe="")) + 2 for key, name in named)


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
