"""Readers for Google Business Profile: the account's locations (re-read every sync) and each location's reviews,
newest change first, with a cursor per location; and :func:`shape_items` (a page shaped as a sync stores it).

Reviews come ``orderBy=updateTime desc``, the only time order the API offers: a full sync reads every page; an
incremental one stops after the page that reaches back past the location's cursor minus the lookback (the records
of that page are stored anyway; the raw layer keeps the newest version of each). A review's records carry
``location_name`` (``accounts/{a}/locations/{l}``), the parent the connector read it under.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from connectors.core.clock import parse_present, parse_timestamp, to_iso_z
from connectors.google_business.catalog import GoogleBusinessStream
from connectors.google_business.client import GoogleBusinessApi
from connectors.raw.contracts import DEFAULT_LIMITS, ContractLimits
from connectors.raw.records import ShapedPage, shape_page, timestamp_at
from connectors.raw.sync import Page, SyncMode


def shape_items(
    stream: GoogleBusinessStream, items: Any, extra: dict[str, Any] | None = None, limits: ContractLimits | None = None
) -> ShapedPage:
    """A page of locations or reviews as raw records (``extra``: a review's ``location_name``), and the items that
    break the stream's contract, quarantined with their reason."""
    return shape_page(
        items,
        record_id=lambda p: p.get("name"),
        key_paths=stream.key_paths,
        required=stream.required,
        checks=stream.checks,
        cursor=timestamp_at(stream.cursor_field) if stream.cursor_field else None,
        extra=extra,
        limits=limits or DEFAULT_LIMITS,
    )


def location_id(name: str) -> str:
    """``locations/123`` (Business Information) -> ``123``."""
    return name.rsplit("/", 1)[-1]


class LocationReader:
    def __init__(self, api: GoogleBusinessApi, stream: GoogleBusinessStream, limits: ContractLimits = DEFAULT_LIMITS):
        self.api, self.stream, self.name, self.limits = api, stream, stream.name, limits

    def read(self, state: dict[str, Any], mode: SyncMode, *, resuming: bool) -> Iterator[Page]:
        run = (state.get("run") if resuming else None) or {"mode": "full_refresh", "token": None}
        for items, nxt in self.api.location_pages(run["token"]):
            page = shape_items(self.stream, items, limits=self.limits)
            run = {**run, "token": nxt}
            yield Page(page.records, {"cursor": None, "run": dict(run)}, page.quarantined)

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        return {"cursor": None, "run": None}


class ReviewReader:
    """Each location's reviews; ``cursor`` maps location id to the newest ``updateTime`` seen there."""

    def __init__(
        self,
        api: GoogleBusinessApi,
        stream: GoogleBusinessStream,
        lookback_hours: float,
        limits: ContractLimits = DEFAULT_LIMITS,
    ) -> None:
        self.api, self.stream, self.name, self.limits = api, stream, stream.name, limits
        self.lookback = timedelta(hours=lookback_hours)

    def _locations(self) -> list[str]:
        names: list[str] = []
        for items, _ in self.api.location_pages():
            names += [i["name"] for i in items if isinstance(i, dict) and isinstance(i.get("name"), str)]
        # A location without a name is quarantined by the locations stream; here it has no reviews to read.
        return sorted(location_id(n) for n in names)

    def read(self, state: dict[str, Any], mode: SyncMode, *, resuming: bool) -> Iterator[Page]:
        cursors: dict[str, str] = dict(state.get("cursor") or {})
        run = (state.get("run") if resuming else None) or {
            "mode": mode,
            "parents": None,
            "done": [],
            "parent": None,
            "token": None,
            "max_seen": {},
        }
        if run["parents"] is None:
            run = {**run, "parents": self._locations()}
        for loc in run["parents"]:
            if loc in run["done"]:
                continue
            since = cursors.get(loc) if run["mode"] == "incremental" else None
            stop_before = parse_present(since) - self.lookback if since else None
            token = run["token"] if run.get("parent") == loc else None
            extra = {"location_name": f"accounts/{self.api.config.account_id}/locations/{loc}"}
            for items, nxt in self.api.review_pages(loc, token):
                page = shape_items(self.stream, items, extra, self.limits)
                seen = dict(run["max_seen"])
                if page.newest is not None:
                    prev = seen.get(loc)
                    seen[loc] = to_iso_z(max(page.newest, parse_present(prev))) if prev else to_iso_z(page.newest)
                if nxt is not None and stop_before is not None and _reaches_back(items, stop_before):
                    nxt = None  # the rest is older than the window: unchanged since the last sync
                run = {
                    **run,
                    "parent": loc if nxt is not None else None,
                    "token": nxt,
                    "max_seen": seen,
                    "done": run["done"] if nxt is not None else [*run["done"], loc],
                }
                yield Page(page.records, {"cursor": cursors, "run": dict(run)}, page.quarantined)
                if nxt is None:
                    break

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        cursors = dict(state.get("cursor") or {})
        for loc, value in ((state.get("run") or {}).get("max_seen") or {}).items():
            prev = cursors.get(loc)
            cursors[loc] = value if not prev or parse_present(value) >= parse_present(prev) else prev
        return {"cursor": cursors, "run": None}


def _reaches_back(items: list[Any], before: Any) -> bool:
    """Whether the page holds a review last changed before ``before`` (pages come newest change first). An
    unreadable time says nothing, so it never stops the read."""
    for item in items:
        try:
            t = parse_timestamp(item.get("updateTime")) if isinstance(item, dict) else None
        except (ValueError, OverflowError, OSError):
            t = None
        if t is not None and t < before:
            return True
    return False
