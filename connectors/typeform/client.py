"""Typeform API access: the HTTP client (Bearer personal access token, 2 requests per second) and its paging.

* ``GET /forms`` pages by ``page`` / ``page_size`` (at most 200) and ends at ``page_count``.
* ``GET /forms/{form_id}`` is one form's definition (its ``fields`` and ``hidden`` field names).
* ``GET /forms/{form_id}/responses`` answers newest first; the documented way through more than one page is
  ``before=<token of the page's last item>`` (``page_size`` at most 1,000), inside a fixed ``since`` / ``until``
  window. With ``completed=true`` the window applies to ``submitted_at`` and only submitted responses are listed.

Errors are ``{"code": ..., "description": ...}``; a 429 carries no ``Retry-After`` (exponential backoff then).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from connectors.core.errors import ConfigurationError, MalformedPageError
from connectors.core.http import HttpClient, RetryPolicy
from connectors.core.paging import PageGuard
from connectors.core.ratelimit import SlidingWindowLimiter
from connectors.typeform.config import BASE_URL_ENV, TOKEN_ENV, TypeformConfig

FORMS_PAGE_SIZE = 200  # the most GET /forms gives per page
MAX_RESPONSES_PAGE = 1000


def limiter_for(requests_per_second: float) -> SlidingWindowLimiter:
    """``requests_per_second`` as a sliding window (2/s: two calls in any second; 0.5/s: one in any two)."""
    if requests_per_second <= 0:
        raise ConfigurationError("TYPEFORM_REQUESTS_PER_SECOND must be above 0", source="typeform")
    calls = max(1, int(requests_per_second))
    return SlidingWindowLimiter(calls, calls / requests_per_second)


class TypeformApi:
    def __init__(self, config: TypeformConfig, *, http: HttpClient | None = None) -> None:
        if not 1 <= config.page_size <= MAX_RESPONSES_PAGE:
            raise ConfigurationError(
                f"TYPEFORM_PAGE_SIZE={config.page_size} is outside 1..{MAX_RESPONSES_PAGE} (Typeform's maximum)",
                source="typeform",
            )
        self.config = config
        self.http = http or HttpClient(
            config.base_url,
            source="typeform",
            credential_env_var=TOKEN_ENV,
            base_url_env_var=BASE_URL_ENV,
            headers={"Authorization": f"Bearer {config.token}"},
            secrets=[config.token],
            timeout_s=config.timeout_s,
            retry=RetryPolicy(max_attempts=config.max_attempts, base_delay_s=config.backoff_base_s),
            limiters={"default": limiter_for(config.requests_per_second)},
        )

    def close(self) -> None:
        self.http.close()

    def form_ids(self) -> list[str]:
        """The configured forms, or every form the token can read (``GET /forms``), in the order listed."""
        wanted = self.config.forms_wanted()
        if wanted:
            return wanted
        return [str(f["id"]) for f in self.forms() if isinstance(f, dict) and f.get("id")]

    def forms(self) -> list[Any]:
        """The form list (``id``, ``title``, ``last_updated_at``, links), every page of it."""
        out: list[Any] = []
        page = 1
        guard = PageGuard("GET /forms", page)
        while True:
            body = self.http.get(
                "/forms", params={"page": page, "page_size": FORMS_PAGE_SIZE}, expect=lambda b: expect_items(b)
            )
            items = body["items"]
            count = body.get("page_count")
            more = bool(items) and isinstance(count, int) and page < count
            guard.after_page(items, page + 1 if more else None)
            out += items
            if not more:
                return out
            page += 1

    def form(self, form_id: str) -> dict[str, Any]:
        """One form's definition."""
        return self.http.get(f"/forms/{form_id}", expect=expect_form)

    def response_pages(
        self, form_id: str, window: dict[str, str], before: str | None = None
    ) -> Iterator[tuple[list[Any], str | None]]:
        """Yield ``(items, token to ask the next page before, or None)`` for one form's submitted responses in
        ``window`` (``since`` / ``until``), newest first, from ``before`` on (a resumed run's position)."""
        path = f"/forms/{form_id}/responses"
        guard = PageGuard(f"GET {path}", before)
        size = self.config.page_size
        while True:
            params: dict[str, Any] = {"page_size": size, "completed": "true", **window}
            if before:
                params["before"] = before
            body = self.http.get(path, params=params, expect=lambda b: expect_items(b))
            items = body["items"]
            nxt = None
            if len(items) == size:  # a full page: there may be more before its last response
                nxt = _last_token(items)
                if nxt is None:
                    raise MalformedPageError(
                        f"typeform: a full page of {path} has no response token to page on",
                        source="typeform",
                        request=f"GET {path}",
                        problem="no item with a 'token' on a full page",
                    )
            guard.after_page(items, nxt)
            yield items, nxt
            if nxt is None:
                return
            before = nxt


def _last_token(items: list[Any]) -> str | None:
    """The token of the page's last response that has one (a token-less item is quarantined by the contract; paging
    goes on from the one before it, so nothing after it is skipped)."""
    for item in reversed(items):
        token = item.get("token") if isinstance(item, dict) else None
        if isinstance(token, str) and token:
            return token
    return None


def expect_items(body: Any) -> str | None:
    """Every list page is ``{"total_items": n, "page_count": n, "items": [...]}``."""
    if not isinstance(body, dict):
        return f"expected an object with 'items', got {'an empty body' if body is None else type(body).__name__}"
    if not isinstance(body.get("items"), list):
        return "no 'items' list" if "items" not in body else f"'items' is a {type(body['items']).__name__}"
    return None


def expect_form(body: Any) -> str | None:
    if not isinstance(body, dict) or not body.get("id"):
        return "expected a form definition with an 'id'"
    if not isinstance(body.get("fields", []), list):
        return f"'fields' is a {type(body['fields']).__name__}, not a list"
    return None
