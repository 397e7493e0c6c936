"""Dagster resources: the warehouse and the vendor accounts, configured from environment variables."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
import duckdb

from connectors.google_ads import GoogleAdsConfig, GoogleAdsConnector
from connectors.hubspot import HubSpotConfig, HubSpotConnector
from connectors.mailchimp import MailchimpConfig, MailchimpConnector
from connectors.meta import MetaAdsConnector, MetaConfig, SocialConnector
from connectors.raw_store import RawStore
from pipelines.settings import start_date, today


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
        return duckdb.connect(str(self.resolved_path), read_only=True)


class HubSpotResource(dg.ConfigurableResource):
    """A HubSpot portal: ``HUBSPOT_ACCESS_TOKEN`` (a private app token) and ``HUBSPOT_BASE_URL``."""

    access_token: str
    base_url: str = "https://api.hubapi.com"
    requests_per_10s: int = 100
    search_per_second: int = 4
    lookback_minutes: float = 60.0

    def connector(self) -> HubSpotConnector:
        env = {"HUBSPOT_ACCESS_TOKEN": self.access_token, "HUBSPOT_BASE_URL": self.base_url}
        return HubSpotConnector(
            HubSpotConfig.from_env(
                env,
                requests_per_10s=self.requests_per_10s,
                search_per_second=self.search_per_second,
                lookback_minutes=self.lookback_minutes,
            )
        )


class MailchimpResource(dg.ConfigurableResource):
    """A Mailchimp account: ``MAILCHIMP_API_KEY`` (its ``-usN`` suffix picks the data center)."""

    api_key: str
    base_url: str = ""

    def connector(self) -> MailchimpConnector:
        env = {"MAILCHIMP_API_KEY": self.api_key, "MAILCHIMP_BASE_URL": self.base_url}
        return MailchimpConnector(MailchimpConfig.from_env(env))


class MetaResource(dg.ConfigurableResource):
    """A Meta business: ``META_ACCESS_TOKEN``, the ad account, the Facebook Page and its Instagram account."""

    access_token: str
    ad_account_id: str = ""
    page_id: str = ""
    ig_user_id: str = ""
    base_url: str = "https://graph.facebook.com"

    def _config(self) -> MetaConfig:
        return MetaConfig.from_env(
            {
                "META_ACCESS_TOKEN": self.access_token,
                "META_AD_ACCOUNT_ID": self.ad_account_id,
                "META_PAGE_ID": self.page_id,
                "META_IG_USER_ID": self.ig_user_id,
                "META_BASE_URL": self.base_url,
            }
        )

    def ads_connector(self, date_range: tuple[date, date] | None = None) -> MetaAdsConnector:
        return MetaAdsConnector(self._config(), start_date=start_date(), insights_range=date_range, today=today)

    def social_connector(self) -> SocialConnector:
        return SocialConnector(self._config())


class GoogleAdsResource(dg.ConfigurableResource):
    """A Google Ads customer: OAuth access token, developer token and the 10-digit customer id."""

    access_token: str
    developer_token: str
    customer_id: str
    login_customer_id: str = ""
    base_url: str = "https://googleads.googleapis.com"

    def connector(self, date_range: tuple[date, date] | None = None) -> GoogleAdsConnector:
        config = GoogleAdsConfig.from_env(
            {
                "GOOGLE_ADS_ACCESS_TOKEN": self.access_token,
                "GOOGLE_ADS_DEVELOPER_TOKEN": self.developer_token,
                "GOOGLE_ADS_CUSTOMER_ID": self.customer_id,
                "GOOGLE_ADS_LOGIN_CUSTOMER_ID": self.login_customer_id,
                "GOOGLE_ADS_BASE_URL": self.base_url,
            }
        )
        return GoogleAdsConnector(config, start_date=start_date(), date_range=date_range, today=today)
