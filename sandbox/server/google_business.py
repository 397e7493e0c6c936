"""Google Business Profile in the sandbox: the account's locations as the Business Information API lists them
(``GET /v1/accounts/{account}/locations?readMask=...&pageSize=<=100&pageToken=``, answering
``{"locations": [{"name": "locations/{id}", "title", "storefrontAddress", ...}], "nextPageToken", "totalSize"}``;
``readMask`` is required) and each location's reviews from the My Business API v4
(``GET /v4/accounts/{account}/locations/{location}/reviews?pageSize=<=50&pageToken=&orderBy=``, ``orderBy`` one of
``updateTime desc`` (the default), ``rating``, ``rating desc``; answering ``reviews[]``, ``averageRating``,
``totalReviewCount``, ``nextPageToken``; https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews/list).

Bearer OAuth token (scope ``business.manage``); Google RPC error bodies ``{"error": {"code", "message", "status"}}``;
a per-minute quota (300 QPM once Google approves a project) answered 429 ``RESOURCE_EXHAUSTED``. Both APIs live on
different hosts at Google; here one server answers both.
"""

from __future__ import annotations

import base64
import threading
import time
from collections import deque
from typing import Any

from sandbox.server.base import Request, Response, Route, VendorApp
from sandbox.world.voice.reviews import GOOGLE_ACCOUNT_ID, LOCATIONS, STAR_NAMES, location_payloads, review_book
from sandbox.world.world import World

DEFAULT_TOKEN = "sandbox-google-business-token"
ORDERS = ("updateTime desc", "rating", "rating desc")
_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}
_STATUS |= {429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 502: "UNAVAILABLE", 503: "UNAVAILABLE"}


def google_error(status: int, message: str, grpc: str | None = None) -> Response:
    return Response.json(
        status, {"error": {"code": status, "message": message, "status": grpc or _STATUS.get(status, "UNKNOWN")}}
    )


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def _offset(token: str | None) -> int | None:
    """The offset a page token stands for; None when the token is not one of ours."""
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        return int(text[2:]) if text.startswith("o:") else None
    except (ValueError, UnicodeDecodeError):
        return None


class GoogleBusinessApp(VendorApp):
    name = "google_business"

    def __init__(self, world: World, *, token: str = DEFAULT_TOKEN, per_minute: int = 300) -> None:
        super().__init__()
        self.world = world
        self.token = token
        self.per_minute = per_minute
        self._calls: deque[float] = deque()
        self._lock = threading.Lock()
        self.router.add("GET", "/v1/accounts/{account}/locations", self.locations)
        self.router.add("GET", "/v4/accounts/{account}/locations/{location}/reviews", self.reviews)

    def env(self) -> dict[str, str]:
        return {
            "GOOGLE_BUSINESS_TOKEN": self.token,
            "GOOGLE_BUSINESS_ACCOUNT": GOOGLE_ACCOUNT_ID,
            "GOOGLE_BUSINESS_BASE_URL": self.base_url,
            "GOOGLE_BUSINESS_LOCATIONS_URL": self.base_url,
        }

    def authenticate(self, req: Request) -> Response | None:
        scheme, _, value = req.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and value.strip() == self.token:
            return None
        return google_error(
            401,
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other "
            "valid authentication credential.",
        )

    def admit(self, req: Request, route: Route) -> tuple[Response | None, list[tuple[str, str]]]:
        now = time.monotonic()
        with self._lock:
            while self._calls and self._calls[0] <= now - 60.0:
                self._calls.popleft()
            if len(self._calls) >= self.per_minute:
                return google_error(
                    429, "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute'."
                ), []
            self._calls.append(now)
        return None, []

    def fault_response(self, kind: str) -> Response:
        if kind in ("429", "429_retry_after", "google_quota", "meta_rate_limit"):
            resp = google_error(429, "Resource has been exhausted (e.g. check quota).")
            if kind == "429_retry_after":
                resp.headers.append(("Retry-After", "1"))
            return resp
        if kind in ("502", "503"):
            return google_error(503, "The service is currently unavailable.")
        return google_error(500, "Internal error encountered.")

    def not_found(self, req: Request) -> Response:
        return google_error(404, f"Requested entity was not found: {req.path}")

    def error(self, status: int, message: str) -> Response:
        return google_error(400 if status == 405 else status, message)

    def control(self, req: Request, action: str) -> Response | None:
        if action == "limits":
            if req.method == "POST":
                self.per_minute = int((req.json() or {}).get("per_minute", self.per_minute))
            return Response.json(200, {"per_minute": self.per_minute})
        return None

    # -- handlers ----------------------------------------------------------------------------------------------

    def _account(self, req: Request) -> Response | None:
        if req.params["account"] != GOOGLE_ACCOUNT_ID:
            return google_error(403, "The caller does not have permission")
        return None

    def _page(self, req: Request, most: int, default: int) -> tuple[int, int] | Response:
        try:
            size = int(req.arg("pageSize", str(default)) or default)
        except ValueError:
            return google_error(400, "Invalid value at 'page_size' (TYPE_INT32)")
        if not 1 <= size <= most:
            return google_error(400, f"pageSize must be within 1..{most}")
        offset = _offset(req.arg("pageToken"))
        if offset is None:
            return google_error(400, "Invalid page token.")
        return size, offset

    def locations(self, req: Request) -> Response:
        denied = self._account(req)
        if denied is not None:
            return denied
        if not req.arg("readMask"):
            return google_error(400, "Request contains an invalid argument: read_mask is required")
        page = self._page(req, 100, 10)
        if isinstance(page, Response):
            return page
        size, offset = page
        rows = location_payloads()
        chunk = rows[offset : offset + size]
        body: dict[str, Any] = {"locations": chunk, "totalSize": len(rows)}
        if offset + size < len(rows):
            body["nextPageToken"] = _token(offset + size)
        return Response.json(200, body, records=len(chunk))

    def reviews(self, req: Request) -> Response:
        denied = self._account(req)
        if denied is not None:
            return denied
        if req.params["location"] not in {loc for loc, *_ in LOCATIONS}:
            return google_error(404, "Requested entity was not found.")
        order = req.arg("orderBy", "updateTime desc") or "updateTime desc"
        if order not in ORDERS:
            return google_error(400, f"Invalid orderBy {order!r}; valid: {', '.join(ORDERS)}")
        page = self._page(req, 50, 50)
        if isinstance(page, Response):
            return page
        size, offset = page
        rows = review_book(self.world).google_at(req.params["location"], self.world.now_ms)
        if order == "updateTime desc":
            rows.sort(key=lambda r: (r["updateTime"], r["reviewId"]), reverse=True)
        else:
            rows.sort(key=lambda r: (STAR_NAMES.index(r["starRating"]), r["reviewId"]), reverse=order == "rating desc")
        chunk = rows[offset : offset + size]
        body: dict[str, Any] = {"reviews": chunk}
        if rows:
            body["averageRating"] = round(sum(STAR_NAMES.index(r["starRating"]) + 1 for r in rows) / len(rows), 1)
        body["totalReviewCount"] = len(rows)
        if offset + size < len(rows):
            body["nextPageToken"] = _token(offset + size)
        return Response.json(200, body, records=len(chunk))
