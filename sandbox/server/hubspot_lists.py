"""HubSpot lists of contacts: create a MANUAL or SNAPSHOT list, find it by id or name, add and remove members, page
through memberships. https://developers.hubspot.com/docs/api/crm/lists"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from sandbox.server.base import Request, Response
from sandbox.server.hubspot_errors import error, validation
from sandbox.server.hubspot_params import Handlers, b64, unb64
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections.hubspot_overlay import HSList
from sandbox.world.timeutil import iso_ms

MAX_MEMBERSHIP_IDS = 100_000  # record ids per memberships add/remove call
MEMBERSHIP_PAGE_DEFAULT, MEMBERSHIP_PAGE_MAX = 100, 250  # lists.v3.json: "The maximum `limit` is 250."
CONTACTS = "contacts"
CONTACT_TYPE_ID = hs.OBJECT_TYPE_IDS[CONTACTS]


class ListsApi(Handlers):
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
            after = int(unb64(req.arg("after") or "")) if req.arg("after") else None
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
            nxt = b64(str(page[-1][0]))
            link = f"{self.base_url()}/crm/v3/lists/{lst.list_id}/memberships?after={nxt}&limit={limit}"
            out["paging"] = {"next": {"after": nxt, "link": link}}
        return Response.json(200, out, records=len(page))
