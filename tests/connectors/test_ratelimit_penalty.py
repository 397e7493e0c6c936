"""A 429 with a short Retry-After must not reset the client-side rate limiter: the penalty only ever extends the
wait, and the window keeps its history. Counted on what a scripted server saw, on a fake clock (no wall-clock
timing)."""

from __future__ import annotations

import random

from connectors.core.http import HttpClient, RetryPolicy
from connectors.core.ratelimit import SlidingWindowLimiter
from tests.connectors.scripted_server import Step, scripted_server


class FakeClock:
    """Time for the limiter, the client's sleeps and the server's request log, advanced only by sleeping."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _worst_window(times: list[float], period: float) -> int:
    return max(sum(1 for u in times if t - period < u <= t) for t in times)


def test_a_short_retry_after_does_not_reset_the_limiters_window() -> None:
    clock = FakeClock()
    answered = [0]

    def respond(request: dict) -> Step:
        answered[0] += 1
        if answered[0] == 50:
            return Step(429, {"message": "slow down"}, {"Retry-After": "1"})
        return Step(200, {"ok": True})

    with scripted_server(respond, clock=clock) as (url, script):
        limiter = SlidingWindowLimiter(100, 10.0, clock=clock, sleep=clock.sleep)
        client = HttpClient(
            url,
            source="testvendor",
            credential_env_var="TESTVENDOR_TOKEN",
            limiters={"default": limiter},
            retry=RetryPolicy(max_attempts=3, base_delay_s=0.01),
            sleep=clock.sleep,
            rng=random.Random(1),
        )
        for _ in range(300):
            client.get("/x")
    times = [r["at"] for r in script.requests]
    assert len(times) == 301
    # What the server saw, in any 10 s window: never more than the 100 the limiter promises.
    assert _worst_window(times, 10.0) <= 100
    # And the server's Retry-After was honoured: nothing within a second of the 429.
    at_429 = times[49]
    assert not [t for t in times[50:] if t < at_429 + 1.0]


def test_a_retry_after_longer_than_the_window_still_holds_every_call_back() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(5, 1.0, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    limiter.penalise(30.0)
    limiter.penalise(2.0)  # a later, shorter penalty does not shorten the first
    limiter.acquire()
    assert clock.now >= 30.0
