"""Mailchimp API access: the HTTP client (basic auth with the API key, RFC 7807 errors) and offset/count paging.

Paging is ``offset``/``count`` (max 1,000) and ends at ``total_items``. Errors are RFC 7807 problem+json; there are no
rate-limit headers (the limit is 10 simultaneous connections; this connector uses one).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from connectors.core.http import HttpClient, RetryPolicy
from connectors.core.paging import PageGuard
from connectors.mailchimp.config import API_KEY_ENV, BASE_URL_ENV, MailchimpConfig


class MailchimpApi:
    def __init__(self, config: MailchimpConfig, *, http: HttpClient | None = None) -> None:
        self.config = config
        self.http = http or HttpClient(
            config.base_url,
            source="mailchimp",
            credential_env_var=API_KEY_ENV,
            base_url_env_var=BASE_URL_ENV,
            auth=("journeyhub", config.api_key),
            secrets=[config.api_key],
            timeout_s=config.timeout_s,
            retry=RetryPolicy(max_attempts=config.max_attempts, base_delay_s=config.backoff_base_s),
        )

    def close(self) -> None:
        self.http.close()

    def pages(
        self, path: str, key: str, params: Mapping[str, Any], offset: int = 0
    ) -> Iterator[tuple[list[Any] | Any, int | None]]:
        """Yield ``(items, offset of the next page or None)`` for an offset/count collection.

        Offsets only grow, so they cannot repeat; what can is the page: a server (or a cache in front of it) that
        ignores ``offset`` answers the first page again and again, and walking on to ``total_items`` would end
        "complete" with the other records never read. The guard stops at the first repeated page.
        """
        count = self.config.page_size
        guard = PageGuard(f"GET {path}", offset)
        while True:
            body = self.http.get(
                path, params={**params, "count": count, "offset": offset}, expect=lambda b: expect_collection(b, key)
            )
            items = body.get(key)
            total = body.get("total_items")
            n = len(items) if isinstance(items, list) else 0
            nxt = offset + n
            more = isinstance(items, list) and n == count and (not isinstance(total, int) or nxt < total)
            guard.after_page(items, nxt if more else None)
            yield items, nxt if more else None
            if not more:
                return
            offset = nxt

    def all_items(self, path: str, key: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for items, _ in self.pages(path, key, params):
            out += [i for i in items or [] if isinstance(i, dict)]
        return out


def expect_collection(body: Any, key: str) -> str | None:
    """Every collection page is ``{<key>: [...], "total_items": n, ...}``."""
    if not isinstance(body, dict):
        return f"expected an object with {key!r}, got {'an empty body' if body is None else type(body).__name__}"
    if not isinstance(body.get(key), list):
        return f"no {key!r} list" if key not in body else f"{key!r} is a {type(body[key]).__name__}"
    return None
