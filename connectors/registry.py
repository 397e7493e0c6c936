"""Every source this project can sync, built from environment variables (for the CLI and tests)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path

from connectors.base import Connector

START_DATE_ENV = "JOURNEYHUB_START_DATE"
TODAY_ENV = "JOURNEYHUB_TODAY"


def history_start(env: Mapping[str, str]) -> date:
    """First day of history for date-windowed streams (ad metrics)."""
    return date.fromisoformat(env.get(START_DATE_ENV) or "2026-01-01")


def today_from(env: Mapping[str, str]) -> Callable[[], date]:
    """ "Today" for date-windowed streams: the wall clock unless pinned (the sandbox pins its world clock)."""
    pinned = env.get(TODAY_ENV)
    return (lambda: date.fromisoformat(pinned)) if pinned else (lambda: datetime.now(UTC).date())


def _hubspot(env: Mapping[str, str]) -> Connector:
    from connectors.hubspot import HubSpotConfig, HubSpotConnector

    return HubSpotConnector(HubSpotConfig.from_env(env))


def _mailchimp(env: Mapping[str, str]) -> Connector:
    from connectors.mailchimp import MailchimpConfig, MailchimpConnector

    return MailchimpConnector(MailchimpConfig.from_env(env))


def _meta_ads(env: Mapping[str, str]) -> Connector:
    from connectors.meta import MetaAdsConnector, MetaConfig

    return MetaAdsConnector(MetaConfig.from_env(env), start_date=history_start(env), today=today_from(env))


def _social(env: Mapping[str, str]) -> Connector:
    from connectors.meta import MetaConfig, SocialConnector

    return SocialConnector(MetaConfig.from_env(env))


def _google_ads(env: Mapping[str, str]) -> Connector:
    from connectors.google_ads import GoogleAdsConfig, GoogleAdsConnector

    return GoogleAdsConnector(GoogleAdsConfig.from_env(env), start_date=history_start(env), today=today_from(env))


SOURCES: dict[str, Callable[[Mapping[str, str]], Connector]] = {
    "hubspot": _hubspot,
    "mailchimp": _mailchimp,
    "meta_ads": _meta_ads,
    "social": _social,
    "google_ads": _google_ads,
}


def connector_from_env(source: str, env: Mapping[str, str] | None = None) -> Connector:
    if source not in SOURCES:
        raise KeyError(f"unknown source {source!r}; known: {', '.join(SOURCES)}")
    from connectors.contracts import ContractLimits

    env = os.environ if env is None else env
    connector = SOURCES[source](env)
    # Timestamp plausibility follows the same clock as the date windows (JOURNEYHUB_TODAY when pinned).
    connector.limits = ContractLimits.from_env(env)
    return connector


def stream_names() -> dict[str, tuple[str, ...]]:
    """Every source's raw tables, without needing credentials."""
    from connectors.google_ads import GoogleAdsConnector
    from connectors.hubspot import HubSpotConnector
    from connectors.mailchimp import MailchimpConnector
    from connectors.meta import MetaAdsConnector, SocialConnector

    classes = (HubSpotConnector, MailchimpConnector, MetaAdsConnector, SocialConnector, GoogleAdsConnector)
    return {cls.source: cls.stream_names for cls in classes}


def ensure_raw_tables(warehouse_path: str | Path) -> None:
    """Create every source's raw tables (empty when never synced), so models over a source that is not configured
    yet read zero rows instead of failing."""
    from connectors.raw_store import RawStore

    for source, streams in stream_names().items():
        with RawStore(warehouse_path, source) as store:
            for stream in streams:
                store.ensure_stream(stream)
