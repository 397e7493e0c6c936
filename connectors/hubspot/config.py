"""HubSpot connection settings and the environment variables they come from (docs/configuration.md, "HubSpot")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from connectors.core.settings import EnvConfig, Setting

TOKEN_ENV = "HUBSPOT_ACCESS_TOKEN"
BASE_URL_ENV = "HUBSPOT_BASE_URL"
DEFAULT_BASE_URL = "https://api.hubapi.com"


@dataclass(frozen=True, repr=False)
class HubSpotConfig(EnvConfig):
    """Connection settings. Build it with :meth:`from_env` in production code."""

    SOURCE: ClassVar[str] = "hubspot"
    SETTINGS: ClassVar[tuple[Setting, ...]] = (
        Setting(
            TOKEN_ENV,
            "access_token",
            secret=True,
            required="Create a HubSpot private app (scopes: crm.objects.*.read, crm.schemas.*.read, forms) and export "
            f"its access token as {TOKEN_ENV}.",
        ),
        Setting(BASE_URL_ENV, "base_url"),
        Setting("HUBSPOT_REQUESTS_PER_10S", "requests_per_10s", int),
        Setting("HUBSPOT_SEARCH_PER_SECOND", "search_per_second", int),
        Setting("HUBSPOT_TIMEOUT_S", "timeout_s", float),
        Setting("HUBSPOT_LOOKBACK_MINUTES", "lookback_minutes", float),
    )

    access_token: str
    base_url: str = DEFAULT_BASE_URL
    # Private apps on Free/Starter get 100 requests per 10 s; Professional/Enterprise 190. Stay under the lowest.
    requests_per_10s: int = 100
    # The CRM search API has its own limit of 5 requests per second per account.
    search_per_second: int = 4
    timeout_s: float = 30.0
    # Re-read this much before the cursor: the search index lags writes by a few seconds.
    lookback_minutes: float = 60.0
    max_attempts: int = 8
    backoff_base_s: float = 0.5
