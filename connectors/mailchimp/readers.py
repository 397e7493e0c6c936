"""Readers for Mailchimp collections: a top-level collection re-read every sync, and a collection under each of many
parents (members of each list, reports of each campaign) with a cursor per parent.

Email activity: Mailchimp returns one element per recipient with an ``activity`` array; the connector stores **one
record per activity event** (recipient fields plus ``action``, ``type``, ``timestamp``, ``url``, ``ip``), because an
incremental read with ``since`` returns only newer events and would otherwise overwrite older ones
(:func:`flatten_activity`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from connectors.core.clock import parse_present, to_iso_z
from connectors.core.jsonbody import mark, taint_of
from connectors.mailchimp.catalog import MailchimpStream
from connectors.mailchimp.client import MailchimpApi
from connectors.raw.contracts import DEFAULT_LIMITS, ContractLimits, Reason
from connectors.raw.records import ShapedPage, shape_page, timestamp_at
from connectors.raw.store import QuarantinedRecord
from connectors.raw.sync import Page, SyncMode


def shape_items(
    stream: MailchimpStream, items: Any, extra: dict[str, Any] | None = None, limits: ContractLimits | None = None
) -> ShapedPage:
    """A page of Mailchimp items as the raw records a sync stores (``extra``: the parent's id, e.g. ``list_id``;
    ``_links`` dropped), and the items that break the stream's contract, quarantined with their reason."""
    return shape_page(
        items,
        record_id=stream.record_id,
        key_paths=stream.key_paths,
        required=stream.required,
        cursor=timestamp_at(stream.cursor_field) if stream.cursor_field else None,
        extra=extra,
        drop_keys=("_links",),  # hypermedia links, identical on every row
        limits=limits or DEFAULT_LIMITS,
    )


class CollectionReader:
    """A top-level collection (lists, campaigns), fully re-read every sync."""

    def __init__(
        self,
        api: MailchimpApi,
        stream: MailchimpStream,
        path: str,
        key: str,
        params: dict,
        limits: ContractLimits = DEFAULT_LIMITS,
    ) -> None:
        self.api, self.stream, self.name, self.path, self.key, self.params = api, stream, stream.name, path, key, params
        self.limits = limits

    def read(self, state: dict[str, Any], mode: SyncMode, *, resuming: bool) -> Iterator[Page]:
        run = (state.get("run") if resuming else None) or {"mode": "full_refresh", "offset": 0}
        for items, nxt in self.api.pages(self.path, self.key, self.params, run["offset"]):
            page = shape_items(self.stream, items, limits=self.limits)
            run = {**run, "offset": nxt}
            yield Page(page.records, {"cursor": None, "run": dict(run)}, page.quarantined)

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        return {"cursor": None, "run": None}


class PerParentReader:
    """A collection under each of several parents (members of each list, reports of each campaign).

    ``cursor`` maps parent id to the newest cursor value seen; ``params(parent, cursor)`` turns it into filters.
    ``explode`` may turn one API item into several records (email activity), returning them with any items it had
    to quarantine itself.
    """

    def __init__(
        self,
        api: MailchimpApi,
        stream: MailchimpStream,
        *,
        parents: Callable[[dict[str, Any], SyncMode], list[str]],
        path: Callable[[str], str],
        key: str,
        params: Callable[[str, str | None], dict[str, Any]],
        parent_key: str,
        explode: Callable[[list[Any], dict[str, Any]], tuple[list[Any], list[QuarantinedRecord]]] | None = None,
        limits: ContractLimits = DEFAULT_LIMITS,
    ) -> None:
        self.api, self.stream, self.name = api, stream, stream.name
        self.parents, self.path, self.key, self.params = parents, path, key, params
        self.parent_key, self.explode, self.limits = parent_key, explode, limits

    def read(self, state: dict[str, Any], mode: SyncMode, *, resuming: bool) -> Iterator[Page]:
        cursors: dict[str, str] = dict(state.get("cursor") or {})
        run = (state.get("run") if resuming else None) or {
            "mode": mode,
            "parents": None,
            "done": [],
            "parent": None,
            "offset": 0,
            "max_seen": {},
        }
        if run["parents"] is None:
            run = {**run, "parents": self.parents(state, run["mode"])}
        for parent in run["parents"]:
            if parent in run["done"]:
                continue
            since = cursors.get(parent) if run["mode"] == "incremental" else None
            start = run["offset"] if run.get("parent") == parent else 0
            for items, nxt in self.api.pages(self.path(parent), self.key, self.params(parent, since), start):
                extra = {self.parent_key: parent}
                rows: Any = items
                unexploded: list[QuarantinedRecord] = []
                if self.explode is not None and isinstance(items, list):
                    rows, unexploded = self.explode(items, extra)
                page = shape_items(self.stream, rows, extra, self.limits)
                newest = page.newest
                seen = dict(run["max_seen"])
                if newest is not None:
                    prev = seen.get(parent)
                    seen[parent] = to_iso_z(max(newest, parse_present(prev))) if prev else to_iso_z(newest)
                run = {
                    **run,
                    "parent": parent if nxt is not None else None,
                    "offset": nxt or 0,
                    "max_seen": seen,
                    "done": run["done"] if nxt is not None else [*run["done"], parent],
                }
                yield Page(page.records, {"cursor": cursors, "run": dict(run)}, unexploded + page.quarantined)

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        cursors = dict(state.get("cursor") or {})
        for parent, value in ((state.get("run") or {}).get("max_seen") or {}).items():
            prev = cursors.get(parent)
            cursors[parent] = value if not prev or parse_present(value) >= parse_present(prev) else prev
        return {"cursor": cursors, "run": None}


def flatten_activity(items: list[Any]) -> list[Any]:
    """One row per activity event: the recipient's fields plus the event's, as the email_activity stream stores them
    (give the rows to :func:`shape_items`; the sandbox's direct loader and its manifest use this too)."""
    return explode_activity(items)[0]


def explode_activity(
    items: list[Any], extra: dict[str, Any] | None = None
) -> tuple[list[Any], list[QuarantinedRecord]]:
    """Flatten recipients into events; a recipient whose ``activity`` is not a list is quarantined whole (with
    ``extra``, the parent's id, added as on every record), because which events it held cannot be known."""
    rows: list[Any] = []
    bad: list[QuarantinedRecord] = []
    for recipient in items:
        if not isinstance(recipient, dict):
            rows.append(recipient)  # quarantined by shape_items with its reason
            continue
        activity = recipient.get("activity")
        if activity is not None and not isinstance(activity, list):
            whole = {**recipient, **(extra or {})}
            rid = f"{whole.get('campaign_id') or ''}:{whole.get('email_id') or ''}"
            detail = f"activity is a {type(activity).__name__}, not a list of events"
            bad.append(QuarantinedRecord(Reason.INVALID_ACTIVITY, whole, rid, detail))
            continue
        base = {k: v for k, v in recipient.items() if k not in ("activity", "_links")}
        # Flattening builds new objects: a value the decoder marked (text not UTF-8, NaN) must stay marked on the
        # events that carry it, so the contract still quarantines them (only them: the recipient's other events
        # are fine unless the bad value is one of the recipient's own fields).
        tainted = taint_of(recipient) is not None
        for event in activity or []:
            row = {**base, **event} if isinstance(event, dict) else event
            rows.append(mark(row) if tainted and isinstance(row, dict) else row)
    return rows, bad
