"""The Meta Graph API of the sandbox: the Marketing API (ad account campaigns, ad sets, ads, sync and async insights),
Lead Ads, the Facebook Page and the Instagram business account, all on one Graph host.

Graph conventions: ``fields`` selection (nested ``from{id,name}``; an unknown field is error 100), cursor paging
(``paging.cursors.after`` on every non-empty page, ``paging.next`` only when more pages exist), ``access_token``
query parameter or ``Authorization: Bearer``, errors as ``{"error": {message, type, code, error_subcode,
fbtrace_id, is_transient}}``, throttling as HTTP 400 with codes 17 / 613 / 800xx plus the
``X-Business-Use-Case-Usage`` / ``X-Ad-Account-Usage`` / ``X-App-Usage`` headers.

The app holds the hooks every request goes through (auth, throttling in ``meta_limits``, faults, errors, control
endpoints); ``meta_graph`` holds the conventions, ``meta_nodes`` the nodes and edges, ``meta_insights`` the insights
and report runs, ``meta_presets`` the ``date_preset`` ranges.
"""

from __future__ import annotations

import itertools

from sandbox.server.base import Request, Response, VendorApp
from sandbox.server.meta_graph import ACCOUNT_NODE, API_VERSION, VERSIONS, body_params, graph_error
from sandbox.server.meta_insights import InsightsApi, ReportRun
from sandbox.server.meta_limits import FAULT_CODES, MetaLimiter, MetaLimits, use_case
from sandbox.server.meta_nodes import GraphNodes
from sandbox.world import catalog
from sandbox.world.world import World

# Callers configure and address the app through these (tests, sandbox.testing, the SDK conformance tests).
__all__ = ["ACCOUNT_NODE", "API_VERSION", "DEFAULT_TOKEN", "VERSIONS", "MetaApp", "MetaLimits"]

DEFAULT_TOKEN = "sandbox-meta-token"
_BAD_GATEWAY_HTML = b"<html><body><h1>502 Bad Gateway</h1><p>Sorry, something went wrong.</p></body></html>\n"


class MetaApp(VendorApp):
    name = "meta"

    def __init__(self, world: World, *, token: str = DEFAULT_TOKEN, limits: MetaLimits | None = None) -> None:
        super().__init__()
        self.world = world
        self.token = token
        self._limiter = MetaLimiter(limits or MetaLimits())
        self._fault_turn = itertools.count()

        def base_url() -> str:
            return self.base_url

        self._insights = InsightsApi(world, base_url)
        nodes = GraphNodes(world, base_url, self._insights)
        r = self.router
        r.trailing_slash = True  # the official SDK reads nodes as /v25.0/<id>/
        r.add("GET", "/{version}/{node}", nodes.get_node)
        r.add("GET", "/{version}/{node}/{edge}", nodes.get_edge)
        r.add("POST", "/{version}/{node}/{edge}", nodes.post_edge)

    @property
    def limits(self) -> MetaLimits:
        return self._limiter.limits

    @property
    def _reports(self) -> dict[str, ReportRun]:
        """The async report runs so far (tests check that a refused request created none)."""
        return self._insights.reports

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

    def admit(self, req: Request, route) -> tuple[Response | None, list[tuple[str, str]]]:
        return self._limiter.admit(self.token, use_case(req, self._reports))

    def reset_limits(self) -> None:
        self._limiter.reset()

    def fault_response(self, kind: str) -> Response:
        if kind == "meta_rate_limit":
            code, sub, message = FAULT_CODES[next(self._fault_turn) % len(FAULT_CODES)]
            # a short throttle: usage at 100 %, no regain estimate (clients back off exponentially)
            _, headers = self._limiter.usage(self.limits.calls_per_window, regain=0)
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
