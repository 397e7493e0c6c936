"""The reader of Trustpilot's private reviews, and :func:`shape_items` (a page shaped as a sync stores it).

Reviews are read oldest first (``orderBy=createdat.asc``), page by page, so reviews written during a sync land
after the pages already read and nothing shifts under the reader. An incremental sync asks only for reviews created
since its cursor (the newest ``updatedAt`` / ``createdAt`` seen) minus the lookback: the API filters on the creation
time, and a consumer who revises an older review moves its ``updatedAt`` only, so a revision of a review created
before the lookback window is seen by the next full refresh (``TRUSTPILOT_LOOKBACK_DAYS``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from connectors.core.clock import parse_present, to_iso_z
from connectors.raw.contracts import DEFAULT_LIMITS, ContractLimits
from connectors.raw.records import ShapedPage, shape_page
from connectors.raw.sync import Page, SyncMode
from connectors.trustpilot.catalog import TrustpilotStream, review_cursor
from connectors.trustpilot.client import TrustpilotApi


def shape_items(stream: TrustpilotStream, items: Any, limits: ContractLimits | None = None) -> ShapedPage:
    """A page of reviews as raw records (``links``, hypermedia identical in shape on every row, dropped), and the
    reviews that break the contract, quarantined with their reason."""
    return shape_page(
        items,
        record_id=lambda p: p.get("id"),
        key_paths=stream.key_paths,
        required=stream.required,
        cursor=review_cursor,
        drop_keys=("links",),
        limits=limits or DEFAULT_LIMITS,
    )


class ReviewReader:
    def __init__(
        self,
        api: TrustpilotApi,
        stream: TrustpilotStream,
        lookback_days: float,
        limits: ContractLimits = DEFAULT_LIMITS,
    ) -> None:
        self.api, self.stream, self.name = api, stream, stream.name
        self.lookback = timedelta(days=lookback_days)
        self.limits = limits

    def _since(self, cursor: str | None) -> str | None:
        if not cursor:
            return None
        return (parse_present(cursor) - self.lookback).strftime("%Y-%m-%dT%H:%M:%S")

    def read(self, state: dict[str, Any], mode: SyncMode, *, resuming: bool) -> Iterator[Page]:
        cursor = state.get("cursor")
        run = (state.get("run") if resuming else None) or {
            "mode": mode,
            "since": self._since(cursor) if mode == "incremental" else None,
            "page": 1,
            "max_seen": None,
        }
        params: dict[str, Any] = {"orderBy": "createdat.asc"}
        if run["since"]:
            params["startDateTime"] = run["since"]
        for items, nxt in self.api.review_pages(params, run["page"]):
            page = shape_items(self.stream, items, self.limits)
            seen = run["max_seen"]
            if page.newest is not None and (seen is None or page.newest > parse_present(seen)):
                seen = to_iso_z(page.newest)
            run = {**run, "page": nxt, "max_seen": seen}
            yield Page(page.records, {"cursor": cursor, "run": dict(run)}, page.quarantined)

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        cursor = state.get("cursor")
        seen = (state.get("run") or {}).get("max_seen")
        if seen and (not cursor or parse_present(seen) > parse_present(cursor)):
            cursor = seen
        return {"cursor": cursor, "run": None}
