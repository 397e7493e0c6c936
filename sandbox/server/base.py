"""Generic vendor HTTP server: stdlib ThreadingHTTPServer (HTTP/1.1 keep-alive), a small router, request
statistics, fault injection and the ``/_sandbox/...`` control endpoints. Each vendor is a :class:`VendorApp`."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox.server.faults import APPLY_THEN_500, SHORT_CIRCUIT, FaultPlan

log = logging.getLogger(__name__)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)
    fault: str | None = None  # the fault drawn for this request (write handlers log it)

    def json(self) -> Any:
        if not self.body:
            return None
        return json.loads(self.body.decode("utf-8"))

    def arg(self, name: str, default: str | None = None) -> str | None:
        v = self.query.get(name)
        return v[-1] if v else default

    def multi(self, name: str) -> list[str]:
        """Repeated and comma forms: ``a=x&a=y`` and ``a=x,y``."""
        out: list[str] = []
        for v in self.query.get(name, ()):
            out.extend(p.strip() for p in v.split(",") if p.strip())
        return out


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    records: int = 0  # records served, for stats
    content_type: str = "application/json;charset=utf-8"

    @classmethod
    def json(cls, status: int, obj: Any, headers: list[tuple[str, str]] | None = None, records: int = 0) -> Response:
        body = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        return cls(status, body, list(headers or []), records)


Handler = Callable[[Request], Response]


@dataclass
class Route:
    method: str
    pattern: str
    handler: Handler
    regex: re.Pattern[str]
    kind: str = "api"  # "api" (auth, limits, faults) | "control"

    @property
    def name(self) -> str:
        return f"{self.method} {self.pattern}"


class Router:
    def __init__(self, *, trailing_slash: bool = False) -> None:
        self.routes: list[Route] = []
        # Some vendors serve ``/x/`` as ``/x`` (HubSpot, Meta's Graph API), and their own SDKs send that form.
        self.trailing_slash = trailing_slash

    def add(self, method: str, pattern: str, handler: Handler, kind: str = "api") -> None:
        rx = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$"
        self.routes.append(Route(method, pattern, handler, re.compile(rx), kind))

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """(route, params, path_known): path_known is True when the path exists with another method."""
        route, params, known = self._match(method, path)
        if route is None and not known and self.trailing_slash and len(path) > 1 and path.endswith("/"):
            return self._match(method, path[:-1])
        return route, params, known

    def _match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        known = False
        for r in self.routes:
            m = r.regex.match(path)
            if m:
                if r.method == method:
                    return r, m.groupdict(), True
                known = True
        return None, {}, known


class Stats:
    """Thread-safe request log: counts per route and status, records served per route, faults per kind."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with getattr(self, "_lock", threading.Lock()):
            self.requests = 0
            self.by_route: Counter[str] = Counter()
            self.by_status: Counter[int] = Counter()
            self.by_route_status: Counter[tuple[str, int]] = Counter()
            self.records_by_route: Counter[str] = Counter()
            self.faults: Counter[str] = Counter()
            self.log: list[dict[str, Any]] = []

    def record(self, route: str, status: int, records: int, fault: str | None, duration: float) -> None:
        with self._lock:
            self.requests += 1
            self.by_route[route] += 1
            self.by_status[status] += 1
            self.by_route_status[(route, status)] += 1
            self.records_by_route[route] += records
            if fault:
                self.faults[fault] += 1
            self.log.append(
                {"route": route, "status": status, "records": records, "fault": fault, "ms": round(duration * 1000, 2)}
            )
            if len(self.log) > 10000:
                del self.log[:5000]

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self.requests,
                "by_route": dict(self.by_route),
                "by_status": {str(k): v for k, v in self.by_status.items()},
                "by_route_status": {f"{r} -> {s}": n for (r, s), n in self.by_route_status.items()},
                "records_served": dict(self.records_by_route),
                "faults_injected": dict(self.faults),
            }


class VendorApp:
    """A vendor's API. Subclasses register routes in ``self.router`` and implement the hooks."""

    name = "vendor"

    def __init__(self) -> None:
        self.router = Router()
        self.base_url = ""

    def authenticate(self, req: Request) -> Response | None:
        """None when the request may proceed, else the error response."""
        return None

    def admit(self, req: Request, route: Route) -> tuple[Response | None, list[tuple[str, str]]]:
        """Rate limiting: (error response or None, headers to add to the real response)."""
        return None, []

    def fault_response(self, kind: str) -> Response:
        return Response.json(int(kind[:3]), {"error": kind})

    def not_found(self, req: Request) -> Response:
        return Response.json(404, {"error": "not found", "path": req.path})

    def error(self, status: int, message: str) -> Response:
        return Response.json(status, {"error": message})

    def common_headers(self) -> list[tuple[str, str]]:
        return []

    def control(self, req: Request, action: str) -> Response | None:
        """Vendor-specific control endpoints under /_sandbox/ (None = not handled)."""
        return None

    def begin(self, req: Request) -> Response | None:
        """Called when an API request arrives, before faults (e.g. to count simultaneous connections); a response
        here answers the request at once. Every ``begin`` is paired with an ``end``."""
        return None

    def end(self, req: Request) -> None:
        """Called when an API request has been answered (after ``begin``)."""

    def env(self) -> dict[str, str]:
        return {}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sandbox"
    sys_version = ""

    def version_string(self) -> str:
        return "sandbox/1.0"

    timeout = 60  # idle keep-alive connections are dropped after this
    # headers and body are separate writes: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms per response
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def _serve(self) -> None:
        vs: VendorServer = self.server.vendor  # type: ignore[attr-defined]
        started = time.perf_counter()
        parts = urlsplit(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n > 0 else b""
        req = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        fault: str | None = None
        route_name = f"{req.method} {req.path}"
        if req.path.startswith("/_sandbox/"):
            resp = vs.control(req)
            route_name = f"{req.method} {req.path}"
        else:
            route, params, known = vs.app.router.match(req.method, req.path)
            if route is not None:
                route_name = route.name
            busy = vs.app.begin(req)
            try:
                if busy is not None:
                    resp = busy
                else:
                    fault = req.fault = vs.draw_fault()
                    if fault in SHORT_CIRCUIT:
                        resp = vs.app.fault_response(fault)
                    else:
                        if fault == "slow":
                            time.sleep(vs.faults.slow_seconds)
                        resp = vs.dispatch(req, route, params, known)
                        if fault == APPLY_THEN_500:
                            # the request took effect; only the answer is lost (clients that retry must be idempotent)
                            resp = vs.app.fault_response("500")
            finally:
                vs.app.end(req)
        resp.headers = vs.app.common_headers() + resp.headers
        # recorded before writing, so a client that got its answer always finds it in the stats
        vs.stats.record(route_name, resp.status, resp.records, fault, time.perf_counter() - started)
        try:
            self._write(resp, cut=fault == "cut")
        except (TimeoutError, BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _write(self, resp: Response, cut: bool) -> None:
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        for k, v in resp.headers:
            self.send_header(k, v)
        if cut:
            self.send_header("Connection", "close")
        self.end_headers()
        if cut:
            self.wfile.write(resp.body[: max(1, len(resp.body) // 2)])
            self.wfile.flush()
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(resp.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True


class VendorServer:
    """One vendor app on its own port, served from a background thread."""

    def __init__(
        self,
        app: VendorApp,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        fault_plan: FaultPlan | None = None,
        on_advance: Callable[[float], str] | None = None,
        clock: Callable[[], str] | None = None,
    ) -> None:
        self.app = app
        self.stats = Stats()
        self.faults = fault_plan or FaultPlan()
        self._on_advance = on_advance
        self._clock = clock
        self._httpd = _Server((host, port), _Handler)
        self._httpd.vendor = self  # type: ignore[attr-defined]
        h, p = self._httpd.server_address[:2]
        self.host, self.port = str(h), int(p)
        self.base_url = f"http://{self.host}:{self.port}"
        app.base_url = self.base_url
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def start(self) -> VendorServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"sandbox-{self.app.name}",
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- faults ------------------------------------------------------------------------------------------------

    def set_faults(self, plan: FaultPlan | None = None, **kwargs: Any) -> FaultPlan:
        self.faults = plan if plan is not None else FaultPlan(**kwargs)
        return self.faults

    def draw_fault(self) -> str | None:
        return self.faults.draw()

    # -- dispatch ----------------------------------------------------------------------------------------------

    def dispatch(self, req: Request, route: Route | None, params: dict[str, str], known: bool) -> Response:
        app = self.app
        denied = app.authenticate(req)
        if denied is not None:
            return denied
        if route is None:
            return app.error(405, f"Method {req.method} not allowed") if known else app.not_found(req)
        req.params = params
        limited, extra = app.admit(req, route)
        if limited is not None:
            return limited
        try:
            resp = route.handler(req)
        except json.JSONDecodeError as exc:
            resp = app.error(400, f"Invalid input JSON: {exc}")
        except Exception as exc:  # a sandbox bug must not kill the connection
            log.exception("handler %s failed", route.name)
            resp = app.error(500, f"internal sandbox error: {exc}")
        resp.headers.extend(extra)
        return resp

    def control(self, req: Request) -> Response:
        action = req.path[len("/_sandbox/") :].strip("/")
        try:
            data = req.json() if req.body else {}
        except json.JSONDecodeError:
            return Response.json(400, {"error": "invalid JSON"})
        if action == "stats" and req.method == "GET":
            return Response.json(200, self.stats.snapshot())
        if action == "stats/reset" and req.method == "POST":
            self.stats.reset()
            return Response.json(200, {"ok": True})
        if action == "faults":
            if req.method == "POST":
                try:
                    self.set_faults(FaultPlan.from_json(data or {}))
                except (ValueError, TypeError) as exc:
                    return Response.json(400, {"error": str(exc)})
            return Response.json(200, self.faults.to_json())
        if action == "advance" and req.method == "POST":
            if self._on_advance is None:
                return Response.json(404, {"error": "no world attached"})
            hours = float(data.get("days", 0)) * 24 + float(data.get("hours", 0)) + float(data.get("minutes", 0)) / 60
            if hours < 0:
                return Response.json(400, {"error": "the clock only moves forward"})
            return Response.json(200, {"now": self._on_advance(hours)})
        if action == "clock" and req.method == "GET" and self._clock is not None:
            return Response.json(200, {"now": self._clock()})
        handled = self.app.control(req, action)
        if handled is not None:
            return handled
        return Response.json(404, {"error": f"unknown control endpoint {req.method} {req.path}"})
