"""Every source this project can sync, and the one place that builds its connector from environment variables
(the CLI, the Dagster resources and the tests all go through :func:`connector_from_env`)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.base import Connector
from connectors.core.clock import START_DATE_ENV, TODAY_ENV, DateRange, history_start, today_from
from connectors.core.settings import secret_variables
from connectors.google_ads import GoogleAdsConfig, GoogleAdsConnector
from connectors.google_business import GoogleBusinessConfig, GoogleBusinessConnector
from connectors.hubspot import HubSpotConfig, HubSpotConnector
from connectors.mailchimp import MailchimpConfig, MailchimpConnector
from connectors.meta import MetaAdsConnector, MetaConfig, SocialConnector
from connectors.raw.contracts import SKEW_ENV, ContractLimits
from connectors.raw.store import RawStore
from connectors.segment import SegmentConfig, SegmentConnector
from connectors.segment.config import AWS_VARIABLES
from connectors.trustpilot import TrustpilotConfig, TrustpilotConnector
from connectors.typeform import TypeformConfig, TypeformConnector

# Variables every source reads: the history start, the pinned clock and the contract's clock skew.
SHARED_VARIABLES = (START_DATE_ENV, TODAY_ENV, SKEW_ENV)


def _hubspot(env: Mapping[str, str], _range: DateRange | None) -> Connector:
    return HubSpotConnector(HubSpotConfig.from_env(env))


def _mailchimp(env: Mapping[str, str], _range: DateRange | None) -> Connector:
    return MailchimpConnector(MailchimpConfig.from_env(env))


def _meta_ads(env: Mapping[str, str], date_range: DateRange | None) -> Connector:
    return MetaAdsConnector(
        MetaConfig.from_env(env), start_date=history_start(env), insights_range=date_range, today=today_from(env)
    )


def _social(env: Mapping[str, str], _range: DateRange | None) -> Connector:
    return SocialConnector(MetaConfig.from_env(env))


def _google_ads(env: Mapping[str, str], date_range: DateRange | None) -> Connector:
    return GoogleAdsConnector(
        GoogleAdsConfig.from_env(env), start_date=history_start(env), date_range=date_range, today=today_from(env)
    )


def _segment(env: Mapping[str, str], date_range: DateRange | None) -> Connector:
    return SegmentConnector(SegmentConfig.from_env(env), days=date_range)


def _typeform(env: Mapping[str, str], _range: DateRange | None) -> Connector:
    return TypeformConnector(TypeformConfig.from_env(env))


def _trustpilot(env: Mapping[str, str], _range: DateRange | None) -> Connector:
    return TrustpilotConnector(TrustpilotConfig.from_env(env))


def _google_business(env: Mapping[str, str], _range: DateRange | None) -> Connector:
    return GoogleBusinessConnector(GoogleBusinessConfig.from_env(env))


@dataclass(frozen=True)
class SourceSpec:
    """How a source is configured: every variable starting with one of ``prefixes`` (plus the shared ones) is its
    setting, ``secrets`` are the ones never shown anywhere (the ``secret`` rows of its configuration's ``SETTINGS``),
    ``build`` turns the variables into a connector."""

    name: str
    prefixes: tuple[str, ...]
    secrets: tuple[str, ...]
    build: Callable[[Mapping[str, str], DateRange | None], Connector]

    def settings(self, env: Mapping[str, str]) -> dict[str, str]:
        """The variables of ``env`` that configure this source, secrets included, unset and empty ones left out."""
        return {
            k: v
            for k, v in sorted(env.items())
            if v and (k in SHARED_VARIABLES or any(k.startswith(prefix) for prefix in self.prefixes))
        }


SOURCES: dict[str, SourceSpec] = {
    spec.name: spec
    for spec in (
        SourceSpec("hubspot", ("HUBSPOT_",), secret_variables(HubSpotConfig.SETTINGS), _hubspot),
        SourceSpec("mailchimp", ("MAILCHIMP_",), secret_variables(MailchimpConfig.SETTINGS), _mailchimp),
        SourceSpec("meta_ads", ("META_",), secret_variables(MetaConfig.SETTINGS), _meta_ads),
        SourceSpec("social", ("META_",), secret_variables(MetaConfig.SETTINGS), _social),
        SourceSpec("google_ads", ("GOOGLE_ADS_",), secret_variables(GoogleAdsConfig.SETTINGS), _google_ads),
        # the bucket's credentials are boto3's standard variables, named in full (no AWS_* catch-all)
        SourceSpec("segment", ("SEGMENT_", *AWS_VARIABLES), secret_variables(SegmentConfig.SETTINGS), _segment),
        SourceSpec("typeform", ("TYPEFORM_",), secret_variables(TypeformConfig.SETTINGS), _typeform),
        SourceSpec("trustpilot", ("TRUSTPILOT_",), secret_variables(TrustpilotConfig.SETTINGS), _trustpilot),
        SourceSpec(
            "google_business",
            ("GOOGLE_BUSINESS_",),
            secret_variables(GoogleBusinessConfig.SETTINGS),
            _google_business,
        ),
    )
}


def connector_from_env(
    source: str, env: Mapping[str, str] | None = None, *, date_range: DateRange | None = None
) -> Connector:
    """The one way a connector is configured: from environment variables (the CLI passes ``os.environ``, the Dagster
    resources the variables they were built with, tests their own mapping). ``date_range`` limits the daily ad
    metrics, and Segment's day folders, to a partition range."""
    if source not in SOURCES:
        raise KeyError(f"unknown source {source!r}; known: {', '.join(SOURCES)}")
    env = os.environ if env is None else env
    connector = SOURCES[source].build(env, date_range)
    # Timestamp plausibility follows the same clock as the date windows (JOURNEYHUB_TODAY when pinned).
    connector.limits = ContractLimits.from_env(env)
    return connector


def effective_settings(connector: Connector, secrets: Collection[str] = ()) -> dict[str, Any]:
    """What a connector was configured with, for run metadata and logs: its configuration's fields, the history
    start and the contract's clock skew. Secret settings are left out, and so is any field whose value is one of
    ``secrets``, whatever its name."""
    hidden = {s for s in secrets if s}
    config = getattr(connector, "config", None)
    secret_fields = {s.field for s in getattr(config, "SETTINGS", ()) if s.secret}
    values: dict[str, Any] = {}
    if dataclasses.is_dataclass(config):
        for f in dataclasses.fields(config):
            value = getattr(config, f.name)
            if f.name in secret_fields or (isinstance(value, str) and value in hidden):
                continue
            values[f.name] = value if isinstance(value, int | float | str | bool) or value is None else str(value)
    start = getattr(connector, "start_date", None)
    if start is not None:
        values["start_date"] = str(start)
    today = getattr(connector, "today", None)
    if callable(today):
        values["today"] = str(today())
    limits = getattr(connector, "limits", None)
    if limits is not None:
        values["max_future_skew_hours"] = limits.max_future_skew.total_seconds() / 3600
    return values


def stream_names() -> dict[str, tuple[str, ...]]:
    """Every source's raw tables, without needing credentials."""
    return {cls.source: cls.stream_names for cls in CONNECTOR_CLASSES}


CONNECTOR_CLASSES: tuple[type[Connector], ...] = (
    HubSpotConnector,
    MailchimpConnector,
    MetaAdsConnector,
    SocialConnector,
    GoogleAdsConnector,
    SegmentConnector,
    TypeformConnector,
    TrustpilotConnector,
    GoogleBusinessConnector,
)


def ensure_raw_tables(warehouse_path: str | Path) -> None:
    """Create every source's raw tables and bookkeeping tables (empty when never synced), so models over a source
    that is not configured yet read zero rows instead of failing."""
    for cls in CONNECTOR_CLASSES:
        with RawStore(warehouse_path, cls.source) as store:
            for stream in cls.stream_names:
                store.ensure_stream(stream)
            for table in getattr(cls, "side_tables", ()):
                store.ensure_side_table(table)
