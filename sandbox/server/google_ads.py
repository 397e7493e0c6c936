"""The Google Ads API (REST) of the sandbox (https://developers.google.com/google-ads/api/rest/common/search):
``POST /vNN/customers/{customerId}/googleAds:searchStream`` (and the paged ``:search``) answering GAQL queries over
the world's campaigns, ad groups, daily metrics and click views.

searchStream answers a JSON array of ``SearchGoogleAdsStreamResponse`` batches (<= 10,000 rows each, ``fieldMask``
and ``requestId`` on every batch, ``queryResourceConsumption`` on the last); search answers one
``SearchGoogleAdsResponse`` per page, which has no request id field: both send the id in the ``request-id`` header
(https://developers.google.com/google-ads/api/reference/rpc/v24/SearchGoogleAdsResponse). Request bodies are checked
against the request messages (``google_ads_requests``). Errors are Google RPC status objects with a
``GoogleAdsFailure`` detail (https://developers.google.com/google-ads/api/docs/best-practices/understand-api-errors),
wrapped in an array for searchStream. Auth: ``Authorization: Bearer`` plus the ``developer-token`` header (and an
optional ``login-customer-id``). Quotas: a daily operations budget per developer token and a short-term rate
(429 ``RESOURCE_EXHAUSTED`` with ``quotaErrorDetails.retryDelay``).
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from sandbox.server.base import Request, Response, VendorApp
from sandbox.server.google_ads_requests import RequestError, SearchRequest, parse_request
from sandbox.world import catalog
from sandbox.world.projections import google_ads as gq
from sandbox.world.world import World

DEFAULT_TOKEN = "sandbox-google-ads-token"
DEFAULT_DEVELOPER_TOKEN = "sandbox-developer-token"
MANAGER_ID = "9990001112"
VERSIONS = frozenset({"v22", "v23", "v24", "v25", "v26"})
BATCH_ROWS = 10_000
_FAILURE = "type.googleapis.com/google.ads.googleads.{v}.errors.GoogleAdsFailure"
_BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
_BAD_GATEWAY_HTML = (
    b"<!DOCTYPE html><html lang=en><title>Error 502 (Server Error)!!1</title><p><b>502.</b> That's an error.</p>"
    b"<p>The server encountered a temporary error and could not complete your request.</p></html>\n"
)


def _request_id() -> str:
    return base64.urlsafe_b64encode(os.urandom(16)).decode()[:22]


@dataclass
class GoogleAdsLimits:
    """Per developer token: ``daily_operations`` (Basic access: 15,000) and ``per_minute`` requests."""

    daily_operations: int = 15_000
    per_minute: int = 1_000


def google_error(
    status: int,
    grpc_status: str,
    message: str,
    errors: list[dict[str, Any]] | None = None,
    *,
    version: str = "v24",
    stream: bool = True,
    headers: list[tuple[str, str]] | None = None,
    details: list[dict[str, Any]] | None = None,
) -> Response:
    err: dict[str, Any] = {"code": status, "message": message, "status": grpc_status}
    if errors:
        err["details"] = [{"@type": _FAILURE.format(v=version), "errors": errors, "requestId": _request_id()}]
    elif details:
        err["details"] = details
    body: Any = {"error": err}
    return Response.json(status, [body] if stream else body, headers)


def _failure(kind: str, code: str, message: str, **extra: Any) -> dict[str, Any]:
    e: dict[str, Any] = {"errorCode": {kind: code}, "message": message}
    e.update(extra)
    return e


class GoogleAdsApp(VendorApp):
    name = "google_ads"

    def __init__(
        self,
        world: World,
        *,
        token: str = DEFAULT_TOKEN,
        developer_token: str = DEFAULT_DEVELOPER_TOKEN,
        limits: GoogleAdsLimits | None = None,
    ) -> None:
        super().__init__()
        self.world = world
        self.token = token
        self.developer_token = developer_token
        self.limits = limits or GoogleAdsLimits()
        self._lock = threading.Lock()
        self._minute: deque[float] = deque()
        self._daily: dict[int, int] = {}
        r = self.router
        r.add("POST", "/{version}/customers/{customerId}/googleAds:searchStream", self.search_stream)
        r.add("POST", "/{version}/customers/{customerId}/googleAds:search", self.search)

    # -- hooks -------------------------------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        return {
            "GOOGLE_ADS_ACCESS_TOKEN": self.token,
            "GOOGLE_ADS_DEVELOPER_TOKEN": self.developer_token,
            "GOOGLE_ADS_CUSTOMER_ID": catalog.GOOGLE_CUSTOMER_ID,
            "GOOGLE_ADS_BASE_URL": self.base_url,
        }

    @staticmethod
    def _is_stream(req: Request) -> bool:
        return req.path.endswith(":searchStream")

    @staticmethod
    def _version(req: Request) -> str:
        v = req.path.split("/", 2)[1] if req.path.count("/") >= 2 else "v24"
        return v if v in VERSIONS else "v24"

    def authenticate(self, req: Request) -> Response | None:
        v, stream = self._version(req), self._is_stream(req)
        auth = req.headers.get("authorization", "")
        if not auth.lower().startswith("bearer "):
            return google_error(
                401,
                "UNAUTHENTICATED",
                "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie "
                "or other valid authentication credential.",
                version=v,
                stream=stream,
            )
        if auth[7:].strip() != self.token:
            return google_error(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
                "other valid authentication credential.",
                [_failure("authenticationError", "OAUTH_TOKEN_INVALID", "Oauth token is invalid.")],
                version=v,
                stream=stream,
            )
        dev = req.headers.get("developer-token")
        if not dev:
            return google_error(
                400,
                "INVALID_ARGUMENT",
                "Request contains an invalid argument.",
                [
                    _failure(
                        "requestError",
                        "DEVELOPER_TOKEN_PARAMETER_MISSING",
                        "The developer-token parameter is required for all requests.",
                    )
                ],
                version=v,
                stream=stream,
            )
        if dev != self.developer_token:
            return google_error(
                403,
                "PERMISSION_DENIED",
                "The caller does not have permission",
                [
                    _failure(
                        "authorizationError",
                        "DEVELOPER_TOKEN_PROHIBITED",
                        "Developer token is not allowed with project sent in the request.",
                    )
                ],
                version=v,
                stream=stream,
            )
        login = req.headers.get("login-customer-id")
        cid = req.path.split("/customers/", 1)[-1].split("/", 1)[0]
        if cid != catalog.GOOGLE_CUSTOMER_ID or (login and login.replace("-", "") not in (cid, MANAGER_ID)):
            return google_error(
                403,
                "PERMISSION_DENIED",
                "The caller does not have permission",
                [
                    _failure(
                        "authorizationError",
                        "USER_PERMISSION_DENIED",
                        "User doesn't have permission to access customer. Note: If you're accessing a client "
                        "customer, the manager's customer id must be set in the 'login-customer-id' header.",
                    )
                ],
                version=v,
                stream=stream,
            )
        return None

    def _quota(self, req: Request, scope: str, name: str, code: str, delay_s: int) -> Response:
        return google_error(
            429,
            "RESOURCE_EXHAUSTED",
            "Too many requests. Retry in " + str(delay_s) + " seconds.",
            [
                _failure(
                    "quotaError",
                    code,
                    "Too many requests. Retry in " + str(delay_s) + " seconds.",
                    details={"quotaErrorDetails": {"rateScope": scope, "rateName": name, "retryDelay": f"{delay_s}s"}},
                )
            ],
            version=self._version(req),
            stream=self._is_stream(req),
        )

    def admit(self, req: Request, route) -> tuple[Response | None, list[tuple[str, str]]]:
        now = time.monotonic()
        day = int(time.time() // 86400)
        with self._lock:
            if self._daily.get(day, 0) >= self.limits.daily_operations:
                return self._quota(
                    req,
                    "DEVELOPER",
                    "Number of operations for basic access",
                    "RESOURCE_EXHAUSTED",
                    86400 - int(time.time()) % 86400,
                ), []
            while self._minute and self._minute[0] <= now - 60:
                self._minute.popleft()
            if len(self._minute) >= self.limits.per_minute:
                wait = max(1, int(60 - (now - self._minute[0])) + 1)
                return self._quota(
                    req, "ACCOUNT", "Requests per developer token per minute", "RESOURCE_TEMPORARILY_EXHAUSTED", wait
                ), []
            self._minute.append(now)
            self._daily[day] = self._daily.get(day, 0) + 1
        return None, []

    def reset_limits(self) -> None:
        with self._lock:
            self._minute.clear()
            self._daily.clear()

    def fault_response(self, kind: str) -> Response:
        fake = Request("POST", "/v24/x:searchStream", {}, {}, b"")
        if kind in ("google_quota", "meta_rate_limit"):
            return self._quota(
                fake, "ACCOUNT", "Requests per developer token per minute", "RESOURCE_TEMPORARILY_EXHAUSTED", 1
            )
        if kind in ("429", "429_retry_after"):
            resp = google_error(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).")
            if kind == "429_retry_after":
                resp.headers.append(("Retry-After", "1"))
            return resp
        if kind == "502":
            return Response(502, _BAD_GATEWAY_HTML, content_type="text/html; charset=UTF-8")
        if kind == "503":
            return google_error(503, "UNAVAILABLE", "The service is currently unavailable.")
        return google_error(
            500,
            "INTERNAL",
            "Internal error encountered.",
            [_failure("internalError", "INTERNAL_ERROR", "An internal error has occurred.")],
        )

    def not_found(self, req: Request) -> Response:
        return Response(
            404, b"<!DOCTYPE html><html><title>Error 404 (Not Found)!!1</title></html>", content_type="text/html"
        )

    def error(self, status: int, message: str) -> Response:
        grpc = {400: "INVALID_ARGUMENT", 405: "INVALID_ARGUMENT", 500: "INTERNAL"}.get(status, "UNKNOWN")
        return google_error(status if status != 405 else 400, grpc, message)

    def control(self, req: Request, action: str) -> Response | None:
        if action == "limits":
            if req.method == "POST":
                data = req.json() or {}
                if "daily_operations" in data:
                    self.limits.daily_operations = int(data["daily_operations"])
                if "per_minute" in data:
                    self.limits.per_minute = int(data["per_minute"])
                if data.get("reset"):
                    self.reset_limits()
            return Response.json(
                200, {"daily_operations": self.limits.daily_operations, "per_minute": self.limits.per_minute}
            )
        return None

    # -- endpoints ---------------------------------------------------------------------------------------------

    def _run(self, req: Request) -> tuple[list[dict[str, Any]], str, SearchRequest] | Response:
        v = req.params["version"]
        stream = self._is_stream(req)
        if v not in VERSIONS:
            return self.not_found(req)
        try:
            body = req.json()
        except json.JSONDecodeError:
            return google_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.", version=v, stream=stream)
        parsed = parse_request({} if body is None else body, stream=stream, version=v)
        if isinstance(parsed, RequestError):
            violation: dict[str, Any] = {"description": parsed.message}
            if parsed.field:
                violation = {"field": parsed.field, **violation}
            return google_error(
                400,
                "INVALID_ARGUMENT",
                parsed.message,
                version=v,
                stream=stream,
                details=[{"@type": _BAD_REQUEST, "fieldViolations": [violation]}],
            )
        if parsed.settings.get("returnSummaryRow") or parsed.summary_row_setting.startswith("SUMMARY_ROW_"):
            return google_error(
                400,
                "INVALID_ARGUMENT",
                "The sandbox does not compute summary rows: leave returnSummaryRow / summaryRowSetting unset.",
                version=v,
                stream=stream,
            )
        if parsed.page_size:
            return google_error(
                400,
                "INVALID_ARGUMENT",
                "Request contains an invalid argument.",
                [
                    _failure(
                        "requestError",
                        "PAGE_SIZE_NOT_SUPPORTED",
                        f"Setting the page size is not supported. Search Responses will have fixed page size of "
                        f"'{BATCH_ROWS}' rows.",
                    )
                ],
                version=v,
                stream=stream,
            )
        query = parsed.query
        if not query.strip():
            return google_error(
                400,
                "INVALID_ARGUMENT",
                "Request contains an invalid argument.",
                [_failure("queryError", "EXPECTED_SELECT", "Error in query: expected SELECT.")],
                version=v,
                stream=stream,
            )
        try:
            rows = gq.run_query(query, self.world.ads_snapshot(), version=v)
            mask = gq.field_mask(query, v)
        except gq.GaqlError as exc:
            extra = {"trigger": {"stringValue": exc.trigger}} if exc.trigger else {}
            return google_error(
                400,
                "INVALID_ARGUMENT",
                "Request contains an invalid argument.",
                [_failure(exc.kind, exc.code, exc.message, **extra)],
                version=v,
                stream=stream,
            )
        return rows, mask, parsed

    def search_stream(self, req: Request) -> Response:
        got = self._run(req)
        if isinstance(got, Response):
            return got
        rows, mask, _ = got
        rid = _request_id()
        batches: list[dict[str, Any]] = []
        for i in range(0, max(1, len(rows)), BATCH_ROWS):
            chunk = rows[i : i + BATCH_ROWS]
            b: dict[str, Any] = {}
            if chunk:
                b["results"] = chunk
            b["fieldMask"] = mask
            b["requestId"] = rid
            batches.append(b)
        batches[-1]["queryResourceConsumption"] = str(50 + len(rows) // 20)
        return Response.json(200, batches, [("request-id", rid)], records=len(rows))

    def search(self, req: Request) -> Response:
        got = self._run(req)
        if isinstance(got, Response):
            return got
        rows, mask, parsed = got
        start = 0
        token = parsed.page_token
        if token:
            try:
                start = int(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode())
            except ValueError:
                return google_error(
                    400,
                    "INVALID_ARGUMENT",
                    "Request contains an invalid argument.",
                    [_failure("requestError", "INVALID_PAGE_TOKEN", "Page token is invalid.")],
                    version=req.params["version"],
                    stream=False,
                )
        if parsed.validate_only:
            rows = []
        chunk = [] if parsed.settings.get("omitResults") else rows[start : start + BATCH_ROWS]
        out: dict[str, Any] = {}
        if chunk:
            out["results"] = chunk
        if start + BATCH_ROWS < len(rows):
            out["nextPageToken"] = base64.urlsafe_b64encode(str(start + BATCH_ROWS).encode()).decode().rstrip("=")
        if parsed.settings.get("returnTotalResultsCount"):
            out["totalResultsCount"] = str(len(rows))
        out["fieldMask"] = mask
        out["queryResourceConsumption"] = str(50 + len(rows) // 20)
        # SearchGoogleAdsResponse has no request id (searchStream's batches do): REST sends it as a header only
        return Response.json(200, out, [("request-id", _request_id())], records=len(chunk))
