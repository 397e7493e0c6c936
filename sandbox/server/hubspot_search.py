"""HubSpot CRM search (``POST /crm/v3/objects/{type}/search``): filter groups, one sort, free-text query, offset
paging up to the result cap. https://developers.hubspot.com/docs/api/crm/search"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.server.base import Request, Response
from sandbox.server.hubspot_errors import validation as _validation
from sandbox.server.hubspot_params import Handlers, bad_type, object_type
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections.hubspot_payloads import object_json
from sandbox.world.projections.hubspot_records import HSRecord
from sandbox.world.projections.hubspot_store import HubSpotStore
from sandbox.world.timeutil import parse_time_ms


class SearchApi(Handlers):
    """``cap``: HubSpot refuses to page beyond 10,000 results; tests lower it (``search_cap``)."""

    def __init__(self, store: HubSpotStore, base_url: Callable[[], str], cap: int) -> None:
        super().__init__(store, base_url)
        self.cap = cap

    def search(self, req: Request) -> Response:
        raw = req.params["objectType"]
        otype = object_type(raw)
        if otype is None:
            return bad_type(raw)
        body = req.json() or {}
        if not isinstance(body, dict):
            return _validation("Invalid input JSON")
        try:
            limit = int(body.get("limit", 10) or 10)
            after = int(body.get("after", 0) or 0)
        except (TypeError, ValueError):
            return _validation("limit and after must be integers")
        if limit < 1 or limit > 200:
            return _validation("limit must be between 1 and 200")
        if after < 0:
            return _validation("after must be a non-negative offset")
        # HubSpot refuses pages beyond its 10,000-result cap (after + limit > cap). The first page (after=0) is always
        # served in full, so a cap lowered by tests below the page size still lets keyset-paging clients work.
        if after > 0 and after + limit > self.cap:
            return _validation(
                f"Cannot page beyond {self.cap} results: after={after} limit={limit}. "
                "Narrow your filters (for example on hs_object_id) and restart from after=0.",
                errors=[{"message": "paging beyond the result cap", "in": "after"}],
            )
        groups = body.get("filterGroups") or []
        if len(groups) > 5:
            return _validation("Too many filter groups: at most 5 are allowed")
        if sum(len(g.get("filters") or []) for g in groups) > 25 or any(
            len(g.get("filters") or []) > 10 for g in groups
        ):
            return _validation("Too many filters: at most 10 per group and 25 in total")
        ptypes = self.store.property_types(otype)
        try:
            compiled = [[_compile_filter(f, otype, ptypes) for f in g.get("filters") or []] for g in groups]
        except _FilterError as exc:
            return _validation(str(exc))
        sorts = body.get("sorts") or []
        sort_prop, descending = "hs_object_id", False
        if sorts:
            s = sorts[0]
            if isinstance(s, str):
                descending = s.startswith("-")
                sort_prop = s.lstrip("-")
            elif isinstance(s, dict):
                sort_prop = s.get("propertyName") or "hs_object_id"
                descending = str(s.get("direction", "ASCENDING")).upper() == "DESCENDING"
            sort_prop = _alias(sort_prop, otype)
            if sort_prop not in ptypes:
                return _validation(f"Cannot sort on unknown property '{sort_prop}'")
        query = (body.get("query") or "").strip().lower()
        props = self._props(otype, body.get("properties") or [])
        with self.store.lock:
            matched = []
            for rec in self.store.objects[otype].values():
                if rec.archived:
                    continue
                if compiled and not any(all(f(rec) for f in g) for g in compiled):
                    continue
                if query and not _matches_query(rec, query):
                    continue
                matched.append(rec)
            ptype = ptypes.get(sort_prop, "string")
            present = [r for r in matched if r.properties.get(sort_prop) is not None]
            absent = [r for r in matched if r.properties.get(sort_prop) is None]
            present.sort(key=lambda r: (_typed(r.properties[sort_prop], ptype), int(r.id)), reverse=descending)
            absent.sort(key=lambda r: int(r.id))
            ordered = present + absent
            page = ordered[after : after + limit]
            results = [object_json(r, props) for r in page]
        out: dict[str, Any] = {"total": len(ordered), "results": results}
        if after + limit < len(ordered):
            out["paging"] = {"next": {"after": str(after + limit)}}
        return Response.json(200, out, records=len(results))


# -- search filters ---------------------------------------------------------------------------------------------


class _FilterError(ValueError):
    pass


def _alias(prop: str, otype: str) -> str:
    """``lastmodifieddate`` and ``hs_lastmodifieddate`` (and createdate / hs_createdate) are accepted for every
    object type and mean its own last-modified / create property."""
    if prop in ("lastmodifieddate", "hs_lastmodifieddate"):
        return hs.LAST_MODIFIED_PROPERTY[otype]
    if prop in ("createdate", "hs_createdate"):
        return hs.CREATED_PROPERTY[otype]
    return prop


def _typed(value: str, ptype: str) -> Any:
    if ptype in ("datetime", "date"):
        return parse_time_ms(value)
    if ptype == "number":
        return float(value)
    return value.lower()


def _matches_query(rec: HSRecord, query: str) -> bool:
    for p in ("email", "firstname", "lastname", "name", "domain", "dealname", "phone", "company"):
        v = rec.properties.get(p)
        if v and query in v.lower():
            return True
    return False


def _compile_filter(f: dict[str, Any], otype: str, ptypes: dict[str, str]):
    if not isinstance(f, dict) or "propertyName" not in f or "operator" not in f:
        raise _FilterError("Each filter needs propertyName and operator")
    prop = _alias(str(f["propertyName"]), otype)
    op = str(f["operator"]).upper()
    if prop not in ptypes:
        raise _FilterError(f"Property '{f['propertyName']}' does not exist on {otype}")
    ptype = ptypes[prop]

    def conv(v: Any) -> Any:
        if v is None:
            raise _FilterError(f"Filter on '{prop}' with operator {op} needs a value")
        try:
            return _typed(str(v), ptype)
        except ValueError:
            raise _FilterError(f"Value {v!r} is not valid for the {ptype} property '{prop}'") from None

    def get(rec: HSRecord) -> Any:
        v = rec.properties.get(prop)
        if v is None or v == "":
            return None
        try:
            return _typed(v, ptype)
        except ValueError:
            return None

    if op == "HAS_PROPERTY":
        return lambda r: get(r) is not None
    if op == "NOT_HAS_PROPERTY":
        return lambda r: get(r) is None
    if op in ("IN", "NOT_IN"):
        vals = f.get("values")
        if not isinstance(vals, list):
            raise _FilterError(f"Operator {op} needs 'values'")
        wanted = {conv(v) for v in vals}
        if op == "IN":
            return lambda r: get(r) in wanted
        return lambda r: get(r) not in wanted
    if op == "BETWEEN":
        lo, hi = conv(f.get("value")), conv(f.get("highValue"))
        return lambda r: (v := get(r)) is not None and lo <= v <= hi
    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        token = str(f.get("value", "")).lower().strip("*")

        def contains(r: HSRecord) -> bool:
            v = rec_v.lower() if (rec_v := r.properties.get(prop)) else ""
            return token in v

        return contains if op == "CONTAINS_TOKEN" else (lambda r: not contains(r))
    value = conv(f.get("value"))
    if op == "EQ":
        return lambda r: get(r) == value
    if op == "NEQ":
        return lambda r: get(r) != value
    if op == "LT":
        return lambda r: (v := get(r)) is not None and v < value
    if op == "LTE":
        return lambda r: (v := get(r)) is not None and v <= value
    if op == "GT":
        return lambda r: (v := get(r)) is not None and v > value
    if op == "GTE":
        return lambda r: (v := get(r)) is not None and v >= value
    raise _FilterError(f"Unknown operator {op}")
