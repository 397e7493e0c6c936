"""Readers for Google Ads: a dimension query re-read in full every sync, and date-windowed queries read in chunks of
days with the newest date as the cursor."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

from connectors.google_ads.catalog import GaqlStream
from connectors.google_ads.client import GoogleAdsApi
from connectors.raw.contracts import DEFAULT_LIMITS, ContractLimits, get_path
from connectors.raw.records import ShapedPage, date_at, shape_page
from connectors.raw.sync import Page, SyncMode


def shape_items(stream: GaqlStream, rows: Any, limits: ContractLimits | None = None) -> ShapedPage:
    """searchStream result rows as the raw records a sync stores, and the rows that break the stream's contract,
    quarantined with their reason."""
    return shape_page(
        rows,
        record_id=stream.record_id,
        key_paths=stream.key_paths,
        required=stream.required,
        # Every cursor here is segments.date: a day in the account's time zone.
        cursor=date_at(stream.cursor_path) if stream.cursor_path else None,
        checks=stream.checks,
        what="searchStream response",
        limits=limits or DEFAULT_LIMITS,
    )


class QueryReader:
    """A dimension query re-read in full every sync (one page)."""

    def __init__(
        self, api: GoogleAdsApi, stream: GaqlStream, query: str, limits: ContractLimits = DEFAULT_LIMITS
    ) -> None:
        self.api, self.stream, self.name, self.query, self.limits = api, stream, stream.name, query, limits

    def read(self, state: dict[str, Any], mode: SyncMode, *, resuming: bool) -> Iterator[Page]:
        page = shape_items(self.stream, self.api.search_stream(self.query), self.limits)
        yield Page(page.records, {"cursor": None, "run": {"mode": "full_refresh"}}, page.quarantined)

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        return {"cursor": None, "run": None}


class DailyReader:
    """Date-windowed queries, one page per chunk of days; the cursor is the newest date read.

    The window is the explicit range (a Dagster partition range) or, incrementally, the cursor minus the restatement
    window up to today.
    """

    def __init__(
        self,
        api: GoogleAdsApi,
        stream: GaqlStream,
        *,
        start_date: date,
        date_range: tuple[date, date] | None,
        today: Callable[[], date],
        chunk_days: int,
        lookback_days: int,
        query: Callable[[date, date], str],
        earliest: Callable[[date], date] | None = None,
        limits: ContractLimits = DEFAULT_LIMITS,
    ) -> None:
        self.api, self.stream, self.name, self.limits = api, stream, stream.name, limits
        self.start_date, self.date_range, self.today = start_date, date_range, today
        self.chunk_days, self.lookback_days, self.query, self.earliest = chunk_days, lookback_days, query, earliest

    def read(self, state: dict[str, Any], mode: SyncMode, *, resuming: bool) -> Iterator[Page]:
        cursor = state.get("cursor")
        run = state.get("run") if resuming else None
        if run is None:
            if self.date_range:
                since, until = self.date_range
            else:
                until = self.today()
                since = self.start_date
                if mode == "incremental" and cursor:
                    since = max(self.start_date, date.fromisoformat(cursor) - timedelta(days=self.lookback_days))
            if self.earliest:
                since = max(since, self.earliest(self.today()))
            run = {"mode": mode, "next": since.isoformat(), "until": until.isoformat(), "max_date": None}
        day, until = date.fromisoformat(run["next"]), date.fromisoformat(run["until"])
        while day <= until:
            end = min(until, day + timedelta(days=self.chunk_days - 1))
            page = shape_items(self.stream, self.api.search_stream(self.query(day, end)), self.limits)
            dates = [get_path(r.payload, "segments.date") for r in page.records]
            run = {**run, "next": (end + timedelta(days=1)).isoformat()}
            if dates:
                run["max_date"] = max(d for d in (run.get("max_date"), *dates) if d)
            yield Page(page.records, {"cursor": cursor, "run": dict(run)}, page.quarantined)
            day = end + timedelta(days=1)

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        run = state.get("run") or {}
        newest = max([d for d in (state.get("cursor"), run.get("max_date")) if d], default=None)
        return {"cursor": newest, "run": None}
