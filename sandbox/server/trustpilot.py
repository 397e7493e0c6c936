"""Trustpilot's business API in the sandbox (https://developers.trustpilot.com/): the OAuth client-credentials token
endpoint ``POST /v1/oauth/oauth-business-users-for-applications/accesstoken`` (HTTP Basic ``API_KEY:API_SECRET``,
form body ``grant_type=client_credentials``; answers ``access_token``, ``expires_in`` as a string of seconds, and
no refresh token: an expired token is replaced by asking again) and the private reviews of a business unit,
``GET /v1/private/business-units/{businessUnitId}/reviews`` with a Bearer token: ``page`` (from 1; past the last page
an empty list), ``perPage`` (1..100, default 20), ``orderBy`` (``createdat.asc|desc``, ``stars.asc|desc``; default
``createdat.desc``), ``startDateTime`` / ``endDateTime`` (on the creation time; no time means 00:00:00), and the
``stars``, ``language``, ``referenceId`` and ``referralEmail`` filters. Body ``{"links": [...], "reviews": [...]}``.

Errors: Trustpilot documents the statuses (400, 401, 403, 404, 415, 429, 500), not the bodies; its gateway answers
bad tokens in Apigee's ``{"fault": {"faultstring", "detail": {"errorcode"}}}`` form and the API itself
``{"message", "details", "errorCode"}`` [guess: seen in client libraries, not in the reference]. Rate limit: the
documented budget of 833 calls per 5 minutes, answered 429 with ``Retry-After`` when exceeded.
"""

from __future__ import annotations

import base64
import threading
import time
import uuid
from collections import deque
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from sandbox.server.base import Request, Response, Route, VendorApp
from sandbox.world.timeutil import to_ms
from sandbox.world.voice.reviews import BUSINESS_UNIT_ID, review_book
from sandbox.world.world import World

DEFAULT_CLIENT_ID = "sandbox-trustpilot-api-key"
DEFAULT_CLIENT_SECRET = "sandbox-trustpilot-api-secret"
TOKEN_PATH = "/v1/oauth/oauth-business-users-for-applications/accesstoken"
ORDERS = ("createdat.asc", "createdat.desc", "stars.asc", "stars.desc")


def fault(status: int, text: str, code: str) -> Response:
    return Response.json(status, {"fault": {"faultstring": text, "detail": {"errorcode": code}}})


def api_error(status: int, message: str, details: str = "") -> Response:
    return Response.json(status, {"message": message, "details": details, "errorCode": 0})


def _datetime_ms(value: str) -> int:
    """``2013-09-07T13:37:00`` or a date (00:00:00), UTC unless an offset is given."""
    text = value.strip().replace("Z", "+00:00")
    dt = datetime.fromisoformat(text)
    return to_ms(dt)


class TrustpilotApp(VendorApp):
    name = "trustpilot"

    def __init__(
        self,
        world: World,
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        token_ttl_s: float = 359999.0,
        calls_per_window: int = 833,
        window_s: float = 300.0,
    ) -> None:
        super().__init__()
        self.world = world
        self.client_id, self.client_secret = client_id, client_secret
        self.token_ttl_s = token_ttl_s
        self.calls_per_window, self.window_s = calls_per_window, window_s
        self._tokens: dict[str, float] = {}  # token -> expiry (monotonic seconds)
        self._calls: deque[float] = deque()
        self._lock = threading.Lock()
        self.tokens_issued = 0
        self.router.add("POST", TOKEN_PATH, self.token)
        self.router.add("GET", "/v1/private/business-units/{business_unit_id}/reviews", self.reviews)

    # -- hooks -------------------------------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        return {
            "TRUSTPILOT_CLIENT_ID": self.client_id,
            "TRUSTPILOT_CLIENT_SECRET": self.client_secret,
            "TRUSTPILOT_BUSINESS_UNIT_ID": BUSINESS_UNIT_ID,
            "TRUSTPILOT_BASE_URL": self.base_url,
        }

    def authenticate(self, req: Request) -> Response | None:
        if req.path == TOKEN_PATH:
            return None  # the token endpoint checks its Basic credentials itself
        scheme, _, value = req.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            return fault(401, "Invalid access token", "oauth.v2.InvalidAccessToken")
        with self._lock:
            expiry = self._tokens.get(value.strip())
        if expiry is None:
            return fault(401, "Invalid access token", "oauth.v2.InvalidAccessToken")
        if expiry <= time.monotonic():
            return fault(401, "Access Token expired", "keymanagement.service.access_token_expired")
        return None

    def admit(self, req: Request, route: Route) -> tuple[Response | None, list[tuple[str, str]]]:
        now = time.monotonic()
        with self._lock:
            while self._calls and self._calls[0] <= now - self.window_s:
                self._calls.popleft()
            if len(self._calls) >= self.calls_per_window:
                wait = max(1, int(self._calls[0] + self.window_s - now) + 1)
                resp = api_error(429, "Too Many Requests", "Rate limit quota violation")
                resp.headers.append(("Retry-After", str(wait)))
                return resp, []
            self._calls.append(now)
        return None, []

    def fault_response(self, kind: str) -> Response:
        if kind in ("429", "429_retry_after", "google_quota", "meta_rate_limit"):
            resp = api_error(429, "Too Many Requests", "Rate limit quota violation")
            if kind == "429_retry_after":
                resp.headers.append(("Retry-After", "1"))
            return resp
        if kind in ("502", "503"):
            return fault(
                int(kind), "The Service is temporarily unavailable", "messaging.adaptors.http.flow.ServiceUnavailable"
            )
        return api_error(500, "Internal server error", "An unexpected error occurred")

    def not_found(self, req: Request) -> Response:
        return api_error(404, "Not Found", f"No resource at {req.path}")

    def error(self, status: int, message: str) -> Response:
        return api_error(status, "Bad Request" if status == 400 else "Error", message)

    def common_headers(self) -> list[tuple[str, str]]:
        return [("X-Correlation-Id", str(uuid.uuid4()))]

    def control(self, req: Request, action: str) -> Response | None:
        if action == "limits":
            if req.method == "POST":
                data = req.json() or {}
                self.token_ttl_s = float(data.get("token_ttl_s", self.token_ttl_s))
                self.calls_per_window = int(data.get("calls_per_window", self.calls_per_window))
                self.window_s = float(data.get("window_s", self.window_s))
            body = {"token_ttl_s": self.token_ttl_s, "calls_per_window": self.calls_per_window}
            return Response.json(200, {**body, "window_s": self.window_s, "tokens_issued": self.tokens_issued})
        return None

    # -- handlers ----------------------------------------------------------------------------------------------

    def token(self, req: Request) -> Response:
        scheme, _, value = req.headers.get("authorization", "").partition(" ")
        try:
            key, _, secret = base64.b64decode(value.strip()).decode("utf-8").partition(":")
        except ValueError:
            key, secret = "", ""
        if scheme.lower() != "basic" or (key, secret) != (self.client_id, self.client_secret):
            return fault(401, "Invalid ApiKey", "oauth.v2.InvalidApiKey")
        if not req.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return api_error(415, "Unsupported Media Type", "Use application/x-www-form-urlencoded")
        form = parse_qs(req.body.decode("utf-8", "replace"))
        if form.get("grant_type", [""])[-1] != "client_credentials":
            return Response.json(400, {"error": "unsupported_grant_type"})
        token = uuid.uuid4().hex + uuid.uuid4().hex
        with self._lock:
            self._tokens[token] = time.monotonic() + self.token_ttl_s
            self.tokens_issued += 1
        # Trustpilot sends expires_in as a string of seconds.
        return Response.json(
            200, {"access_token": token, "expires_in": str(int(self.token_ttl_s)), "token_type": "Bearer"}
        )

    def _params(self, req: Request) -> tuple[int, int, str, int | None, int | None] | Response:
        try:
            page = int(req.arg("page", "1") or 1)
            per_page = int(req.arg("perPage", "20") or 20)
        except ValueError:
            return api_error(400, "Bad Request", "page and perPage must be integers")
        if page < 1 or not 1 <= per_page <= 100:
            return api_error(400, "Bad Request", "page must be >= 1 and perPage within 1..100")
        order = (req.arg("orderBy", "createdat.desc") or "createdat.desc").lower()
        if order not in ORDERS:
            return api_error(400, "Bad Request", f"orderBy must be one of {', '.join(ORDERS)}")
        try:
            start = _datetime_ms(req.arg("startDateTime") or "") if req.arg("startDateTime") else None
            end = _datetime_ms(req.arg("endDateTime") or "") if req.arg("endDateTime") else None
        except ValueError:
            return api_error(400, "Bad Request", "startDateTime and endDateTime must be ISO-8601 date-times")
        return page, per_page, order, start, end

    def reviews(self, req: Request) -> Response:
        if req.params["business_unit_id"] != BUSINESS_UNIT_ID:
            return api_error(403, "Forbidden", "The access token does not grant access to this business unit")
        parsed = self._params(req)
        if isinstance(parsed, Response):
            return parsed
        page, per_page, order, start, end = parsed
        rows = _filtered(review_book(self.world).trustpilot_at(self.world.now_ms), req, start, end)
        field, _, direction = order.partition(".")
        if field == "stars":
            rows.sort(key=lambda r: (r["stars"], r["createdAt"], r["id"]), reverse=direction == "desc")
        elif direction == "desc":
            rows.reverse()  # the book serves oldest first
        chunk = rows[(page - 1) * per_page : page * per_page]
        links = [
            {
                "href": f"{self.base_url}{req.path}?page={page + 1}&perPage={per_page}",
                "method": "GET",
                "rel": "next-page",
            }
        ]
        return Response.json(
            200, {"links": links if page * per_page < len(rows) else [], "reviews": chunk}, records=len(chunk)
        )


def _filtered(rows: list[dict[str, Any]], req: Request, start: int | None, end: int | None) -> list[dict[str, Any]]:
    stars = {int(s) for s in req.multi("stars") if s.isdigit()}
    language = set(req.multi("language"))
    reference, email = req.arg("referenceId"), req.arg("referralEmail")
    out = []
    for r in rows:
        created = _datetime_ms(r["createdAt"])
        if (start is not None and created < start) or (end is not None and created > end):
            continue
        if (stars and r["stars"] not in stars) or (language and r["language"] not in language):
            continue
        if (reference and r["referenceId"] != reference) or (email and r["referralEmail"] != email):
            continue
        out.append(r)
    return out
