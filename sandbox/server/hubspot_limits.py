"""HubSpot's rate limits per token: a rolling 10-second window for most endpoints (with the
``X-HubSpot-RateLimit-*`` headers), a per-second limit of its own for CRM search (no headers), and a daily
allowance shared by both (https://developers.hubspot.com/docs/api/usage-details)."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

from sandbox.server.base import Response
from sandbox.server.hubspot_errors import correlation_id as _cid
from sandbox.server.hubspot_errors import error as _error


@dataclass
class RateLimits:
    """Per-token limits. ``per_interval`` requests per ``interval_ms`` rolling window (non-search endpoints),
    ``search_per_second`` for the CRM search endpoints, ``daily`` per UTC day."""

    per_interval: int = 190
    interval_ms: int = 10_000
    search_per_second: int = 5
    daily: int = 650_000


class RateLimiter:
    """The calls each token made recently, checked against ``limits`` (which the control endpoint may replace)."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self.lock = threading.Lock()
        self.window: dict[str, deque[float]] = {}
        self.search: dict[str, deque[float]] = {}
        self.daily: dict[tuple[str, int], int] = {}

    @staticmethod
    def _trim(q: deque[float], now: float, span: float) -> None:
        while q and q[0] <= now - span:
            q.popleft()

    def admit(self, token: str, is_search: bool) -> tuple[Response | None, list[tuple[str, str]]]:
        """(the 429 to answer, or None; headers for the real response)."""
        now = time.monotonic()
        lim = self.limits
        day = int(time.time() // 86400)
        with self.lock:
            used_today = self.daily.get((token, day), 0)
            if used_today >= lim.daily:
                return _error(
                    429,
                    "RATE_LIMIT",
                    "You have reached your daily limit.",
                    extra={"errorType": "RATE_LIMIT", "policyName": "DAILY", "requestId": _cid()},
                ), []
            if is_search:
                q = self.search.setdefault(token, deque())
                self._trim(q, now, 1.0)
                if len(q) >= lim.search_per_second:
                    return _error(
                        429,
                        "RATE_LIMIT",
                        "You have reached your secondly limit.",
                        extra={"errorType": "RATE_LIMIT", "policyName": "SECONDLY", "requestId": _cid()},
                    ), []
                q.append(now)
                self.daily[(token, day)] = used_today + 1
                return None, []
            q = self.window.setdefault(token, deque())
            self._trim(q, now, lim.interval_ms / 1000)
            if len(q) >= lim.per_interval:
                headers = self.rate_headers(0, lim.daily - used_today)
                return _error(
                    429,
                    "RATE_LIMIT",
                    "You have reached your ten_secondly_rolling limit.",
                    extra={"errorType": "RATE_LIMIT", "policyName": "TEN_SECONDLY_ROLLING", "requestId": _cid()},
                    headers=headers,
                ), []
            q.append(now)
            self.daily[(token, day)] = used_today + 1
            return None, self.rate_headers(lim.per_interval - len(q), lim.daily - used_today - 1)

    def rate_headers(self, remaining: int, daily_remaining: int) -> list[tuple[str, str]]:
        lim = self.limits
        return [
            ("X-HubSpot-RateLimit-Daily", str(lim.daily)),
            ("X-HubSpot-RateLimit-Daily-Remaining", str(max(0, daily_remaining))),
            ("X-HubSpot-RateLimit-Interval-Milliseconds", str(lim.interval_ms)),
            ("X-HubSpot-RateLimit-Max", str(lim.per_interval)),
            ("X-HubSpot-RateLimit-Remaining", str(max(0, remaining))),
        ]

    def reset(self) -> None:
        with self.lock:
            self.window.clear()
            self.search.clear()
            self.daily.clear()
