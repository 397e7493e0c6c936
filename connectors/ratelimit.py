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
                if len(self._calls) < self.max_calls:
                    self._calls.append(now)
                    self.waited_s += waited
                    return waited
                pause = self.period_s - (now - self._calls[0]) + 0.001
            self._sleep(pause)
            waited += pause

    def penalise(self, seconds: float) -> None:
        """After a 429, treat the window as full for ``seconds`` so other threads back off too."""
        with self._lock:
            now = self._clock()
            fill_at = now + seconds - self.period_s
            self._calls.clear()
            self._calls.extend([fill_at] * self.max_calls)
