"""Google Ads API (REST) access through ``googleAds:searchStream``: the HTTP client (OAuth2 bearer token plus the
developer token), the envelope check and Google's error classifier.

searchStream answers with a JSON array of batches (int64 values as strings, camelCase keys); errors are Google RPC
status objects, also wrapped in an array.
"""

from __future__ import annotations

import re
from typing import Any

import requests

from connectors.core.http import Classified, HttpClient, RetryPolicy
from connectors.core.ratelimit import SlidingWindowLimiter
from connectors.google_ads.config import BASE_URL_ENV, DEVELOPER_TOKEN_ENV, TOKEN_ENV, GoogleAdsConfig

_DELAY = re.compile(r"^(\d+(?:\.\d+)?)s$")


def classify_google_ads(resp: requests.Response, body: Any) -> Classified | None:
    if isinstance(body, list) and body and isinstance(body[0], dict) and "error" in body[0]:
        body = body[0]  # searchStream wraps its error in an array
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict):
        return None
    status = err.get("status", "")
    details = []
    retry_after = None
    # An error body is vendor input like any other: odd shapes are skipped, never a crash in the classifier.
    for d in _objects(err.get("details")):
        errors = _objects(d.get("errors"))
        for e in errors:
            code = ",".join(f"{k}={v}" for k, v in _object(e.get("errorCode")).items())
            details.append(f"{code}: {e.get('message', '')}".strip(": "))
        delay = _object(d.get("quotaErrorDetails")).get("retryDelay")
        for e in errors:
            delay = delay or _object(_object(e.get("details")).get("quotaErrorDetails")).get("retryDelay")
        seconds = _DELAY.match(delay) if isinstance(delay, str) else None
        if seconds:
            retry_after = float(seconds.group(1))
    text = f"HTTP {resp.status_code} {status}: {err.get('message', '')}" + (
        f" ({'; '.join(details)})" if details else ""
    )
    if resp.status_code == 429 or status == "RESOURCE_EXHAUSTED":
        return Classified("rate_limited", text, retry_after)
    if resp.status_code in (401, 403) or status in ("UNAUTHENTICATED", "PERMISSION_DENIED"):
        return Classified("auth", text)
    if resp.status_code >= 500 or status in ("INTERNAL", "UNAVAILABLE", "DEADLINE_EXCEEDED"):
        return Classified("transient", text)
    return Classified("request", text)


def _objects(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class GoogleAdsApi:
    def __init__(self, config: GoogleAdsConfig, *, http: HttpClient | None = None) -> None:
        self.config = config
        headers = {"Authorization": f"Bearer {config.access_token}", "developer-token": config.developer_token}
        if config.login_customer_id:
            headers["login-customer-id"] = config.login_customer_id
        self.http = http or HttpClient(
            config.base_url,
            source="google_ads",
            credential_env_var=f"{TOKEN_ENV} / {DEVELOPER_TOKEN_ENV}",
            base_url_env_var=BASE_URL_ENV,
            headers=headers,
            secrets=[config.access_token, config.developer_token],
            timeout_s=config.timeout_s,
            retry=RetryPolicy(max_attempts=config.max_attempts, base_delay_s=config.backoff_base_s),
            limiters={"default": SlidingWindowLimiter(config.requests_per_minute, 60.0)},
            classifier=classify_google_ads,
        )

    def close(self) -> None:
        self.http.close()

    def search_stream(self, query: str) -> list[Any]:
        """All result rows of a GAQL query. A body that is not an array of batches is retried and then raises
        :class:`~connectors.core.errors.MalformedPageError` (the HTTP layer's envelope check)."""
        path = f"/{self.config.api_version}/customers/{self.config.customer_id}/googleAds:searchStream"
        body = self.http.post(path, json_body={"query": query}, expect=expect_batches)
        rows: list[Any] = []
        for batch in body:
            rows += batch.get("results", [])
        return rows


def expect_batches(body: Any) -> str | None:
    """searchStream answers a JSON array of batches, each an object whose ``results`` (absent when empty) is a list."""
    if not isinstance(body, list):
        return f"expected an array of batches, got {'an empty body' if body is None else type(body).__name__}"
    for i, batch in enumerate(body):
        if not isinstance(batch, dict):
            return f"batch {i} is a {type(batch).__name__}, not an object"
        if not isinstance(batch.get("results", []), list):
            return f"batch {i}: 'results' is a {type(batch['results']).__name__}"
    return None
