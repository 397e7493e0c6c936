"""The Segment connector: one stream, ``events``, read from the export's files."""

from __future__ import annotations

from datetime import date

from connectors.base import Connector
from connectors.raw.contracts import ContractLimits
from connectors.raw.sync import StreamReader
from connectors.segment.catalog import FILES_TABLE, STREAMS, STREAMS_BY_NAME
from connectors.segment.client import SegmentApi
from connectors.segment.config import SegmentConfig
from connectors.segment.readers import EventsReader


class SegmentConnector(Connector):
    """``days`` limits a sync to the folders of those received days (a Dagster partition range); None reads every
    day folder, which is what picks up late files."""

    source = "segment"
    stream_names = tuple(s.name for s in STREAMS)
    side_tables = (FILES_TABLE,)

    def __init__(
        self,
        config: SegmentConfig,
        *,
        days: tuple[date, date] | None = None,
        api: SegmentApi | None = None,
        limits: ContractLimits | None = None,
    ) -> None:
        self.config = config
        self.days = days
        self.api = api or SegmentApi(config)
        if limits is not None:
            self.limits = limits

    def reader(self, name: str) -> StreamReader:
        return EventsReader(
            self.api, STREAMS_BY_NAME[name], days=self.days, page_size=self.config.page_size, limits=self.limits
        )
