"""Client-side rate limiting: stay under a vendor's published window instead of bouncing off its 429s."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    """At most ``max_calls`` in any ``period_s`` seconds (HubSpot counts requests in a rolling 10-second window)."""

    def __init__(
        self,
        max_calls: int,
        period_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_calls < 1 or period_s <= 0:
            raise ValueError("a rate limiter needs max_calls >= 1 and period_s > 0")
        self.max_calls = max_calls
        self.period_s = period_s
        self._clock = clock
        self._sleep = sleep
        self._calls: deque[float] = deque()
        # No call before this instant (a 429's Retry-After), on top of the window: a penalty only ever adds waiting.
        self._blocked_until = float("-inf")
        self._lock = threading.Lock()
        self.waited_s = 0.0

    def acquire(self) -> float:
        """Block until a call is allowed, record it, and return how long we waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                while self._calls and now - self._calls[0] >= self.period_s:
                    self._calls.popleft()
                if now < self._blocked_until:
                    pause = self._blocked_until - now
                elif len(self._calls) < self.max_calls:
                    self._calls.append(now)
                    self.waited_s += waited
                    return waited
                else:
                    pause = self.period_s - (now - self._calls[0]) + 0.001
            self._sleep(pause)
            waited += pause

    def penalise(self, seconds: float) -> None:
        """After a 429, allow no call for ``seconds`` (every thread sharing the limiter backs off).

        The window's history is kept: a short Retry-After must not let a full window of calls through right after
        the calls that caused the 429 (it used to, refilling the window to expire all at once). A shorter penalty
        never shortens a longer one still running.
        """
        with self._lock:
            self._blocked_until = max(self._blocked_until, self._clock() + seconds)
