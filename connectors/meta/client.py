"""Meta Graph API access shared by the Meta Ads and the Facebook Page / Instagram connectors: the HTTP client (the
token as a Bearer header), the envelope check, Graph's error classifier and cursor paging.

Graph conventions: cursor paging (``paging.cursors.after`` is present even on the last page; the end is the
absence of ``paging.next``), timestamps like ``2026-03-01T10:15:00+0000``, and errors in an ``error`` object whose
``code`` decides what happened — rate limits arrive as HTTP 400 with codes 4, 17, 32, 613 or 800xx.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import requests

from connectors.core.http import Classified, Expect, HttpClient, RetryPolicy
from connectors.core.paging import PageGuard
from connectors.core.ratelimit import SlidingWindowLimiter
from connectors.meta.config import BASE_URL_ENV, TOKEN_ENV, MetaConfig

# Codes Meta documents as throttling: app (4), user (17), page (32), ad account (613), business use case (800xx).
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613}) | frozenset(range(80000, 80010))
# 102/104: missing or invalid session or token; 190: expired token; 10 and 2xx: missing permissions.
PERMISSION_CODES = frozenset({10, 102, 104, 190}) | frozenset(range(200, 300))


def _usage_wait_s(resp: requests.Response) -> float | None:
    """``estimated_time_to_regain_access`` (minutes) from the business-use-case usage header, in seconds."""
    raw = resp.headers.get("X-Business-Use-Case-Usage")
    if not raw:
        return None
    try:
        usage = json.loads(raw)
    except (ValueError, RecursionError):  # a header is vendor input too: unreadable means no hint, not a crash
        return None
    minutes = 0.0
    for entries in usage.values() if isinstance(usage, dict) else []:
        for entry in entries if isinstance(entries, list) else []:
            value = entry.get("estimated_time_to_regain_access") if isinstance(entry, dict) else None
            if isinstance(value, int | float | str) and not isinstance(value, bool):
                try:
                    minutes = max(minutes, float(value))
                except ValueError:
                    continue
    return minutes * 60 if 0 < minutes < float("inf") else None


def expect_data(body: Any) -> str | None:
    """Every Graph edge page is ``{"data": [...], "paging": {...}}``.

    A ``paging`` object that announces a next page must carry the cursor to ask for it: without one, the stream would
    end here and silently miss the rest, so such a page is malformed (retried, then quarantined with the stream left
    partial).
    """
    if not isinstance(body, dict):
        return f"expected an object with 'data', got {'an empty body' if body is None else type(body).__name__}"
    if not isinstance(body.get("data"), list):
        return "no 'data' list" if "data" not in body else f"'data' is a {type(body['data']).__name__}"
    paging = body.get("paging")
    if paging is None:
        return None
    if not isinstance(paging, dict):
        return f"'paging' is a {type(paging).__name__}"
    cursors = paging.get("cursors")
    after = cursors.get("after") if isinstance(cursors, dict) else None
    if paging.get("next") and not (isinstance(after, str) and after):
        return "'paging.next' announces another page but 'paging.cursors.after' has no cursor for it"
    return None


def classify_graph(resp: requests.Response, body: Any) -> Classified | None:
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict):
        return None
    code = err.get("code")
    sub = err.get("error_subcode")
    trace = f" (fbtrace_id {err['fbtrace_id']})" if err.get("fbtrace_id") else ""
    text = f"Graph error {code}{f'/{sub}' if sub else ''}: {err.get('message', '')}{trace}"
    if code in RATE_LIMIT_CODES:
        return Classified("rate_limited", text, _usage_wait_s(resp))
    if code in PERMISSION_CODES:
        return Classified("auth", text)
    if err.get("is_transient") or code in (1, 2) or resp.status_code >= 500:
        return Classified("transient", text)
    return Classified("request", text)


class GraphApi:
    def __init__(self, config: MetaConfig, *, http: HttpClient | None = None) -> None:
        self.config = config
        self.http = http or HttpClient(
            config.base_url,
            source="meta",
            credential_env_var=TOKEN_ENV,
            base_url_env_var=BASE_URL_ENV,
            # The token travels in a header, never in URLs, so paging links and logs never carry it.
            headers={"Authorization": f"Bearer {config.access_token}"},
            secrets=[config.access_token],
            timeout_s=config.timeout_s,
            retry=RetryPolicy(max_attempts=config.max_attempts, base_delay_s=config.backoff_base_s),
            limiters={"default": SlidingWindowLimiter(config.requests_per_minute, 60.0)},
            classifier=classify_graph,
        )

    def close(self) -> None:
        self.http.close()

    def path(self, node: str, edge: str | None = None) -> str:
        return f"/{self.config.api_version}/{node}" + (f"/{edge}" if edge else "")

    def get(
        self,
        node: str,
        edge: str | None = None,
        params: Mapping[str, Any] | None = None,
        *,
        expect: Expect | None = None,
    ) -> dict[str, Any]:
        return self.http.get(self.path(node, edge), params=_encode(params or {}), expect=expect) or {}

    def post(self, node: str, edge: str | None = None, data: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return self.http.request("POST", self.path(node, edge), data=_encode(data or {})) or {}

    def pages(
        self, node: str, edge: str, params: Mapping[str, Any], after: str | None = None
    ) -> Iterator[tuple[dict[str, Any], str | None]]:
        """Yield ``(page body, cursor of the next page or None)``; the end is a page without ``paging.next``."""
        guard = PageGuard(f"GET {self.path(node, edge)}", after)
        while True:
            query = dict(params)
            if after:
                query["after"] = after
            body = self.get(node, edge, query, expect=expect_data)
            paging = body.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after") if paging.get("next") else None
            guard.after_page(body.get("data"), after)
            yield body, after
            if not after:
                return


def _encode(params: Mapping[str, Any]) -> dict[str, str]:
    """The SDK's encoding: lists and dicts as compact JSON with sorted keys, booleans as true/false."""
    out: dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, list | dict):
            out[key] = json.dumps(value, sort_keys=True, separators=(",", ":"))
        else:
            out[key] = str(value)
    return out
