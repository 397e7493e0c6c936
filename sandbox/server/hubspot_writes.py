"""The CRM writes a reverse-ETL client makes, on the sandbox HubSpot server: contact batch upsert / update / create,
custom properties, MANUAL lists and their memberships, GDPR delete. Vendor documentation: batch upsert and update
https://developers.hubspot.com/docs/api/crm/contacts, properties https://developers.hubspot.com/docs/api/crm/properties,
lists https://developers.hubspot.com/docs/api/crm/lists, GDPR delete
https://developers.hubspot.com/docs/api/crm/contacts (``gdpr-delete``); responses validate against HubSpot's OpenAPI
specs for contacts, properties and lists v3 (tests).

Writes go to the store's :class:`~sandbox.world.projections.hubspot_overlay.WriteOverlay`, so they survive the world's
clock moving and every read endpoint serves them. They share the reads' auth, rate limits and faults; every call
that reaches a handler is recorded in :class:`WriteLog` (reads are not).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from sandbox.server.base import Request, Response
from sandbox.server.hubspot_errors import error, validation
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections.hubspot_overlay import HSList
from sandbox.world.projections.hubspot_records import HSRecord
from sandbox.world.projections.hubspot_store import HubSpotStore, email_key
from sandbox.world.timeutil import iso_date, iso_ms, parse_time_ms

if TYPE_CHECKING:
    from sandbox.server.hubspot import HubSpotApp

MAX_BATCH = 100  # inputs per batch call (HubSpot's documented limit)
MAX_MEMBERSHIP_IDS = 100_000  # record ids per memberships add/remove call
MEMBERSHIP_PAGE_DEFAULT, MEMBERSHIP_PAGE_MAX = 100, 250  # lists.v3.json: "The maximum `limit` is 250."
CONTACTS = "contacts"
CONTACT_TYPE_ID = hs.OBJECT_TYPE_IDS[CONTACTS]
# Pragmatic address check (HubSpot's own is stricter but undocumented): one @, no spaces, a dot in the domain.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PROPERTY_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
PROPERTY_TYPES = ("bool", "date", "datetime", "enumeration", "number", "phone_number", "string")
FIELD_TYPES = (
    "booleancheckbox",
    "calculation_equation",
    "checkbox",
    "date",
    "file",
    "html",
    "number",
    "phonenumber",
    "radio",
    "select",
    "text",
    "textarea",
)


# -- the write log -----------------------------------------------------------------------------------------------


class WriteLog:
    """Thread-safe record of every write call that reached a handler (whatever its status)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[dict[str, Any]] = []

    def record(self, req: Request, route: str, inputs: int, status: int) -> None:
        entry = {
            "method": req.method,
            "path": req.path,
            "route": route,
            "inputs": inputs,
            "status": status,
            "fault": req.fault,  # "apply_then_500" / "cut" / "slow": the write happened but the client may not know
            "at": time.time(),
        }
        with self._lock:
            self._calls.append(entry)

    def calls(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(c) for c in self._calls]

    def count(self) -> int:
        with self._lock:
            return len(self._calls)

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()


def _count_inputs(body: Any) -> int:
    if isinstance(body, list):
        return len(body)
    if isinstance(body, dict) and isinstance(body.get("inputs"), list):
        return len(body["inputs"])
    return 1


def install_write_routes(app: HubSpotApp) -> None:
    """Register the write endpoints on the app's router, each wrapped so the call lands in ``app.write_log``."""
    api = WriteApi(app.store, lambda: app.base_url)
    routes: list[tuple[str, str, Callable[[Request], Response]]] = [
        ("POST", "/crm/v3/objects/{objectType}/batch/upsert", api.batch_upsert),
        ("POST", "/crm/v3/objects/{objectType}/batch/update", api.batch_update),
        ("POST", "/crm/v3/objects/{objectType}/batch/create", api.batch_create),
        ("POST", "/crm/v3/objects/{objectType}/gdpr-delete", api.gdpr_delete),
        ("POST", "/crm/v3/properties/{objectType}", api.create_property),
        ("POST", "/crm/v3/lists", api.create_list),
        ("PUT", "/crm/v3/lists/{listId}/memberships/add", api.add_members),
        ("PUT", "/crm/v3/lists/{listId}/memberships/remove", api.remove_members),
    ]
    for method, pattern, handler in routes:
        app.router.add(method, pattern, _logged(app.write_log, f"{method} {pattern}", handler))
    app.router.add("GET", "/crm/v3/properties/{objectType}/{propertyName}", api.get_property)
    app.router.add("GET", "/crm/v3/lists/object-type-id/{objectTypeId}/name/{listName}", api.list_by_name)
    app.router.add("GET", "/crm/v3/lists/{listId}", api.get_list)
    app.router.add("GET", "/crm/v3/lists/{listId}/memberships", api.memberships)


def _logged(log: WriteLog, route: str, handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
    def run(req: Request) -> Response:
        try:
            body = req.json()
        except json.JSONDecodeError as exc:
            resp = validation(f"Invalid input JSON: {exc}")
            log.record(req, route, 0, resp.status)
            return resp
        resp = handler(req)
        log.record(req, route, _count_inputs(body), resp.status)
        return resp

    return run


# -- property values ---------------------------------------------------------------------------------------------


@dataclass
class Problem:
    """One invalid property value; HubSpot fails the whole batch on any of them."""

    name: str
    value: str
    code: str
    message: str


def _as_text(value: Any) -> str | None:
    """JSON property values as HubSpot coerces them: strings as is, numbers and booleans as text, null clears."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return None


def _option_values(defn: dict[str, Any]) -> set[str]:
    return {o["value"] for o in defn.get("options") or ()}


def _check_typed(name: str, text: str, defn: dict[str, Any]) -> tuple[str | None, Problem | None]:
    """The stored form of a non-empty value of the property ``defn``, or the reason it is invalid."""
    ptype = defn["type"]
    if name == "email":
        if not _EMAIL.match(text.strip()):
            return None, Problem(name, text, "INVALID_EMAIL", f"Email address {text} is invalid")
        return text.strip(), None
    if ptype == "number":
        if not _NUMBER.match(text.strip()):
            return None, Problem(name, text, "INVALID_NUMBER", f"{text} was not a valid number.")
        return text.strip(), None
    if ptype == "bool":
        if text.strip().lower() not in ("true", "false"):
            return None, Problem(name, text, "INVALID_BOOLEAN", f"{text} was not a valid boolean (true or false).")
        return text.strip().lower(), None
    if ptype == "enumeration":
        allowed = _option_values(defn)
        chosen = text.split(";") if defn.get("fieldType") == "checkbox" else [text]
        bad = [c for c in chosen if c not in allowed]
        if bad:
            opts = ", ".join(sorted(allowed))
            return None, Problem(name, text, "INVALID_OPTION", f"{bad[0]} was not one of the allowed options: [{opts}]")
        return text, None
    if ptype in ("datetime", "date"):
        return _check_time(name, text, ptype)
    return text, None


def _check_time(name: str, text: str, ptype: str) -> tuple[str | None, Problem | None]:
    """Datetimes: epoch ms or ISO 8601, stored as ISO. Dates: ``YYYY-MM-DD`` or midnight UTC in epoch ms."""
    s = text.strip()
    code = "INVALID_DATE" if ptype == "date" else "INVALID_DATETIME"
    bad = Problem(name, text, code, f"{text} was not a valid {ptype}.")
    if ptype == "date" and _DATE.match(s):
        return s, None
    try:
        ms = parse_time_ms(s)
    except ValueError:
        return None, bad
    if ptype == "date":
        if ms % 86_400_000:
            return None, Problem(name, text, code, f"{text} is not midnight UTC: date values must be whole days.")
        return iso_date(ms), None
    return iso_ms(ms), None


def check_properties(store: HubSpotStore, otype: str, raw: Any) -> tuple[dict[str, str | None], list[Problem]]:
    """Validate one input's ``properties``: unknown names, read-only properties and values that break their type.
    Returns the values to store (empty string / null = clear) and the problems found."""
    if not isinstance(raw, dict):
        return {}, [Problem("properties", str(raw), "INVALID_INPUT", "properties must be an object")]
    values: dict[str, str | None] = {}
    problems: list[Problem] = []
    for name, value in raw.items():
        defn = store.property_definition(otype, str(name))
        text = _as_text(value)
        if defn is None:
            message = f'Property "{name}" does not exist'
            problems.append(Problem(str(name), str(value), "PROPERTY_DOESNT_EXIST", message))
        elif defn.get("modificationMetadata", {}).get("readOnlyValue"):
            message = f"{name} is a read only property; its value cannot be set."
            problems.append(Problem(name, str(value), "READ_ONLY_VALUE", message))
        elif text is None:
            problems.append(Problem(name, json.dumps(value), "INVALID_TYPE", f"{name} must be a string value"))
        elif text == "":
            values[name] = None
        else:
            stored, problem = _check_typed(name, text, defn)
            if problem is not None:
                problems.append(problem)
            else:
                values[name] = stored
    return values, problems


def _invalid_values(problems: list[Problem]) -> Response:
    """HubSpot's whole-batch 400: the message embeds the per-property verdicts, ``errors`` names property and value."""
    verdicts = [{"isValid": False, "message": p.message, "error": p.code, "name": p.name} for p in problems]
    details = [
        {"message": p.message, "code": p.code, "in": p.name, "context": {"propertyName": [p.name], "value": [p.value]}}
        for p in problems
    ]
    context = {"propertyName": sorted({p.name for p in problems})}
    unknown = sorted({p.name for p in problems if p.code == "PROPERTY_DOESNT_EXIST"})
    if unknown:
        context["invalidPropertyName"] = unknown
    return validation(
        "Property values were not valid: " + json.dumps(verdicts, separators=(",", ":")),
        context=context,
        errors=details,
    )


# -- batch inputs ------------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One validated batch input."""

    key: str | None  # the id as given (None for create)
    id_property: str
    values: dict[str, str | None]
    trace_id: str | None = None


@dataclass
class Outcome:
    """Results and per-row errors of a batch, in input order."""

    results: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


def _row_error(category: str, message: str, context: dict[str, list[str]]) -> dict[str, Any]:
    return {"status": "error", "category": category, "message": message, "context": context, "errors": [], "links": {}}


def _unique_properties(store: HubSpotStore, otype: str) -> set[str]:
    """Properties that can identify a record (``idProperty``): the object id, email, custom unique properties."""
    out = {"hs_object_id"}
    if otype == CONTACTS:
        out.add("email")
    out.update(p["name"] for p in store.properties[otype] if p.get("hasUniqueValue"))
    return out


class WriteApi:
    """Handlers of the write endpoints (and of the reads that only exist for written things: lists, one property)."""

    def __init__(self, store: HubSpotStore, base_url: Callable[[], str]) -> None:
        self.store = store
        self.base_url = base_url

    # -- parsing -------------------------------------------------------------------------------------------------

    def _object_type(self, req: Request) -> str | Response:
        raw = req.params["objectType"]
        otype = hs.OBJECT_TYPE_ALIASES.get(raw.lower())
        if otype is None:
            return validation(f"Unable to infer object type from: {raw}")
        if otype != CONTACTS:  # the overlay is generic, but only contact writes are modelled and tested
            return validation(f"The sandbox accepts writes to contacts only, not {otype}")
        return otype

    def _rows(self, body: Any, otype: str, *, needs_id: bool) -> list[Row] | Response:
        """Validate a batch body as a whole: size, shape, idProperty, duplicates and every property value."""
        if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
            return validation("Invalid input JSON: 'inputs' is required")
        inputs = body["inputs"]
        if len(inputs) > MAX_BATCH:
            return validation(
                f"Batch size {len(inputs)} exceeds the limit of {MAX_BATCH} inputs",
                errors=[{"message": f"inputs must contain at most {MAX_BATCH} items", "in": "inputs"}],
            )
        unique = _unique_properties(self.store, otype)
        rows: list[Row] = []
        problems: list[Problem] = []
        for item in inputs:
            if not isinstance(item, dict):
                return validation("Invalid input JSON: every input must be an object")
            id_property = str(item.get("idProperty") or "hs_object_id")
            if needs_id and id_property not in unique:
                return validation(f"idProperty '{id_property}' is not a unique property of {otype}")
            key = item.get("id")
            if needs_id and (key is None or str(key).strip() == ""):
                return validation("Invalid input JSON: every input needs an 'id'")
            values, found = check_properties(self.store, otype, item.get("properties", {}))
            problems.extend(found)
            if needs_id and id_property == "email" and not _EMAIL.match(str(key).strip()):
                problems.append(Problem("email", str(key), "INVALID_EMAIL", f"Email address {key} is invalid"))
            trace = item.get("objectWriteTraceId")
            rows.append(Row(None if key is None else str(key), id_property, values, trace and str(trace)))
        if problems:
            return _invalid_values(problems)
        if needs_id:
            dup = self._duplicates(rows)
            if dup:
                return validation(f"Duplicate IDs found in batch input: {dup}. IDs must be unique")
        return rows

    @staticmethod
    def _duplicates(rows: list[Row]) -> list[str]:
        seen: set[tuple[str, str]] = set()
        dup: list[str] = []
        for r in rows:
            k = (r.id_property, (r.key or "").strip().lower())
            if k in seen:
                dup.append(r.key or "")
            seen.add(k)
        return dup

    # -- lookups and conflicts -----------------------------------------------------------------------------------

    def _find(self, otype: str, row: Row) -> HSRecord | None:
        key = (row.key or "").strip()
        if row.id_property == "hs_object_id":
            rec = self.store.objects[otype].get(key)
        elif row.id_property == "email":
            rec = self.store.contact_by_email(key)
        else:
            objs = self.store.objects[otype].values()
            rec = next((r for r in objs if r.properties.get(row.id_property) == key and not r.archived), None)
        return None if rec is None or rec.archived else rec

    def _conflict(self, otype: str, rid: str | None, values: dict[str, str | None]) -> dict[str, Any] | None:
        """A per-row CONFLICT when the values would give a unique property a value another live record holds."""
        email = values.get("email")
        if otype == CONTACTS and email is not None:
            holder = self.store.contact_by_email(email)
            if holder is not None and holder.id != rid:
                return _row_error(
                    "CONFLICT",
                    f"Contact already exists. Existing ID: {holder.id}",
                    {"existingId": [holder.id], "email": [email]},
                )
        for name in _unique_properties(self.store, otype) - {"hs_object_id", "email"}:
            value = values.get(name)
            if value is None:
                continue
            holder = next(
                (r for r in self.store.objects[otype].values() if r.properties.get(name) == value and not r.archived),
                None,
            )
            if holder is not None and holder.id != rid:
                return _row_error(
                    "CONFLICT",
                    f"A {hs.SINGULAR[otype]} with {name}={value} already exists. Existing ID: {holder.id}",
                    {"existingId": [holder.id], name: [value]},
                )
        return None

    # -- responses -----------------------------------------------------------------------------------------------

    @staticmethod
    def _result(otype: str, rec: HSRecord, row: Row, new: bool | None = None) -> dict[str, Any]:
        """The written object: default properties that have a value plus every written one (cleared = "")."""
        props = {p: v for p in hs.DEFAULT_PROPERTIES[otype] if (v := rec.properties.get(p)) is not None}
        for name in row.values:
            props[name] = rec.properties.get(name) or ""
        out: dict[str, Any] = {
            "id": rec.id,
            "properties": props,
            "createdAt": iso_ms(rec.created),
            "updatedAt": iso_ms(rec.updated),
            "archived": False,
        }
        if new is not None:
            out["new"] = new
        if row.trace_id:
            out["objectWriteTraceId"] = row.trace_id
        return out

    @staticmethod
    def _batch_response(otype: str, outcome: Outcome, started: str, ok_status: int) -> Response:
        errors = list(outcome.errors)
        if outcome.missing:
            errors.insert(
                0,
                _row_error(
                    "OBJECT_NOT_FOUND",
                    f"Could not get some {hs.SINGULAR[otype].upper()} objects, they may be deleted or not exist. "
                    "Check that ids are valid.",
                    {"ids": outcome.missing},
                ),
            )
        body: dict[str, Any] = {
            "status": "COMPLETE",
            "results": outcome.results,
            "requestedAt": started,
            "startedAt": started,
            "completedAt": iso_ms(int(time.time() * 1000)),
        }
        if errors:
            body["numErrors"] = len(errors)
            body["errors"] = errors
            return Response.json(207, body, records=len(outcome.results))
        return Response.json(ok_status, body, records=len(outcome.results))

    # -- batch endpoints -----------------------------------------------------------------------------------------

    def batch_upsert(self, req: Request) -> Response:
        """Update the record the id names, or create it (``new: true``) when no live record has that id."""
        otype = self._object_type(req)
        if isinstance(otype, Response):
            return otype
        started = iso_ms(int(time.time() * 1000))
        rows = self._rows(req.json(), otype, needs_id=True)
        if isinstance(rows, Response):
            return rows
        outcome = Outcome()
        with self.store.lock:
            for row in rows:
                self._upsert_row(otype, row, outcome)
        return self._batch_response(otype, outcome, started, 200)

    def _upsert_row(self, otype: str, row: Row, outcome: Outcome) -> None:
        rec = self._find(otype, row)
        if rec is None and row.id_property == "hs_object_id":
            outcome.missing.append(row.key or "")  # an object id cannot be chosen by the client
            return
        values = dict(row.values)
        if rec is None:
            # the id value becomes the record's value of idProperty, so a retry finds this record
            values[row.id_property] = (row.key or "").strip()
        conflict = self._conflict(otype, None if rec is None else rec.id, values)
        if conflict is not None:
            outcome.errors.append(conflict)
            return
        written = self.store.write(otype, rec.id, values) if rec is not None else self.store.create(otype, values)
        shown = Row(row.key, row.id_property, values, row.trace_id)  # the id property is shown as written too
        outcome.results.append(self._result(otype, written, shown, new=rec is None))

    def batch_update(self, req: Request) -> Response:
        """Overwrite the given properties of existing records; unknown ids are per-row OBJECT_NOT_FOUND errors."""
        otype = self._object_type(req)
        if isinstance(otype, Response):
            return otype
        started = iso_ms(int(time.time() * 1000))
        rows = self._rows(req.json(), otype, needs_id=True)
        if isinstance(rows, Response):
            return rows
        outcome = Outcome()
        with self.store.lock:
            for row in rows:
                rec = self._find(otype, row)
                if rec is None:
                    outcome.missing.append(row.key or "")
                    continue
                conflict = self._conflict(otype, rec.id, row.values)
                if conflict is not None:
                    outcome.errors.append(conflict)
                    continue
                outcome.results.append(self._result(otype, self.store.write(otype, rec.id, row.values), row))
        return self._batch_response(otype, outcome, started, 200)

    def batch_create(self, req: Request) -> Response:
        """Create records; an input whose email (or custom unique value) exists is a per-row CONFLICT, so a
        retried create never duplicates a contact."""
        otype = self._object_type(req)
        if isinstance(otype, Response):
            return otype
        started = iso_ms(int(time.time() * 1000))
        body = req.json()
        rows = self._rows(body, otype, needs_id=False)
        if isinstance(rows, Response):
            return rows
        if any(isinstance(i, dict) and i.get("associations") for i in body["inputs"]):
            return validation("The sandbox does not create associations: send 'associations': [] or leave it out")
        outcome = Outcome()
        with self.store.lock:
            for row in rows:
                conflict = self._conflict(otype, None, row.values)
                if conflict is not None:
                    outcome.errors.append(conflict)
                    continue
                outcome.results.append(self._result(otype, self.store.create(otype, row.values), row))
        return self._batch_response(otype, outcome, started, 201)

    def gdpr_delete(self, req: Request) -> Response:
        """Permanently delete a contact (by id, or by email with ``idProperty: "email"``). An unknown email is
        blocklisted and answered 204, as HubSpot documents; an unknown id is a 404."""
        otype = self._object_type(req)
        if isinstance(otype, Response):
            return otype
        body = req.json()
        if not isinstance(body, dict) or not body.get("objectId"):
            return validation("Invalid input JSON: 'objectId' is required")
        id_property = str(body.get("idProperty") or "hs_object_id")
        if id_property not in ("hs_object_id", "email"):
            return validation(f"idProperty '{id_property}' is not supported for GDPR delete: use email")
        key = str(body["objectId"]).strip()
        with self.store.lock:
            rec = self._find(otype, Row(key, id_property, {}))
            if rec is None:
                rec = self.store.objects[otype].get(key) if id_property == "hs_object_id" else None
            if rec is None:
                if id_property == "email":
                    self.store.overlay.blocklisted_emails.add(email_key(key) or key)
                    return Response(204)
                return error(404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.")
            email = email_key(rec.properties.get("email"))
            if email:
                self.store.overlay.blocklisted_emails.add(email)
            self.store.gdpr_delete(otype, rec.id)
        return Response(204)

    # -- properties ----------------------------------------------------------------------------------------------

    def create_property(self, req: Request) -> Response:
        """``PropertyCreate`` -> 201 ``Property``; an existing name is a 409 CONFLICT."""
        raw = req.params["objectType"]
        otype = hs.OBJECT_TYPE_ALIASES.get(raw.lower())
        if otype is None:
            return validation(f"Unable to infer object type from: {raw}")
        body = req.json()
        problem = _property_create_problem(body)
        if problem:
            return validation(problem)
        with self.store.lock:
            if self.store.property_definition(otype, body["name"]) is not None:
                return error(409, "CONFLICT", f"A property named '{body['name']}' already exists.")
            definition = _property(body, len(self.store.properties[otype]), self.store.now_ms)
            self.store.add_property(otype, definition)
        return Response.json(201, definition, records=1)

    def get_property(self, req: Request) -> Response:
        raw = req.params["objectType"]
        otype = hs.OBJECT_TYPE_ALIASES.get(raw.lower())
        if otype is None:
            return validation(f"Unable to infer object type from: {raw}")
        name = unquote(req.params["propertyName"])
        defn = self.store.property_definition(otype, name)
        if defn is None:
            return error(404, "OBJECT_NOT_FOUND", f"Unable to find property {name} for object type {otype}")
        return Response.json(200, defn, records=1)

    # -- lists ---------------------------------------------------------------------------------------------------

    def create_list(self, req: Request) -> Response:
        """A MANUAL or SNAPSHOT list of contacts; names are unique in the portal (case-insensitive)."""
        body = req.json()
        if not isinstance(body, dict) or not all(body.get(k) for k in ("name", "objectTypeId", "processingType")):
            return validation("Invalid input JSON: 'name', 'objectTypeId' and 'processingType' are required")
        name, processing = str(body["name"]).strip(), str(body["processingType"]).upper()
        if str(body["objectTypeId"]) != CONTACT_TYPE_ID:
            return validation(f"The sandbox keeps lists of contacts ({CONTACT_TYPE_ID}) only")
        if processing not in ("MANUAL", "SNAPSHOT"):
            return validation(f"processingType {processing} is not supported by the sandbox: use MANUAL or SNAPSHOT")
        with self.store.lock:
            overlay = self.store.overlay
            if self._list_named(name) is not None:
                return validation(f"A list named '{name}' already exists.", subCategory="ILS.DUPLICATE_LIST_NAMES")
            now = self.store.now_ms
            lst = HSList(str(overlay.next_list_id), name, CONTACT_TYPE_ID, processing, now, now)
            overlay.next_list_id += 1
            overlay.lists[lst.list_id] = lst
            return Response.json(200, {"list": self._list_json(lst)}, records=1)

    def _list_named(self, name: str) -> HSList | None:
        want = name.strip().lower()
        return next((lst for lst in self.store.overlay.lists.values() if lst.name.lower() == want), None)

    def _live_members(self, lst: HSList) -> list[tuple[int, str, int]]:
        """(numeric id, id, joined at) of members that are still live records, by id."""
        objs = self.store.objects[CONTACTS]
        out = [
            (int(rid), rid, ts)
            for rid, ts in lst.members.items()
            if (r := objs.get(rid)) is not None and not r.archived
        ]
        out.sort()
        return out

    def _list_json(self, lst: HSList) -> dict[str, Any]:
        return {
            "listId": lst.list_id,
            "listVersion": lst.version,
            "name": lst.name,
            "objectTypeId": lst.object_type_id,
            "processingType": lst.processing_type,
            "processingStatus": "COMPLETE",
            "createdAt": iso_ms(lst.created),
            "updatedAt": iso_ms(lst.updated),
            "size": len(self._live_members(lst)),
        }

    def get_list(self, req: Request) -> Response:
        with self.store.lock:
            lst = self.store.overlay.lists.get(req.params["listId"])
            if lst is None:
                return error(404, "OBJECT_NOT_FOUND", f"List {req.params['listId']} does not exist.")
            return Response.json(200, {"list": self._list_json(lst)}, records=1)

    def list_by_name(self, req: Request) -> Response:
        name = unquote(req.params["listName"])
        with self.store.lock:
            lst = self._list_named(name) if req.params["objectTypeId"] == CONTACT_TYPE_ID else None
            if lst is None:
                return error(404, "OBJECT_NOT_FOUND", f"List with name {name} does not exist.")
            return Response.json(200, {"list": self._list_json(lst)}, records=1)

    def _membership_ids(self, req: Request) -> list[str] | Response:
        body = req.json()
        if not isinstance(body, list) or not all(isinstance(i, str | int) and not isinstance(i, bool) for i in body):
            return validation("Invalid input JSON: the body must be a JSON array of record ids")
        if len(body) > MAX_MEMBERSHIP_IDS:
            return validation(f"At most {MAX_MEMBERSHIP_IDS} record ids per call")
        return list(dict.fromkeys(str(i).strip() for i in body))

    def add_members(self, req: Request) -> Response:
        """Add live contacts; ids that are no live contact come back in ``recordIdsMissing``, members are ignored."""
        return self._change_members(req, add=True)

    def remove_members(self, req: Request) -> Response:
        return self._change_members(req, add=False)

    def _change_members(self, req: Request, *, add: bool) -> Response:
        ids = self._membership_ids(req)
        if isinstance(ids, Response):
            return ids
        with self.store.lock:
            lst = self.store.overlay.lists.get(req.params["listId"])
            if lst is None:
                return error(404, "OBJECT_NOT_FOUND", f"List {req.params['listId']} does not exist.")
            objs = self.store.objects[CONTACTS]
            missing = [i for i in ids if (r := objs.get(i)) is None or r.archived]
            present = [i for i in ids if i not in set(missing)]
            if add:
                changed = [i for i in present if i not in lst.members]
                for i in changed:
                    lst.members[i] = self.store.now_ms
            else:
                changed = [i for i in present if i in lst.members]
                for i in changed:
                    del lst.members[i]
            if changed:
                lst.version += 1
                lst.updated = self.store.now_ms
        # the spec (and HubSpot) spell the added ids "recordsIdsAdded"
        body = {
            "recordsIdsAdded": changed if add else [],
            "recordIdsRemoved": [] if add else changed,
            "recordIdsMissing": missing,
        }
        return Response.json(200, body, records=len(changed))

    def memberships(self, req: Request) -> Response:
        """Members by ascending record id; ``after`` is an opaque keyset cursor, stable while members change."""
        try:
            limit = int(req.arg("limit") or MEMBERSHIP_PAGE_DEFAULT)
            after = int(_unb64(req.arg("after") or "")) if req.arg("after") else None
        except ValueError:
            return validation("limit must be an integer and after a cursor from a previous page")
        if limit < 1 or limit > MEMBERSHIP_PAGE_MAX:
            return validation(f"limit must be between 1 and {MEMBERSHIP_PAGE_MAX}")
        with self.store.lock:
            lst = self.store.overlay.lists.get(req.params["listId"])
            if lst is None:
                return error(404, "OBJECT_NOT_FOUND", f"List {req.params['listId']} does not exist.")
            members = self._live_members(lst)
        rest = [m for m in members if after is None or m[0] > after]
        page = rest[:limit]
        out: dict[str, Any] = {
            "results": [{"recordId": rid, "membershipTimestamp": iso_ms(ts)} for _, rid, ts in page],
            "total": len(members),
        }
        if len(rest) > limit:
            nxt = _b64(str(page[-1][0]))
            link = f"{self.base_url()}/crm/v3/lists/{lst.list_id}/memberships?after={nxt}&limit={limit}"
            out["paging"] = {"next": {"after": nxt, "link": link}}
        return Response.json(200, out, records=len(page))


# -- helpers -----------------------------------------------------------------------------------------------------


def _b64(s: str) -> str:
    return base64.urlsafe_b64encode(s.encode()).decode().rstrip("=")


def _unb64(s: str) -> str:
    try:
        return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise ValueError(s) from None


def _property_create_problem(body: Any) -> str | None:
    """Why a ``PropertyCreate`` body is invalid, or None."""
    if not isinstance(body, dict):
        return "Invalid input JSON: a PropertyCreate object is required"
    missing = [k for k in ("name", "label", "type", "fieldType", "groupName") if not body.get(k)]
    if missing:
        return f"Missing required fields: {', '.join(missing)}"
    name = str(body["name"])
    if not _PROPERTY_NAME.match(name):
        return f"Property name '{name}' must start with a lower-case letter and use only a-z, 0-9 and _"
    if name.startswith("hs_"):
        return f"Property name '{name}' uses the reserved prefix hs_"
    if body["type"] not in PROPERTY_TYPES:
        return f"type must be one of {', '.join(PROPERTY_TYPES)}"
    if body["fieldType"] not in FIELD_TYPES:
        return f"fieldType must be one of {', '.join(FIELD_TYPES)}"
    options = body.get("options") or []
    if body["type"] == "enumeration" and not options:
        return "options are required for enumeration properties"
    if not isinstance(options, list) or not all(isinstance(o, dict) and o.get("value") is not None for o in options):
        return "options must be a list of {label, value, hidden} objects"
    return None


def _property(body: dict[str, Any], display_order: int, now_ms: int) -> dict[str, Any]:
    """The ``Property`` object HubSpot answers for a created custom property."""
    options = [
        {
            "label": str(o.get("label", o["value"])),
            "value": str(o["value"]),
            "displayOrder": int(o.get("displayOrder", i)),
            "hidden": bool(o.get("hidden", False)),
            **({"description": str(o["description"])} if o.get("description") else {}),
        }
        for i, o in enumerate(body.get("options") or [])
    ]
    return {
        "name": str(body["name"]),
        "label": str(body["label"]),
        "type": body["type"],
        "fieldType": body["fieldType"],
        "groupName": str(body["groupName"]),
        "description": str(body.get("description", "")),
        "options": options,
        "displayOrder": int(body.get("displayOrder", display_order)),
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": bool(body.get("hasUniqueValue", False)),
        "hidden": bool(body.get("hidden", False)),
        "hubspotDefined": False,
        "formField": bool(body.get("formField", False)),
        "archived": False,
        "createdAt": iso_ms(now_ms),
        "updatedAt": iso_ms(now_ms),
        "modificationMetadata": {"archivable": True, "readOnlyDefinition": False, "readOnlyValue": False},
        "dataSensitivity": "non_sensitive",
    }
