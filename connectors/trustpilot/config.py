"""Trustpilot connection settings and the environment variables they come from (docs/configuration.md,
"Trustpilot")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from connectors.core.settings import EnvConfig, Setting

CLIENT_ID_ENV = "TRUSTPILOT_CLIENT_ID"
CLIENT_SECRET_ENV = "TRUSTPILOT_CLIENT_SECRET"
BUSINESS_UNIT_ENV = "TRUSTPILOT_BUSINESS_UNIT_ID"
BASE_URL_ENV = "TRUSTPILOT_BASE_URL"
DEFAULT_BASE_URL = "https://api.trustpilot.com"

_APP = "Create an application in Trustpilot Business (Integrations > Developers > APIs)"


@dataclass(frozen=True, repr=False)
class TrustpilotConfig(EnvConfig):
    SOURCE: ClassVar[str] = "trustpilot"
    SETTINGS: ClassVar[tuple[Setting, ...]] = (
        Setting(CLIENT_ID_ENV, "client_id", secret=True, required=f"{_APP} and export its API key as {CLIENT_ID_ENV}."),
        Setting(
            CLIENT_SECRET_ENV,
            "client_secret",
            secret=True,
            required=f"{_APP} and export its API secret as {CLIENT_SECRET_ENV}.",
        ),
        Setting(
            BUSINESS_UNIT_ENV,
            "business_unit_id",
            required="The business unit id of your domain (Trustpilot's 'Find a business unit' API returns it).",
        ),
        Setting(BASE_URL_ENV, "base_url"),
        Setting("TRUSTPILOT_LOOKBACK_DAYS", "lookback_days", float),
        Setting("TRUSTPILOT_PAGE_SIZE", "page_size", int),
        Setting("TRUSTPILOT_TIMEOUT_S", "timeout_s", float),
    )

    client_id: str
    client_secret: str
    business_unit_id: str
    base_url: str = DEFAULT_BASE_URL
    # The API filters on the creation time only, and consumers revise reviews weeks later: an incremental sync
    # re-reads the reviews created this long before the newest change it has seen.
    lookback_days: float = 45.0
    page_size: int = 100
    # Trustpilot's documented budget: 833 calls per 5 minutes.
    calls_per_window: int = 833
    window_s: float = 300.0
    timeout_s: float = 60.0
    max_attempts: int = 8
    backoff_base_s: float = 1.0
