"""The Google Business Profile connector: the account's locations and each location's reviews."""

from __future__ import annotations

from connectors.base import Connector
from connectors.google_business.catalog import STREAMS, STREAMS_BY_NAME
from connectors.google_business.client import GoogleBusinessApi
from connectors.google_business.config import GoogleBusinessConfig
from connectors.google_business.readers import LocationReader, ReviewReader
from connectors.raw.contracts import ContractLimits
from connectors.raw.sync import StreamReader


class GoogleBusinessConnector(Connector):
    source = "google_business"
    stream_names = tuple(s.name for s in STREAMS)

    def __init__(
        self,
        config: GoogleBusinessConfig,
        *,
        api: GoogleBusinessApi | None = None,
        limits: ContractLimits | None = None,
    ) -> None:
        self.config = config
        self.api = api or GoogleBusinessApi(config)
        if limits is not None:
            self.limits = limits

    def reader(self, name: str) -> StreamReader:
        stream = STREAMS_BY_NAME[name]
        if name == "locations":
            return LocationReader(self.api, stream, self.limits)
        if name == "reviews":
            return ReviewReader(self.api, stream, self.config.lookback_hours, self.limits)
        raise KeyError(name)
