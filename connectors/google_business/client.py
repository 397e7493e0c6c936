"""Google Business Profile access: two hosts (the Business Information API lists the account's locations, the My
Business API v4 their reviews), one OAuth bearer token, Google's RPC error classifier and ``pageToken`` paging.

Errors are ``{"error": {"code", "message", "status"}}``; 429 ``RESOURCE_EXHAUSTED`` is the per-minute quota (300
QPM once Google approves the project; 0 before, which answers 429 to every call and ends in RetriesExhaustedError).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import requests

from connectors.core.http import Classified, HttpClient, RetryPolicy, parse_retry_after
from connectors.core.paging import PageGuard
from connectors.core.ratelimit import SlidingWindowLimiter
from connectors.google_business.config import BASE_URL_ENV, LOCATIONS_URL_ENV, TOKEN_ENV, GoogleBusinessConfig

LOCATION_READ_MASK = "name,title,storeCode,storefrontAddress,categories"


def classify_google_business(resp: requests.Response, body: Any) -> Classified | None:
    err = body.get("error") if isinstance(body, dict) else None
    if resp.status_code < 400 or not isinstance(err, dict):
        return None
    status = err.get("status", "")
    text = f"HTTP {resp.status_code} {status}: {err.get('message', '')}"
    if resp.status_code == 429 or status == "RESOURCE_EXHAUSTED":
        return Classified("rate_limited", text, parse_retry_after(resp.headers.get("Retry-After")))
    if resp.status_code in (401, 403) or status in ("UNAUTHENTICATED", "PERMISSION_DENIED"):
        return Classified("auth", text)
    if resp.status_code >= 500 or status in ("INTERNAL", "UNAVAILABLE", "DEADLINE_EXCEEDED"):
        return Classified("transient", text)
    return Classified("request", text)


def expect_list(key: str) -> Callable[[Any], str | None]:
    """A list page is an object whose ``key`` list is absent when empty (Google omits empty repeated fields)."""

    def expect(body: Any) -> str | None:
        if not isinstance(body, dict):
            return f"expected an object, got {'an empty body' if body is None else type(body).__name__}"
        if not isinstance(body.get(key, []), list):
            return f"{key!r} is a {type(body[key]).__name__}"
        return None

    return expect


class GoogleBusinessApi:
    def __init__(
        self, config: GoogleBusinessConfig, *, http: HttpClient | None = None, locations_http: HttpClient | None = None
    ) -> None:
        self.config = config
        limiter = SlidingWindowLimiter(config.requests_per_minute, 60.0)

        def client(base_url: str, env: str) -> HttpClient:
            return HttpClient(
                base_url,
                source="google_business",
                credential_env_var=TOKEN_ENV,
                base_url_env_var=env,
                headers={"Authorization": f"Bearer {config.access_token}"},
                secrets=[config.access_token],
                timeout_s=config.timeout_s,
                retry=RetryPolicy(max_attempts=config.max_attempts, base_delay_s=config.backoff_base_s),
                limiters={"default": limiter},
                classifier=classify_google_business,
            )

        self.http = http or client(config.base_url, BASE_URL_ENV)
        self.locations_http = locations_http or client(config.locations_url, LOCATIONS_URL_ENV)

    def close(self) -> None:
        self.http.close()
        self.locations_http.close()

    def _pages(
        self, http: HttpClient, path: str, key: str, params: Mapping[str, Any], token: str | None
    ) -> Iterator[tuple[list[Any], str | None]]:
        guard = PageGuard(f"GET {path}", token)
        while True:
            body = http.get(path, params={**params, **({"pageToken": token} if token else {})}, expect=expect_list(key))
            items = body.get(key, [])
            nxt = body.get("nextPageToken") or None
            guard.after_page(items, nxt)
            yield items, nxt
            if nxt is None:
                return
            token = nxt

    def location_pages(self, token: str | None = None) -> Iterator[tuple[list[Any], str | None]]:
        path = f"/v1/accounts/{self.config.account_id}/locations"
        params = {"readMask": LOCATION_READ_MASK, "pageSize": 100}
        return self._pages(self.locations_http, path, "locations", params, token)

    def review_pages(self, location_id: str, token: str | None = None) -> Iterator[tuple[list[Any], str | None]]:
        """A location's reviews, newest change first (``orderBy=updateTime desc``)."""
        path = f"/v4/accounts/{self.config.account_id}/locations/{location_id}/reviews"
        params = {"pageSize": self.config.page_size, "orderBy": "updateTime desc"}
        return self._pages(self.http, path, "reviews", params, token)
