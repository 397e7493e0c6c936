"""The Mailchimp Marketing API v3 of the sandbox (https://mailchimp.com/developer/marketing/api/): ``/3.0/lists``,
members, campaigns, campaign reports (``/reports``, ``/reports/{id}``, ``sent-to``, ``email-activity``,
``unsubscribed``) with offset/count paging, ``fields`` / ``exclude_fields`` filtering, HTTP Basic / Bearer / OAuth
auth, RFC 7807 problem+json errors (https://mailchimp.com/developer/marketing/docs/errors/) and the limit of 10
simultaneous connections per API key, without rate-limit headers
(https://mailchimp.com/developer/marketing/docs/fundamentals/#api-limits)."""

from __future__ import annotations

import threading
import uuid
from typing import Any

from sandbox.server.base import Request, Response, VendorApp
from sandbox.server.mailchimp_reports import campaign_report
from sandbox.world import catalog
from sandbox.world.projections.mailchimp import LIST_ID, MailchimpSnapshot, mc_time
from sandbox.world.timeutil import parse_time_ms
from sandbox.world.world import World

DEFAULT_API_KEY = "0123456789abcdef0123456789abcdef-" + catalog.MAILCHIMP_DC
DEFAULT_OAUTH_TOKEN = "sandbox-mailchimp-oauth-token"
PROBLEM = "application/problem+json; charset=utf-8"
_ERRORS_DOC = "https://mailchimp.com/developer/marketing/docs/errors/"
_BAD_GATEWAY_HTML = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>\n"


def problem(status: int, title: str, detail: str, *, errors: list | None = None, headers=None) -> Response:
    body: dict[str, Any] = {
        "type": _ERRORS_DOC,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": str(uuid.uuid4()),
    }
    if errors:
        body["errors"] = errors
    resp = Response.json(status, body, headers)
    resp.content_type = PROBLEM
    resp.headers.append(
        ("Link", '<https://us1.api.mailchimp.com/schema/3.0/ProblemDetailDocument.json>; rel="describedBy"')
    )
    return resp


def _path_filter(obj: Any, paths: list[list[str]], include: bool) -> Any:
    """Apply Mailchimp's dot-notation ``fields`` (include) / ``exclude_fields`` to a response object."""
    if include:
        return _include(obj, paths)
    return _exclude(obj, paths)


def _include(obj: Any, paths: list[list[str]]) -> Any:
    if isinstance(obj, list):
        return [_include(x, paths) for x in obj]
    if not isinstance(obj, dict):
        return obj
    out: dict[str, Any] = {}
    heads: dict[str, list[list[str]]] = {}
    for p in paths:
        heads.setdefault(p[0], []).append(p[1:])
    for key, value in obj.items():
        if key not in heads:
            continue
        rests = heads[key]
        out[key] = value if any(not r for r in rests) else _include(value, [r for r in rests if r])
    return out


def _exclude(obj: Any, paths: list[list[str]]) -> Any:
    if isinstance(obj, list):
        return [_exclude(x, paths) for x in obj]
    if not isinstance(obj, dict):
        return obj
    drop = {p[0] for p in paths if len(p) == 1}
    deeper: dict[str, list[list[str]]] = {}
    for p in paths:
        if len(p) > 1:
            deeper.setdefault(p[0], []).append(p[1:])
    return {k: (_exclude(v, deeper[k]) if k in deeper else v) for k, v in obj.items() if k not in drop}


class MailchimpApp(VendorApp):
    name = "mailchimp"

    def __init__(
        self,
        world: World,
        *,
        api_key: str = DEFAULT_API_KEY,
        oauth_token: str = DEFAULT_OAUTH_TOKEN,
        max_connections: int = 10,
    ) -> None:
        super().__init__()
        self.world = world
        self.api_key = api_key
        self.oauth_token = oauth_token
        self.max_connections = max_connections
        self._inflight = 0
        self._lock = threading.Lock()
        r = self.router
        r.add("GET", "/3.0/", self.root)
        r.add("GET", "/3.0/ping", self.ping)
        r.add("GET", "/3.0/lists", self.lists)
        r.add("GET", "/3.0/lists/{list_id}", self.list_one)
        r.add("GET", "/3.0/lists/{list_id}/members", self.members)
        r.add("GET", "/3.0/lists/{list_id}/members/{subscriber_hash}", self.member)
        r.add("GET", "/3.0/campaigns", self.campaigns)
        r.add("GET", "/3.0/campaigns/{campaign_id}", self.campaign)
        r.add("GET", "/3.0/reports", self.reports)
        r.add("GET", "/3.0/reports/{campaign_id}", self.report)
        r.add("GET", "/3.0/reports/{campaign_id}/sent-to", self.sent_to)
        r.add("GET", "/3.0/reports/{campaign_id}/email-activity", self.email_activity)
        r.add("GET", "/3.0/reports/{campaign_id}/unsubscribed", self.unsubscribed)

    # -- hooks -------------------------------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        return {"MAILCHIMP_API_KEY": self.api_key, "MAILCHIMP_BASE_URL": f"{self.base_url}/3.0"}

    def authenticate(self, req: Request) -> Response | None:
        import base64

        auth = req.headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        scheme = scheme.lower()
        value = value.strip()
        if scheme == "basic":
            try:
                _, _, key = base64.b64decode(value).decode("utf-8", "replace").partition(":")
            except ValueError:
                key = ""
            if key == self.api_key:
                return None
        elif scheme in ("bearer", "oauth") and value in (self.oauth_token, self.api_key):
            return None
        return problem(
            401,
            "API Key Invalid",
            "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
        )

    def begin(self, req: Request) -> Response | None:
        with self._lock:
            self._inflight += 1
            over = self._inflight > self.max_connections
        if over:
            return problem(
                429,
                "Too Many Requests",
                f"You have exceeded the limit of {self.max_connections} simultaneous connections.",
            )
        return None

    def end(self, req: Request) -> None:
        with self._lock:
            self._inflight -= 1

    def common_headers(self) -> list[tuple[str, str]]:
        return [("X-Request-Id", str(uuid.uuid4()))]

    def fault_response(self, kind: str) -> Response:
        if kind in ("429", "429_retry_after", "google_quota", "meta_rate_limit"):
            resp = problem(429, "Too Many Requests", "You have exceeded the limit of 10 simultaneous connections.")
            if kind == "429_retry_after":
                resp.headers.append(("Retry-After", "1"))
            return resp
        if kind == "502":
            return Response(502, _BAD_GATEWAY_HTML, content_type="text/html")
        if kind == "503":
            return problem(503, "Service Unavailable", "The service is temporarily unavailable. Please try again.")
        return problem(500, "Internal Server Error", "An unexpected internal error has occurred. Please try again.")

    def not_found(self, req: Request) -> Response:
        return problem(404, "Resource Not Found", "The requested resource could not be found.")

    def error(self, status: int, message: str) -> Response:
        titles = {400: "Invalid Resource", 405: "Method Not Allowed", 500: "Internal Server Error"}
        return problem(status, titles.get(status, "Error"), message)

    def control(self, req: Request, action: str) -> Response | None:
        if action == "limits":
            if req.method == "POST":
                data = req.json() or {}
                if "max_connections" in data:
                    self.max_connections = int(data["max_connections"])
            return Response.json(200, {"max_connections": self.max_connections})
        return None

    # -- helpers -----------------------------------------------------------------------------------------------

    def snap(self) -> MailchimpSnapshot:
        return self.world.mailchimp_snapshot()

    def _page(self, req: Request) -> tuple[int, int] | Response:
        try:
            count = int(req.arg("count", "10") or 10)
            offset = int(req.arg("offset", "0") or 0)
        except ValueError:
            return problem(400, "Invalid Resource", "count and offset must be integers.")
        if count > 1000 or count < 0 or offset < 0:
            return problem(
                400,
                "Invalid Resource",
                "The resource submitted could not be validated. For field-specific details, see the 'errors' array.",
                errors=[{"field": "count", "message": "Schema describes integer, maximum 1000"}],
            )
        return count, offset

    def _respond(self, req: Request, body: dict[str, Any], records: int) -> Response:
        fields = req.multi("fields")
        exclude = req.multi("exclude_fields")
        if fields:
            body = _path_filter(body, [f.split(".") for f in fields], True)
        if exclude:
            body = _path_filter(body, [f.split(".") for f in exclude], False)
        return Response.json(200, body, records=records)

    def _time_arg(self, req: Request, name: str) -> int | Response | None:
        v = req.arg(name)
        if not v:
            return None
        try:
            return parse_time_ms(v.replace(" ", "+"))
        except ValueError:
            return problem(400, "Invalid Resource", f"The value of {name} is not a valid date-time: {v!r}")

    def _links(self, path: str) -> list[dict[str, str]]:
        return [{"rel": "self", "href": f"{self.base_url}/3.0{path}", "method": "GET"}]

    def _collection(
        self, req: Request, key: str, items: list[dict[str, Any]], path: str, extra: dict[str, Any] | None = None
    ) -> Response:
        page = self._page(req)
        if isinstance(page, Response):
            return page
        count, offset = page
        chunk = items[offset : offset + count]
        body: dict[str, Any] = {key: chunk, **(extra or {}), "total_items": len(items), "_links": self._links(path)}
        return self._respond(req, body, len(chunk))

    # -- endpoints ---------------------------------------------------------------------------------------------

    def root(self, req: Request) -> Response:
        return self._respond(
            req,
            {
                "account_id": "0c1d2e3f4a5b6c7d8e9f0a1b2",
                "account_name": "Lumenstack",
                "email": "marketing@lumenstack.com",
                "role": "owner",
                "_links": self._links("/"),
            },
            0,
        )

    def ping(self, req: Request) -> Response:
        return Response.json(200, {"health_status": "Everything's Chimpy!"})

    def lists(self, req: Request) -> Response:
        return self._collection(
            req,
            "lists",
            self.snap().lists(),
            "/lists",
            {"constraints": {"may_create": False, "max_instances": 1, "current_total_instances": 1}},
        )

    def list_one(self, req: Request) -> Response:
        if req.params["list_id"] != LIST_ID:
            return self.not_found(req)
        return self._respond(req, self.snap().lists()[0], 1)

    def members(self, req: Request) -> Response:
        if req.params["list_id"] != LIST_ID:
            return self.not_found(req)
        members = self.snap().members
        status = req.arg("status")
        if status:
            members = [m for m in members if m["status"] == status]
        for arg, fld, ge in (
            ("since_last_changed", "last_changed", True),
            ("before_last_changed", "last_changed", False),
            ("since_timestamp_opt", "timestamp_opt", True),
            ("before_timestamp_opt", "timestamp_opt", False),
        ):
            bound = self._time_arg(req, arg)
            if isinstance(bound, Response):
                return bound
            if bound is not None:
                bound_s = mc_time(bound)  # same format: string comparison is time order
                members = [m for m in members if (m[fld] >= bound_s if ge else m[fld] < bound_s)]
        sort_field = req.arg("sort_field")
        if sort_field:
            if sort_field not in ("timestamp_opt", "timestamp_signup", "last_changed"):
                return problem(400, "Invalid Resource", f"Invalid sort_field: {sort_field}")
            desc = (req.arg("sort_dir") or "ASC").upper() == "DESC"
            members = sorted(members, key=lambda m: (m[sort_field], m["id"]), reverse=desc)
        return self._collection(req, "members", members, f"/lists/{LIST_ID}/members", {"list_id": LIST_ID})

    def member(self, req: Request) -> Response:
        h = req.params["subscriber_hash"].lower()
        for m in self.snap().members:
            if m["id"] == h:
                return self._respond(req, m, 1)
        return self.not_found(req)

    def _campaign_list(self, req: Request) -> list[dict[str, Any]] | Response:
        snap = self.snap()
        items = snap.campaigns()
        status = req.arg("status")
        if status:
            items = [c for c in items if c["status"] == status]
        typ = req.arg("type")
        if typ:
            items = [c for c in items if c["type"] == typ]
        list_id = req.arg("list_id")
        if list_id:
            items = [c for c in items if c["recipients"]["list_id"] == list_id]
        for arg, fld, ge in (
            ("since_send_time", "send_time", True),
            ("before_send_time", "send_time", False),
            ("since_create_time", "create_time", True),
            ("before_create_time", "create_time", False),
        ):
            bound = self._time_arg(req, arg)
            if isinstance(bound, Response):
                return bound
            if bound is not None:
                b = mc_time(bound)
                items = [c for c in items if c.get(fld) and (c[fld] >= b if ge else c[fld] < b)]
        sort_field = req.arg("sort_field")
        if sort_field:
            if sort_field not in ("create_time", "send_time"):
                return problem(400, "Invalid Resource", f"Invalid sort_field: {sort_field}")
            desc = (req.arg("sort_dir") or "ASC").upper() == "DESC"
            items = sorted(items, key=lambda c: (c.get(sort_field) or "", c["id"]), reverse=desc)
        return items

    def campaigns(self, req: Request) -> Response:
        items = self._campaign_list(req)
        if isinstance(items, Response):
            return items
        return self._collection(req, "campaigns", items, "/campaigns")

    def campaign(self, req: Request) -> Response:
        for c in self.snap().campaigns():
            if c["id"] == req.params["campaign_id"]:
                return self._respond(req, c, 1)
        return self.not_found(req)

    def _report(self, req: Request):
        snap = self.snap()
        cid = req.params["campaign_id"]
        if cid not in {c.id for c in snap.sent_campaigns()}:
            return snap, None
        return snap, snap.recipients.get(cid, [])

    def reports(self, req: Request) -> Response:
        snap = self.snap()
        sent = snap.sent_campaigns()
        typ = req.arg("type")
        if typ and typ != "regular":  # every campaign of the world is a regular one
            sent = []
        for arg, ge in (("since_send_time", True), ("before_send_time", False)):
            bound = self._time_arg(req, arg)
            if isinstance(bound, Response):
                return bound
            if bound is not None:
                sent = [c for c in sent if (c.send_ms >= bound if ge else c.send_ms < bound)]
        page = self._page(req)
        if isinstance(page, Response):
            return page
        count, offset = page
        root = f"{self.base_url}/3.0"
        # only the page's reports are folded: each walks its campaign's recipients
        chunk = [campaign_report(snap, c, root) for c in sent[offset : offset + count]]
        body = {"reports": chunk, "total_items": len(sent), "_links": self._links("/reports")}
        return self._respond(req, body, len(chunk))

    def report(self, req: Request) -> Response:
        snap = self.snap()
        for c in snap.sent_campaigns():
            if c.id == req.params["campaign_id"]:
                return self._respond(req, campaign_report(snap, c, f"{self.base_url}/3.0"), 1)
        return self.not_found(req)

    def sent_to(self, req: Request) -> Response:
        _snap, recips = self._report(req)
        if recips is None:
            return self.not_found(req)
        cid = req.params["campaign_id"]
        items = [r.sent_to for r in recips]
        return self._collection(req, "sent_to", items, f"/reports/{cid}/sent-to", {"campaign_id": cid})

    def email_activity(self, req: Request) -> Response:
        _snap, recips = self._report(req)
        if recips is None:
            return self.not_found(req)
        cid = req.params["campaign_id"]
        since = self._time_arg(req, "since")
        if isinstance(since, Response):
            return since
        if since is None:
            items = [r.activity_json(r.sent_to["email_address"]) for r in recips]
        else:
            items = [
                r.activity_json(r.sent_to["email_address"], since)
                for r in recips
                if any(t > since for t, _ in r.activity)
            ]
        return self._collection(req, "emails", items, f"/reports/{cid}/email-activity", {"campaign_id": cid})

    def unsubscribed(self, req: Request) -> Response:
        _snap, recips = self._report(req)
        if recips is None:
            return self.not_found(req)
        cid = req.params["campaign_id"]
        items = [
            {
                "email_id": r.email_id,
                "email_address": r.sent_to["email_address"],
                "merge_fields": r.sent_to["merge_fields"],
                "vip": False,
                "timestamp": mc_time(r.unsubscribed),
                "reason": "N/A (Unsubscribed by campaign link)",
                "campaign_id": cid,
                "list_id": LIST_ID,
                "list_is_active": True,
                "_links": self._links(f"/reports/{cid}/unsubscribed/{r.email_id}"),
            }
            for r in recips
            if r.unsubscribed is not None
        ]
        return self._collection(req, "unsubscribes", items, f"/reports/{cid}/unsubscribed", {"campaign_id": cid})
