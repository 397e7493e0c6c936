"""The Meta Graph API of the sandbox: the Marketing API (ad account campaigns, ad sets, ads, sync and async insights:
https://developers.facebook.com/docs/marketing-api/insights), Lead Ads (forms and leads:
https://developers.facebook.com/docs/marketing-api/guides/lead-ads/retrieving), the Facebook Page (posts, comments,
reactions: https://developers.facebook.com/docs/graph-api/reference/page/feed) and the Instagram business account
(media, comments: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media),
all on one Graph host.

Graph conventions: ``fields`` selection (nested ``from{id,name}``; an unknown field is error 100), cursor paging
(``paging.cursors.after`` on every non-empty page, ``paging.next`` only when more pages exist), ``access_token``
query parameter or ``Authorization: Bearer``, errors as ``{"error": {message, type, code, error_subcode,
fbtrace_id, is_transient}}``, throttling as HTTP 400 with codes 17 / 613 / 800xx plus the
``X-Business-Use-Case-Usage`` / ``X-Ad-Account-Usage`` / ``X-App-Usage`` headers.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlencode

from sandbox.server.base import Request, Response, VendorApp
from sandbox.server.meta_presets import PRESETS, RETENTION_MONTHS, months_back, preset_range
from sandbox.world import catalog
from sandbox.world.projections import ads as ads_p
from sandbox.world.projections import social as soc_p
from sandbox.world.projections.graph import FieldError, parse_fields, select
from sandbox.world.timeutil import DAY_MS, iso_date
from sandbox.world.world import World

DEFAULT_TOKEN = "sandbox-meta-token"
VERSIONS = frozenset({"v23.0", "v24.0", "v25.0", "v26.0"})
# The version the connectors speak and the SDK conformance tests pin (every version above is served alike).
API_VERSION = "v25.0"
ACCOUNT_NODE = f"act_{catalog.META_AD_ACCOUNT_ID}"
_BAD_GATEWAY_HTML = b"<html><body><h1>502 Bad Gateway</h1><p>Sorry, something went wrong.</p></body></html>\n"

# Fields each node type knows (selection of anything else is error 100); the values we do not model are omitted.
_EXTRA = {
    "Campaign": {"lifetime_budget", "bid_strategy", "stop_time", "special_ad_categories", "spend_cap"},
    "AdSet": {"lifetime_budget", "daily_budget", "targeting", "bid_amount", "end_time"},
    "Ad": {"creative", "tracking_specs", "preview_shareable_link"},
    "AdsInsights": {
        "reach",
        "frequency",
        "cpc",
        "cpm",
        "ctr",
        "objective",
        "unique_clicks",
        "cost_per_action_type",
        "conversions",
        "conversion_values",
        "video_p25_watched_actions",
        "account_name",
    },
    "LeadgenForm": {"leads_count", "questions", "privacy_policy_url", "expired_leads_count"},
    "Lead": {"adset_name", "partner_name", "custom_disclaimer_responses", "post", "retailer_item_id"},
    "Post": {"story", "full_picture", "shares", "attachments", "status_type", "updated_time"},
    "Comment": {"parent", "comment_count", "attachment", "can_reply_privately", "is_hidden", "permalink_url"},
    "Reaction": {"pic", "profile_type", "username"},
    "IGMedia": {"media_url", "thumbnail_url", "shortcode", "is_comment_enabled", "owner"},
    "IGComment": {"replies", "hidden", "parent_id", "media"},
}
_DEFAULT_FIELDS = {
    "Campaign": "id",
    "AdSet": "id",
    "Ad": "id",
    "LeadgenForm": "id,name,status,locale",
    "Lead": "created_time,id,field_data",
    "Post": "id,message,created_time",
    "Comment": "id,message,created_time,from",
    "Reaction": "id,name,type",
    "IGMedia": "id",
    "IGComment": "id,text,timestamp",
    "AdsInsights": "account_id,date_start,date_stop,impressions,spend",
}


def graph_error(
    status: int,
    code: int,
    message: str,
    *,
    subcode: int | None = None,
    transient: bool = False,
    typ: str = "OAuthException",
    headers: list[tuple[str, str]] | None = None,
    **extra: Any,
) -> Response:
    err: dict[str, Any] = {"message": message, "type": typ, "code": code}
    if subcode is not None:
        err["error_subcode"] = subcode
    err["is_transient"] = transient
    err.update(extra)
    err["fbtrace_id"] = base64.b64encode(time.time_ns().to_bytes(8, "big")).decode().rstrip("=")
    return Response.json(status, {"error": err}, headers)


def body_params(req: Request) -> dict[str, str] | None:
    """Parameters of a POST body as Graph takes them: a form (what the official SDK sends) or a JSON object, whose
    non-string values count as their JSON text (the SDK JSON-encodes lists, objects and booleans the same way).
    None when the body is neither."""
    text = req.body.decode("utf-8", "replace")
    if "json" in req.headers.get("content-type", "").lower():
        try:
            obj = json.loads(text) if text.strip() else {}
        except ValueError:
            return None
        if not isinstance(obj, dict):
            return None
        return {
            str(k): v if isinstance(v, str) else json.dumps(v, sort_keys=True, separators=(",", ":"))
            for k, v in obj.items()
        }
    return {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}


def _bad_field(node_type: str, name: str) -> Response:
    return graph_error(400, 100, f"(#100) Tried accessing nonexisting field ({name}) on node type ({node_type})")


def _cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def _uncursor(text: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


@dataclass
class MetaLimits:
    """A call budget per token and business use case (``ads_management``, ``ads_insights``, ``pages``,
    ``instagram``, ``leadgen``) over a rolling window. Over budget: HTTP 400 with the use case's throttling code."""

    calls_per_window: int = 10_000
    window_s: float = 3600.0


_BUC_CODES = {
    "ads_management": (80004, "There have been too many calls to this ad-account. Wait a bit and try again."),
    "ads_insights": (80000, "There have been too many calls from this ad-account. Wait a bit and try again."),
    "pages": (80001, "There have been too many calls to this Page account. Wait a bit and try again."),
    "instagram": (80002, "There have been too many calls to this Instagram account. Wait a bit and try again."),
    "leadgen": (80005, "There have been too many leadgen api calls to this Page. Wait a bit and try again."),
}
_FAULT_CODES = (
    (17, 2446079, "(#17) User request limit reached"),
    (613, 1487742, "(#613) There have been too many calls from this ad-account. Please wait a bit and try again."),
    (80004, 2446079, "(#80004) There have been too many calls to this ad-account. Wait a bit and try again."),
)


@dataclass
class ReportRun:
    id: str
    rows: list[dict[str, Any]]
    since: str
    until: str
    created: float
    polls: int = 0


class MetaApp(VendorApp):
    name = "meta"

    def __init__(self, world: World, *, token: str = DEFAULT_TOKEN, limits: MetaLimits | None = None) -> None:
        super().__init__()
        self.world = world
        self.token = token
        self.limits = limits or MetaLimits()
        self._calls: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()
        self._reports: dict[str, ReportRun] = {}
        self._report_ids = itertools.count(6023456789012)
        self._fault_turn = itertools.count()
        r = self.router
        r.trailing_slash = True  # the official SDK reads nodes as /v25.0/<id>/
        r.add("GET", "/{version}/{node}", self.get_node)
        r.add("GET", "/{version}/{node}/{edge}", self.get_edge)
        r.add("POST", "/{version}/{node}/{edge}", self.post_edge)

    # -- hooks -------------------------------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        return {
            "META_ACCESS_TOKEN": self.token,
            "META_BASE_URL": self.base_url,
            "META_AD_ACCOUNT_ID": ACCOUNT_NODE,
            "META_PAGE_ID": catalog.META_PAGE_ID,
            "META_IG_USER_ID": catalog.META_IG_USER_ID,
        }

    def _token_of(self, req: Request) -> str | None:
        auth = req.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip()
        if req.arg("access_token"):
            return req.arg("access_token")
        if req.method == "POST" and req.body:
            form = body_params(req)
            if isinstance(form, dict) and form.get("access_token"):
                return form["access_token"]
        return None

    def authenticate(self, req: Request) -> Response | None:
        token = self._token_of(req)
        if token is None:
            return graph_error(400, 104, "An access token is required to request this resource.")
        if token != self.token:
            return graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        return None

    def _use_case(self, req: Request) -> str:
        node = req.params.get("node", "")
        edge = req.params.get("edge", "")
        if edge == "insights" or node in self._reports:
            return "ads_insights"
        if node.startswith("act_"):
            return "ads_management"
        if edge in ("leads", "leadgen_forms"):
            return "leadgen"
        if node == catalog.META_IG_USER_ID or (node.isdigit() and node.startswith("179")):
            return "instagram"
        return "pages"

    def _usage(self, used: int, regain: int | None = None) -> tuple[int, list[tuple[str, str]]]:
        pct = min(100, int(100 * used / max(1, self.limits.calls_per_window)))
        if regain is None:
            regain = 0 if pct < 100 else max(1, int(self.limits.window_s // 60 // 4))
        buc = {
            catalog.META_AD_ACCOUNT_ID: [
                {
                    "type": "ads_management",
                    "call_count": pct,
                    "total_cputime": max(1, pct // 2),
                    "total_time": max(1, pct // 2),
                    "estimated_time_to_regain_access": regain,
                    "ads_api_access_tier": "standard_access",
                }
            ]
        }
        headers = [
            ("X-Business-Use-Case-Usage", json.dumps(buc, separators=(",", ":"))),
            (
                "X-Ad-Account-Usage",
                json.dumps(
                    {"acc_id_util_pct": float(pct), "reset_time_duration": 0, "ads_api_access_tier": "standard_access"}
                ),
            ),
            (
                "X-App-Usage",
                json.dumps({"call_count": pct, "total_time": max(1, pct // 2), "total_cputime": max(1, pct // 2)}),
            ),
        ]
        return regain, headers

    def admit(self, req: Request, route) -> tuple[Response | None, list[tuple[str, str]]]:
        case = self._use_case(req)
        now = time.monotonic()
        with self._lock:
            q = self._calls.setdefault((self.token, case), deque())
            while q and q[0] <= now - self.limits.window_s:
                q.popleft()
            if len(q) >= self.limits.calls_per_window:
                _regain, headers = self._usage(len(q))
                code, message = _BUC_CODES[case]
                return graph_error(
                    400, code, f"(#{code}) {message}", subcode=2446079, transient=True, headers=headers
                ), []
            q.append(now)
            _, headers = self._usage(len(q))
        return None, headers

    def reset_limits(self) -> None:
        with self._lock:
            self._calls.clear()

    def fault_response(self, kind: str) -> Response:
        if kind == "meta_rate_limit":
            code, sub, message = _FAULT_CODES[next(self._fault_turn) % len(_FAULT_CODES)]
            # a short throttle: usage at 100 %, no regain estimate (clients back off exponentially)
            _, headers = self._usage(self.limits.calls_per_window, regain=0)
            return graph_error(400, code, message, subcode=sub, transient=True, headers=headers)
        if kind in ("429", "429_retry_after", "google_quota"):
            resp = graph_error(429, 4, "(#4) Application request limit reached", transient=True)
            if kind == "429_retry_after":
                resp.headers.append(("Retry-After", "1"))
            return resp
        if kind == "502":
            return Response(502, _BAD_GATEWAY_HTML, content_type="text/html")
        if kind == "503":
            return graph_error(503, 2, "Service temporarily unavailable", transient=True)
        return graph_error(500, 1, "An unknown error occurred", transient=True)

    def not_found(self, req: Request) -> Response:
        return graph_error(400, 803, "(#803) Some of the aliases you requested do not exist")

    def error(self, status: int, message: str) -> Response:
        return graph_error(
            status if status >= 500 else 400, 100 if status < 500 else 1, message, transient=status >= 500
        )

    def control(self, req: Request, action: str) -> Response | None:
        if action == "limits":
            if req.method == "POST":
                data = req.json() or {}
                if "calls_per_window" in data:
                    self.limits.calls_per_window = int(data["calls_per_window"])
                if "window_s" in data:
                    self.limits.window_s = float(data["window_s"])
                if data.get("reset"):
                    self.reset_limits()
            return Response.json(
                200, {"calls_per_window": self.limits.calls_per_window, "window_s": self.limits.window_s}
            )
        return None

    # -- helpers -----------------------------------------------------------------------------------------------

    def _version_ok(self, req: Request) -> Response | None:
        v = req.params.get("version", "")
        if v not in VERSIONS:
            return graph_error(400, 2635, f"(#2635) You are calling a deprecated version of the Ads API ({v}).")
        return None

    def _fields(self, req: Request, node_type: str, sample: dict[str, Any] | None) -> Any:
        text = req.arg("fields") or _DEFAULT_FIELDS.get(node_type, "id")
        if text.lstrip().startswith("["):  # a JSON array, as the SDK encodes list parameters in POST bodies
            try:
                names = json.loads(text)
            except ValueError:
                names = None
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                return graph_error(400, 100, "(#100) Param fields must be a list of field names")
            text = ",".join(names)
        try:
            spec = parse_fields(text)
        except FieldError as exc:
            return graph_error(400, 100, f"(#100) {exc}")
        known = set(sample or {}) | _EXTRA.get(node_type, set()) | {"id"}
        for name, _ in spec:
            if name not in known:
                return _bad_field(node_type, name)
        return spec

    def _limit(self, req: Request, default: int = 25, cap: int = 100) -> int | Response:
        try:
            n = int(req.arg("limit") or default)
        except ValueError:
            return graph_error(400, 100, "(#100) Param limit must be an integer")
        return max(1, min(n, cap))

    def _paged(
        self,
        req: Request,
        items: list[tuple[Any, dict[str, Any]]],
        *,
        default_limit: int = 25,
        cap: int = 100,
        extra: dict[str, Any] | None = None,
    ) -> Response:
        """``items`` are ``(sort key, object)`` in the edge's order; cursors encode the key of the boundary item."""
        limit = self._limit(req, default_limit, cap)
        if isinstance(limit, Response):
            return limit
        start = 0
        after = req.arg("after")
        if after:
            try:
                key = _uncursor(after)
            except ValueError:
                return graph_error(400, 100, "(#100) The after cursor is invalid")
            keys = [json.loads(json.dumps(k)) for k, _ in items]
            start = next((i + 1 for i, k in enumerate(keys) if k == key), None)
            if start is None:  # the boundary item is gone: continue after the first later key
                start = len(items)
                for i, k in enumerate(keys):
                    if _after(k, key, items):
                        start = i
                        break
        page = items[start : start + limit]
        body: dict[str, Any] = {"data": [o for _, o in page]}
        if extra:
            body.update(extra)
        if page:
            paging: dict[str, Any] = {"cursors": {"before": _cursor(page[0][0]), "after": _cursor(page[-1][0])}}
            if start + limit < len(items):
                query = {k: v[-1] for k, v in req.query.items() if k != "after"}
                query["after"] = paging["cursors"]["after"]
                paging["next"] = f"{self.base_url}{req.path}?{urlencode(query)}"
            if start > 0:
                query = {k: v[-1] for k, v in req.query.items() if k != "after"}
                query["before"] = paging["cursors"]["before"]
                paging["previous"] = f"{self.base_url}{req.path}?{urlencode(query)}"
            body["paging"] = paging
        return Response.json(200, body, records=len(page))

    # -- routes ------------------------------------------------------------------------------------------------

    def get_node(self, req: Request) -> Response:
        bad = self._version_ok(req)
        if bad:
            return bad
        node = req.params["node"]
        run = self._reports.get(node)
        if run is not None:
            return Response.json(200, self._report_status(run), records=1)
        obj, node_type = self._find_object(node)
        if obj is None:
            return graph_error(
                400,
                100,
                f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded due to missing "
                "permissions, or does not support this operation.",
                subcode=33,
            )
        spec = self._fields(req, node_type, obj)
        if isinstance(spec, Response):
            return spec
        return Response.json(200, select(obj, spec), records=1)

    def _find_object(self, node: str) -> tuple[dict[str, Any] | None, str]:
        if node == ACCOUNT_NODE:
            return {
                "id": ACCOUNT_NODE,
                "account_id": catalog.META_AD_ACCOUNT_ID,
                "name": "Lumenstack ads",
                "currency": catalog.META_CURRENCY,
                "timezone_name": "Etc/GMT",
                "account_status": 1,
            }, "AdAccount"
        if node == catalog.META_PAGE_ID:
            return {"id": node, "name": catalog.META_PAGE_NAME, "category": "Software"}, "Page"
        if node == catalog.META_IG_USER_ID:
            return {"id": node, "username": catalog.META_IG_USERNAME, "name": catalog.META_PAGE_NAME}, "IGUser"
        for kind, objs in (
            ("Campaign", ads_p.meta_campaigns()),
            ("AdSet", ads_p.meta_adsets()),
            ("Ad", ads_p.meta_ads()),
        ):
            for o in objs:
                if o["id"] == node:
                    return o, kind
        for f in ads_p.lead_forms():
            if f["id"] == node:
                return f, "LeadgenForm"
        snap = self.world.social_snapshot()
        for p in snap.fb_posts():
            if p["id"] == node:
                return p, "Post"
        for m in snap.ig_media():
            if m["id"] == node:
                return m, "IGMedia"
        return None, ""

    def get_edge(self, req: Request) -> Response:
        bad = self._version_ok(req)
        if bad:
            return bad
        node, edge = req.params["node"], req.params["edge"]
        if node in self._reports and edge == "insights":
            return self._report_results(req, self._reports[node])
        if node == ACCOUNT_NODE:
            if edge == "campaigns":
                return self._objects(req, "Campaign", ads_p.meta_campaigns())
            if edge == "adsets":
                return self._objects(req, "AdSet", ads_p.meta_adsets())
            if edge == "ads":
                return self._objects(req, "Ad", ads_p.meta_ads())
            if edge == "insights":
                return self._insights_sync(req)
        elif node == catalog.META_PAGE_ID:
            if edge == "leadgen_forms":
                return self._objects(req, "LeadgenForm", ads_p.lead_forms())
            if edge in ("posts", "feed", "published_posts"):
                return self._posts(req)
        elif node == catalog.META_IG_USER_ID and edge == "media":
            return self._media(req)
        elif edge == "leads" and node in {f[0] for f in catalog.META_LEAD_FORMS}:
            return self._leads(req, node)
        elif edge in ("comments", "reactions"):
            snap = self.world.social_snapshot()
            n_fb = snap.n_posts["facebook"]
            n_ig = snap.n_posts["instagram"]
            if node in {catalog.post_id("facebook", n) for n in range(n_fb)}:
                return self._children(req, snap, "facebook", "comment" if edge == "comments" else "reaction", node)
            if edge == "comments" and node in {catalog.post_id("instagram", n) for n in range(n_ig)}:
                return self._children(req, snap, "instagram", "comment", node)
        obj, node_type = self._find_object(node)
        if obj is None:
            return graph_error(
                400,
                100,
                f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded due to missing "
                "permissions, or does not support this operation.",
                subcode=33,
            )
        return graph_error(400, 100, f"(#100) Tried accessing nonexisting field ({edge}) on node type ({node_type})")

    def post_edge(self, req: Request) -> Response:
        bad = self._version_ok(req)
        if bad:
            return bad
        if req.params["node"] != ACCOUNT_NODE or req.params["edge"] != "insights":
            return graph_error(400, 100, "(#100) Unsupported post request.")
        form = body_params(req)
        if form is None:
            return graph_error(400, 100, "(#100) The request body must be a form or a JSON object")
        merged = Request(
            req.method, req.path, {**req.query, **{k: [v] for k, v in form.items()}}, req.headers, b"", req.params
        )
        rows = self._insight_rows(merged)
        if isinstance(rows, Response):
            return rows
        rows_, since, until = rows
        run = ReportRun(str(next(self._report_ids)), rows_, since, until, time.time())
        with self._lock:
            self._reports[run.id] = run
        return Response.json(200, {"report_run_id": run.id})

    # -- edges -------------------------------------------------------------------------------------------------

    def _objects(self, req: Request, node_type: str, objs: list[dict[str, Any]]) -> Response:
        spec = self._fields(req, node_type, objs[0] if objs else None)
        if isinstance(spec, Response):
            return spec
        return self._paged(req, [(o["id"], select(o, spec)) for o in objs])

    def _posts(self, req: Request) -> Response:
        snap = self.world.social_snapshot()
        posts = snap.fb_posts()
        spec = self._fields(req, "Post", posts[0] if posts else soc_p.fb_post_json(0))
        if isinstance(spec, Response):
            return spec
        since, until = req.arg("since"), req.arg("until")
        if since or until:
            from sandbox.world.timeutil import parse_time_ms

            def t(v: str) -> int:
                return int(v) * 1000 if v.isdigit() else parse_time_ms(v)

            lo = t(since) if since else 0
            hi = t(until) if until else 1 << 62
            from connectors.core.clock import parse_timestamp, to_epoch_ms

            posts = [p for p in posts if lo <= to_epoch_ms(parse_timestamp(p["created_time"])) <= hi]
        return self._paged(req, [(p["id"], select(p, spec)) for p in posts])

    def _media(self, req: Request) -> Response:
        media = self.world.social_snapshot().ig_media()
        spec = self._fields(req, "IGMedia", media[0] if media else soc_p.ig_media_json(0, 0, 0))
        if isinstance(spec, Response):
            return spec
        return self._paged(req, [(m["id"], select(m, spec)) for m in media])

    def _children(self, req: Request, snap, platform: str, kind: str, node: str) -> Response:
        items = snap.children(platform, kind, node)
        if kind == "reaction":
            node_type, sample = "Reaction", {"id": "", "name": "", "type": ""}
        elif platform == "facebook":
            node_type = "Comment"
            sample = {"id": "", "message": "", "created_time": "", "from": {}, "like_count": 0}
        else:
            node_type = "IGComment"
            sample = {"id": "", "text": "", "timestamp": "", "username": "", "from": {}, "like_count": 0}
        spec = self._fields(req, node_type, sample)
        if isinstance(spec, Response):
            return spec
        if kind == "comment" and (req.arg("order") or "chronological") == "reverse_chronological":
            items = items[::-1]
        keyed = [([it.ts, it.item_id], select(it.json(), spec, always_id=kind != "reaction")) for it in items]
        return self._paged(req, keyed)

    def _leads(self, req: Request, form_id: str) -> Response:
        snap = self.world.ads_snapshot()
        leads = sorted(snap.leads.get(form_id, []), key=lambda x: (-x[0].ts, x[0].lead_id))
        sample = ads_p.lead_json(leads[0][0]) if leads else None
        spec = self._fields(
            req,
            "Lead",
            sample
            or {
                "id": "",
                "created_time": "",
                "field_data": [],
                "ad_id": "",
                "ad_name": "",
                "adset_id": "",
                "campaign_id": "",
                "campaign_name": "",
                "form_id": "",
                "platform": "",
                "is_organic": False,
            },
        )
        if isinstance(spec, Response):
            return spec
        filtering = req.arg("filtering")
        if filtering:
            try:
                filters = json.loads(filtering)
            except ValueError:
                return graph_error(400, 100, "(#100) param filtering must be a JSON array")
            for f in filters if isinstance(filters, list) else []:
                if f.get("field") != "time_created":
                    return graph_error(400, 100, f"(#100) Filtering field {f.get('field')} is invalid")
                op = str(f.get("operator", "")).upper()
                try:
                    v = int(f.get("value")) * 1000
                except (TypeError, ValueError):
                    return graph_error(400, 100, "(#100) time_created filter value must be an epoch in seconds")
                ops = {
                    "GREATER_THAN": lambda ts, v=v: ts // 1000 * 1000 > v,
                    "LESS_THAN": lambda ts, v=v: ts // 1000 * 1000 < v,
                    "GREATER_THAN_OR_EQUAL": lambda ts, v=v: ts // 1000 * 1000 >= v,
                    "LESS_THAN_OR_EQUAL": lambda ts, v=v: ts // 1000 * 1000 <= v,
                }
                if op not in ops:
                    return graph_error(400, 100, f"(#100) Filtering operator {op} is invalid")
                leads = [x for x in leads if ops[op](x[0].ts)]
        return self._paged(req, [([-lead.ts, lead.lead_id], select(ads_p.lead_json(lead), spec)) for lead, _ in leads])

    # -- insights ----------------------------------------------------------------------------------------------

    def _insight_rows(self, req: Request) -> tuple[list[dict[str, Any]], str, str] | Response:
        snap = self.world.ads_snapshot()
        today = ads_p.day_of(snap.now)
        level = req.arg("level") or "account"
        if level not in ("ad", "adset", "campaign", "account"):
            return graph_error(
                400, 100, "(#100) level must be one of the following values: ad, adset, campaign, account"
            )
        sample = snap.insight(next(iter(catalog.META_ADSETS)), today - DAY_MS) or {}
        spec = self._fields(req, "AdsInsights", {**sample, "actions": [], "action_values": []})
        if isinstance(spec, Response):
            return spec
        tr = req.arg("time_range")
        preset = req.arg("date_preset")
        today_date = date.fromisoformat(iso_date(today))
        if tr:
            try:
                rng = json.loads(tr)
                since = date.fromisoformat(rng["since"])
                until = date.fromisoformat(rng["until"])
            except (ValueError, KeyError, TypeError):
                return graph_error(400, 100, "(#100) time_range must be a JSON object with since and until dates")
            if since > until:
                return graph_error(400, 100, "(#100) Must provide a valid time range: since must be before until")
            lo, hi = catalog.to_day_ms(since.isoformat()), catalog.to_day_ms(until.isoformat())
        else:
            # computed against the sandbox's clock, so "this_month" moves when the world advances
            window = preset_range(preset or "last_30d", today_date)
            if window is None:
                return graph_error(
                    400, 100, f"(#100) date_preset must be one of the following values: {', '.join(PRESETS)}"
                )
            lo, hi = catalog.to_day_ms(window[0].isoformat()), catalog.to_day_ms(window[1].isoformat())
        if lo < catalog.to_day_ms(months_back(today_date, RETENTION_MONTHS).isoformat()):
            return graph_error(
                400, 3018, "(#3018) The start date of the time range cannot be beyond 37 months from the current date"
            )
        rows = snap.insights(lo, hi)
        inc = req.arg("time_increment") or "all_days"
        if level != "ad" or inc != "1":
            rows = _aggregate(rows, level, inc, iso_date(lo), iso_date(hi))
        out = []
        for r in rows:
            row = select(r, spec, always_id=False)
            # Graph reports every insights row's date range, whatever the fields asked for
            row.setdefault("date_start", r["date_start"])
            row.setdefault("date_stop", r["date_stop"])
            out.append(row)
        return out, iso_date(lo), iso_date(hi)

    def _insights_sync(self, req: Request) -> Response:
        rows = self._insight_rows(req)
        if isinstance(rows, Response):
            return rows
        items = [
            ([r.get("date_start", ""), r.get("ad_id", ""), r.get("adset_id", ""), r.get("campaign_id", ""), i], r)
            for i, r in enumerate(rows[0])
        ]
        return self._paged(req, items, default_limit=25, cap=500)

    def _report_status(self, run: ReportRun) -> dict[str, Any]:
        with self._lock:
            run.polls += 1
            polls = run.polls
        status, pct = (
            ("Job Not Started", 0) if polls <= 1 else ("Job Running", 50) if polls == 2 else ("Job Completed", 100)
        )
        return {
            "id": run.id,
            "account_id": catalog.META_AD_ACCOUNT_ID,
            "time_ref": int(run.created),
            "time_completed": int(run.created) + 2 if pct == 100 else 0,
            "async_status": status,
            "async_percent_completion": pct,
            "date_start": run.since,
            "date_stop": run.until,
            "is_running": pct < 100,
        }

    def _report_results(self, req: Request, run: ReportRun) -> Response:
        if run.polls < 3:
            return graph_error(
                400, 100, "(#100) The report is not ready yet; poll its async_status first", subcode=1815107
            )
        items = [([i], r) for i, r in enumerate(run.rows)]
        return self._paged(req, items, default_limit=25, cap=500)


def _after(k: Any, key: Any, items: list) -> bool:
    try:
        return k > key
    except TypeError:
        return False


def _aggregate(rows: list[dict[str, Any]], level: str, inc: str, since: str, until: str) -> list[dict[str, Any]]:
    """Sum ad-level daily rows to another level and/or over the whole range (``time_increment=all_days``)."""
    keep = {
        "account": ("account_id", "account_currency"),
        "campaign": ("account_id", "campaign_id", "campaign_name", "account_currency"),
        "adset": ("account_id", "campaign_id", "campaign_name", "adset_id", "adset_name", "account_currency"),
        "ad": (
            "account_id",
            "campaign_id",
            "campaign_name",
            "adset_id",
            "adset_name",
            "ad_id",
            "ad_name",
            "account_currency",
        ),
    }[level]
    groups: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        day = (r["date_start"],) if inc == "1" else ()
        key = tuple(r[k] for k in keep) + day
        g = groups.get(key)
        if g is None:
            g = groups[key] = {k: r[k] for k in keep}
            g.update(spend=0.0, impressions=0, clicks=0, inline_link_clicks=0, actions={}, action_values={})
            g["date_start"], g["date_stop"] = (r["date_start"], r["date_stop"]) if inc == "1" else (since, until)
        g["spend"] += float(r["spend"])
        for k in ("impressions", "clicks", "inline_link_clicks"):
            g[k] += int(r[k])
        for name in ("actions", "action_values"):
            for a in r.get(name) or []:
                g[name][a["action_type"]] = g[name].get(a["action_type"], 0.0) + float(a["value"])
    out = []
    for g in groups.values():
        g["spend"] = f"{g['spend']:.2f}"
        for k in ("impressions", "clicks", "inline_link_clicks"):
            g[k] = str(g[k])
        g["actions"] = [{"action_type": k, "value": str(int(v))} for k, v in g["actions"].items()] or None
        g["action_values"] = [{"action_type": k, "value": f"{v:.2f}"} for k, v in g["action_values"].items()] or None
        out.append(g)
    return out
