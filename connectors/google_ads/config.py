"""Google Ads connection settings and the environment variables they come from (docs/configuration.md, "Google
Ads")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from connectors.core.settings import EnvConfig, Setting

TOKEN_ENV = "GOOGLE_ADS_ACCESS_TOKEN"
DEVELOPER_TOKEN_ENV = "GOOGLE_ADS_DEVELOPER_TOKEN"
CUSTOMER_ENV = "GOOGLE_ADS_CUSTOMER_ID"
BASE_URL_ENV = "GOOGLE_ADS_BASE_URL"
DEFAULT_BASE_URL = "https://googleads.googleapis.com"
DEFAULT_API_VERSION = "v24"
# click_view serves only the last 90 days.
DEFAULT_CLICK_VIEW_DAYS = 90

_HOW = "See https://developers.google.com/google-ads/api/docs/oauth/overview for how to get it, then export it."


def _no_dashes(text: str) -> str:
    return text.replace("-", "")


@dataclass(frozen=True, repr=False)
class GoogleAdsConfig(EnvConfig):
    SOURCE: ClassVar[str] = "google_ads"
    SETTINGS: ClassVar[tuple[Setting, ...]] = (
        Setting(TOKEN_ENV, "access_token", secret=True, required=f"An OAuth2 access token. {_HOW}"),
        Setting(
            DEVELOPER_TOKEN_ENV, "developer_token", secret=True, required=f"Your Google Ads API developer token. {_HOW}"
        ),
        Setting(
            CUSTOMER_ENV,
            "customer_id",
            required="The 10-digit customer id (no dashes) of the ad account.",
            clean=_no_dashes,
        ),
        Setting("GOOGLE_ADS_LOGIN_CUSTOMER_ID", "login_customer_id", clean=_no_dashes),
        Setting(BASE_URL_ENV, "base_url"),
        Setting("GOOGLE_ADS_API_VERSION", "api_version"),
        Setting("GOOGLE_ADS_RESTATEMENT_DAYS", "restatement_days", int),
    )

    access_token: str
    developer_token: str
    customer_id: str
    login_customer_id: str | None = None
    base_url: str = DEFAULT_BASE_URL
    api_version: str = DEFAULT_API_VERSION
    # Conversions are attributed back to the click date for weeks: re-read this many days of metrics.
    restatement_days: int = 14
    click_view_days: int = DEFAULT_CLICK_VIEW_DAYS
    metrics_chunk_days: int = 31
    requests_per_minute: int = 300
    timeout_s: float = 60.0
    max_attempts: int = 8
    backoff_base_s: float = 1.0
