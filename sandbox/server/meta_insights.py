"""Meta ad insights (https://developers.facebook.com/docs/marketing-api/insights): rows for a time range or a
``date_preset`` (computed against the world's clock), summed to the asked level and ``time_increment``; served at
once (``GET .../insights``) or as an async report run (``POST``, poll the run node, then read its insights)."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sandbox.server.base import Request, Response
from sandbox.server.meta_graph import GraphHandlers, graph_error
from sandbox.server.meta_presets import PRESETS, RETENTION_MONTHS, months_back, preset_range
from sandbox.world import catalog
from sandbox.world.projections import ads as ads_p
from sandbox.world.projections.graph import select
from sandbox.world.timeutil import DAY_MS, iso_date
from sandbox.world.world import World


@dataclass
class ReportRun:
    id: str
    rows: list[dict[str, Any]]
    since: str
    until: str
    created: float
    polls: int = 0


class InsightsApi(GraphHandlers):
    """Sync insights and async report runs (kept until the server stops)."""

    def __init__(self, world: World, base_url: Callable[[], str]) -> None:
        super().__init__(world, base_url)
        self._lock = threading.Lock()
        self.reports: dict[str, ReportRun] = {}
        self._report_ids = itertools.count(6023456789012)

    def _insight_rows(self, req: Request) -> tuple[list[dict[str, Any]], str, str] | Response:
        snap = self.world.ads_snapshot()
        today = ads_p.day_of(snap.now)
        level = req.arg("level") or "account"
        if level not in ("ad", "adset", "campaign", "account"):
            return graph_error(
                400, 100, "(#100) level must be one of the following values: ad, adset, campaign, account"
            )
        sample = snap.insight(next(iter(catalog.META_ADSETS)), today - DAY_MS) or {}
        spec = self._fields(req, "AdsInsights", {**sample, "actions": [], "action_values": []})
        if isinstance(spec, Response):
            return spec
        tr = req.arg("time_range")
        preset = req.arg("date_preset")
        today_date = date.fromisoformat(iso_date(today))
        if tr:
            try:
                rng = json.loads(tr)
                since = date.fromisoformat(rng["since"])
                until = date.fromisoformat(rng["until"])
            except (ValueError, KeyError, TypeError):
                return graph_error(400, 100, "(#100) time_range must be a JSON object with since and until dates")
            if since > until:
                return graph_error(400, 100, "(#100) Must provide a valid time range: since must be before until")
            lo, hi = catalog.to_day_ms(since.isoformat()), catalog.to_day_ms(until.isoformat())
        else:
            # computed against the sandbox's clock, so "this_month" moves when the world advances
            window = preset_range(preset or "last_30d", today_date)
            if window is None:
                return graph_error(
                    400, 100, f"(#100) date_preset must be one of the following values: {', '.join(PRESETS)}"
                )
            lo, hi = catalog.to_day_ms(window[0].isoformat()), catalog.to_day_ms(window[1].isoformat())
        if lo < catalog.to_day_ms(months_back(today_date, RETENTION_MONTHS).isoformat()):
            return graph_error(
                400, 3018, "(#3018) The start date of the time range cannot be beyond 37 months from the current date"
            )
        rows = snap.insights(lo, hi)
        inc = req.arg("time_increment") or "all_days"
        if level != "ad" or inc != "1":
            rows = _aggregate(rows, level, inc, iso_date(lo), iso_date(hi))
        out = []
        for r in rows:
            row = select(r, spec, always_id=False)
            # Graph reports every insights row's date range, whatever the fields asked for
            row.setdefault("date_start", r["date_start"])
            row.setdefault("date_stop", r["date_stop"])
            out.append(row)
        return out, iso_date(lo), iso_date(hi)

    def insights_sync(self, req: Request) -> Response:
        rows = self._insight_rows(req)
        if isinstance(rows, Response):
            return rows
        items = [
            ([r.get("date_start", ""), r.get("ad_id", ""), r.get("adset_id", ""), r.get("campaign_id", ""), i], r)
            for i, r in enumerate(rows[0])
        ]
        return self._paged(req, items, default_limit=25, cap=500)

    def start_report(self, req: Request) -> Response:
        """An async report run over the rows ``req`` asks for (the POST body's parameters merged into its query)."""
        rows = self._insight_rows(req)
        if isinstance(rows, Response):
            return rows
        rows_, since, until = rows
        run = ReportRun(str(next(self._report_ids)), rows_, since, until, time.time())
        with self._lock:
            self.reports[run.id] = run
        return Response.json(200, {"report_run_id": run.id})

    def report_status(self, run: ReportRun) -> dict[str, Any]:
        with self._lock:
            run.polls += 1
            polls = run.polls
        status, pct = (
            ("Job Not Started", 0) if polls <= 1 else ("Job Running", 50) if polls == 2 else ("Job Completed", 100)
        )
        return {
            "id": run.id,
            "account_id": catalog.META_AD_ACCOUNT_ID,
            "time_ref": int(run.created),
            "time_completed": int(run.created) + 2 if pct == 100 else 0,
            "async_status": status,
            "async_percent_completion": pct,
            "date_start": run.since,
            "date_stop": run.until,
            "is_running": pct < 100,
        }

    def report_results(self, req: Request, run: ReportRun) -> Response:
        if run.polls < 3:
            return graph_error(
                400, 100, "(#100) The report is not ready yet; poll its async_status first", subcode=1815107
            )
        items = [([i], r) for i, r in enumerate(run.rows)]
        return self._paged(req, items, default_limit=25, cap=500)


def _aggregate(rows: list[dict[str, Any]], level: str, inc: str, since: str, until: str) -> list[dict[str, Any]]:
    """Sum ad-level daily rows to another level and/or over the whole range (``time_increment=all_days``)."""
    keep = {
        "account": ("account_id", "account_currency"),
        "campaign": ("account_id", "campaign_id", "campaign_name", "account_currency"),
        "adset": ("account_id", "campaign_id", "campaign_name", "adset_id", "adset_name", "account_currency"),
        "ad": (
            "account_id",
            "campaign_id",
            "campaign_name",
            "adset_id",
            "adset_name",
            "ad_id",
            "ad_name",
            "account_currency",
        ),
    }[level]
    groups: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        day = (r["date_start"],) if inc == "1" else ()
        key = tuple(r[k] for k in keep) + day
        g = groups.get(key)
        if g is None:
            g = groups[key] = {k: r[k] for k in keep}
            g.update(spend=0.0, impressions=0, clicks=0, inline_link_clicks=0, actions={}, action_values={})
            g["date_start"], g["date_stop"] = (r["date_start"], r["date_stop"]) if inc == "1" else (since, until)
        g["spend"] += float(r["spend"])
        for k in ("impressions", "clicks", "inline_link_clicks"):
            g[k] += int(r[k])
        for name in ("actions", "action_values"):
            for a in r.get(name) or []:
                g[name][a["action_type"]] = g[name].get(a["action_type"], 0.0) + float(a["value"])
    out = []
    for g in groups.values():
        g["spend"] = f"{g['spend']:.2f}"
        for k in ("impressions", "clicks", "inline_link_clicks"):
            g[k] = str(g[k])
        g["actions"] = [{"action_type": k, "value": str(int(v))} for k, v in g["actions"].items()] or None
        g["action_values"] = [{"action_type": k, "value": f"{v:.2f}"} for k, v in g["action_values"].items()] or None
        out.append(g)
    return out
