"""Run the sandbox vendors in-process (background threads) for tests and scripts.

with run_sandbox(WorldConfig(people=200)) as sb:
    requests.get(sb.hubspot.base_url + "/crm/v3/objects/contacts",
                 headers={"Authorization": f"Bearer {sb.hubspot.token}"})
    sb.advance(days=1)
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sandbox.server.base import VendorApp, VendorServer
from sandbox.server.faults import FaultPlan
from sandbox.server.google_ads import GoogleAdsApp, GoogleAdsLimits
from sandbox.server.google_business import GoogleBusinessApp
from sandbox.server.hubspot import DEFAULT_TOKEN, HubSpotApp, RateLimits
from sandbox.server.mailchimp import MailchimpApp
from sandbox.server.meta import MetaApp, MetaLimits
from sandbox.server.trustpilot import TrustpilotApp
from sandbox.server.typeform import TypeformApp, TypeformLimits
from sandbox.world.config import WorldConfig
from sandbox.world.projections.segment_files import SegmentExport
from sandbox.world.timeutil import iso_date, iso_ms
from sandbox.world.world import World

VENDORS: tuple[str, ...] = (
    "hubspot",
    "mailchimp",
    "meta",
    "google_ads",
    "typeform",
    "trustpilot",
    "google_business",
)


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
class HubSpotHandle(VendorHandle):
    """The HubSpot vendor plus its write log: every reverse-ETL write call that reached a handler (reads are not
    logged), including ones rejected with 400 and ones answered 500 by the ``apply_then_500`` fault."""

    def writes(self) -> list[dict[str, Any]]:
        """``[{"method", "path", "route", "inputs", "status", "fault", "at"}, …]`` in call order."""
        return self.server.app.write_log.calls()

    def write_call_count(self) -> int:
        return self.server.app.write_log.count()

    def reset_writes(self) -> None:
        self.server.app.write_log.reset()


@dataclass
class SandboxHandle:
    world: World
    vendors: dict[str, VendorHandle] = field(default_factory=dict)
    segment: SegmentExport | None = None  # the Segment export files (a folder; advance adds files)
    segment_dir: Path | None = None
    _segment_tmp: Path | None = None  # a folder of our own, removed on close

    @property
    def hubspot(self) -> HubSpotHandle:
        handle = self.vendors["hubspot"]
        assert isinstance(handle, HubSpotHandle)
        return handle

    @property
    def mailchimp(self) -> VendorHandle:
        return self.vendors["mailchimp"]

    @property
    def meta(self) -> VendorHandle:
        return self.vendors["meta"]

    @property
    def google_ads(self) -> VendorHandle:
        return self.vendors["google_ads"]

    @property
    def typeform(self) -> VendorHandle:
        return self.vendors["typeform"]

    @property
    def trustpilot(self) -> VendorHandle:
        return self.vendors["trustpilot"]

    @property
    def google_business(self) -> VendorHandle:
        return self.vendors["google_business"]

    def advance(
        self, delta: timedelta | None = None, *, days: float = 0, hours: float = 0, minutes: float = 0
    ) -> list[int]:
        """Move the world's clock; every vendor serves the new state at once."""
        return self.world.advance(delta, days=days, hours=hours, minutes=minutes)

    def env(self) -> dict[str, str]:
        """Every vendor's variables plus ``JOURNEYHUB_START_DATE`` (the world's start) and ``JOURNEYHUB_TODAY``
        (the clock's date, which connectors use as "today" for insight ranges and the click_view window)."""
        out: dict[str, str] = {}
        for v in self.vendors.values():
            out.update(v.env())
        out["JOURNEYHUB_START_DATE"] = self.world.config.start_date.isoformat()
        out["JOURNEYHUB_TODAY"] = iso_date(self.world.now_ms)
        if self.segment is not None and self.segment_dir is not None:
            out["SEGMENT_EXPORT_PATH"] = str(self.segment_dir)
            out["SEGMENT_SOURCE_ID"] = self.segment.source_id
        return out

    def today(self):
        """The clock's date (``datetime.date``): what connectors should use as today."""
        return self.world.now.date()

    def close(self) -> None:
        for v in self.vendors.values():
            v.server.close()
        if self.segment is not None:
            self.world.stop_segment_export(self.segment)
        if self._segment_tmp is not None:
            shutil.rmtree(self._segment_tmp, ignore_errors=True)
            self._segment_tmp = None


def start_sandbox(
    world_or_config: World | WorldConfig | None = None,
    *,
    token: str = DEFAULT_TOKEN,
    fault_plan: FaultPlan | None = None,
    rate_limits: RateLimits | None = None,
    search_cap: int | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    meta_limits: MetaLimits | None = None,
    google_ads_limits: GoogleAdsLimits | None = None,
    vendors: tuple[str, ...] = VENDORS,
    segment_export: str | Path | bool = True,
    segment_bad_line_rate: float = 0.0,
    typeform_limits: TypeformLimits | None = None,
) -> SandboxHandle:
    """Start every vendor server (HubSpot, Mailchimp, Meta, Google Ads, Typeform, Trustpilot, Google Business
    Profile) on free ports (``port`` fixes HubSpot's); call ``close()`` on the handle when done. ``fault_plan``
    applies to every vendor (each gets its own copy).

    ``segment_export``: the folder the Segment export files go to (``True``: a temporary folder removed on close;
    ``False``: none); ``env()`` then holds ``SEGMENT_EXPORT_PATH`` and ``SEGMENT_SOURCE_ID``, and ``advance`` adds
    the files of the windows it completes. ``segment_bad_line_rate`` adds corrupt lines (off by default)."""
    world = world_or_config if isinstance(world_or_config, World) else World(world_or_config or WorldConfig())

    def on_advance(hours: float) -> str:
        world.advance(hours=hours)
        return iso_ms(world.now_ms)

    apps: dict[str, tuple[VendorApp, str]] = {}
    if "hubspot" in vendors:
        hub = HubSpotApp(
            world.hubspot,
            token=token,
            rate_limits=rate_limits,
            search_cap=10_000 if search_cap is None else search_cap,
            web_events=world.hubspot_web_event_index,
            marketing_events=world,
        )
        apps["hubspot"] = (hub, token)
    if "mailchimp" in vendors:
        mc = MailchimpApp(world)
        apps["mailchimp"] = (mc, mc.api_key)
    if "meta" in vendors:
        meta = MetaApp(world, limits=meta_limits)
        apps["meta"] = (meta, meta.token)
    if "google_ads" in vendors:
        ga = GoogleAdsApp(world, limits=google_ads_limits)
        apps["google_ads"] = (ga, ga.token)
    if "typeform" in vendors:
        tf = TypeformApp(world, limits=typeform_limits)
        apps["typeform"] = (tf, tf.token)
    if "trustpilot" in vendors:
        tp = TrustpilotApp(world)
        apps["trustpilot"] = (tp, tp.client_secret)
    if "google_business" in vendors:
        gb = GoogleBusinessApp(world)
        apps["google_business"] = (gb, gb.token)
    handle = SandboxHandle(world=world)
    try:
        if segment_export is not False:
            if segment_export is True:
                handle._segment_tmp = Path(tempfile.mkdtemp(prefix="sandbox-segment-"))
                handle.segment_dir = handle._segment_tmp
            else:
                handle.segment_dir = Path(segment_export)
            handle.segment = world.segment_export(handle.segment_dir, bad_line_rate=segment_bad_line_rate)
        for name, (app, tok) in apps.items():
            plan = None
            if fault_plan is not None:
                plan = FaultPlan(fault_plan.rate, fault_plan.kinds, fault_plan.seed, fault_plan.slow_seconds)
            server = VendorServer(
                app,
                host=host,
                port=port if name == "hubspot" else 0,
                fault_plan=plan,
                on_advance=on_advance,
                clock=lambda: iso_ms(world.now_ms),
            ).start()
            handle_type = HubSpotHandle if name == "hubspot" else VendorHandle
            handle.vendors[name] = handle_type(name, server, tok)
    except BaseException:
        handle.close()
        raise
    return handle


@contextmanager
def run_sandbox(
    world_or_config: World | WorldConfig | None = None,
    *,
    token: str = DEFAULT_TOKEN,
    fault_plan: FaultPlan | None = None,
    rate_limits: RateLimits | None = None,
    search_cap: int | None = None,
    meta_limits: MetaLimits | None = None,
    google_ads_limits: GoogleAdsLimits | None = None,
    vendors: tuple[str, ...] = VENDORS,
    segment_export: str | Path | bool = True,
    segment_bad_line_rate: float = 0.0,
    typeform_limits: TypeformLimits | None = None,
) -> Iterator[SandboxHandle]:
    handle = start_sandbox(
        world_or_config,
        token=token,
        fault_plan=fault_plan,
        rate_limits=rate_limits,
        search_cap=search_cap,
        meta_limits=meta_limits,
        google_ads_limits=google_ads_limits,
        vendors=vendors,
        segment_export=segment_export,
        segment_bad_line_rate=segment_bad_line_rate,
        typeform_limits=typeform_limits,
    )
    try:
        yield handle
    finally:
        handle.close()
