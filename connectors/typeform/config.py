"""Typeform connection settings and the environment variables they come from (docs/configuration.md, "Typeform")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from connectors.core.settings import EnvConfig, Setting

TOKEN_ENV = "TYPEFORM_TOKEN"
BASE_URL_ENV = "TYPEFORM_BASE_URL"
FORM_IDS_ENV = "TYPEFORM_FORM_IDS"


@dataclass(frozen=True, repr=False)
class TypeformConfig(EnvConfig):
    SOURCE: ClassVar[str] = "typeform"
    SETTINGS: ClassVar[tuple[Setting, ...]] = (
        Setting(
            TOKEN_ENV,
            "token",
            secret=True,
            required=(
                "Create a personal access token in Typeform (Account > Personal tokens) with the forms:read and "
                f"responses:read scopes and export it as {TOKEN_ENV}."
            ),
        ),
        Setting(BASE_URL_ENV, "base_url"),
        # comma-separated form ids; unset: every form the token can read (GET /forms)
        Setting(FORM_IDS_ENV, "form_ids"),
        Setting("TYPEFORM_REQUESTS_PER_SECOND", "requests_per_second", float),
        Setting("TYPEFORM_LOOKBACK_MINUTES", "lookback_minutes", float),
        Setting("TYPEFORM_PAGE_SIZE", "page_size", int),
        Setting("TYPEFORM_TIMEOUT_S", "timeout_s", float),
    )

    token: str
    base_url: str = "https://api.typeform.com"
    form_ids: str = ""
    # Typeform allows 2 requests per second per account on its Create and Responses APIs.
    requests_per_second: float = 2.0
    # A response is listed once Typeform has processed it, which can trail its submitted_at by a little.
    lookback_minutes: float = 60.0
    page_size: int = 1000
    timeout_s: float = 60.0
    max_attempts: int = 8
    backoff_base_s: float = 1.0

    def forms_wanted(self) -> list[str]:
        """The configured form ids (empty: all forms)."""
        return [f.strip() for f in self.form_ids.split(",") if f.strip()]
