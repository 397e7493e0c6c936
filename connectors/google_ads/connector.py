"""The Google Ads connector: which query and reader each stream uses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from connectors.base import Connector
from connectors.google_ads.catalog import (
    AD_GROUPS_QUERY,
    CAMPAIGNS_QUERY,
    CLICKS_QUERY,
    METRICS_QUERY,
    STREAMS,
    STREAMS_BY_NAME,
)
from connectors.google_ads.client import GoogleAdsApi
from connectors.google_ads.config import GoogleAdsConfig
from connectors.google_ads.readers import DailyReader, QueryReader
from connectors.raw.contracts import ContractLimits
from connectors.raw.sync import StreamReader


class GoogleAdsConnector(Connector):
    source = "google_ads"
    stream_names = tuple(s.name for s in STREAMS)

    def __init__(
        self,
        config: GoogleAdsConfig,
        *,
        start_date: date,
        date_range: tuple[date, date] | None = None,
        today: Callable[[], date] = date.today,
        api: GoogleAdsApi | None = None,
        limits: ContractLimits | None = None,
    ) -> None:
        self.config = config
        self.api = api or GoogleAdsApi(config)
        if limits is not None:
            self.limits = limits
        self.start_date, self.date_range, self.today = start_date, date_range, today

    def reader(self, name: str) -> StreamReader:
        stream = STREAMS_BY_NAME[name]
        if name == "campaigns":
            return QueryReader(self.api, stream, CAMPAIGNS_QUERY, self.limits)
        if name == "ad_groups":
            return QueryReader(self.api, stream, AD_GROUPS_QUERY, self.limits)
        if name == "ad_group_daily_metrics":
            return DailyReader(
                self.api,
                stream,
                start_date=self.start_date,
                date_range=self.date_range,
                today=self.today,
                chunk_days=self.config.metrics_chunk_days,
                lookback_days=self.config.restatement_days,
                query=lambda a, b: METRICS_QUERY.format(since=a.isoformat(), until=b.isoformat()),
                limits=self.limits,
            )
        if name == "click_views":
            return DailyReader(
                self.api,
                stream,
                start_date=self.start_date,
                date_range=self.date_range,
                today=self.today,
                chunk_days=1,
                lookback_days=1,
                query=lambda a, _b: CLICKS_QUERY.format(day=a.isoformat()),
                earliest=lambda today: today - timedelta(days=self.config.click_view_days - 1),
                limits=self.limits,
            )
        raise KeyError(name)
