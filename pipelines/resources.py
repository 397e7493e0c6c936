"""Dagster resources: the warehouse and the vendor accounts, configured from environment variables."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb

from connectors.hubspot import HubSpotConfig, HubSpotConnector
from connectors.raw_store import RawStore


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
