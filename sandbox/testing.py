"""Run the sandbox vendors in-process (background threads) for tests and scripts.

with run_sandbox(WorldConfig(people=200)) as sb:
    requests.get(sb.hubspot.base_url + "/crm/v3/objects/contacts",
                 headers={"Authorization": f"Bearer {sb.hubspot.token}"})
    sb.advance(days=1)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sandbox.server.base import VendorServer
from sandbox.server.faults import FaultPlan
from sandbox.server.hubspot import DEFAULT_TOKEN, HubSpotApp, RateLimits
from sandbox.world.config import WorldConfig
from sandbox.world.timeutil import iso_ms
from sandbox.world.world import World


@dataclass
class VendorHandle:
    """One running vendor: its base URL, token, stats and faults."""

    name: str
    server: VendorServer
    token: str

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def app(self) -> Any:
        return self.server.app

    def stats(self) -> dict[str, Any]:
        return self.server.stats.snapshot()

    def reset_stats(self) -> None:
        self.server.stats.reset()

    def set_faults(self, plan: FaultPlan | None = None, **kwargs: Any) -> FaultPlan:
        """``set_faults(rate=0.2, kinds=("500",), seed=1)`` or ``set_faults(FaultPlan(...))``; ``rate=0`` stops."""
        return self.server.set_faults(plan, **kwargs)

    def clear_faults(self) -> None:
        self.server.set_faults(FaultPlan())

    def env(self) -> dict[str, str]:
        return self.server.app.env()


@dataclass
class SandboxHandle:
    world: World
    vendors: dict[str, VendorHandle] = field(default_factory=dict)

    @property
    def hubspot(self) -> VendorHandle:
        return self.vendors["hubspot"]

    def advance(self, delta: timedelta | None = None, *, days: float = 0, hours: float = 0) -> list[int]:
        """Move the world's clock; every vendor serves the new state at once."""
        return self.world.advance(delta, days=days, hours=hours)

    def env(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for v in self.vendors.values():
            out.update(v.env())
        return out

    def close(self) -> None:
        for v in self.vendors.values():
            v.server.close()


def start_sandbox(
    world_or_config: World | WorldConfig | None = None,
    *,
    token: str = DEFAULT_TOKEN,
    fault_plan: FaultPlan | None = None,
    rate_limits: RateLimits | None = None,
    search_cap: int | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
) -> SandboxHandle:
    """Start every vendor server (HubSpot now) on free ports; call ``close()`` on the handle when done."""
    world = world_or_config if isinstance(world_or_config, World) else World(world_or_config or WorldConfig())

    def on_advance(hours: float) -> str:
        world.advance(hours=hours)
        return iso_ms(world.now_ms)

    hub = HubSpotApp(
        world.hubspot,
        token=token,
        rate_limits=rate_limits,
        search_cap=10_000 if search_cap is None else search_cap,
    )
    server = VendorServer(
        hub,
        host=host,
        port=port,
        fault_plan=fault_plan,
        on_advance=on_advance,
        clock=lambda: iso_ms(world.now_ms),
    ).start()
    return SandboxHandle(world=world, vendors={"hubspot": VendorHandle("hubspot", server, token)})


@contextmanager
def run_sandbox(
    world_or_config: World | WorldConfig | None = None,
    *,
    token: str = DEFAULT_TOKEN,
    fault_plan: FaultPlan | None = None,
    rate_limits: RateLimits | None = None,
    search_cap: int | None = None,
) -> Iterator[SandboxHandle]:
    handle = start_sandbox(
        world_or_config, token=token, fault_plan=fault_plan, rate_limits=rate_limits, search_cap=search_cap
    )
    try:
        yield handle
    finally:
        handle.close()
