"""The HubSpot portal's definitions and the forms' data: property definitions, owners
(https://developers.hubspot.com/docs/api/crm/owners), forms and their submissions
(https://developers.hubspot.com/docs/api/marketing/forms; submissions newest first with an opaque keyset cursor)."""

from __future__ import annotations

from typing import Any

from sandbox.server.base import Request, Response
from sandbox.server.hubspot_errors import error as _error
from sandbox.server.hubspot_errors import validation as _validation
from sandbox.server.hubspot_params import Handlers, b64, bad_type, bool_param, int_param, object_type, unb64
from sandbox.world.projections.hubspot_payloads import submission_object


class PortalReads(Handlers):
    def properties(self, req: Request) -> Response:
        raw = req.params["objectType"]
        otype = object_type(raw)
        if otype is None:
            return bad_type(raw)
        if bool_param(req, "archived"):
            return Response.json(200, {"results": []})
        results = self.store.properties[otype]
        return Response.json(200, {"results": results}, records=len(results))

    def _offset_page(
        self, req: Request, items: list[dict[str, Any]], default: int, maximum: int, path: str
    ) -> Response:
        limit = int_param(req, "limit", default)
        if isinstance(limit, Response):
            return limit
        if limit < 1 or limit > maximum:
            return _validation(f"limit must be between 1 and {maximum}")
        offset = 0
        if req.arg("after"):
            try:
                offset = int(req.arg("after") or 0)
            except ValueError:
                return _validation("Invalid paging cursor 'after'")
        page = items[offset : offset + limit]
        out: dict[str, Any] = {"results": page}
        if offset + limit < len(items):
            nxt = str(offset + limit)
            out["paging"] = {"next": {"after": nxt, "link": f"{self.base_url()}{path}?after={nxt}&limit={limit}"}}
        return Response.json(200, out, records=len(page))

    def owners(self, req: Request) -> Response:
        items = [] if bool_param(req, "archived") else list(self.store.owners)
        email = req.arg("email")
        if email:
            items = [o for o in items if o["email"].lower() == email.strip().lower()]
        return self._offset_page(req, items, 100, 500, "/crm/v3/owners")

    def owner(self, req: Request) -> Response:
        for o in self.store.owners:
            if o["id"] == req.params["ownerId"]:
                return Response.json(200, o, records=1)
        return _error(404, "OBJECT_NOT_FOUND", f"Owner {req.params['ownerId']} not found")

    def forms(self, req: Request) -> Response:
        items = [] if bool_param(req, "archived") else list(self.store.forms)
        return self._offset_page(req, items, 20, 50, "/marketing/v3/forms")

    def form(self, req: Request) -> Response:
        for f in self.store.forms:
            if f["id"] == req.params["formId"]:
                return Response.json(200, f, records=1)
        return _error(404, "OBJECT_NOT_FOUND", f"Form {req.params['formId']} not found")

    def submissions(self, req: Request) -> Response:
        guid = req.params["formGuid"]
        limit = int_param(req, "limit", 20)
        if isinstance(limit, Response):
            return limit
        if limit < 1 or limit > 50:
            return _validation("limit must be between 1 and 50")
        with self.store.lock:
            subs = self.store.submissions.get(guid)
            if subs is None:
                return _error(404, "OBJECT_NOT_FOUND", f"Form {guid} not found")
            start = 0
            after = req.arg("after")
            if after:
                try:
                    ts_s, cid = unb64(after).split("|", 1)
                    key = (-int(ts_s), cid)
                except (ValueError, UnicodeDecodeError):
                    return _validation("Invalid paging cursor 'after'")
                # first item strictly after the cursor in (newest first, conversionId) order
                lo, hi = 0, len(subs)
                while lo < hi:
                    mid = (lo + hi) // 2
                    s = subs[mid]
                    if (-s["submittedAt"], s["conversionId"]) <= key:
                        lo = mid + 1
                    else:
                        hi = mid
                start = lo
            page = subs[start : start + limit]
            results = [submission_object(s) for s in page]
            more = start + limit < len(subs)
        out: dict[str, Any] = {"results": results}
        if more and page:
            last = page[-1]
            nxt = b64(f"{last['submittedAt']}|{last['conversionId']}")
            path = f"/form-integrations/v1/submissions/forms/{guid}"
            out["paging"] = {"next": {"after": nxt, "link": f"{self.base_url()}{path}?after={nxt}&limit={limit}"}}
        return Response.json(200, out, records=len(results))
