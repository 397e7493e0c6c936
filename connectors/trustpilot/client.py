"""Trustpilot business API access: the OAuth client-credentials token (fetched on first use and again when it
expires: client-credential tokens cannot be refreshed, so the same request is repeated), the error classifier and
page/perPage paging of the private reviews.

Tokens: ``POST /v1/oauth/oauth-business-users-for-applications/accesstoken`` with HTTP Basic ``API_KEY:API_SECRET``
and ``grant_type=client_credentials`` answers ``access_token`` and ``expires_in`` (seconds, a string). The client asks
for a new one a minute before it expires, and once more when the API answers 401 anyway (a token revoked early, a
clock that drifted); a second 401 is a real authentication error. Every token is masked in messages and logs.

Errors: Trustpilot's gateway answers ``{"fault": {"faultstring", "detail": {"errorcode"}}}``, its API
``{"message", "details"}``; the documented rate budget is 833 calls per 5 minutes (a client-side limiter).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import requests

from connectors.core.errors import AuthenticationError
from connectors.core.http import Classified, HttpClient, RetryPolicy, parse_retry_after
from connectors.core.paging import PageGuard
from connectors.core.ratelimit import SlidingWindowLimiter
from connectors.core.redaction import Redactor, register_secrets
from connectors.trustpilot.config import BASE_URL_ENV, CLIENT_ID_ENV, CLIENT_SECRET_ENV, TrustpilotConfig

TOKEN_PATH = "/v1/oauth/oauth-business-users-for-applications/accesstoken"
# Ask for a new token this long before the old one expires, so no request is sent with one about to lapse.
EXPIRY_MARGIN_S = 60.0


def classify_trustpilot(resp: requests.Response, body: Any) -> Classified | None:
    """Trustpilot's two error shapes, named in the message; the status decides the kind."""
    if resp.status_code < 400 or not isinstance(body, dict):
        return None
    fault = body.get("fault")
    if isinstance(fault, dict):
        raw_detail = fault.get("detail")
        detail: dict[str, Any] = raw_detail if isinstance(raw_detail, dict) else {}
        text = f"HTTP {resp.status_code}: {fault.get('faultstring', '')} ({detail.get('errorcode', '')})"
    elif "message" in body:
        text = f"HTTP {resp.status_code}: {body.get('message')}" + (
            f" ({body['details']})" if body.get("details") else ""
        )
    else:
        return None
    if resp.status_code == 429:
        return Classified("rate_limited", text, parse_retry_after(resp.headers.get("Retry-After")))
    if resp.status_code in (401, 403):
        return Classified("auth", text)
    if resp.status_code >= 500:
        return Classified("transient", text)
    return Classified("request", text)


def expect_reviews(body: Any) -> str | None:
    if not isinstance(body, dict):
        return f"expected an object with 'reviews', got {'an empty body' if body is None else type(body).__name__}"
    if not isinstance(body.get("reviews"), list):
        return "no 'reviews' list" if "reviews" not in body else f"'reviews' is a {type(body['reviews']).__name__}"
    return None


def expect_token(body: Any) -> str | None:
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str) or not body["access_token"]:
        return "no access_token in the token answer"
    return None


class TrustpilotApi:
    def __init__(
        self,
        config: TrustpilotConfig,
        *,
        http: HttpClient | None = None,
        token_http: HttpClient | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        common: dict[str, Any] = {
            "source": "trustpilot",
            "credential_env_var": f"{CLIENT_ID_ENV} / {CLIENT_SECRET_ENV}",
            "base_url_env_var": BASE_URL_ENV,
            "secrets": [config.client_id, config.client_secret],
            "timeout_s": config.timeout_s,
            "retry": RetryPolicy(max_attempts=config.max_attempts, base_delay_s=config.backoff_base_s),
            "classifier": classify_trustpilot,
        }
        # One limiter for both: the token calls count against the same budget.
        limiters = {"default": SlidingWindowLimiter(config.calls_per_window, config.window_s)}
        self.http = http or HttpClient(config.base_url, limiters=limiters, **common)
        self.token_http = token_http or HttpClient(
            config.base_url, auth=(config.client_id, config.client_secret), limiters=limiters, **common
        )
        self._clock = clock
        self._expires_at = 0.0
        self.tokens_fetched = 0

    def close(self) -> None:
        self.http.close()
        self.token_http.close()

    def authorize(self) -> None:
        """Fetch a new access token and send it from now on."""
        body = self.token_http.request(
            "POST", TOKEN_PATH, data={"grant_type": "client_credentials"}, expect=expect_token
        )
        token = body["access_token"]
        try:
            ttl = float(body.get("expires_in") or 0)
        except (TypeError, ValueError):
            ttl = 0.0  # unknown lifetime: use it until the API refuses it
        register_secrets([token])
        self.http.redact = Redactor([*self.http.redact.secrets, token])
        self.http.session.headers["Authorization"] = f"Bearer {token}"
        self._expires_at = self._clock() + ttl - EXPIRY_MARGIN_S if ttl > 0 else float("inf")
        self.tokens_fetched += 1

    def get(self, path: str, params: Mapping[str, Any]) -> Any:
        if self._clock() >= self._expires_at:
            self.authorize()
        try:
            return self.http.get(path, params=params, expect=expect_reviews)
        except AuthenticationError:
            self.authorize()  # expired or revoked early: one new token, then a 401 is the credentials' fault
            return self.http.get(path, params=params, expect=expect_reviews)

    def review_pages(self, params: Mapping[str, Any], page: int = 1) -> Iterator[tuple[list[Any], int | None]]:
        """Yield ``(reviews, the next page number or None)`` from ``page`` on; a short page is the last one."""
        path = f"/v1/private/business-units/{self.config.business_unit_id}/reviews"
        per_page = self.config.page_size
        guard = PageGuard(f"GET {path}", page)
        while True:
            body = self.get(path, {**params, "page": page, "perPage": per_page})
            items = body["reviews"]
            nxt = page + 1 if len(items) == per_page else None
            guard.after_page(items, nxt)
            yield items, nxt
            if nxt is None:
                return
            page = nxt
