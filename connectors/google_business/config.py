"""Google Business Profile connection settings and the environment variables they come from
(docs/configuration.md, "Google Business Profile")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from connectors.core.settings import EnvConfig, Setting

TOKEN_ENV = "GOOGLE_BUSINESS_TOKEN"
ACCOUNT_ENV = "GOOGLE_BUSINESS_ACCOUNT"
BASE_URL_ENV = "GOOGLE_BUSINESS_BASE_URL"
LOCATIONS_URL_ENV = "GOOGLE_BUSINESS_LOCATIONS_URL"
DEFAULT_BASE_URL = "https://mybusiness.googleapis.com"
DEFAULT_LOCATIONS_URL = "https://mybusinessbusinessinformation.googleapis.com"


def _account_id(text: str) -> str:
    """``accounts/123`` and ``123`` name the same account."""
    return text.removeprefix("accounts/")


@dataclass(frozen=True, repr=False)
class GoogleBusinessConfig(EnvConfig):
    SOURCE: ClassVar[str] = "google_business"
    SETTINGS: ClassVar[tuple[Setting, ...]] = (
        Setting(
            TOKEN_ENV,
            "access_token",
            secret=True,
            required="An OAuth2 access token with the business.manage scope (see "
            f"https://developers.google.com/my-business/content/basic-setup), exported as {TOKEN_ENV}.",
        ),
        Setting(
            ACCOUNT_ENV,
            "account_id",
            required="The Business Profile account id (accounts/<id> or <id>) whose locations to read.",
            clean=_account_id,
        ),
        Setting(BASE_URL_ENV, "base_url"),
        Setting(LOCATIONS_URL_ENV, "locations_url"),
        Setting("GOOGLE_BUSINESS_LOOKBACK_HOURS", "lookback_hours", float),
        Setting("GOOGLE_BUSINESS_PAGE_SIZE", "page_size", int),
        Setting("GOOGLE_BUSINESS_TIMEOUT_S", "timeout_s", float),
    )

    access_token: str
    account_id: str
    # Reviews (My Business API v4) and the location list (Business Information API v1) live on two hosts.
    base_url: str = DEFAULT_BASE_URL
    locations_url: str = DEFAULT_LOCATIONS_URL
    # Reviews are read newest change first; an incremental sync stops this long before the newest change it saw.
    lookback_hours: float = 48.0
    page_size: int = 50  # the API's maximum
    requests_per_minute: int = 300  # the quota once Google approves the project
    timeout_s: float = 60.0
    max_attempts: int = 8
    backoff_base_s: float = 1.0
