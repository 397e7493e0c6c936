"""Graph API conventions shared by every Meta endpoint: the versions served, error bodies, POST bodies (form or
JSON), ``fields`` selection (nested ``from{id,name}``; an unknown field is error 100) and cursor paging
(``paging.cursors.after`` on every non-empty page, ``paging.next`` only when more pages exist)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode

from sandbox.server.base import Request, Response
from sandbox.world import catalog
from sandbox.world.projections.graph import FieldError, parse_fields
from sandbox.world.world import World

VERSIONS = frozenset({"v23.0", "v24.0", "v25.0", "v26.0"})
# The version the connectors speak and the SDK conformance tests pin (every version above is served alike).
API_VERSION = "v25.0"
ACCOUNT_NODE = f"act_{catalog.META_AD_ACCOUNT_ID}"

# Fields each node type knows (selection of anything else is error 100); the values we do not model are omitted.
EXTRA = {
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
DEFAULT_FIELDS = {
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


def bad_field(node_type: str, name: str) -> Response:
    return graph_error(400, 100, f"(#100) Tried accessing nonexisting field ({name}) on node type ({node_type})")


def cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def uncursor(text: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def _after(k: Any, key: Any, items: list) -> bool:
    try:
        return k > key
    except TypeError:
        return False


class GraphHandlers:
    """Endpoints over the world that answer in Graph's shapes. ``base_url`` is read per request: the server assigns
    the app's URL only once it listens."""

    def __init__(self, world: World, base_url: Callable[[], str]) -> None:
        self.world = world
        self._base_url = base_url

    @property
    def base_url(self) -> str:
        return self._base_url()

    def _version_ok(self, req: Request) -> Response | None:
        v = req.params.get("version", "")
        if v not in VERSIONS:
            return graph_error(400, 2635, f"(#2635) You are calling a deprecated version of the Ads API ({v}).")
        return None

    def _fields(self, req: Request, node_type: str, sample: dict[str, Any] | None) -> Any:
        text = req.arg("fields") or DEFAULT_FIELDS.get(node_type, "id")
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
        known = set(sample or {}) | EXTRA.get(node_type, set()) | {"id"}
        for name, _ in spec:
            if name not in known:
                return bad_field(node_type, name)
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
                key = uncursor(after)
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
            paging: dict[str, Any] = {"cursors": {"before": cursor(page[0][0]), "after": cursor(page[-1][0])}}
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
