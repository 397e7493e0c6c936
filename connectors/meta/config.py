"""Meta connection settings and the environment variables they come from (docs/configuration.md, "Meta"). One
configuration serves Meta Ads and the Facebook Page / Instagram streams: they share the token and Meta's quota."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from connectors.core.settings import EnvConfig, Setting

TOKEN_ENV = "META_ACCESS_TOKEN"
BASE_URL_ENV = "META_BASE_URL"
DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v25.0"


@dataclass(frozen=True, repr=False)
class MetaConfig(EnvConfig):
    SOURCE: ClassVar[str] = "meta"
    SETTINGS: ClassVar[tuple[Setting, ...]] = (
        Setting(
            TOKEN_ENV,
            "access_token",
            secret=True,
            required="Create a system-user access token with ads_read, leads_retrieval, pages_read_engagement and "
            f"instagram_basic permissions in Meta Business Manager and export it as {TOKEN_ENV}.",
        ),
        Setting("META_AD_ACCOUNT_ID", "ad_account_id"),
        Setting("META_PAGE_ID", "page_id"),
        Setting("META_IG_USER_ID", "ig_user_id"),
        Setting(BASE_URL_ENV, "base_url"),
        Setting("META_API_VERSION", "api_version"),
        Setting("META_RESTATEMENT_DAYS", "restatement_days", int),
        Setting("META_REQUESTS_PER_MINUTE", "requests_per_minute", int),
        Setting("META_TIMEOUT_S", "timeout_s", float),
        Setting("META_COMMENTS_REREAD_DAYS", "comments_reread_days", int),
        Setting("META_PAGE_SIZE", "page_size", int),
        Setting("META_INSIGHTS_PAGE_SIZE", "insights_page_size", int),
    )

    access_token: str
    ad_account_id: str | None = None
    page_id: str | None = None
    ig_user_id: str | None = None
    base_url: str = DEFAULT_BASE_URL
    api_version: str = DEFAULT_API_VERSION
    # Meta restates conversions for up to 28 days (its default attribution window): re-read that much.
    restatement_days: int = 28
    # Longer insight ranges run as async report jobs, as Meta asks.
    sync_insights_max_days: int = 7
    # Comments keep arriving after a post is published: re-read comments of posts this recent.
    comments_reread_days: int = 14
    requests_per_minute: int = 200
    page_size: int = 100
    insights_page_size: int = 500
    timeout_s: float = 30.0
    max_attempts: int = 8
    backoff_base_s: float = 1.0
    report_poll_s: float = 1.0
    report_timeout_s: float = 600.0

    @property
    def account_node(self) -> str:
        if not self.ad_account_id:
            raise ValueError("META_AD_ACCOUNT_ID is not set (the ad account id, with or without the act_ prefix)")
        acct = self.ad_account_id
        return acct if acct.startswith("act_") else f"act_{acct}"
