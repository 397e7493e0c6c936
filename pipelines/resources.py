"""Dagster resources: the warehouse and the vendor accounts, configured from environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import ClassVar, Self

import dagster as dg
import duckdb

from connectors.base import Connector
from connectors.hubspot import HubSpotConfig
from connectors.raw.locking import connect_warehouse
from connectors.raw.store import RawStore
from connectors.registry import SOURCES, connector_from_env


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file (``JOURNEYHUB_WAREHOUSE``, an absolute path)."""

    path: str

    @property
    def resolved_path(self) -> Path:
        return Path(self.path).expanduser().resolve()

    def raw_store(self, source: str) -> RawStore:
        """A writer for ``raw_<source>``; holds the cross-process write lock while open."""
        return RawStore(self.resolved_path, source)

    def read_only(self) -> duckdb.DuckDBPyConnection:
        return connect_warehouse(self.resolved_path, read_only=True)


class SourceResource(dg.ConfigurableResource):
    """A vendor account. Its non-secret settings are the source's environment variables (``settings``:
    ``HUBSPOT_REQUESTS_PER_10S``, ``META_PAGE_ID``, ... read when the definitions load, so the UI shows what a run
    uses); the secrets are fields of the subclass bound with ``EnvVar``, never shown. The connector is built by
    :func:`connectors.registry.connector_from_env`, the same function the CLI and the tests use, so every documented
    variable means the same thing everywhere."""

    settings: dict[str, str] = {}

    # the source whose variables this resource carries, and the secret variable of each secret field
    source: ClassVar[str]
    secret_fields: ClassVar[dict[str, str]]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Self:
        """Settings from ``env`` (default: the process environment), secrets as ``EnvVar`` (resolved at run time)."""
        env = os.environ if env is None else env
        spec = SOURCES[cls.source]
        settings = {k: v for k, v in spec.settings(env).items() if k not in spec.secrets}
        # An optional secret (Segment's AWS keys: boto3 has its own chain) is bound only when set; an EnvVar of an
        # unset variable would fail every run, even one that never needs it.
        secrets = {
            field: dg.EnvVar(var)
            for field, var in cls.secret_fields.items()
            if env.get(var) or cls.model_fields[field].is_required()
        }
        return cls(settings=settings, **secrets)

    def environment(self) -> dict[str, str]:
        """The variables this resource stands for, secrets included (never log this)."""
        secrets = {var: getattr(self, field) for field, var in self.secret_fields.items()}
        return {**self.settings, **{k: v for k, v in secrets.items() if v}}

    def secrets(self) -> list[str]:
        return [v for v in (getattr(self, field) for field in self.secret_fields) if v]

    def build_connector(self, source: str | None = None, date_range: tuple[date, date] | None = None) -> Connector:
        return connector_from_env(source or self.source, self.environment(), date_range=date_range)


class HubSpotResource(SourceResource):
    """A HubSpot portal: ``HUBSPOT_ACCESS_TOKEN`` (a private app token) and the ``HUBSPOT_*`` settings."""

    source: ClassVar[str] = "hubspot"
    secret_fields: ClassVar[dict[str, str]] = {"access_token": "HUBSPOT_ACCESS_TOKEN"}
    access_token: str

    def connector(self) -> Connector:
        return self.build_connector()

    def config(self) -> HubSpotConfig:
        """The portal's connection settings (reverse ETL writes with them)."""
        return HubSpotConfig.from_env(self.environment())


class MailchimpResource(SourceResource):
    """A Mailchimp account: ``MAILCHIMP_API_KEY`` (its ``-usN`` suffix picks the data center) and ``MAILCHIMP_*``."""

    source: ClassVar[str] = "mailchimp"
    secret_fields: ClassVar[dict[str, str]] = {"api_key": "MAILCHIMP_API_KEY"}
    api_key: str

    def connector(self) -> Connector:
        return self.build_connector()


class MetaResource(SourceResource):
    """A Meta business: ``META_ACCESS_TOKEN`` and the ``META_*`` settings (ad account, Page, Instagram account).
    One resource for Meta Ads and the Pages: they share the token and Meta's quota."""

    source: ClassVar[str] = "meta_ads"
    secret_fields: ClassVar[dict[str, str]] = {"access_token": "META_ACCESS_TOKEN"}
    access_token: str

    def ads_connector(self, date_range: tuple[date, date] | None = None) -> Connector:
        return self.build_connector("meta_ads", date_range)

    def social_connector(self) -> Connector:
        return self.build_connector("social")


class GoogleAdsResource(SourceResource):
    """A Google Ads customer: OAuth access token, developer token and the ``GOOGLE_ADS_*`` settings."""

    source: ClassVar[str] = "google_ads"
    secret_fields: ClassVar[dict[str, str]] = {
        "access_token": "GOOGLE_ADS_ACCESS_TOKEN",
        "developer_token": "GOOGLE_ADS_DEVELOPER_TOKEN",
    }
    access_token: str
    developer_token: str

    def connector(self, date_range: tuple[date, date] | None = None) -> Connector:
        return self.build_connector(date_range=date_range)


class TypeformResource(SourceResource):
    """A Typeform account: ``TYPEFORM_TOKEN`` (a personal access token) and the ``TYPEFORM_*`` settings."""

    source: ClassVar[str] = "typeform"
    secret_fields: ClassVar[dict[str, str]] = {"token": "TYPEFORM_TOKEN"}
    token: str

    def connector(self) -> Connector:
        return self.build_connector()


class SegmentResource(SourceResource):
    """Segment-spec event files: ``SEGMENT_EXPORT_PATH`` (a folder) or ``SEGMENT_S3_BUCKET`` and the other
    ``SEGMENT_*`` settings. A bucket's credentials are the standard AWS variables; unset, boto3's own chain (an
    instance role, ``~/.aws``) applies, so they are optional secrets."""

    source: ClassVar[str] = "segment"
    secret_fields: ClassVar[dict[str, str]] = {
        "aws_access_key_id": "AWS_ACCESS_KEY_ID",
        "aws_secret_access_key": "AWS_SECRET_ACCESS_KEY",
        "aws_session_token": "AWS_SESSION_TOKEN",
    }
    aws_access_key_id: str | None = None
    aws_secret_access_key: str | None = None
    aws_session_token: str | None = None

    def connector(self, date_range: tuple[date, date] | None = None) -> Connector:
        """``date_range``: only those received days' folders; None: every folder (late files included)."""
        return self.build_connector(date_range=date_range)


class TrustpilotResource(SourceResource):
    """A Trustpilot business unit: the application's API key and secret (``TRUSTPILOT_CLIENT_ID`` /
    ``TRUSTPILOT_CLIENT_SECRET``, exchanged for OAuth tokens) and the ``TRUSTPILOT_*`` settings."""

    source: ClassVar[str] = "trustpilot"
    secret_fields: ClassVar[dict[str, str]] = {
        "client_id": "TRUSTPILOT_CLIENT_ID",
        "client_secret": "TRUSTPILOT_CLIENT_SECRET",
    }
    client_id: str
    client_secret: str

    def connector(self) -> Connector:
        return self.build_connector()


class GoogleBusinessResource(SourceResource):
    """A Google Business Profile account: an OAuth access token (``GOOGLE_BUSINESS_TOKEN``, scope business.manage)
    and the ``GOOGLE_BUSINESS_*`` settings."""

    source: ClassVar[str] = "google_business"
    secret_fields: ClassVar[dict[str, str]] = {"access_token": "GOOGLE_BUSINESS_TOKEN"}
    access_token: str

    def connector(self) -> Connector:
        return self.build_connector()
