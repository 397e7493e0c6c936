"""Readers for Graph API edges: a node's edge (campaigns of an ad account), children of many parents (comments of
posts, leads of forms), and daily ad insights (sync for short ranges, async report jobs for long ones).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

from connectors.core.clock import iso_or_none, later_iso
from connectors.core.errors import RequestError, TransientError
from connectors.meta.catalog import INSIGHT_FIELDS, GraphStream
from connectors.meta.client import GraphApi
from connectors.raw.contracts import DEFAULT_LIMITS, ContractLimits
from connectors.raw.records import ShapedPage, shape_page
from connectors.raw.sync import Page, SyncMode


def shape_items(
    stream: GraphStream, items: Any, extra: dict[str, Any] | None = None, limits: ContractLimits | None = None
) -> ShapedPage:
    """A page's ``data`` as the raw records a sync stores (``extra``: the parent's id, e.g. ``post_id``), and the
    items that break the stream's contract, quarantined with their reason."""
    return shape_page(
        items,
        record_id=stream.record_id,
        key_paths=stream.key_paths,
        required=stream.required,
        cursor=stream.cursor(),
        checks=stream.checks,
        extra=extra,
        limits=limits or DEFAULT_LIMITS,
    )


class EdgeReader:
    """Every item of one edge of one node (``act_1/campaigns``), re-read in full on every sync."""

    def __init__(
        self,
        api: GraphApi,
        stream: GraphStream,
        node: Callable[[], str],
        edge: str,
        fields: str,
        *,
        limits: ContractLimits = DEFAULT_LIMITS,
    ) -> None:
        self.api, self.stream, self.name = api, stream, stream.name
        self.node, self.edge, self.fields, self.limit = node, edge, fields, api.config.page_size
        self.limits = limits

    def read(self, state: dict[str, Any], mode: SyncMode, *, resuming: bool) -> Iterator[Page]:
        run = (state.get("run") if resuming else None) or {"mode": "full_refresh", "after": None, "max_seen": None}
        params = {"fields": self.fields, "limit": self.limit}
        for body, after in self.api.pages(self.node(), self.edge, params, run.get("after")):
            page = shape_items(self.stream, body.get("data"), limits=self.limits)
            run = {**run, "after": after, "max_seen": later_iso(run.get("max_seen"), iso_or_none(page.newest))}
            yield Page(page.records, {"cursor": state.get("cursor"), "run": dict(run)}, page.quarantined)

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        run = state.get("run") or {}
        return {"cursor": later_iso(state.get("cursor"), run.get("max_seen")), "run": None}


class ChildrenReader:
    """An edge read under many parents (comments of posts, leads of forms), one parent after another.

    ``parents(state, mode)`` lists the parent ids to visit this run; ``params(parent, state, mode)`` adds per-parent
    filters (e.g. leads newer than that form's cursor). The stored payload gains ``parent_key: parent id``.
    The state's cursor maps each parent to the newest cursor value seen under it.
    """

    def __init__(
        self,
        api: GraphApi,
        stream: GraphStream,
        *,
        parents: Callable[[dict[str, Any], SyncMode], list[str]],
        edge: str,
        fields: str,
        parent_key: str,
        params: Callable[[str, dict[str, Any], SyncMode], dict[str, Any]] | None = None,
        limits: ContractLimits = DEFAULT_LIMITS,
    ) -> None:
        self.api, self.stream, self.name = api, stream, stream.name
        self.limits = limits
        self.parents, self.edge, self.fields, self.parent_key = parents, edge, fields, parent_key
        self.params = params or (lambda parent, state, mode: {})
        self.limit = api.config.page_size

    def read(self, state: dict[str, Any], mode: SyncMode, *, resuming: bool) -> Iterator[Page]:
        cursors: dict[str, str] = dict(state.get("cursor") or {})
        run = (state.get("run") if resuming else None) or {
            "mode": mode,
            "parents": None,
            "done": [],
            "parent": None,
            "after": None,
            "max_seen": {},
        }
        if run["parents"] is None:
            run = {**run, "parents": self.parents(state, run["mode"])}
        for parent in run["parents"]:
            if parent in run["done"]:
                continue
            params = {"fields": self.fields, "limit": self.limit, **self.params(parent, state, run["mode"])}
            start = run["after"] if run.get("parent") == parent else None
            for body, after in self.api.pages(parent, self.edge, params, start):
                page = shape_items(self.stream, body.get("data"), {self.parent_key: parent}, self.limits)
                newest = iso_or_none(page.newest)
                seen = dict(run["max_seen"])
                if newest:
                    seen[parent] = later_iso(seen.get(parent), newest)
                run = {
                    **run,
                    "parent": parent if after else None,
                    "after": after,
                    "max_seen": seen,
                    "done": run["done"] if after else [*run["done"], parent],
                }
                yield Page(page.records, {"cursor": cursors, "run": dict(run)}, page.quarantined)

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        cursors = dict(state.get("cursor") or {})
        for parent, value in ((state.get("run") or {}).get("max_seen") or {}).items():
            cursors[parent] = later_iso(cursors.get(parent), value)
        return {"cursor": cursors, "run": None}


class InsightsReader:
    """Daily ad-level insights for a date range.

    Without an explicit range (a plain incremental sync) the range runs from the cursor minus the restatement window
    to today, because Meta keeps revising the last days' conversions. Ranges longer than ``sync_insights_max_days``
    run as an async report job (POST, poll the job, then page its results); shorter ones are read directly.
    """

    def __init__(
        self,
        api: GraphApi,
        stream: GraphStream,
        *,
        start_date: date,
        date_range: tuple[date, date] | None = None,
        today: Callable[[], date] = date.today,
        sleep: Callable[[float], None] = time.sleep,
        limits: ContractLimits = DEFAULT_LIMITS,
    ) -> None:
        self.api, self.stream, self.name = api, stream, stream.name
        self.start_date, self.date_range, self.today, self.sleep = start_date, date_range, today, sleep
        self.limits = limits

    def _range(self, cursor: str | None) -> tuple[date, date]:
        if self.date_range:
            return self.date_range
        until = self.today()
        if cursor:
            since = date.fromisoformat(cursor) - timedelta(days=self.api.config.restatement_days)
            return max(since, self.start_date), until
        return self.start_date, until

    def read(self, state: dict[str, Any], mode: SyncMode, *, resuming: bool) -> Iterator[Page]:
        cursor = state.get("cursor")
        run = state.get("run") if resuming else None
        if run is None:
            since, until = self._range(cursor if mode == "incremental" else None)
            run = {
                "mode": mode,
                "since": since.isoformat(),
                "until": until.isoformat(),
                "after": None,
                "max_date": None,
            }
        since, until = date.fromisoformat(run["since"]), date.fromisoformat(run["until"])
        params = {
            "level": "ad",
            "time_increment": 1,
            "time_range": {"since": run["since"], "until": run["until"]},
            "fields": INSIGHT_FIELDS,
            "limit": self.api.config.insights_page_size,
        }
        if (until - since).days + 1 > self.api.config.sync_insights_max_days:
            node, edge, query, start = self._run_report(params), "insights", {"limit": params["limit"]}, None
        else:
            node, edge, query, start = self.api.config.account_node, "insights", params, run.get("after")
        for body, after in self.api.pages(node, edge, query, start):
            page = shape_items(self.stream, body.get("data"), limits=self.limits)
            dates = [r.payload["date_start"] for r in page.records]
            run = {**run, "after": after if node == self.api.config.account_node else None}
            if dates:
                run["max_date"] = max([d for d in (run.get("max_date"), *dates) if d])
            yield Page(page.records, {"cursor": cursor, "run": dict(run)}, page.quarantined)

    def _run_report(self, params: dict[str, Any]) -> str:
        """Start an async insights job and wait for it; return the report run id."""
        cfg = self.api.config
        for _attempt in range(3):
            started = self.api.post(cfg.account_node, "insights", params)
            run_id = started.get("report_run_id") or started.get("id")
            if not run_id:
                raise RequestError(f"Meta did not return a report_run_id: {started!r}", source="meta")
            deadline = time.monotonic() + cfg.report_timeout_s
            pause = cfg.report_poll_s
            while True:
                job = self.api.get(str(run_id))
                status = job.get("async_status")
                if status == "Job Completed" and int(job.get("async_percent_completion") or 0) >= 100:
                    return str(run_id)
                if status in ("Job Failed", "Job Skipped"):
                    break  # start a fresh job, as Meta recommends
                if time.monotonic() > deadline:
                    raise TransientError(
                        f"Meta insights job {run_id} still '{status}' after {cfg.report_timeout_s:.0f}s", source="meta"
                    )
                self.sleep(pause)
                pause = min(pause * 2, 30.0)
        raise TransientError("Meta insights report jobs failed three times in a row", source="meta")

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        run = state.get("run") or {}
        newest = max([d for d in (state.get("cursor"), run.get("max_date")) if d], default=None)
        return {"cursor": newest, "run": None}


class WithParent:
    """Adds the parent node's id to every record of an edge reader (lead forms get ``page_id``)."""

    def __init__(self, inner: EdgeReader, key: str, node: Any) -> None:
        self.inner, self.key, self.node, self.name = inner, key, node, inner.name

    def read(self, state: dict[str, Any], mode: SyncMode, *, resuming: bool):
        for page in self.inner.read(state, mode, resuming=resuming):
            for record in page.records:
                record.payload[self.key] = self.node()
            yield page

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        return self.inner.final_state(state)
