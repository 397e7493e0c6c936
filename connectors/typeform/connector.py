"""The Typeform connector: the form definitions and each form's responses."""

from __future__ import annotations

from connectors.base import Connector
from connectors.raw.contracts import ContractLimits
from connectors.raw.sync import StreamReader
from connectors.typeform.catalog import STREAMS
from connectors.typeform.client import TypeformApi
from connectors.typeform.config import TypeformConfig
from connectors.typeform.readers import FormsReader, ResponsesReader


class TypeformConnector(Connector):
    source = "typeform"
    stream_names = tuple(s.name for s in STREAMS)

    def __init__(
        self, config: TypeformConfig, *, api: TypeformApi | None = None, limits: ContractLimits | None = None
    ) -> None:
        self.config = config
        self.api = api or TypeformApi(config)
        if limits is not None:
            self.limits = limits

    def reader(self, name: str) -> StreamReader:
        if name == "forms":
            return FormsReader(self.api, self.limits)
        if name == "responses":
            return ResponsesReader(self.api, self.config.lookback_minutes, self.limits)
        raise KeyError(name)
