"""Stream readers for HubSpot: how each stream pages, what its state holds, and how it resumes.

State layout (saved with every page): ``{"cursor": <newest change already synced>, "run": <position of the run in
progress, or None once it finished>}``. A run position names its mode and phase and the last page boundary, so a
killed sync picks up after its last committed page.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from connectors.core.clock import later_iso, parse_present, to_epoch_ms, to_iso_z
from connectors.core.paging import PageGuard
from connectors.hubspot.catalog import HubSpotStream
from connectors.hubspot.client import PROPERTY_QUERY_BUDGET, HubSpotApi, property_query_chars
from connectors.raw.contracts import DEFAULT_LIMITS, ContractLimits, Reason, check_key_part, is_ascii_number
from connectors.raw.records import ShapedPage, shape_page
from connectors.raw.store import QuarantinedRecord, RawRecord
from connectors.raw.sync import Page, SyncMode


def shape_items(stream: HubSpotStream, items: Any, *, limits: ContractLimits | None = None) -> ShapedPage:
    """A page's ``results`` checked against the stream's contract (see the catalog): the records as stored, minus
    what the readers add after it (associations, the archived flag of an archived listing, ``formGuid``), and the
    items that break it, quarantined with their reason."""
    return shape_page(
        items,
        record_id=lambda p: p.get(stream.primary_key),
        key_paths=(stream.primary_key,),
        digit_keys=stream.digit_keys,
        required=stream.required,
        cursor=stream.cursor,
        limits=limits or DEFAULT_LIMITS,
    )


class CrmObjectReader:
    """Contacts, companies, deals, engagements and feedback submissions.

    Full refresh lists every active and then every archived record. Incremental searches for records modified
    since the cursor minus a lookback (keyset-paged on ``hs_object_id``), then lists archived records and keeps
    those archived since then, because the search API never returns archived records.

    A portal whose property names do not fit in a URL (:data:`~connectors.hubspot.client.PROPERTY_QUERY_BUDGET`) is
    read "wide": every listing and search asks for ids only, and each page is read in full through batch/read, with
    the properties in the POST body. Both modes then store what batch/read returns, so a record version is the
    same bytes whichever mode read it. History streams always re-read search pages that way (search returns no
    history). A record batch/read does not return is quarantined (``missing_on_read``), never stored as the
    listing's partial copy.
    """

    def __init__(
        self, api: HubSpotApi, stream: HubSpotStream, *, page_size: int = 100, limits: ContractLimits | None = None
    ) -> None:
        if not stream.object_type or not stream.search_cursor_property:
            raise ValueError(f"{stream.name} is not a CRM object stream (no object type or search property)")
        self.object_type: str = stream.object_type
        self.search_property: str = stream.search_cursor_property
        self.api = api
        self.stream = stream
        self.name = stream.name
        self.limits = limits or DEFAULT_LIMITS
        # HubSpot caps list pages at 50 when property history is requested.
        self.list_limit = min(page_size, 50) if stream.history_properties else page_size
        # Search pages of history streams are re-read through batch/read; keep them at one batch.
        self.search_limit = 100 if stream.history_properties else 200
        self.lookback = timedelta(minutes=api.config.lookback_minutes)
        # Decided per run from the portal's property list (see the class docstring).
        self.wide = False

    # -- protocol --------------------------------------------------------------------------------------------

    def read(self, state: dict[str, Any], mode: SyncMode, *, resuming: bool) -> Iterator[Page]:
        cursor = state.get("cursor")
        run = state.get("run") if resuming else None
        if run is None:
            if mode == "incremental" and cursor:
                since = parse_present(cursor) - self.lookback
                run = {"mode": "incremental", "phase": "changed", "since": to_iso_z(since), "last_id": None}
            else:
                run = {"mode": "full_refresh", "phase": "active", "after": None}
            run["max_seen"] = None
        props = self.api.property_names(self.object_type)
        self.wide = property_query_chars(props, self.stream.history_properties) > PROPERTY_QUERY_BUDGET
        if run["mode"] == "incremental":
            yield from self._read_incremental(cursor, run, props)
        else:
            yield from self._read_full(cursor, run, props)

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        run = state.get("run") or {}
        return {"cursor": later_iso(state.get("cursor"), run.get("max_seen")), "run": None}

    # -- full refresh ----------------------------------------------------------------------------------------

    def _list(self, props: list[str], *, archived: bool, after: str | None) -> tuple[dict[str, Any], list]:
        """One list page with every property (or, wide, ids only, then read in full by id)."""
        body = self.api.list_objects(
            self.object_type,
            properties=["hs_object_id"] if self.wide else props,
            history=() if self.wide else self.stream.history_properties,
            archived=archived,
            after=after,
            # HubSpot caps list pages at 50 with property history; a wide listing asks for none.
            limit=100 if self.wide else self.list_limit,
        )
        if not self.wide or not isinstance(body.get("results"), list):
            return body, []
        results, missing = self._read_by_id(body["results"], props, archived=archived)
        return {**body, "results": results}, missing

    def _read_by_id(
        self, listed: list[Any], props: list[str], *, archived: bool
    ) -> tuple[list[Any], list[QuarantinedRecord]]:
        """Replace each listed record by its full version from batch/read, keeping the listing's order.

        Items without a usable id stay as they are (the contract quarantines them with their reason); a record
        batch/read did not return is quarantined as ``missing_on_read``: the listing's copy holds only a few
        properties, and stored it would replace the full record.
        """
        usable = [r for r in listed if isinstance(r, dict) and check_key_part("id", r.get("id"), digits=True) is None]
        full = self.api.batch_read(
            self.object_type,
            list(dict.fromkeys(str(r["id"]) for r in usable)),
            properties=props,
            history=self.stream.history_properties,
            archived=archived,
        )
        by_id = {str(r.get("id")): r for r in full}
        usable_items = {id(r) for r in usable}
        out: list[Any] = []
        missing: list[QuarantinedRecord] = []
        for item in listed:
            if id(item) not in usable_items:
                out.append(item)
            elif str(item["id"]) in by_id:
                out.append(by_id[str(item["id"])])
            else:
                detail = (
                    f"HubSpot listed {self.object_type} {item['id']} but batch/read did not return it "
                    "(archived, merged or deleted in between); the listing's partial copy is not stored"
                )
                missing.append(QuarantinedRecord(Reason.MISSING_ON_READ, item, str(item["id"]), detail))
        return out, missing

    def _read_full(self, cursor: str | None, run: dict[str, Any], props: list[str]) -> Iterator[Page]:
        for phase in ("active", "archived"):
            if run["phase"] == "active" and phase == "archived":
                run = {**run, "phase": "archived", "after": None}
            if run["phase"] != phase:
                continue
            after = run.get("after")
            guard = PageGuard(f"GET /crm/v3/objects/{self.object_type}", after)
            while True:
                body, missing = self._list(props, archived=phase == "archived", after=after)
                after = ((body.get("paging") or {}).get("next") or {}).get("after")
                guard.after_page(body.get("results"), after)
                records, bad, newest = self._to_records(body, archived=phase == "archived")
                run = {**run, "after": after, "max_seen": later_iso(run.get("max_seen"), newest)}
                yield Page(records, {"cursor": cursor, "run": dict(run)}, missing + bad)
                if not after:
                    break

    # -- incremental -----------------------------------------------------------------------------------------

    def _read_incremental(self, cursor: str | None, run: dict[str, Any], props: list[str]) -> Iterator[Page]:
        since = parse_present(run["since"])
        if run["phase"] == "changed":
            # History streams and wide portals read full records by id below; the search only needs the ids.
            by_id = bool(self.stream.history_properties) or self.wide
            start = run.get("last_id")
            guard = PageGuard(
                f"POST /crm/v3/objects/{self.object_type}/search",
                int(start) if start is not None else None,
                increasing=True,
            )
            while True:
                body = self.api.search_changed(
                    self.object_type,
                    cursor_property=self.search_property,
                    since_ms=to_epoch_ms(since),
                    after_id=run.get("last_id"),
                    properties=["hs_object_id"] if by_id else props,
                    limit=self.search_limit,
                )
                results = body.get("results")
                missing: list[QuarantinedRecord] = []
                if by_id and isinstance(results, list):
                    full, missing = self._read_by_id(results, props, archived=False)
                    body = {**body, "results": full}
                ids_in_page = [
                    int(r["id"]) for r in (results or []) if isinstance(r, dict) and _is_ascii_int(r.get("id"))
                ]
                last_id = str(max(ids_in_page)) if ids_in_page else run.get("last_id")
                done = not results or len(results) < self.search_limit
                # The keyset cursor must move forward on every full page; one that does not repeats the same query.
                guard.after_page(results, None if done else int(last_id) if last_id is not None else None)
                records, bad, newest = self._to_records(body, archived=False)
                run = {
                    **run,
                    "last_id": last_id,
                    "max_seen": later_iso(run.get("max_seen"), newest),
                    **({"phase": "archived", "after": None} if done else {}),
                }
                yield Page(records, {"cursor": cursor, "run": dict(run)}, missing + bad)
                if done:
                    break
        # Archived records: list them all and keep those archived inside the window.
        after = run.get("after")
        guard = PageGuard(f"GET /crm/v3/objects/{self.object_type} (archived)", after)
        while True:
            body, missing = self._list(props, archived=True, after=after)
            after = ((body.get("paging") or {}).get("next") or {}).get("after")
            guard.after_page(body.get("results"), after)
            records, bad, newest = self._to_records(body, archived=True, changed_since=since)
            run = {**run, "after": after, "max_seen": later_iso(run.get("max_seen"), newest)}
            yield Page(records, {"cursor": cursor, "run": dict(run)}, missing + bad)
            if not after:
                break

    # -- shaping ---------------------------------------------------------------------------------------------

    def _to_records(
        self, body: dict[str, Any], *, archived: bool, changed_since: datetime | None = None
    ) -> tuple[list[RawRecord], list[QuarantinedRecord], str | None]:
        results = body.get("results")
        if not isinstance(results, list):
            return [], [_malformed(body)], None
        page = shape_items(self.stream, results, limits=self.limits)
        # Records archived before the window are not this run's changes (they still count for duplicates above).
        good = [r for r in page.records if changed_since is None or (r.updated_at and r.updated_at >= changed_since)]
        newest = max((r.updated_at for r in good if r.updated_at is not None), default=None)
        assoc: dict[str, dict[str, list[dict[str, Any]]]] = {}
        live_ids = [r.record_id for r in good if not archived]
        for to_type in self.stream.associations:
            assoc[to_type] = self.api.associations(self.object_type, to_type, live_ids) if live_ids else {}
        records = []
        for r in good:
            payload = r.payload
            payload.pop("associations", None)
            if self.stream.associations:
                payload["associations"] = {
                    to_type: sorted(
                        ([] if archived else assoc[to_type].get(r.record_id, [])),
                        key=lambda item: (_int_or_max(item.get("toObjectId")), str(item.get("toObjectId"))),
                    )
                    for to_type in self.stream.associations
                }
            records.append(RawRecord(r.record_id, payload, r.updated_at, bool(payload.get("archived")) or archived))
        return records, page.quarantined, to_iso_z(newest) if newest else None


def _malformed(body: Any) -> QuarantinedRecord:
    # The API layer rejects pages without 'results' before they get here; this guards a caller that bypasses it.
    return QuarantinedRecord(Reason.MALFORMED_PAGE, body, None, "'results' is not a list")


def _is_ascii_int(value: Any) -> bool:
    """A HubSpot id: an int, or a string of ASCII digits (``int()`` also takes ``" 7"`` and other scripts' digits)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and is_ascii_number(value))


def _int_or_max(value: Any) -> int:
    return int(value) if _is_ascii_int(value) else 2**63


class SimpleListReader:
    """Owners, forms and marketing events: small, fully re-read every sync (``paging.next.after``), active then
    archived (where the endpoint has archived records)."""

    def __init__(
        self,
        api: HubSpotApi,
        stream: HubSpotStream,
        path: str,
        *,
        with_archived: bool,
        limit: int = 100,
        limits: ContractLimits | None = None,
        archived_param: bool = True,
    ) -> None:
        self.api = api
        self.limits = limits or DEFAULT_LIMITS
        self.limit = limit
        self.stream = stream
        self.name = stream.name
        self.path = path
        self.phases = ("active", "archived") if with_archived else ("active",)
        # Owners and forms take ``archived``; an endpoint without the parameter (marketing events) is not sent it.
        self.archived_param = archived_param

    def read(self, state: dict[str, Any], mode: SyncMode, *, resuming: bool) -> Iterator[Page]:
        cursor = state.get("cursor")
        run = (state.get("run") if resuming else None) or {
            "mode": "full_refresh",
            "phase": self.phases[0],
            "after": None,
            "max_seen": None,
        }
        for phase in self.phases[self.phases.index(run["phase"]) :]:
            params: dict[str, Any] = {"limit": self.limit}
            if self.archived_param:
                params["archived"] = "true" if phase == "archived" else "false"
            start_after = run.get("after") if phase == run["phase"] else None
            for body, after in self.api.paged(self.path, params, start_after):
                records, bad, newest = _simple_records(
                    body, self.stream, archived=phase == "archived", limits=self.limits
                )
                run = {**run, "phase": phase, "after": after, "max_seen": later_iso(run.get("max_seen"), newest)}
                yield Page(records, {"cursor": cursor, "run": dict(run)}, bad)

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        run = state.get("run") or {}
        return {"cursor": later_iso(state.get("cursor"), run.get("max_seen")), "run": None}


def _simple_records(
    body: dict[str, Any], stream: HubSpotStream, *, archived: bool, limits: ContractLimits = DEFAULT_LIMITS
) -> tuple[list[RawRecord], list[QuarantinedRecord], str | None]:
    """Owners, forms and web events: an object with a usable primary key and a plausible cursor (``updatedAt``,
    ``occurredAt``)."""
    results = body.get("results")
    if not isinstance(results, list):
        return [], [_malformed(body)], None
    page = shape_items(stream, results, limits=limits)
    records = [
        RawRecord(r.record_id, r.payload, r.updated_at, bool(r.payload.get("archived")) or archived)
        for r in page.records
    ]
    return records, page.quarantined, to_iso_z(page.newest) if page.newest else None


class FormSubmissionsReader:
    """Form submissions through the legacy v1 API: per form, newest first, no server-side ``since`` filter.

    Incremental syncs stop paging a form once a page reaches submissions older than that form's cursor minus the
    lookback. The state keeps one cursor (newest ``submittedAt``, epoch ms) per form.
    """

    PAGE_LIMIT = 50

    def __init__(self, api: HubSpotApi, stream: HubSpotStream, *, limits: ContractLimits | None = None) -> None:
        self.api = api
        self.stream = stream
        self.name = stream.name
        self.limits = limits or DEFAULT_LIMITS
        self.lookback_ms = int(api.config.lookback_minutes * 60_000)

    def read(self, state: dict[str, Any], mode: SyncMode, *, resuming: bool) -> Iterator[Page]:
        cursors: dict[str, int] = dict(state.get("cursor") or {})
        run = state.get("run") if resuming else None
        if run is None:
            run = {
                "mode": mode if cursors else "full_refresh",
                "done": [],
                "form": None,
                "after": None,
                "max_seen": {},
            }
        guids = sorted(str(f["id"]) for f in self.api.list_forms() if isinstance(f, dict) and f.get("id"))
        for guid in guids:
            if guid in run["done"]:
                continue
            since = cursors.get(guid) if run["mode"] == "incremental" else None
            stop_before = since - self.lookback_ms if since is not None else None
            after = run["after"] if run.get("form") == guid else None
            path = f"/form-integrations/v1/submissions/forms/{guid}"
            for body, nxt in self.api.paged(path, {"limit": self.PAGE_LIMIT}, after):
                records, bad, oldest, newest = self._to_records(body, guid, stop_before)
                seen = dict(run["max_seen"])
                if newest is not None:
                    seen[guid] = max(seen.get(guid, 0), newest)
                reached_old = stop_before is not None and oldest is not None and oldest < stop_before
                finished = not nxt or reached_old
                run = {
                    **run,
                    "form": None if finished else guid,
                    "after": None if finished else nxt,
                    "max_seen": seen,
                    "done": run["done"] + [guid] if finished else run["done"],
                }
                yield Page(records, {"cursor": cursors, "run": dict(run)}, bad)
                if finished:
                    break

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        cursors = dict(state.get("cursor") or {})
        for guid, ms in ((state.get("run") or {}).get("max_seen") or {}).items():
            cursors[guid] = max(cursors.get(guid, 0), int(ms))
        return {"cursor": cursors, "run": None}

    def _to_records(
        self, body: dict[str, Any], guid: str, stop_before: int | None
    ) -> tuple[list[RawRecord], list[QuarantinedRecord], int | None, int | None]:
        results = body.get("results")
        if not isinstance(results, list):
            return [], [_malformed(body)], None, None
        page = shape_items(self.stream, results, limits=self.limits)
        # Every good submission moves the form's cursor and the stop rule, also those before the lookback horizon.
        submitted = [int(r.payload["submittedAt"]) for r in page.records]
        records = []
        for r, ms in zip(page.records, submitted, strict=True):
            if stop_before is not None and ms < stop_before:
                continue
            r.payload["formGuid"] = guid
            records.append(r)
        return records, page.quarantined, min(submitted, default=None), max(submitted, default=None)


class WebEventsReader:
    """Website page views of contacts through the Events API (``e_visited_page``), incremental on ``occurredAt``.

    A run reads one window, fixed when it starts and saved in its state: from the cursor minus the lookback (a full
    refresh, or a first sync: from the beginning) to the contract's latest plausible instant (now plus the allowed
    clock skew), so a resumed run asks the same question again and its ``paging.next.after`` token still applies. The
    cursor becomes the newest ``occurredAt`` read. A portal without the Events API (non-Enterprise tiers answer 403
    or 404) ends the stream ``unavailable`` (:class:`~connectors.core.errors.StreamUnavailableError`), with nothing
    read and its state kept; the contacts' ``hs_analytics_*`` properties are then the web analytics there is.

    Late views: when a form submission ties a browser's cookie to a contact, HubSpot shows that cookie's earlier
    views from then on, with their old ``occurredAt``, which no lookback reaches (they can be weeks old). Tying
    moves the contact's ``lastmodifieddate``, so an incremental run then reads, per contact modified since the
    window's start (search, keyset-paged on ``hs_object_id``), that contact's views before the window (the
    ``contacts`` phase; its resume position is the last contact id of a finished search page). Rows already held
    are upserts of the same record.
    """

    EVENT_TYPE = "e_visited_page"
    CONTACTS_PAGE = 100

    def __init__(self, api: HubSpotApi, stream: HubSpotStream, *, limits: ContractLimits | None = None) -> None:
        self.api = api
        self.stream = stream
        self.name = stream.name
        self.limits = limits or DEFAULT_LIMITS
        self.lookback = timedelta(minutes=api.config.lookback_minutes)

    def read(self, state: dict[str, Any], mode: SyncMode, *, resuming: bool) -> Iterator[Page]:
        cursor = state.get("cursor")
        run = state.get("run") if resuming else None
        if run is None:
            incremental = mode == "incremental" and bool(cursor)
            since = to_iso_z(parse_present(cursor) - self.lookback) if incremental else None
            until = to_iso_z(self.limits.latest())
            run = {"mode": "incremental" if incremental else "full_refresh", "since": since, "until": until}
            run.update(after=None, max_seen=None, phase="window", contact_after=None)
        if run.get("phase", "window") == "window":
            pages = self.api.events(
                event_type=self.EVENT_TYPE,
                occurred_after=run["since"],
                occurred_before=run["until"],
                after=run["after"],
            )
            for body, after in pages:
                records, bad, newest = _simple_records(body, self.stream, archived=False, limits=self.limits)
                run = {**run, "after": after, "max_seen": later_iso(run.get("max_seen"), newest)}
                yield Page(records, {"cursor": cursor, "run": dict(run)}, bad)
            run = {**run, "phase": "contacts", "after": None}
        if run["since"] is not None:
            yield from self._late_views(cursor, run)

    def _late_views(self, cursor: str | None, run: dict[str, Any]) -> Iterator[Page]:
        """Views before the window of the contacts modified since its start (see the class docstring)."""
        since = parse_present(run["since"])
        since_ms = to_epoch_ms(since)
        before = to_iso_z(since + timedelta(milliseconds=1))  # both bounds are exclusive: the window's first instant
        while True:
            body = self.api.search_changed(
                "contacts",
                cursor_property="lastmodifieddate",
                since_ms=since_ms,
                after_id=run.get("contact_after"),
                properties=["hs_object_id"],
                limit=self.CONTACTS_PAGE,
            )
            ids = [str(r["id"]) for r in body.get("results", []) if isinstance(r, dict) and r.get("id") is not None]
            for contact_id in ids:
                for page, _ in self.api.events(
                    event_type=self.EVENT_TYPE,
                    occurred_after=None,
                    occurred_before=before,
                    object_id=contact_id,
                ):
                    records, bad, _ = _simple_records(page, self.stream, archived=False, limits=self.limits)
                    yield Page(records, {"cursor": cursor, "run": dict(run)}, bad)
            if len(ids) < self.CONTACTS_PAGE:
                return
            run = {**run, "contact_after": ids[-1]}
            yield Page([], {"cursor": cursor, "run": dict(run)}, [])

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        run = state.get("run") or {}
        return {"cursor": later_iso(state.get("cursor"), run.get("max_seen")), "run": None}


class ParticipationsReader:
    """Marketing event participations: each event's breakdown (``participations/{objectId}/breakdown``), every
    sync in full. The breakdown has no time filter and a participation's state can be recorded late (an import of
    a webinar's attendance), so nothing short of a full read is complete; a run keeps the events it finished and
    the ``after`` token of the one it is in, so a killed sync resumes there. The events come from the listing (the
    ids only: an event the ``marketing_events`` contract quarantines still has participations)."""

    PAGE_LIMIT = 100

    def __init__(self, api: HubSpotApi, stream: HubSpotStream, *, limits: ContractLimits | None = None) -> None:
        self.api = api
        self.stream = stream
        self.name = stream.name
        self.limits = limits or DEFAULT_LIMITS

    def read(self, state: dict[str, Any], mode: SyncMode, *, resuming: bool) -> Iterator[Page]:
        cursor = state.get("cursor")
        run = (state.get("run") if resuming else None) or {
            "mode": "full_refresh",
            "done": [],
            "event": None,
            "after": None,
            "max_seen": None,
        }
        for event_id in self.api.marketing_event_ids():
            if event_id in run["done"]:
                continue
            after = run["after"] if run.get("event") == event_id else None
            path = f"/marketing/v3/marketing-events/participations/{quote(event_id, safe='')}/breakdown"
            for body, nxt in self.api.paged(path, {"limit": self.PAGE_LIMIT}, after):
                records, bad, newest = _simple_records(body, self.stream, archived=False, limits=self.limits)
                run = {
                    **run,
                    "event": None if not nxt else event_id,
                    "after": nxt or None,
                    "max_seen": later_iso(run.get("max_seen"), newest),
                    "done": run["done"] + [event_id] if not nxt else run["done"],
                }
                yield Page(records, {"cursor": cursor, "run": dict(run)}, bad)

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        run = state.get("run") or {}
        return {"cursor": later_iso(state.get("cursor"), run.get("max_seen")), "run": None}
