"""HubSpot associations v4: batch read (``POST /crm/v4/associations/{from}/{to}/batch/read``, 500 per input and
page) and the list of one record's associations. https://developers.hubspot.com/docs/api/crm/associations"""

from __future__ import annotations

import time
from typing import Any

from sandbox.server.base import Request, Response
from sandbox.server.hubspot_errors import validation as _validation
from sandbox.server.hubspot_params import Handlers, b64, bad_type, int_param, object_type, unb64
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections.hubspot_payloads import v4_items
from sandbox.world.timeutil import iso_ms


class AssociationReads(Handlers):
    def assoc_batch_read(self, req: Request) -> Response:
        f_raw, t_raw = req.params["fromObjectType"], req.params["toObjectType"]
        from_type, to_type = object_type(f_raw), object_type(t_raw)
        if from_type is None or to_type is None:
            return bad_type(f_raw if from_type is None else t_raw)
        body = req.json()
        if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
            return _validation("Invalid input JSON: 'inputs' is required")
        if len(body["inputs"]) > 1000:
            return _validation("Batch size exceeds the limit of 1000 inputs")
        started = iso_ms(int(time.time() * 1000))
        results, errors = [], []
        n = 0
        with self.store.lock:
            for item in body["inputs"]:
                fid = str(item.get("id", "")) if isinstance(item, dict) else str(item)
                offset = 0
                if isinstance(item, dict) and item.get("after"):
                    try:
                        offset = int(unb64(str(item["after"])))
                    except (ValueError, UnicodeDecodeError):
                        return _validation(f"Invalid paging cursor for id {fid}")
                ids = self.store.associations(from_type, fid, to_type)
                if not ids:
                    errors.append(
                        {
                            "status": "error",
                            "category": "OBJECT_NOT_FOUND",
                            "message": f"No {hs.SINGULAR[to_type]} is associated with {hs.SINGULAR[from_type]} {fid}.",
                            "context": {"fromObjectId": [fid]},
                            "errors": [],
                            "links": {},
                        }
                    )
                    continue
                chunk = ids[offset : offset + 500]
                entry: dict[str, Any] = {"from": {"id": fid}, "to": v4_items(from_type, to_type, chunk)}
                if offset + 500 < len(ids):
                    entry["paging"] = {"next": {"after": b64(str(offset + 500))}}
                results.append(entry)
                n += len(chunk)
        out: dict[str, Any] = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": iso_ms(int(time.time() * 1000)),
        }
        if errors:
            out["numErrors"] = len(errors)
            out["errors"] = errors
            return Response.json(207, out, records=n)
        return Response.json(200, out, records=n)

    def assoc_list(self, req: Request) -> Response:
        f_raw, t_raw = req.params["objectType"], req.params["toObjectType"]
        from_type, to_type = object_type(f_raw), object_type(t_raw)
        if from_type is None or to_type is None:
            return bad_type(f_raw if from_type is None else t_raw)
        limit = int_param(req, "limit", 500)
        if isinstance(limit, Response):
            return limit
        if limit < 1 or limit > 500:
            return _validation("limit must be between 1 and 500")
        offset = 0
        if req.arg("after"):
            try:
                offset = int(unb64(req.arg("after") or ""))
            except (ValueError, UnicodeDecodeError):
                return _validation("Invalid paging cursor 'after'")
        with self.store.lock:
            ids = self.store.associations(from_type, req.params["objectId"], to_type)
        chunk = ids[offset : offset + limit]
        out: dict[str, Any] = {"results": v4_items(from_type, to_type, chunk)}
        if offset + limit < len(ids):
            after = b64(str(offset + limit))
            out["paging"] = {
                "next": {
                    "after": after,
                    "link": f"{self.base_url()}{req.path}?after={after}&limit={limit}",
                }
            }
        return Response.json(200, out, records=len(chunk))
