"""Mailchimp connection settings and the environment variables they come from (docs/configuration.md, "Mailchimp")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from connectors.core.errors import ConfigurationError
from connectors.core.settings import EnvConfig, Setting

API_KEY_ENV = "MAILCHIMP_API_KEY"
BASE_URL_ENV = "MAILCHIMP_BASE_URL"


def data_center_url(values: Mapping[str, Any]) -> str:
    """The API root of the key's data center: a Mailchimp key ends in ``-usN``."""
    key = values["api_key"]
    dc = key.rsplit("-", 1)[-1] if "-" in key else ""
    if not dc:
        raise ConfigurationError(
            f"{API_KEY_ENV} has no data-center suffix (like -us6); set {BASE_URL_ENV} explicitly", source="mailchimp"
        )
    return f"https://{dc}.api.mailchimp.com/3.0"


@dataclass(frozen=True, repr=False)
class MailchimpConfig(EnvConfig):
    SOURCE: ClassVar[str] = "mailchimp"
    SETTINGS: ClassVar[tuple[Setting, ...]] = (
        Setting(
            API_KEY_ENV,
            "api_key",
            secret=True,
            required=f"Create an API key in Mailchimp (Account > Extras > API keys) and export it as {API_KEY_ENV}.",
        ),
        # after the key: without a URL, the key's data center names the host
        Setting(BASE_URL_ENV, "base_url", default=data_center_url),
        Setting("MAILCHIMP_LOOKBACK_MINUTES", "lookback_minutes", float),
        Setting("MAILCHIMP_PAGE_SIZE", "page_size", int),
        Setting("MAILCHIMP_TIMEOUT_S", "timeout_s", float),
        Setting("MAILCHIMP_ACTIVITY_WINDOW_DAYS", "activity_window_days", int),
    )

    api_key: str
    base_url: str
    page_size: int = 1000
    lookback_minutes: float = 60.0
    # Opens and clicks keep arriving for weeks after a send: re-read activity of campaigns sent this recently.
    activity_window_days: int = 30
    timeout_s: float = 120.0
    max_attempts: int = 8
    backoff_base_s: float = 1.0
