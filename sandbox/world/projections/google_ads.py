"""Google Ads resources and a small GAQL engine over them.

:func:`run_query` parses ``SELECT <fields> FROM <resource> [WHERE <cond> [AND <cond>]...] [ORDER BY ...]
[LIMIT n]`` and returns result rows in the REST (proto3 JSON) shape: lowerCamelCase keys nested per resource, a
``resourceName`` in every selected resource object, int64 values as strings, doubles as numbers, enums as names.
The server answers ``searchStream`` with it and the direct loader runs the connector's own queries through it, so
the two cannot differ.

Resources: ``customer``, ``campaign``, ``ad_group``, ``click_view`` (one day per query, last 90 days only). Field
names follow the API version: v23 replaced ``campaign.start_date`` / ``end_date`` with ``start_date_time`` /
``end_date_time``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sandbox.world import catalog
from sandbox.world.projections.ads import GOOGLE_AD_GROUPS, AdsSnapshot, GoogleClick, day_of
from sandbox.world.timeutil import DAY_MS, iso_date

CID = catalog.GOOGLE_CUSTOMER_ID
CLICK_VIEW_DAYS = 90


class GaqlError(Exception):
    """A query Google would reject: HTTP 400 INVALID_ARGUMENT with one GoogleAdsFailure error."""

    def __init__(self, kind: str, code: str, message: str, trigger: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind  # queryError | requestError | ...
        self.code = code
        self.message = message
        self.trigger = trigger


@lru_cache(maxsize=1024)
def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


def version_number(version: str) -> int:
    m = re.match(r"^v(\d+)", version)
    return int(m.group(1)) if m else 24


# field -> (value type, getter over the row context)
#   int64 -> JSON string; double -> number; string/enum/date -> string
_T = tuple[str, Any]


def _fields(version: int) -> dict[str, _T]:
    f: dict[str, _T] = {
        "customer.id": ("int64", lambda c: CID),
        "customer.resource_name": ("string", lambda c: f"customers/{CID}"),
        "customer.descriptive_name": ("string", lambda c: "Lumenstack"),
        "customer.currency_code": ("string", lambda c: catalog.GOOGLE_CURRENCY),
        "customer.time_zone": ("string", lambda c: "Etc/UTC"),
        "campaign.id": ("int64", lambda c: c["campaign"].campaign_id),
        "campaign.resource_name": ("string", lambda c: f"customers/{CID}/campaigns/{c['campaign'].campaign_id}"),
        "campaign.name": ("string", lambda c: c["campaign"].name),
        "campaign.status": ("enum", lambda c: "ENABLED"),
        "campaign.advertising_channel_type": ("enum", lambda c: "SEARCH"),
        "campaign.bidding_strategy_type": ("enum", lambda c: "MAXIMIZE_CONVERSIONS"),
        "ad_group.id": ("int64", lambda c: c["ad_group"]),
        "ad_group.resource_name": ("string", lambda c: f"customers/{CID}/adGroups/{c['ad_group']}"),
        "ad_group.name": ("string", lambda c: GOOGLE_AD_GROUPS[c["ad_group"]][2]),
        "ad_group.status": ("enum", lambda c: "ENABLED"),
        "ad_group.type": ("enum", lambda c: "SEARCH_STANDARD"),
        "ad_group.campaign": ("string", lambda c: f"customers/{CID}/campaigns/{c['campaign'].campaign_id}"),
        "metrics.clicks": ("int64", lambda c: c["metrics"]["clicks"]),
        "metrics.impressions": ("int64", lambda c: c["metrics"]["impressions"]),
        "metrics.cost_micros": ("int64", lambda c: c["metrics"]["cost_micros"]),
        "metrics.conversions": ("double", lambda c: c["metrics"]["conversions"]),
        "metrics.conversions_value": ("double", lambda c: c["metrics"]["conversions_value"]),
        "segments.date": ("date", lambda c: c["date"]),
        "click_view.gclid": ("string", lambda c: c["click"].gclid),
        "click_view.resource_name": (
            "string",
            lambda c: f"customers/{CID}/clickViews/{c['date']}~{c['click'].gclid}",
        ),
        "click_view.ad_group_ad": (
            "string",
            lambda c: f"customers/{CID}/adGroupAds/{c['click'].ad_group_id}~{c['click'].ad_id}",
        ),
        "click_view.keyword_info.text": ("string", lambda c: c["click"].keyword),
        "click_view.keyword_info.match_type": ("enum", lambda c: c["click"].match_type),
    }
    start = lambda c: catalog.GOOGLE_CAMPAIGN_START[c["campaign"].campaign_id]  # noqa: E731
    if version >= 23:
        f["campaign.start_date_time"] = ("string", lambda c: f"{start(c)} 00:00:00")
        f["campaign.end_date_time"] = ("string", lambda c: None)  # runs indefinitely: field cleared
    else:
        f["campaign.start_date"] = ("date", start)
        f["campaign.end_date"] = ("date", lambda c: "2037-12-30")
    return f


# which resources' fields may be selected FROM each resource
_COMPATIBLE = {
    "customer": ("customer", "metrics", "segments"),
    "campaign": ("campaign", "customer", "metrics", "segments"),
    "ad_group": ("ad_group", "campaign", "customer", "metrics", "segments"),
    "click_view": ("click_view", "ad_group", "campaign", "customer", "segments", "metrics"),
}


@dataclass
class Query:
    fields: list[str]
    resource: str
    conditions: list[tuple[str, str, list[str]]] = field(default_factory=list)
    order_by: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    limit: int | None = None


_QUERY = re.compile(
    r"^\s*SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<resource>[a-z_]+)"
    r"(?:\s+WHERE\s+(?P<where>.+?))?(?:\s+ORDER\s+BY\s+(?P<order>.+?))?(?:\s+LIMIT\s+(?P<limit>\d+))?"
    r"(?:\s+PARAMETERS\s+.+?)?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_COND = re.compile(
    r"^\s*(?P<field>[a-z_.]+)\s+(?P<op>=|!=|>=|<=|>|<|BETWEEN|IN|NOT IN|LIKE)\s+(?P<value>.+?)\s*$",
    re.IGNORECASE,
)


def _literal(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def parse(query: str, version: str = "v24") -> Query:
    m = _QUERY.match(query or "")
    if not m:
        raise GaqlError("queryError", "UNEXPECTED_END_OF_QUERY" if query else "EXPECTED_SELECT", "Error in query.")
    resource = m.group("resource").lower()
    if resource not in _COMPATIBLE:
        raise GaqlError(
            "queryError", "INVALID_RESOURCE_NAME_IN_FROM_CLAUSE", f"Invalid resource in FROM clause: '{resource}'."
        )
    known = _fields(version_number(version))
    fields = [f.strip() for f in m.group("fields").split(",") if f.strip()]
    for f in fields:
        if f not in known:
            raise GaqlError("queryError", "UNRECOGNIZED_FIELD", f"Unrecognized field in the query: '{f}'.", f)
        if f.split(".", 1)[0] not in _COMPATIBLE[resource]:
            raise GaqlError(
                "queryError",
                "PROHIBITED_RESOURCE_TYPE_IN_SELECT_CLAUSE",
                f"The following resource cannot be selected with '{resource}': '{f}'.",
                f,
            )
        if resource == "click_view" and f.startswith("metrics.") and f != "metrics.clicks":
            raise GaqlError(
                "queryError",
                "PROHIBITED_METRIC_IN_SELECT_OR_WHERE_CLAUSE",
                f"The following metric cannot be selected with 'click_view': '{f}'.",
                f,
            )
    q = Query(fields, resource)
    if m.group("where"):
        raw = re.split(r"\s+AND\s+", m.group("where").strip(), flags=re.IGNORECASE)
        parts: list[str] = []
        i = 0
        while i < len(raw):  # BETWEEN's own AND was split too: stitch "x BETWEEN a" + "b" back together
            if re.search(r"\sBETWEEN\s", raw[i], re.IGNORECASE) and i + 1 < len(raw):
                parts.append(raw[i] + " AND " + raw[i + 1])
                i += 2
            else:
                parts.append(raw[i])
                i += 1
        for part in parts:
            cm = _COND.match(part)
            if cm is None:
                raise GaqlError("queryError", "INVALID_VALUE_WITH_BETWEEN_OPERATOR", f"Error in query: '{part}'.")
            fname, op, value = cm.group("field"), cm.group("op").upper(), cm.group("value")
            if fname not in known:
                raise GaqlError("queryError", "UNRECOGNIZED_FIELD", f"Unrecognized field in the query: '{fname}'.")
            if op == "BETWEEN":
                lo, _, hi = re.split(r"\s+(AND)\s+", value, maxsplit=1, flags=re.IGNORECASE)
                q.conditions.append((fname, op, [_literal(lo), _literal(hi)]))
            elif op in ("IN", "NOT IN"):
                q.conditions.append((fname, op, [_literal(v) for v in value.strip("() ").split(",")]))
            else:
                q.conditions.append((fname, op, [_literal(value)]))
    if m.group("order"):
        for part in m.group("order").split(","):
            bits = part.split()
            q.order_by.append((bits[0], len(bits) > 1 and bits[1].upper() == "DESC"))
    if m.group("limit"):
        q.limit = int(m.group("limit"))
    return q


def _date_range(q: Query, first_day: int, today: int) -> tuple[int, int, bool]:
    """(since ms, until ms, single-day equality) from the segments.date conditions."""
    lo, hi, single = first_day, today, False
    for f, op, vals in q.conditions:
        if f != "segments.date":
            continue
        try:
            days = [catalog.to_day_ms(v) for v in vals]
        except ValueError:
            raise GaqlError("queryError", "INVALID_DATE", f"Invalid date in the query: {vals}.") from None
        if op == "=":
            lo, hi, single = max(lo, days[0]), min(hi, days[0]), True
        elif op == "BETWEEN":
            lo, hi = max(lo, days[0]), min(hi, days[1])
        elif op == ">=":
            lo = max(lo, days[0])
        elif op == ">":
            lo = max(lo, days[0] + DAY_MS)
        elif op == "<=":
            hi = min(hi, days[0])
        elif op == "<":
            hi = min(hi, days[0] - DAY_MS)
    return lo, hi, single


def _matches(row_ctx: dict[str, Any], q: Query, known: dict[str, _T]) -> bool:
    for f, op, vals in q.conditions:
        if f == "segments.date":
            continue  # applied when the rows were generated
        v = known[f][1](row_ctx)
        v = "" if v is None else str(v)
        if op == "=" and v != vals[0]:
            return False
        if op == "!=" and v == vals[0]:
            return False
        if op == "IN" and v not in vals:
            return False
        if op == "NOT IN" and v in vals:
            return False
    return True


def _render(ctx: dict[str, Any], fields: list[str], known: dict[str, _T]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for f in fields:
        typ, get = known[f]
        value = get(ctx)
        top, rest = f.split(".", 1)
        obj = row.setdefault(camel(top), {})
        if top in ("customer", "campaign", "ad_group", "click_view") and "resourceName" not in obj:
            obj["resourceName"] = known[f"{top}.resource_name"][1](ctx)
        if value is None:
            continue
        if typ == "int64":
            value = str(value)
        parts = [camel(p) for p in rest.split(".")]
        for p in parts[:-1]:
            obj = obj.setdefault(p, {})
        obj[parts[-1]] = value
    return row


def run_query(
    query: str, snap: AdsSnapshot, *, version: str = "v24", extra_clicks: list[GoogleClick] | None = None
) -> list[dict[str, Any]]:
    """Result rows of a GAQL query against the snapshot (raises :class:`GaqlError` like Google would)."""
    q = parse(query, version)
    known = _fields(version_number(version))
    today = day_of(snap.now)
    first_day = min(catalog.to_day_ms(d) for d in catalog.GOOGLE_CAMPAIGN_START.values())
    with_metrics = any(f.startswith("metrics.") for f in q.fields)
    by_date = "segments.date" in q.fields
    date_filtered = any(f == "segments.date" for f, _, _ in q.conditions)
    lo, hi, single = _date_range(q, first_day, today)
    if by_date and not date_filtered and q.resource != "click_view":
        raise GaqlError(
            "queryError",
            "EXPECTED_FILTERS_ON_DATE_RANGE",
            "A date range filter on segments.date is required when segments.date is selected.",
        )
    ctxs: list[dict[str, Any]] = []
    if q.resource == "click_view":
        if not single:
            raise GaqlError(
                "queryError",
                "EXPECTED_FILTER_ON_A_SINGLE_DAY",
                "Queries on click_view must filter segments.date to a single day.",
            )
        if lo < today - CLICK_VIEW_DAYS * DAY_MS or lo > today:
            raise GaqlError(
                "queryError",
                "DATE_RANGE_TOO_WIDE" if lo < today else "INVALID_DATE",
                f"click_view can only be queried for the last {CLICK_VIEW_DAYS} days.",
            )
        if lo == hi:
            ctxs.extend(click_context(c) for c in click_views(snap, lo, extra_clicks))
    elif q.resource == "customer":
        ctxs.append({})
    else:
        entities: list[dict[str, Any]]
        if q.resource == "campaign":
            entities = [
                {"campaign": c, "groups": [ag for ag, v in GOOGLE_AD_GROUPS.items() if v[0] is c]}
                for c in catalog.GOOGLE_CAMPAIGNS
            ]
        else:
            entities = [{"campaign": v[0], "ad_group": ag, "groups": [ag]} for ag, v in GOOGLE_AD_GROUPS.items()]
        for ent in entities:
            if not with_metrics and not by_date:
                ctxs.append(ent)
                continue
            days = []
            day = lo
            while day <= hi:
                ms = [m for m in (snap.ad_group_day(ag, day) for ag in ent["groups"]) if m is not None]
                if ms:
                    days.append((day, _sum_metrics(ms)))
                day += DAY_MS
            if by_date:
                for day, m in days:
                    ctxs.append({**ent, "metrics": m, "date": iso_date(day)})
            elif days:
                ctxs.append({**ent, "metrics": _sum_metrics([m for _, m in days])})
    rows = [_render(c, q.fields, known) for c in ctxs if _matches(c, q, known)]
    if q.limit is not None:
        rows = rows[: q.limit]
    return rows


def click_context(c: GoogleClick) -> dict[str, Any]:
    return {
        "click": c,
        "date": iso_date(day_of(c.ts)),
        "ad_group": c.ad_group_id,
        "campaign": GOOGLE_AD_GROUPS[c.ad_group_id][0],
    }


class Renderer:
    """Renders rows with one query's SELECT list (the loader renders person click views with it)."""

    def __init__(self, query: str, version: str = "v24") -> None:
        self.query = parse(query, version)
        self.known = _fields(version_number(version))

    def __call__(self, ctx: dict[str, Any]) -> dict[str, Any]:
        return _render(ctx, self.query.fields, self.known)


def _sum_metrics(ms: list[dict[str, Any]]) -> dict[str, Any]:
    out = {"clicks": 0, "impressions": 0, "cost_micros": 0, "conversions": 0.0, "conversions_value": 0.0}
    for m in ms:
        for k in out:
            out[k] += m[k]
    return out


def click_views(snap: AdsSnapshot, day: int, extra: list[GoogleClick] | None = None) -> list[GoogleClick]:
    """Every click of a day: the known people's (kept by the snapshot, or passed in) and the anonymous ones."""
    known = [c for c, _ in snap.clicks.get(day, [])] if extra is None else extra
    out = sorted(known, key=lambda c: (c.ad_group_id, c.ts, c.gclid))
    for ag in GOOGLE_AD_GROUPS:
        out.extend(snap.anonymous_clicks(ag, day))
    return out


def field_mask(query: str, version: str = "v24") -> str:
    q = parse(query, version)
    return ",".join(".".join(camel(p) for p in f.split(".")) for f in q.fields)
