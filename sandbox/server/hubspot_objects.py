"""HubSpot CRM object reads: list (``GET /crm/v3/objects/{type}``, keyset paging on the id, live or archived), one
object (by id or a unique ``idProperty``) and batch read; v3 associations inline when asked for.
https://developers.hubspot.com/docs/api/crm/understanding-the-crm"""

from __future__ import annotations

import time
from typing import Any

from sandbox.server.base import Request, Response
from sandbox.server.hubspot_errors import error as _error
from sandbox.server.hubspot_errors import validation as _validation
from sandbox.server.hubspot_params import Handlers, bad_type, bool_param, int_param, object_type
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections.hubspot_payloads import object_json
from sandbox.world.projections.hubspot_records import HSRecord
from sandbox.world.timeutil import iso_ms


class ObjectReads(Handlers):
    def _v3_assoc(self, rec: HSRecord, to_types: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for raw in to_types:
            to = object_type(raw)
            if to is None:
                continue
            ids = self.store.associations(rec.otype, rec.id, to)
            if not ids:
                continue
            names = hs.v3_association_names(rec.otype, to) or [f"{hs.SINGULAR[rec.otype]}_to_{hs.SINGULAR[to]}"]
            out[raw] = {"results": [{"id": i, "type": n} for i in ids for n in names]}
        return out

    def _object(self, rec: HSRecord, props: list[str], history: list[str], assoc: list[str]) -> dict[str, Any]:
        obj = object_json(rec, props, history)
        if assoc and not rec.archived:
            a = self._v3_assoc(rec, assoc)
            if a:
                obj["associations"] = a
        return obj

    # -- CRM objects -------------------------------------------------------------------------------------------

    def list_objects(self, req: Request) -> Response:
        raw = req.params["objectType"]
        otype = object_type(raw)
        if otype is None:
            return bad_type(raw)
        history = self._props(otype, req.multi("propertiesWithHistory")) if req.multi("propertiesWithHistory") else []
        limit = int_param(req, "limit", 10)
        if isinstance(limit, Response):
            return limit
        max_limit = 50 if history else 100
        if limit < 1 or limit > max_limit:
            return _validation(
                f"limit must be between 1 and {max_limit}"
                + (" when propertiesWithHistory is requested" if history else ""),
                errors=[{"message": f"limit must be at most {max_limit}", "in": "limit"}],
            )
        after_raw = req.arg("after")
        after = None
        if after_raw:
            try:
                after = int(after_raw)
            except ValueError:
                return _validation(f"Invalid paging cursor 'after': {after_raw!r}")
        archived = bool_param(req, "archived")
        props = self._props(otype, req.multi("properties"))
        assoc = req.multi("associations")
        with self.store.lock:
            recs, nxt = self.store.page_ids(otype, after, archived, limit)
            results = [self._object(r, props, history, assoc) for r in recs]
        body: dict[str, Any] = {"results": results}
        if nxt is not None:
            link = f"{self.base_url()}/crm/v3/objects/{raw}?after={nxt}&limit={limit}"
            body["paging"] = {"next": {"after": str(nxt), "link": link}}
        return Response.json(200, body, records=len(results))

    def _find(self, otype: str, key: str, id_property: str | None) -> HSRecord | None:
        objs = self.store.objects[otype]
        if not id_property or id_property == "hs_object_id":
            return objs.get(key)
        if otype == "contacts" and id_property == "email":
            return self.store.contact_by_email(key)  # emails are unique among live contacts (indexed)
        want = key.strip().lower()
        for r in objs.values():
            v = r.properties.get(id_property)
            if v is not None and v.strip().lower() == want and not r.archived:
                return r
        return None

    def get_object(self, req: Request) -> Response:
        raw = req.params["objectType"]
        otype = object_type(raw)
        if otype is None:
            return bad_type(raw)
        archived = bool_param(req, "archived")
        with self.store.lock:
            rec = self._find(otype, req.params["objectId"], req.arg("idProperty"))
            if rec is None or (rec.archived and not archived):
                return _error(404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.")
            props = self._props(otype, req.multi("properties"))
            history = (
                self._props(otype, req.multi("propertiesWithHistory")) if req.multi("propertiesWithHistory") else []
            )
            obj = self._object(rec, props, history, req.multi("associations"))
        return Response.json(200, obj, records=1)

    def batch_read(self, req: Request) -> Response:
        raw = req.params["objectType"]
        otype = object_type(raw)
        if otype is None:
            return bad_type(raw)
        body = req.json()
        if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
            return _validation("Invalid input JSON: 'inputs' is required")
        inputs = body["inputs"]
        if len(inputs) > 100:
            return _validation(f"Batch size {len(inputs)} exceeds the limit of 100 inputs")
        archived = bool_param(req, "archived")
        props = self._props(otype, body.get("properties") or [])
        history = self._props(otype, body.get("propertiesWithHistory")) if body.get("propertiesWithHistory") else []
        requested_at = iso_ms(int(time.time() * 1000))
        results, missing = [], []
        with self.store.lock:
            seen = set()
            for item in inputs:
                key = str(item.get("id", "")) if isinstance(item, dict) else str(item)
                rec = self._find(otype, key, body.get("idProperty"))
                if rec is None or rec.archived != archived:
                    missing.append(key)
                    continue
                if rec.id in seen:
                    continue
                seen.add(rec.id)
                results.append(object_json(rec, props, history))
        out: dict[str, Any] = {
            "status": "COMPLETE",
            "results": results,
            "requestedAt": requested_at,
            "startedAt": requested_at,
            "completedAt": iso_ms(int(time.time() * 1000)),
        }
        if missing:
            out["numErrors"] = 1
            out["errors"] = [
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "message": f"Could not get some {hs.SINGULAR[otype].upper()} objects, they may be deleted or not "
                    "exist. Check that ids are valid.",
                    "context": {"ids": missing},
                    "errors": [],
                    "links": {},
                }
            ]
            return Response.json(207, out, records=len(results))
        return Response.json(200, out, records=len(results))
