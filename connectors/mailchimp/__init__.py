"""Mailchimp Marketing API v3 connector (schema ``raw_mailchimp``).

Streams: ``lists`` (audiences), ``list_members`` (incremental on ``last_changed``), ``campaigns``,
``campaign_recipients`` (``/reports/{id}/sent-to``: one row per recipient of a sent campaign) and ``email_activity``
(``/reports/{id}/email-activity``). Mailchimp returns one element per recipient with an ``activity`` array; the
connector stores **one record per activity event** (recipient fields plus ``action``, ``type``, ``timestamp``, ``url``,
``ip``), because an incremental read with ``since`` returns only newer events and would otherwise overwrite older ones.

Paging is ``offset``/``count`` (max 1,000) and ends at ``total_items``. Errors are RFC 7807 problem+json; there are no
rate-limit headers (the limit is 10 simultaneous connections; this connector uses one).

Record contracts (quarantined otherwise, see docs/quarantine.md): every record has its key parts; a list member has
an ``email_address`` shaped like an address (a bad one is quarantined, not kept: Mailchimp validates addresses on
entry, so one without an ``@`` is corrupt, and identity resolution would turn it into a phantom person) and a plausible
``last_changed``; an email activity event has an ``action`` and a plausible ``timestamp``. A page without its
collection key (``members``, ``emails`` …) is a malformed page.

Mailchimp derives a member's ``stats``, ``member_rating`` and ``email_client`` from activity without moving
``last_changed``, so incremental member syncs do not refresh those fields; the models derive engagement from
``email_activity`` instead, and a full refresh re-reads them.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from connectors.base import Connector
from connectors.core.clock import parse_timestamp, to_iso_z
from connectors.core.errors import ConfigurationError
from connectors.core.http import HttpClient, RetryPolicy
from connectors.core.jsonbody import mark, taint_of
from connectors.core.paging import PageGuard
from connectors.core.settings import numbers, require
from connectors.raw.contracts import (
    DEFAULT_LIMITS,
    Check,
    ContractLimits,
    Reason,
    Violation,
    check_email,
    required_text,
)
from connectors.raw.records import shape_page
from connectors.raw.store import QuarantinedRecord, RawRecord
from connectors.raw.sync import Page, StreamReader, SyncMode

API_KEY_ENV = "MAILCHIMP_API_KEY"
BASE_URL_ENV = "MAILCHIMP_BASE_URL"


@dataclass(frozen=True)
class MailchimpConfig:
    api_key: str
    base_url: str
    page_size: int = 1000
    lookback_minutes: float = 60.0
    # Opens and clicks keep arriving for weeks after a send: re-read activity of campaigns sent this recently.
    activity_window_days: int = 30
    timeout_s: float = 120.0
    max_attempts: int = 8
    backoff_base_s: float = 1.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> MailchimpConfig:
        env = os.environ if env is None else env
        key = require(
            env,
            API_KEY_ENV,
            source="mailchimp",
            hint=f"Create an API key in Mailchimp (Account > Extras > API keys) and export it as {API_KEY_ENV}.",
        )
        base = (env.get(BASE_URL_ENV) or "").strip()
        if not base:
            dc = key.rsplit("-", 1)[-1] if "-" in key else ""
            if not dc:
                raise ConfigurationError(
                    f"{API_KEY_ENV} has no data-center suffix (like -us6); set {BASE_URL_ENV} explicitly",
                    source="mailchimp",
                )
            base = f"https://{dc}.api.mailchimp.com/3.0"
        values: dict[str, Any] = {
            "api_key": key,
            "base_url": base,
            **numbers(
                env,
                {
                    "MAILCHIMP_LOOKBACK_MINUTES": ("lookback_minutes", float),
                    "MAILCHIMP_PAGE_SIZE": ("page_size", int),
                    "MAILCHIMP_TIMEOUT_S": ("timeout_s", float),
                    "MAILCHIMP_ACTIVITY_WINDOW_DAYS": ("activity_window_days", int),
                },
                source="mailchimp",
            ),
        }
        values.update(overrides)
        return cls(**values)

    def __repr__(self) -> str:
        return f"MailchimpConfig(base_url={self.base_url!r}, api_key='***')"


@dataclass(frozen=True)
class MailchimpStream:
    name: str
    description: str
    cursor_field: str | None
    record_id: Callable[[dict[str, Any]], Any]
    # The fields the record id is built from, checked for presence and type before it is built.
    key_paths: tuple[str, ...] = ("id",)
    # Stream contract checks run before the cursor (see connectors.raw.contracts for the order).
    required: tuple[Check, ...] = ()


def _member_email(payload: dict[str, Any], _limits: ContractLimits) -> Violation | None:
    return check_email(payload.get("email_address"))


def activity_record_id(p: dict[str, Any]) -> str | None:
    if not (p.get("campaign_id") and p.get("email_id") and p.get("action") and p.get("timestamp")):
        return None
    url_hash = hashlib.sha1((p.get("url") or "").encode()).hexdigest()[:12]
    return f"{p['campaign_id']}:{p['email_id']}:{p['action']}:{p['timestamp']}:{url_hash}"


STREAMS: tuple[MailchimpStream, ...] = (
    MailchimpStream("lists", "Audiences (lists) and their settings.", None, lambda p: p.get("id")),
    MailchimpStream(
        "list_members",
        "Audience members: email, status, merge fields, tags; incremental on last_changed.",
        "last_changed",
        lambda p: f"{p['list_id']}:{p['id']}" if p.get("list_id") and p.get("id") else None,
        key_paths=("list_id", "id"),
        required=(_member_email,),
    ),
    MailchimpStream(
        "campaigns", "Campaigns with settings, recipients and report summary.", None, lambda p: p.get("id")
    ),
    MailchimpStream(
        "campaign_recipients",
        "Who each sent campaign went to (reports sent-to): one row per recipient.",
        None,
        lambda p: f"{p['campaign_id']}:{p['email_id']}" if p.get("campaign_id") and p.get("email_id") else None,
        key_paths=("campaign_id", "email_id"),
    ),
    MailchimpStream(
        "email_activity",
        "Opens, clicks, bounces and unsubscribes: one row per event (the connector flattens activity[]).",
        "timestamp",
        activity_record_id,
        # action and timestamp are part of the id too, but their absence has its own reason.
        key_paths=("campaign_id", "email_id"),
        required=(required_text("action", Reason.MISSING_ACTION),),
    ),
)
_BY_NAME = {s.name: s for s in STREAMS}


class MailchimpApi:
    def __init__(self, config: MailchimpConfig, *, http: HttpClient | None = None) -> None:
        self.config = config
        self.http = http or HttpClient(
            config.base_url,
            source="mailchimp",
            credential_env_var=API_KEY_ENV,
            base_url_env_var=BASE_URL_ENV,
            auth=("journeyhub", config.api_key),
            secrets=[config.api_key],
            timeout_s=config.timeout_s,
            retry=RetryPolicy(max_attempts=config.max_attempts, base_delay_s=config.backoff_base_s),
        )

    def close(self) -> None:
        self.http.close()

    def pages(
        self, path: str, key: str, params: Mapping[str, Any], offset: int = 0
    ) -> Iterator[tuple[list[Any] | Any, int | None]]:
        """Yield ``(items, offset of the next page or None)`` for an offset/count collection.

        Offsets only grow, so they cannot repeat; what can is the page: a server (or a cache in front of it) that
        ignores ``offset`` answers the first page again and again, and walking on to ``total_items`` would end
        "complete" with the other records never read. The guard stops at the first repeated page.
        """
        count = self.config.page_size
        guard = PageGuard(f"GET {path}", offset)
        while True:
            body = self.http.get(
                path, params={**params, "count": count, "offset": offset}, expect=lambda b: _expect_collection(b, key)
            )
            items = body.get(key)
            total = body.get("total_items")
            n = len(items) if isinstance(items, list) else 0
            nxt = offset + n
            more = isinstance(items, list) and n == count and (not isinstance(total, int) or nxt < total)
            guard.after_page(items, nxt if more else None)
            yield items, nxt if more else None
            if not more:
                return
            offset = nxt

    def all_items(self, path: str, key: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for items, _ in self.pages(path, key, params):
            out += [i for i in items or [] if isinstance(i, dict)]
        return out


def _expect_collection(body: Any, key: str) -> str | None:
    """Every collection page is ``{<key>: [...], "total_items": n, ...}``."""
    if not isinstance(body, dict):
        return f"expected an object with {key!r}, got {'an empty body' if body is None else type(body).__name__}"
    if not isinstance(body.get(key), list):
        return f"no {key!r} list" if key not in body else f"{key!r} is a {type(body[key]).__name__}"
    return None


def _shape(
    stream: MailchimpStream,
    items: Any,
    extra: dict[str, Any] | None = None,
    limits: ContractLimits | None = None,
) -> tuple[list[RawRecord], list[QuarantinedRecord], datetime | None]:
    cursor = (lambda p: p.get(stream.cursor_field)) if stream.cursor_field else None
    page = shape_page(
        items,
        record_id=stream.record_id,
        key_paths=stream.key_paths,
        required=stream.required,
        cursor=cursor,
        cursor_name=stream.cursor_field or "",
        extra=extra,
        drop_keys=("_links",),  # hypermedia links, identical on every row
        limits=limits or DEFAULT_LIMITS,
    )
    return page.records, page.quarantined, page.newest


class _CollectionReader:
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
            records, bad, _ = _shape(self.stream, items, limits=self.limits)
            run = {**run, "offset": nxt}
            yield Page(records, {"cursor": None, "run": dict(run)}, bad)

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        return {"cursor": None, "run": None}


class _PerParentReader:
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
                rows, unexploded = (items, [])
                if self.explode is not None and isinstance(items, list):
                    rows, unexploded = self.explode(items, extra)
                records, bad, newest = _shape(self.stream, rows, extra, self.limits)
                bad = unexploded + bad
                seen = dict(run["max_seen"])
                if newest is not None:
                    prev = seen.get(parent)
                    seen[parent] = to_iso_z(max(newest, parse_timestamp(prev))) if prev else to_iso_z(newest)
                run = {
                    **run,
                    "parent": parent if nxt is not None else None,
                    "offset": nxt or 0,
                    "max_seen": seen,
                    "done": run["done"] if nxt is not None else [*run["done"], parent],
                }
                yield Page(records, {"cursor": cursors, "run": dict(run)}, bad)

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        cursors = dict(state.get("cursor") or {})
        for parent, value in ((state.get("run") or {}).get("max_seen") or {}).items():
            prev = cursors.get(parent)
            cursors[parent] = value if not prev or parse_timestamp(value) >= parse_timestamp(prev) else prev
        return {"cursor": cursors, "run": None}


def _flatten_activity(items: list[Any]) -> list[Any]:
    """One row per activity event: the recipient's fields plus the event's (the direct loader uses this too)."""
    return _explode_activity(items)[0]


def _explode_activity(
    items: list[Any], extra: dict[str, Any] | None = None
) -> tuple[list[Any], list[QuarantinedRecord]]:
    """Flatten recipients into events; a recipient whose ``activity`` is not a list is quarantined whole (with
    ``extra``, the parent's id, added as on every record), because which events it held cannot be known."""
    rows: list[Any] = []
    bad: list[QuarantinedRecord] = []
    for recipient in items:
        if not isinstance(recipient, dict):
            rows.append(recipient)  # quarantined by _shape with its reason
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


def _sent_since(send_time: Any, horizon: datetime) -> bool:
    """Whether a campaign was sent after ``horizon``; an unreadable send time counts as recent, so its activity is
    re-read rather than silently skipped."""
    if not send_time:
        return False
    try:
        sent = parse_timestamp(send_time)
    except ValueError:
        return True
    return sent is None or sent >= horizon


class MailchimpConnector(Connector):
    source = "mailchimp"
    stream_names = tuple(s.name for s in STREAMS)

    def __init__(
        self, config: MailchimpConfig, *, api: MailchimpApi | None = None, limits: ContractLimits | None = None
    ) -> None:
        self.config = config
        self.api = api or MailchimpApi(config)
        if limits is not None:
            self.limits = limits

    def _since(self, cursor: str | None) -> str | None:
        if not cursor:
            return None
        since = parse_timestamp(cursor) - timedelta(minutes=self.config.lookback_minutes)
        return since.strftime("%Y-%m-%dT%H:%M:%S+00:00")

    def _list_ids(self, state: dict[str, Any], mode: SyncMode) -> list[str]:
        lists = self.api.all_items("/lists", "lists", {"fields": "lists.id,total_items"})
        # A list without an id is quarantined by the lists stream; here it simply has no members to read.
        return sorted(str(i["id"]) for i in lists if i.get("id"))

    def _sent_campaign_ids(self, state: dict[str, Any], mode: SyncMode) -> list[str]:
        """Sent campaigns; incrementally only those sent inside the activity window of the newest event seen."""
        campaigns = self.api.all_items(
            "/campaigns",
            "campaigns",
            {
                "status": "sent",
                "sort_field": "send_time",
                "sort_dir": "ASC",
                "fields": "campaigns.id,campaigns.send_time",
            },
        )
        seen = [parse_timestamp(v) for v in (state.get("cursor") or {}).values() if v]
        if mode == "incremental" and seen:
            horizon = max(seen) - timedelta(days=self.config.activity_window_days)
            campaigns = [c for c in campaigns if _sent_since(c.get("send_time"), horizon)]
        return [str(c["id"]) for c in campaigns if c.get("id")]

    def reader(self, name: str) -> StreamReader:
        stream = _BY_NAME[name]
        if name == "lists":
            return _CollectionReader(self.api, stream, "/lists", "lists", {}, self.limits)
        if name == "campaigns":
            return _CollectionReader(
                self.api,
                stream,
                "/campaigns",
                "campaigns",
                {"sort_field": "create_time", "sort_dir": "ASC"},
                self.limits,
            )
        if name == "list_members":
            return _PerParentReader(
                self.api,
                stream,
                parents=self._list_ids,
                path=lambda list_id: f"/lists/{list_id}/members",
                key="members",
                params=lambda _, since: {
                    "sort_field": "last_changed",
                    "sort_dir": "ASC",
                    **({"since_last_changed": self._since(since)} if since else {}),
                },
                parent_key="list_id",
                limits=self.limits,
            )
        if name == "campaign_recipients":
            return _PerParentReader(
                self.api,
                stream,
                parents=lambda state, mode: self._sent_campaign_ids({}, "full_refresh"),
                path=lambda cid: f"/reports/{cid}/sent-to",
                key="sent_to",
                params=lambda *_: {},
                parent_key="campaign_id",
                limits=self.limits,
            )
        if name == "email_activity":
            return _PerParentReader(
                self.api,
                stream,
                parents=self._sent_campaign_ids,
                path=lambda cid: f"/reports/{cid}/email-activity",
                key="emails",
                params=lambda _, since: {"since": self._since(since)} if since else {},
                parent_key="campaign_id",
                explode=_explode_activity,
                limits=self.limits,
            )
        raise KeyError(name)
