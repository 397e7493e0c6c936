"""The Trustpilot connector: one stream, the private reviews of the configured business unit."""

from __future__ import annotations

from connectors.base import Connector
from connectors.raw.contracts import ContractLimits
from connectors.raw.sync import StreamReader
from connectors.trustpilot.catalog import STREAMS, STREAMS_BY_NAME
from connectors.trustpilot.client import TrustpilotApi
from connectors.trustpilot.config import TrustpilotConfig
from connectors.trustpilot.readers import ReviewReader


class TrustpilotConnector(Connector):
    source = "trustpilot"
    stream_names = tuple(s.name for s in STREAMS)

    def __init__(
        self, config: TrustpilotConfig, *, api: TrustpilotApi | None = None, limits: ContractLimits | None = None
    ) -> None:
        self.config = config
        self.api = api or TrustpilotApi(config)
        if limits is not None:
            self.limits = limits

    def reader(self, name: str) -> StreamReader:
        return ReviewReader(self.api, STREAMS_BY_NAME[name], self.config.lookback_days, self.limits)
