"""The CRM writes a reverse-ETL client makes, on the sandbox HubSpot server: contact batch upsert / update / create,
custom properties, MANUAL lists and their memberships, GDPR delete. Vendor documentation: batch upsert and update
https://developers.hubspot.com/docs/api/crm/contacts, properties https://developers.hubspot.com/docs/api/crm/properties,
lists https://developers.hubspot.com/docs/api/crm/lists, GDPR delete
https://developers.hubspot.com/docs/api/crm/contacts (``gdpr-delete``); responses validate against HubSpot's OpenAPI
specs for contacts, properties and lists v3 (tests).

Writes go to the store's :class:`~sandbox.world.projections.hubspot_overlay.WriteOverlay`, so they survive the world's
clock moving and every read endpoint serves them. They share the reads' auth, rate limits and faults; every call
that reaches a handler is recorded in :class:`~sandbox.server.hubspot_write_log.WriteLog` (reads are not).

This module holds the contact writes (batch upsert, update, create; GDPR delete) and registers every write route:
property values are checked in ``hubspot_write_values``, custom properties are ``hubspot_properties_api``, lists
``hubspot_lists``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.server.base import Request, Response, Router
from sandbox.server.hubspot_errors import error, validation
from sandbox.server.hubspot_lists import ListsApi
from sandbox.server.hubspot_params import Handlers
from sandbox.server.hubspot_properties_api import PropertyWrites
from sandbox.server.hubspot_write_log import WriteLog, logged
from sandbox.server.hubspot_write_values import EMAIL, Problem, check_properties, invalid_values
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections.hubspot_records import HSRecord
from sandbox.world.projections.hubspot_store import HubSpotStore, email_key
from sandbox.world.timeutil import iso_ms

MAX_BATCH = 100  # inputs per batch call (HubSpot's documented limit)
CONTACTS = "contacts"


def register_write_routes(
    router: Router, store: HubSpotStore, base_url: Callable[[], str], write_log: WriteLog
) -> None:
    """Register the write endpoints, each wrapped so the call lands in ``write_log``, and the reads that only exist
    for written things (one property, lists, memberships)."""
    api = WriteApi(store, base_url)
    props = PropertyWrites(store, base_url)
    lists = ListsApi(store, base_url)
    routes: list[tuple[str, str, Callable[[Request], Response]]] = [
        ("POST", "/crm/v3/objects/{objectType}/batch/upsert", api.batch_upsert),
        ("POST", "/crm/v3/objects/{objectType}/batch/update", api.batch_update),
        ("POST", "/crm/v3/objects/{objectType}/batch/create", api.batch_create),
        ("POST", "/crm/v3/objects/{objectType}/gdpr-delete", api.gdpr_delete),
        ("POST", "/crm/v3/properties/{objectType}", props.create_property),
        ("POST", "/crm/v3/lists", lists.create_list),
        ("PUT", "/crm/v3/lists/{listId}/memberships/add", lists.add_members),
        ("PUT", "/crm/v3/lists/{listId}/memberships/remove", lists.remove_members),
    ]
    for method, pattern, handler in routes:
        router.add(method, pattern, logged(write_log, f"{method} {pattern}", handler))
    router.add("GET", "/crm/v3/properties/{objectType}/{propertyName}", props.get_property)
    router.add("GET", "/crm/v3/lists/object-type-id/{objectTypeId}/name/{listName}", lists.list_by_name)
    router.add("GET", "/crm/v3/lists/{listId}", lists.get_list)
    router.add("GET", "/crm/v3/lists/{listId}/memberships", lists.memberships)


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


class WriteApi(Handlers):
    """Handlers of the contact writes."""

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
            if needs_id and id_property == "email" and not EMAIL.match(str(key).strip()):
                problems.append(Problem("email", str(key), "INVALID_EMAIL", f"Email address {key} is invalid"))
            trace = item.get("objectWriteTraceId")
            rows.append(Row(None if key is None else str(key), id_property, values, trace and str(trace)))
        if problems:
            return invalid_values(problems)
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
