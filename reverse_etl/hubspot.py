"""HubSpot writes for reverse ETL, on the connectors' HTTP stack (retries, Retry-After, error classes, redaction).

- batch upsert / update / create of contacts, 100 inputs per call, read row by row (200 or 207 ``errors[]``);
- a batch-level 400 (HubSpot validates the whole batch and applies nothing) is split in halves until the bad rows
  are isolated and rejected with HubSpot's message, Census-style;
- creates are idempotent: a CONFLICT "Existing ID: N" resolves to that contact;
- custom properties and MANUAL lists are created when missing; list membership add / remove / read;
- GDPR delete.
429 and 5xx are retried inside :class:`connectors.core.http.HttpClient`; one rate limiter per portal is shared by every
writer in the process, so parallel syncs stay under the portal's 10-second window together.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from connectors.core.errors import AuthenticationError, ConnectorError, RequestError
from connectors.core.ratelimit import SlidingWindowLimiter
from connectors.core.redaction import scrub
from connectors.hubspot import HubSpotApi, HubSpotConfig
from reverse_etl.config import FieldMapping

log = logging.getLogger(__name__)

BATCH_LIMIT = 100
MEMBERSHIP_CHUNK = 500
MEMBERSHIP_PAGE = 250
CONTACT_TYPE_ID = "0-1"
MAX_ERROR_CHARS = 500
_EXISTING_ID = re.compile(r"Existing ID:\s*(\d+)")

_limiters: dict[str, SlidingWindowLimiter] = {}
_limiters_lock = threading.Lock()


def portal_limiter(config: HubSpotConfig) -> SlidingWindowLimiter:
    """One limiter per portal (base URL + token) for the whole process: HubSpot counts requests per portal."""
    ident = hashlib.sha256(f"{config.base_url}|{config.access_token}".encode()).hexdigest()
    with _limiters_lock:
        if ident not in _limiters:
            _limiters[ident] = SlidingWindowLimiter(config.requests_per_10s, 10.0)
        return _limiters[ident]


@dataclass(frozen=True)
class WriteInput:
    """One contact write. ``ref`` is ours (the record key); it never leaves the process."""

    ref: str
    id_property: str | None  # "hs_object_id" | "email"; None for create
    id: str | None
    properties: dict[str, str]


@dataclass
class WriteResult:
    ref: str
    ok: bool
    hubspot_id: str | None = None
    new: bool | None = None
    error: str | None = None


class HubSpotWriter:
    def __init__(self, config: HubSpotConfig, *, api: HubSpotApi | None = None) -> None:
        self.config = config
        self.api = api or HubSpotApi(config)
        self.http = self.api.http
        self.http.limiters["default"] = portal_limiter(config)
        self.batch_calls = 0

    def close(self) -> None:
        self.api.close()

    def _clean(self, text: str) -> str:
        # Messages go to the ledger and to Dagster metadata: no token, no credential-shaped text, bounded length.
        clean = scrub(self.http.redact(text))
        return clean if len(clean) <= MAX_ERROR_CHARS else clean[: MAX_ERROR_CHARS - 3] + "..."

    # -- properties --------------------------------------------------------------------------------------------

    def contact_properties(self) -> dict[str, dict[str, Any]]:
        body = self.http.get("/crm/v3/properties/contacts")
        return {p["name"]: p for p in (body or {}).get("results", []) if isinstance(p, dict) and p.get("name")}

    def ensure_properties(self, mappings: Sequence[FieldMapping], group: str) -> tuple[list[str], list[str]]:
        """Create the mapped custom properties the portal lacks. Returns (created, warnings)."""
        existing = self.contact_properties()
        created: list[str] = []
        warnings: list[str] = []
        for m in mappings:
            have = existing.get(m.property)
            if have is not None:
                if have.get("type") != m.type:
                    # A portal admin changed the type: rows are still sent, HubSpot rejects what does not fit.
                    warnings.append(f"property {m.property} is {have.get('type')} in HubSpot but mapped as {m.type}")
                continue
            if not m.create:
                warnings.append(f"property {m.property} does not exist in HubSpot and create is off")
                continue
            self._create_property(m, group)
            created.append(m.property)
        return created, warnings

    def _create_property(self, m: FieldMapping, group: str) -> None:
        field_type = {
            "string": "text",
            "number": "number",
            "bool": "booleancheckbox",
            "date": "date",
            "datetime": "date",
            "enumeration": "select",
        }[m.type]
        body: dict[str, Any] = {
            "name": m.property,
            "label": m.label or m.property.replace("_", " ").title(),
            "type": m.type,
            "fieldType": field_type,
            "groupName": group,
            "description": "Written by JourneyHub reverse ETL from the warehouse.",
        }
        if m.type == "enumeration":
            body["options"] = [
                {"label": o, "value": o, "displayOrder": i, "hidden": False} for i, o in enumerate(m.options)
            ]
        if m.type == "bool":
            body["options"] = [
                {"label": "Yes", "value": "true", "displayOrder": 0, "hidden": False},
                {"label": "No", "value": "false", "displayOrder": 1, "hidden": False},
            ]
        # 409: it exists, e.g. our own create was applied and then answered 500, and the retry found it.
        self.http.request("POST", "/crm/v3/properties/contacts", json_body=body, accept_statuses=(409,))

    # -- contact batches ---------------------------------------------------------------------------------------

    def upsert(self, inputs: Sequence[WriteInput], batch_size: int = BATCH_LIMIT) -> list[WriteResult]:
        return self._batched("/crm/v3/objects/contacts/batch/upsert", inputs, self._upsert_body, batch_size)

    def update(self, inputs: Sequence[WriteInput], batch_size: int = BATCH_LIMIT) -> list[WriteResult]:
        return self._batched("/crm/v3/objects/contacts/batch/update", inputs, self._upsert_body, batch_size)

    def create(self, inputs: Sequence[WriteInput], batch_size: int = BATCH_LIMIT) -> list[WriteResult]:
        return self._batched("/crm/v3/objects/contacts/batch/create", inputs, self._create_body, batch_size)

    @staticmethod
    def _upsert_body(items: Sequence[tuple[str, WriteInput]]) -> dict[str, Any]:
        return {
            "inputs": [
                {"idProperty": w.id_property, "id": w.id, "properties": w.properties, "objectWriteTraceId": trace}
                for trace, w in items
            ]
        }

    @staticmethod
    def _create_body(items: Sequence[tuple[str, WriteInput]]) -> dict[str, Any]:
        return {"inputs": [{"properties": w.properties, "objectWriteTraceId": trace} for trace, w in items]}

    def _batched(
        self,
        path: str,
        inputs: Sequence[WriteInput],
        make_body: Callable[[Sequence[tuple[str, WriteInput]]], Any],
        batch_size: int,
    ) -> list[WriteResult]:
        traced = [(str(i), w) for i, w in enumerate(inputs)]
        out: list[WriteResult] = []
        for chunk in _chunks(traced, min(batch_size, BATCH_LIMIT)):
            out += self._send(path, chunk, make_body)
        return out

    def _send(
        self,
        path: str,
        items: Sequence[tuple[str, WriteInput]],
        make_body: Callable[[Sequence[tuple[str, WriteInput]]], Any],
    ) -> list[WriteResult]:
        """One batch call; on a whole-batch 4xx, bisect so one poison row costs ~2·log2(n) calls, not the batch."""
        self.batch_calls += 1
        try:
            body = self.http.request("POST", path, json_body=make_body(items), accept_statuses=(400, 404, 409, 422))
        except AuthenticationError:
            raise  # a bad token or missing scope fails every row: stop the run
        except ConnectorError as exc:
            # Retries exhausted (429/5xx), a malformed answer, a refused request: these rows stay unsent and the
            # next run retries them, because they never enter the snapshot.
            reason = self._clean(f"{type(exc).__name__}: {exc}")
            return [WriteResult(w.ref, False, error=reason) for _, w in items]
        if isinstance(body, dict) and body.get("status") == "error":
            message = self._clean(f"{body.get('category', 'ERROR')}: {body.get('message', '')}")
            if len(items) == 1:
                return [WriteResult(items[0][1].ref, False, error=message)]
            mid = len(items) // 2
            return self._send(path, items[:mid], make_body) + self._send(path, items[mid:], make_body)
        return self._read_batch(body, items)

    def _read_batch(self, body: Any, items: Sequence[tuple[str, WriteInput]]) -> list[WriteResult]:
        """Match results and 207 errors back to inputs: by trace id, then object id, then email."""
        by_trace = dict(items)
        by_id = {w.id: t for t, w in items if w.id_property == "hs_object_id" and w.id}
        by_email = {}
        for t, w in items:
            email = w.id if w.id_property == "email" else w.properties.get("email")
            if email:
                by_email[email.strip().lower()] = t
        done: dict[str, WriteResult] = {}
        results = body.get("results") if isinstance(body, dict) else None
        for r in results or []:
            if not isinstance(r, dict) or r.get("id") is None:
                continue
            props = r.get("properties") or {}
            trace = r.get("objectWriteTraceId")
            if trace not in by_trace:
                trace = by_id.get(str(r["id"])) or by_email.get(str(props.get("email") or "").strip().lower())
            if trace in by_trace:
                done[trace] = WriteResult(by_trace[trace].ref, True, str(r["id"]), r.get("new"))
        first_error = ""
        for err in (body.get("errors") if isinstance(body, dict) else None) or []:
            if not isinstance(err, dict):
                continue
            category = str(err.get("category") or "ERROR")
            message = self._clean(f"{category}: {err.get('message', '')}")
            first_error = first_error or message
            ctx = err.get("context") or {}
            traces = {t for t in [err.get("objectWriteTraceId")] if t in by_trace}
            traces |= {by_id[i] for i in ctx.get("ids") or [] if i in by_id}
            traces |= {by_email[e.strip().lower()] for e in ctx.get("email") or [] if e.strip().lower() in by_email}
            existing = (ctx.get("existingId") or [None])[0] or _existing_id(str(err.get("message") or ""))
            for t in traces - set(done):
                if category == "CONFLICT" and existing:
                    # Our earlier create (answered 500 after it was applied) or someone else's: either way the
                    # contact exists with this id, which is what the create wanted.
                    done[t] = WriteResult(by_trace[t].ref, True, str(existing), False)
                else:
                    done[t] = WriteResult(by_trace[t].ref, False, error=message)
        missing = first_error or "HubSpot returned no result for this row"
        return [done.get(t) or WriteResult(w.ref, False, error=missing) for t, w in items]

    # -- lists -------------------------------------------------------------------------------------------------

    def find_list(self, name: str) -> str | None:
        body = self.http.request(
            "GET", f"/crm/v3/lists/object-type-id/{CONTACT_TYPE_ID}/name/{quote(name, safe='')}", accept_statuses=(404,)
        )
        lst = body.get("list") if isinstance(body, dict) else None
        return str(lst["listId"]) if isinstance(lst, dict) and lst.get("listId") is not None else None

    def ensure_list(self, name: str) -> tuple[str, bool]:
        """The id of the MANUAL list called ``name``, creating it when missing. Returns (list id, created)."""
        found = self.find_list(name)
        if found:
            return found, False
        body = self.http.request(
            "POST",
            "/crm/v3/lists",
            json_body={"name": name, "objectTypeId": CONTACT_TYPE_ID, "processingType": "MANUAL"},
            accept_statuses=(400, 409),
        )
        lst = body.get("list") if isinstance(body, dict) else None
        if isinstance(lst, dict) and lst.get("listId") is not None:
            return str(lst["listId"]), True
        # A duplicate name: our create was applied and answered 500, or a concurrent run made it. Look it up.
        found = self.find_list(name)
        if not found:
            raise RequestError(self._clean(f"could not create list {name!r}: {body}"), source="hubspot")
        return found, False

    def list_members(self, list_id: str) -> set[str]:
        members: set[str] = set()
        after: str | None = None
        while True:
            params: dict[str, Any] = {"limit": MEMBERSHIP_PAGE}
            if after:
                params["after"] = after
            body = self.http.get(f"/crm/v3/lists/{list_id}/memberships", params=params)
            members |= {str(r["recordId"]) for r in (body or {}).get("results", []) if isinstance(r, dict)}
            after = (((body or {}).get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return members

    def change_members(
        self, list_id: str, ids: Sequence[str], *, add: bool
    ) -> tuple[set[str], set[str], dict[str, str]]:
        """Add or remove members. Returns (changed ids, ids HubSpot has no live contact for, failed id -> reason).

        Adding a member twice or removing a non-member changes nothing, so a retried call after a 500 is safe."""
        action = "add" if add else "remove"
        changed: set[str] = set()
        missing: set[str] = set()
        failed: dict[str, str] = {}
        for chunk in _chunks(list(ids), MEMBERSHIP_CHUNK):
            self.batch_calls += 1
            try:
                body = self.http.request("PUT", f"/crm/v3/lists/{list_id}/memberships/{action}", json_body=chunk)
            except AuthenticationError:
                raise
            except ConnectorError as exc:
                reason = self._clean(f"{type(exc).__name__}: {exc}")
                failed.update(dict.fromkeys(chunk, reason))
                continue
            body = body or {}
            changed |= {str(i) for i in body.get("recordsIdsAdded" if add else "recordIdsRemoved") or []}
            missing |= {str(i) for i in body.get("recordIdsMissing") or []}
        return changed, missing, failed

    # -- GDPR --------------------------------------------------------------------------------------------------

    def gdpr_delete(self, *, object_id: str | None = None, email: str | None = None) -> str:
        """Permanently delete a contact. Returns "deleted" or "not_found" (unknown id: nothing to delete)."""
        if object_id:
            body = {"objectId": object_id}
        elif email:
            # HubSpot blocklists an unknown address, so the person is not re-created by a form later.
            body = {"objectId": email, "idProperty": "email"}
        else:
            raise ValueError("gdpr_delete needs an object id or an email")
        resp = self.http.request("POST", "/crm/v3/objects/contacts/gdpr-delete", json_body=body, accept_statuses=(404,))
        if isinstance(resp, dict) and resp.get("status") == "error":
            return "not_found"
        return "deleted"


def _existing_id(message: str) -> str | None:
    m = _EXISTING_ID.search(message)
    return m.group(1) if m else None


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
