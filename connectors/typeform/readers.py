"""Readers for Typeform: the form definitions (re-read every sync) and each form's responses (a cursor per form).

Responses are read per form, newest first, paged with ``before=<last token>`` inside the run's window: everything
(full refresh) or ``since`` = the form's newest ``submitted_at`` seen minus the lookback (incremental). The run's
position (form, ``before`` token, window) is saved with every page, so a killed run resumes where it stopped.
Each form's definition is read first: the record contract checks answers against its fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from connectors.core.clock import parse_present, to_iso_z
from connectors.raw.contracts import DEFAULT_LIMITS, Check, ContractLimits
from connectors.raw.records import ShapedPage, shape_page, timestamp_at
from connectors.raw.sync import Page, SyncMode
from connectors.typeform.catalog import STREAMS_BY_NAME, TypeformStream, answers_check, landed_at_check
from connectors.typeform.client import TypeformApi


def shape_items(
    stream: TypeformStream,
    items: Any,
    extra: dict[str, Any] | None = None,
    definition: dict[str, Any] | None = None,
    limits: ContractLimits | None = None,
) -> ShapedPage:
    """A page of Typeform items as the raw records a sync stores (``extra``: for responses, ``{"form_id": ...}``,
    the one key the connector adds), and the items that break the stream's contract, quarantined with their reason.
    ``definition`` is the response's form (its fields decide which answers are known and on which scale)."""
    checks: tuple[Check, ...] = ()
    if stream.name == "responses":
        checks = (landed_at_check,) + ((answers_check(definition),) if definition is not None else ())
    return shape_page(
        items,
        record_id=stream.record_id,
        key_paths=stream.key_paths,
        cursor=timestamp_at(stream.cursor_field) if stream.cursor_field else None,
        checks=checks,
        extra=extra,
        limits=limits or DEFAULT_LIMITS,
    )


class FormsReader:
    """Every form's definition, fully re-read every sync (one page: a project has a handful of forms)."""

    def __init__(self, api: TypeformApi, limits: ContractLimits = DEFAULT_LIMITS) -> None:
        self.api, self.stream, self.limits = api, STREAMS_BY_NAME["forms"], limits
        self.name = self.stream.name

    def read(self, state: dict[str, Any], mode: SyncMode, *, resuming: bool) -> Iterator[Page]:
        definitions = [self.api.form(form_id) for form_id in self.api.form_ids()]
        page = shape_items(self.stream, definitions, limits=self.limits)
        yield Page(page.records, {"cursor": None, "run": {"mode": "full_refresh", "done": True}}, page.quarantined)

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        return {"cursor": None, "run": None}


class ResponsesReader:
    """Each form's submitted responses; ``cursor`` maps form id to the newest ``submitted_at`` stored."""

    def __init__(self, api: TypeformApi, lookback_minutes: float, limits: ContractLimits = DEFAULT_LIMITS) -> None:
        self.api, self.stream, self.limits = api, STREAMS_BY_NAME["responses"], limits
        self.name = self.stream.name
        self.lookback = timedelta(minutes=lookback_minutes)

    def _since(self, cursor: str | None) -> str | None:
        if not cursor:
            return None
        return (parse_present(cursor) - self.lookback).strftime("%Y-%m-%dT%H:%M:%S")

    def read(self, state: dict[str, Any], mode: SyncMode, *, resuming: bool) -> Iterator[Page]:
        cursors: dict[str, str] = dict(state.get("cursor") or {})
        run = (state.get("run") if resuming else None) or {
            "mode": mode,
            "forms": None,
            "done": [],
            "form": None,
            "before": None,
            "max_seen": {},
        }
        if run["forms"] is None:
            run = {**run, "forms": self.api.form_ids()}
        for form_id in run["forms"]:
            if form_id in run["done"]:
                continue
            definition = self.api.form(form_id)
            since = self._since(cursors.get(form_id)) if run["mode"] == "incremental" else None
            window = {"since": since} if since else {}
            before = run["before"] if run.get("form") == form_id else None
            extra = {"form_id": form_id}
            for items, nxt in self.api.response_pages(form_id, window, before):
                page = shape_items(self.stream, items, extra, definition, self.limits)
                seen = dict(run["max_seen"])
                if page.newest is not None:
                    prev = seen.get(form_id)
                    seen[form_id] = to_iso_z(max(page.newest, parse_present(prev)) if prev else page.newest)
                run = {
                    **run,
                    "form": form_id if nxt is not None else None,
                    "before": nxt,
                    "max_seen": seen,
                    "done": run["done"] if nxt is not None else [*run["done"], form_id],
                }
                yield Page(page.records, {"cursor": cursors, "run": dict(run)}, page.quarantined)

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        cursors = dict(state.get("cursor") or {})
        for form_id, value in ((state.get("run") or {}).get("max_seen") or {}).items():
            prev = cursors.get(form_id)
            cursors[form_id] = value if not prev or parse_present(value) >= parse_present(prev) else prev
        return {"cursor": cursors, "run": None}
