"""The sandbox driven by each vendor's official Python SDK.

Our connectors and the sandbox were written by the same people, so a misunderstanding of a vendor's API could hide
in both. The vendors' own client libraries (test-only dependencies, the ``dev`` extra) are an independent reading of
each contract: what they send, the sandbox must accept as the vendor does, and what the sandbox answers, they must
parse. One sandbox serves the whole package; its clock stands on a Wednesday afternoon so that Meta's week, month,
quarter and year presets all cover different days.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from sandbox.server.hubspot import RateLimits
from sandbox.testing import SandboxHandle, run_sandbox
from sandbox.world import World, WorldConfig

CONFIG = WorldConfig(people=150)
NOW = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="package")
def sdk_world() -> World:
    return World(CONFIG, now=NOW)


@pytest.fixture(scope="package")
def sdk_sandbox(sdk_world: World) -> Iterator[SandboxHandle]:
    # HubSpot's limits raised so the SDKs need not pace themselves; the limits have their own tests.
    with run_sandbox(sdk_world, rate_limits=RateLimits(search_per_second=1000, per_interval=100_000)) as sb:
        yield sb
