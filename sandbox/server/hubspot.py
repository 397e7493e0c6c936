"""The HubSpot API of the sandbox: real paths, shapes, paging, auth, errors and rate limits.

Vendor documentation:
- CRM objects, search and batch reads: https://developers.hubspot.com/docs/api/crm/understanding-the-crm
- associations v4: https://developers.hubspot.com/docs/api/crm/associations
- owners: https://developers.hubspot.com/docs/api/crm/owners
- forms: https://developers.hubspot.com/docs/api/marketing/forms
- limits: https://developers.hubspot.com/docs/api/usage-details

Shapes are validated against HubSpot's published OpenAPI specs
(https://github.com/HubSpot/HubSpot-public-api-spec-collection) and its official Python SDK (tests). As HubSpot does,
a path with a trailing slash is served as the path without it (the SDK asks for ``/crm/v3/owners/``)."""

from __future__ import annotations

import base64
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from sandbox.server.base import Request, Response, Route, VendorApp
from sandbox.server.hubspot_errors import correlation_id as _cid
from sandbox.server.hubspot_errors import error as _error
from sandbox.server.hubspot_errors import validation as _validation
from sandbox.server.hubspot_writes import WriteLog, install_write_routes
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections.hubspot_payloads import object_json, submission_object
from sandbox.world.projections.hubspot_records import HSRecord
from sandbox.world.projections.hubspot_store import HubSpotStore
from sandbox.world.timeutil import iso_ms, parse_time_ms

DEFAULT_TOKEN = "sandbox-hubspot-token"


@dataclass
class RateLimits:
    """Per-token limits. ``per_interval`` requests per ``interval_ms`` rolling window (non-search endpoints),
    ``search_per_second`` for the CRM search endpoints, ``daily`` per UTC day."""

    per_interval: int = 190
    interval_ms: int = 10_000
    search_per_second: int = 5
    daily: int = 650_000


class _Limiter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.window: dict[str, deque[float]] = {}
        self.search: dict[str, deque[float]] = {}
        self.daily: dict[tuple[str, int], int] = {}

    @staticmethod
    def _trim(q: deque[float], now: float, span: float) -> None:
        while q and q[0] <= now - span:
            q.popleft()


_BAD_PROXY_HTML = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
    b"<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"
)


def _b64(s: str) -> str:
    return base64.urlsafe_b64encode(s.encode()).decode().rstrip("=")


def _unb64(s: str) -> str:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)).decode()


class HubSpotApp(VendorApp):
    name = "hubspot"

    def __init__(
        self,
        store: HubSpotStore,
        *,
        token: str = DEFAULT_TOKEN,
        rate_limits: RateLimits | None = None,
        search_cap: int = 10_000,
    ) -> None:
        super().__init__()
        self.store = store
        self.token = token
        self.limits = rate_limits or RateLimits()
        self.search_cap = search_cap
        self._limiter = _Limiter()
        r = self.router
        r.trailing_slash = True  # the official SDK asks for /crm/v3/owners/ and /marketing/v3/forms/
        r.add("GET", "/crm/v3/objects/{objectType}", self.list_objects)
        r.add("GET", "/crm/v3/objects/{objectType}/{objectId}", self.get_object)
        r.add("POST", "/crm/v3/objects/{objectType}/search", self.search)
        r.add("POST", "/crm/v3/objects/{objectType}/batch/read", self.batch_read)
        r.add("POST", "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read", self.assoc_batch_read)
        r.add("GET", "/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}", self.assoc_list)
        r.add("GET", "/crm/v3/properties/{objectType}", self.properties)
        r.add("GET", "/crm/v3/owners", self.owners)
        r.add("GET", "/crm/v3/owners/{ownerId}", self.owner)
        r.add("GET", "/marketing/v3/forms", self.forms)
        r.add("GET", "/marketing/v3/forms/{formId}", self.form)
        r.add("GET", "/form-integrations/v1/submissions/forms/{formGuid}", self.submissions)
        # reverse-ETL writes (sandbox/server/hubspot_writes.py); every call that reaches them is logged here
        self.write_log = WriteLog()
        install_write_routes(self)

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
        token = self.token
        now = time.monotonic()
        lim = self.limits
        is_search = route.pattern.endswith("/search")
        day = int(time.time() // 86400)
        L = self._limiter
        with L.lock:
            used_today = L.daily.get((token, day), 0)
            if used_today >= lim.daily:
                return _error(
                    429,
                    "RATE_LIMIT",
                    "You have reached your daily limit.",
                    extra={"errorType": "RATE_LIMIT", "policyName": "DAILY", "requestId": _cid()},
                ), []
            if is_search:
                q = L.search.setdefault(token, deque())
                L._trim(q, now, 1.0)
                if len(q) >= lim.search_per_second:
                    return _error(
                        429,
                        "RATE_LIMIT",
                        "You have reached your secondly limit.",
                        extra={"errorType": "RATE_LIMIT", "policyName": "SECONDLY", "requestId": _cid()},
                    ), []
                q.append(now)
                L.daily[(token, day)] = used_today + 1
                return None, []
            q = L.window.setdefault(token, deque())
            L._trim(q, now, lim.interval_ms / 1000)
            if len(q) >= lim.per_interval:
                headers = self._rate_headers(0, lim.daily - used_today)
                return _error(
                    429,
                    "RATE_LIMIT",
                    "You have reached your ten_secondly_rolling limit.",
                    extra={"errorType": "RATE_LIMIT", "policyName": "TEN_SECONDLY_ROLLING", "requestId": _cid()},
                    headers=headers,
                ), []
            q.append(now)
            L.daily[(token, day)] = used_today + 1
            return None, self._rate_headers(lim.per_interval - len(q), lim.daily - used_today - 1)

    def _rate_headers(self, remaining: int, daily_remaining: int) -> list[tuple[str, str]]:
        lim = self.limits
        return [
            ("X-HubSpot-RateLimit-Daily", str(lim.daily)),
            ("X-HubSpot-RateLimit-Daily-Remaining", str(max(0, daily_remaining))),
            ("X-HubSpot-RateLimit-Interval-Milliseconds", str(lim.interval_ms)),
            ("X-HubSpot-RateLimit-Max", str(lim.per_interval)),
            ("X-HubSpot-RateLimit-Remaining", str(max(0, remaining))),
        ]

    def reset_limits(self) -> None:
        with self._limiter.lock:
            self._limiter.window.clear()
            self._limiter.search.clear()
            self._limiter.daily.clear()

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

    # -- helpers -----------------------------------------------------------------------------------------------

    def _otype(self, raw: str) -> str | None:
        return hs.OBJECT_TYPE_ALIASES.get(raw.lower())

    def _bad_type(self, raw: str) -> Response:
        return _validation(f"Unable to infer object type from: {raw}")

    def _int_param(self, req: Request, name: str, default: int) -> int | Response:
        v = req.arg(name)
        if v is None or v == "":
            return default
        try:
            return int(v)
        except ValueError:
            return _validation(f"Invalid value for query parameter '{name}': {v!r} is not an integer")

    def _bool_param(self, req: Request, name: str) -> bool:
        return (req.arg(name) or "false").lower() == "true"

    def _props(self, otype: str, requested: list[str] | None) -> list[str]:
        """Requested properties that the object type defines (unknown ones are ignored, as HubSpot does)."""
        if not requested:
            return list(hs.DEFAULT_PROPERTIES[otype])
        defined = self.store.property_types(otype)
        out: list[str] = []
        for p in requested:
            if p in defined and p not in out:
                out.append(p)
        return out

    def _v3_assoc(self, rec: HSRecord, to_types: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for raw in to_types:
            to = self._otype(raw)
            if to is None:
                continue
            ids = self.store.associations(rec.otype, rec.id, to)
            if not ids:
                continue
            names = hs.v3_association_names(rec.otype, to) or [f"{hs.SINGULAR[rec.otype]}_to_{hs.SINGULAR[to]}"]
            out[raw] = {"results": [{"id": i, "type": n} for i in ids for n in names]}
        return out

    def _object(self, rec: HSRecord, props: list[str], history: list[str], assoc: list[str]) -> dict[str, Any]:
        obj = object_json(rec, props, history)
        if assoc and not rec.archived:
            a = self._v3_assoc(rec, assoc)
            if a:
                obj["associations"] = a
        return obj

    # -- CRM objects -------------------------------------------------------------------------------------------

    def list_objects(self, req: Request) -> Response:
        raw = req.params["objectType"]
        otype = self._otype(raw)
        if otype is None:
            return self._bad_type(raw)
        history = self._props(otype, req.multi("propertiesWithHistory")) if req.multi("propertiesWithHistory") else []
        limit = self._int_param(req, "limit", 10)
        if isinstance(limit, Response):
            return limit
        max_limit = 50 if history else 100
        if limit < 1 or limit > max_limit:
            return _validation(
                f"limit must be between 1 and {max_limit}"
                + (" when propertiesWithHistory is requested" if history else ""),
                errors=[{"message": f"limit must be at most {max_limit}", "in": "limit"}],
            )
        after_raw = req.arg("after")
        after = None
        if after_raw:
            try:
                after = int(after_raw)
            except ValueError:
                return _validation(f"Invalid paging cursor 'after': {after_raw!r}")
        archived = self._bool_param(req, "archived")
        props = self._props(otype, req.multi("properties"))
        assoc = req.multi("associations")
        with self.store.lock:
            recs, nxt = self.store.page_ids(otype, after, archived, limit)
            results = [self._object(r, props, history, assoc) for r in recs]
        body: dict[str, Any] = {"results": results}
        if nxt is not None:
            link = f"{self.base_url}/crm/v3/objects/{raw}?after={nxt}&limit={limit}"
            body["paging"] = {"next": {"after": str(nxt), "link": link}}
        return Response.json(200, body, records=len(results))

    def _find(self, otype: str, key: str, id_property: str | None) -> HSRecord | None:
        objs = self.store.objects[otype]
        if not id_property or id_property == "hs_object_id":
            return objs.get(key)
        if otype == "contacts" and id_property == "email":
            return self.store.contact_by_email(key)  # emails are unique among live contacts (indexed)
        want = key.strip().lower()
        for r in objs.values():
            v = r.properties.get(id_property)
            if v is not None and v.strip().lower() == want and not r.archived:
                return r
        return None

    def get_object(self, req: Request) -> Response:
        raw = req.params["objectType"]
        otype = self._otype(raw)
        if otype is None:
            return self._bad_type(raw)
        archived = self._bool_param(req, "archived")
        with self.store.lock:
            rec = self._find(otype, req.params["objectId"], req.arg("idProperty"))
            if rec is None or (rec.archived and not archived):
                return _error(404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.")
            props = self._props(otype, req.multi("properties"))
            history = (
                self._props(otype, req.multi("propertiesWithHistory")) if req.multi("propertiesWithHistory") else []
            )
            obj = self._object(rec, props, history, req.multi("associations"))
        return Response.json(200, obj, records=1)

    def batch_read(self, req: Request) -> Response:
        raw = req.params["objectType"]
        otype = self._otype(raw)
        if otype is None:
            return self._bad_type(raw)
        body = req.json()
        if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
            return _validation("Invalid input JSON: 'inputs' is required")
        inputs = body["inputs"]
        if len(inputs) > 100:
            return _validation(f"Batch size {len(inputs)} exceeds the limit of 100 inputs")
        archived = self._bool_param(req, "archived")
        props = self._props(otype, body.get("properties") or [])
        history = self._props(otype, body.get("propertiesWithHistory")) if body.get("propertiesWithHistory") else []
        requested_at = iso_ms(int(time.time() * 1000))
        results, missing = [], []
        with self.store.lock:
            seen = set()
            for item in inputs:
                key = str(item.get("id", "")) if isinstance(item, dict) else str(item)
                rec = self._find(otype, key, body.get("idProperty"))
                if rec is None or rec.archived != archived:
                    missing.append(key)
                    continue
                if rec.id in seen:
                    continue
                seen.add(rec.id)
                results.append(object_json(rec, props, history))
        out: dict[str, Any] = {
            "status": "COMPLETE",
            "results": results,
            "requestedAt": requested_at,
            "startedAt": requested_at,
            "completedAt": iso_ms(int(time.time() * 1000)),
        }
        if missing:
            out["numErrors"] = 1
            out["errors"] = [
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "message": f"Could not get some {hs.SINGULAR[otype].upper()} objects, they may be deleted or not "
                    "exist. Check that ids are valid.",
                    "context": {"ids": missing},
                    "errors": [],
                    "links": {},
                }
            ]
            return Response.json(207, out, records=len(results))
        return Response.json(200, out, records=len(results))

    # -- search ------------------------------------------------------------------------------------------------

    def search(self, req: Request) -> Response:
        raw = req.params["objectType"]
        otype = self._otype(raw)
        if otype is None:
            return self._bad_type(raw)
        body = req.json() or {}
        if not isinstance(body, dict):
            return _validation("Invalid input JSON")
        try:
            limit = int(body.get("limit", 10) or 10)
            after = int(body.get("after", 0) or 0)
        except (TypeError, ValueError):
            return _validation("limit and after must be integers")
        if limit < 1 or limit > 200:
            return _validation("limit must be between 1 and 200")
        if after < 0:
            return _validation("after must be a non-negative offset")
        # HubSpot refuses pages beyond its 10,000-result cap (after + limit > cap). The first page (after=0) is always
        # served in full, so a cap lowered by tests below the page size still lets keyset-paging clients work.
        if after > 0 and after + limit > self.search_cap:
            return _validation(
                f"Cannot page beyond {self.search_cap} results: after={after} limit={limit}. "
                "Narrow your filters (for example on hs_object_id) and restart from after=0.",
                errors=[{"message": "paging beyond the result cap", "in": "after"}],
            )
        groups = body.get("filterGroups") or []
        if len(groups) > 5:
            return _validation("Too many filter groups: at most 5 are allowed")
        if sum(len(g.get("filters") or []) for g in groups) > 25 or any(
            len(g.get("filters") or []) > 10 for g in groups
        ):
            return _validation("Too many filters: at most 10 per group and 25 in total")
        ptypes = self.store.property_types(otype)
        try:
            compiled = [[_compile_filter(f, otype, ptypes) for f in g.get("filters") or []] for g in groups]
        except _FilterError as exc:
            return _validation(str(exc))
        sorts = body.get("sorts") or []
        sort_prop, descending = "hs_object_id", False
        if sorts:
            s = sorts[0]
            if isinstance(s, str):
                descending = s.startswith("-")
                sort_prop = s.lstrip("-")
            elif isinstance(s, dict):
                sort_prop = s.get("propertyName") or "hs_object_id"
                descending = str(s.get("direction", "ASCENDING")).upper() == "DESCENDING"
            sort_prop = _alias(sort_prop, otype)
            if sort_prop not in ptypes:
                return _validation(f"Cannot sort on unknown property '{sort_prop}'")
        query = (body.get("query") or "").strip().lower()
        props = self._props(otype, body.get("properties") or [])
        with self.store.lock:
            matched = []
            for rec in self.store.objects[otype].values():
                if rec.archived:
                    continue
                if compiled and not any(all(f(rec) for f in g) for g in compiled):
                    continue
                if query and not _matches_query(rec, query):
                    continue
                matched.append(rec)
            ptype = ptypes.get(sort_prop, "string")
            present = [r for r in matched if r.properties.get(sort_prop) is not None]
            absent = [r for r in matched if r.properties.get(sort_prop) is None]
            present.sort(key=lambda r: (_typed(r.properties[sort_prop], ptype), int(r.id)), reverse=descending)
            absent.sort(key=lambda r: int(r.id))
            ordered = present + absent
            page = ordered[after : after + limit]
            results = [object_json(r, props) for r in page]
        out: dict[str, Any] = {"total": len(ordered), "results": results}
        if after + limit < len(ordered):
            out["paging"] = {"next": {"after": str(after + limit)}}
        return Response.json(200, out, records=len(results))

    # -- associations v4 ---------------------------------------------------------------------------------------

    def _v4_items(self, from_type: str, to_type: str, ids: list[str]) -> list[dict[str, Any]]:
        types = hs.association_types(from_type, to_type)
        return [{"toObjectId": i, "associationTypes": [dict(t) for t in types]} for i in ids]

    def assoc_batch_read(self, req: Request) -> Response:
        f_raw, t_raw = req.params["fromObjectType"], req.params["toObjectType"]
        from_type, to_type = self._otype(f_raw), self._otype(t_raw)
        if from_type is None or to_type is None:
            return self._bad_type(f_raw if from_type is None else t_raw)
        body = req.json()
        if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
            return _validation("Invalid input JSON: 'inputs' is required")
        if len(body["inputs"]) > 1000:
            return _validation("Batch size exceeds the limit of 1000 inputs")
        started = iso_ms(int(time.time() * 1000))
        results, errors = [], []
        n = 0
        with self.store.lock:
            for item in body["inputs"]:
                fid = str(item.get("id", "")) if isinstance(item, dict) else str(item)
                offset = 0
                if isinstance(item, dict) and item.get("after"):
                    try:
                        offset = int(_unb64(str(item["after"])))
                    except (ValueError, UnicodeDecodeError):
                        return _validation(f"Invalid paging cursor for id {fid}")
                ids = self.store.associations(from_type, fid, to_type)
                if not ids:
                    errors.append(
                        {
                            "status": "error",
                            "category": "OBJECT_NOT_FOUND",
                            "message": f"No {hs.SINGULAR[to_type]} is associated with {hs.SINGULAR[from_type]} {fid}.",
                            "context": {"fromObjectId": [fid]},
                            "errors": [],
                            "links": {},
                        }
                    )
                    continue
                chunk = ids[offset : offset + 500]
                entry: dict[str, Any] = {"from": {"id": fid}, "to": self._v4_items(from_type, to_type, chunk)}
                if offset + 500 < len(ids):
                    entry["paging"] = {"next": {"after": _b64(str(offset + 500))}}
                results.append(entry)
                n += len(chunk)
        out: dict[str, Any] = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": iso_ms(int(time.time() * 1000)),
        }
        if errors:
            out["numErrors"] = len(errors)
            out["errors"] = errors
            return Response.json(207, out, records=n)
        return Response.json(200, out, records=n)

    def assoc_list(self, req: Request) -> Response:
        f_raw, t_raw = req.params["objectType"], req.params["toObjectType"]
        from_type, to_type = self._otype(f_raw), self._otype(t_raw)
        if from_type is None or to_type is None:
            return self._bad_type(f_raw if from_type is None else t_raw)
        limit = self._int_param(req, "limit", 500)
        if isinstance(limit, Response):
            return limit
        if limit < 1 or limit > 500:
            return _validation("limit must be between 1 and 500")
        offset = 0
        if req.arg("after"):
            try:
                offset = int(_unb64(req.arg("after") or ""))
            except (ValueError, UnicodeDecodeError):
                return _validation("Invalid paging cursor 'after'")
        with self.store.lock:
            ids = self.store.associations(from_type, req.params["objectId"], to_type)
        chunk = ids[offset : offset + limit]
        out: dict[str, Any] = {"results": self._v4_items(from_type, to_type, chunk)}
        if offset + limit < len(ids):
            after = _b64(str(offset + limit))
            out["paging"] = {
                "next": {
                    "after": after,
                    "link": f"{self.base_url}{req.path}?after={after}&limit={limit}",
                }
            }
        return Response.json(200, out, records=len(chunk))

    # -- properties, owners, forms, submissions ----------------------------------------------------------------

    def properties(self, req: Request) -> Response:
        raw = req.params["objectType"]
        otype = self._otype(raw)
        if otype is None:
            return self._bad_type(raw)
        if self._bool_param(req, "archived"):
            return Response.json(200, {"results": []})
        results = self.store.properties[otype]
        return Response.json(200, {"results": results}, records=len(results))

    def _offset_page(
        self, req: Request, items: list[dict[str, Any]], default: int, maximum: int, path: str
    ) -> Response:
        limit = self._int_param(req, "limit", default)
        if isinstance(limit, Response):
            return limit
        if limit < 1 or limit > maximum:
            return _validation(f"limit must be between 1 and {maximum}")
        offset = 0
        if req.arg("after"):
            try:
                offset = int(req.arg("after") or 0)
            except ValueError:
                return _validation("Invalid paging cursor 'after'")
        page = items[offset : offset + limit]
        out: dict[str, Any] = {"results": page}
        if offset + limit < len(items):
            nxt = str(offset + limit)
            out["paging"] = {"next": {"after": nxt, "link": f"{self.base_url}{path}?after={nxt}&limit={limit}"}}
        return Response.json(200, out, records=len(page))

    def owners(self, req: Request) -> Response:
        items = [] if self._bool_param(req, "archived") else list(self.store.owners)
        email = req.arg("email")
        if email:
            items = [o for o in items if o["email"].lower() == email.strip().lower()]
        return self._offset_page(req, items, 100, 500, "/crm/v3/owners")

    def owner(self, req: Request) -> Response:
        for o in self.store.owners:
            if o["id"] == req.params["ownerId"]:
                return Response.json(200, o, records=1)
        return _error(404, "OBJECT_NOT_FOUND", f"Owner {req.params['ownerId']} not found")

    def forms(self, req: Request) -> Response:
        items = [] if self._bool_param(req, "archived") else list(self.store.forms)
        return self._offset_page(req, items, 20, 50, "/marketing/v3/forms")

    def form(self, req: Request) -> Response:
        for f in self.store.forms:
            if f["id"] == req.params["formId"]:
                return Response.json(200, f, records=1)
        return _error(404, "OBJECT_NOT_FOUND", f"Form {req.params['formId']} not found")

    def submissions(self, req: Request) -> Response:
        guid = req.params["formGuid"]
        limit = self._int_param(req, "limit", 20)
        if isinstance(limit, Response):
            return limit
        if limit < 1 or limit > 50:
            return _validation("limit must be between 1 and 50")
        with self.store.lock:
            subs = self.store.submissions.get(guid)
            if subs is None:
                return _error(404, "OBJECT_NOT_FOUND", f"Form {guid} not found")
            start = 0
            after = req.arg("after")
            if after:
                try:
                    ts_s, cid = _unb64(after).split("|", 1)
                    key = (-int(ts_s), cid)
                except (ValueError, UnicodeDecodeError):
                    return _validation("Invalid paging cursor 'after'")
                # first item strictly after the cursor in (newest first, conversionId) order
                lo, hi = 0, len(subs)
                while lo < hi:
                    mid = (lo + hi) // 2
                    s = subs[mid]
                    if (-s["submittedAt"], s["conversionId"]) <= key:
                        lo = mid + 1
                    else:
                        hi = mid
                start = lo
            page = subs[start : start + limit]
            results = [submission_object(s) for s in page]
            more = start + limit < len(subs)
        out: dict[str, Any] = {"results": results}
        if more and page:
            last = page[-1]
            nxt = _b64(f"{last['submittedAt']}|{last['conversionId']}")
            out["paging"] = {
                "next": {
                    "after": nxt,
                    "link": f"{self.base_url}/form-integrations/v1/submissions/forms/{guid}?after={nxt}&limit={limit}",
                }
            }
        return Response.json(200, out, records=len(results))


# -- search filters ---------------------------------------------------------------------------------------------


class _FilterError(ValueError):
    pass


def _alias(prop: str, otype: str) -> str:
    """``lastmodifieddate`` and ``hs_lastmodifieddate`` (and createdate / hs_createdate) are accepted for every
    object type and mean its own last-modified / create property."""
    if prop in ("lastmodifieddate", "hs_lastmodifieddate"):
        return hs.LAST_MODIFIED_PROPERTY[otype]
    if prop in ("createdate", "hs_createdate"):
        return hs.CREATED_PROPERTY[otype]
    return prop


def _typed(value: str, ptype: str) -> Any:
    if ptype in ("datetime", "date"):
        return parse_time_ms(value)
    if ptype == "number":
        return float(value)
    return value.lower()


def _matches_query(rec: HSRecord, query: str) -> bool:
    for p in ("email", "firstname", "lastname", "name", "domain", "dealname", "phone", "company"):
        v = rec.properties.get(p)
        if v and query in v.lower():
            return True
    return False


def _compile_filter(f: dict[str, Any], otype: str, ptypes: dict[str, str]):
    if not isinstance(f, dict) or "propertyName" not in f or "operator" not in f:
        raise _FilterError("Each filter needs propertyName and operator")
    prop = _alias(str(f["propertyName"]), otype)
    op = str(f["operator"]).upper()
    if prop not in ptypes:
        raise _FilterError(f"Property '{f['propertyName']}' does not exist on {otype}")
    ptype = ptypes[prop]

    def conv(v: Any) -> Any:
        if v is None:
            raise _FilterError(f"Filter on '{prop}' with operator {op} needs a value")
        try:
            return _typed(str(v), ptype)
        except ValueError:
            raise _FilterError(f"Value {v!r} is not valid for the {ptype} property '{prop}'") from None

    def get(rec: HSRecord) -> Any:
        v = rec.properties.get(prop)
        if v is None or v == "":
            return None
        try:
            return _typed(v, ptype)
        except ValueError:
            return None

    if op == "HAS_PROPERTY":
        return lambda r: get(r) is not None
    if op == "NOT_HAS_PROPERTY":
        return lambda r: get(r) is None
    if op in ("IN", "NOT_IN"):
        vals = f.get("values")
        if not isinstance(vals, list):
            raise _FilterError(f"Operator {op} needs 'values'")
        wanted = {conv(v) for v in vals}
        if op == "IN":
            return lambda r: get(r) in wanted
        return lambda r: get(r) not in wanted
    if op == "BETWEEN":
        lo, hi = conv(f.get("value")), conv(f.get("highValue"))
        return lambda r: (v := get(r)) is not None and lo <= v <= hi
    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        token = str(f.get("value", "")).lower().strip("*")

        def contains(r: HSRecord) -> bool:
            v = rec_v.lower() if (rec_v := r.properties.get(prop)) else ""
            return token in v

        return contains if op == "CONTAINS_TOKEN" else (lambda r: not contains(r))
    value = conv(f.get("value"))
    if op == "EQ":
        return lambda r: get(r) == value
    if op == "NEQ":
        return lambda r: get(r) != value
    if op == "LT":
        return lambda r: (v := get(r)) is not None and v < value
    if op == "LTE":
        return lambda r: (v := get(r)) is not None and v <= value
    if op == "GT":
        return lambda r: (v := get(r)) is not None and v > value
    if op == "GTE":
        return lambda r: (v := get(r)) is not None and v >= value
    raise _FilterError(f"Unknown operator {op}")
