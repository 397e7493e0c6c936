"""A tiny HTTP server that answers from a script, for exact retry and error tests of the HTTP layer, and a proxy
that rewrites chosen answers of a real (sandbox) server, for contract tests with good records around bad ones."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests


@dataclass
class Step:
    status: int = 200
    body: object = field(default_factory=lambda: {"ok": True})
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    cut: bool = False  # send headers and half the body, then close
    trickle_s: float = 0.0  # send the body one byte at a time, pausing this long before each byte


# Answers a request (``{"method", "path", "query", "headers", "body", "json", "at"}``) with a step: for servers that
# route by path and parameters instead of answering in a fixed order.
Responder = Callable[[dict[str, Any]], Step]


class ScriptedServer:
    def __init__(self, steps: list[Step] | Responder, clock: Callable[[], float] = time.monotonic) -> None:
        self.responder = steps if callable(steps) else None
        self.steps = [] if callable(steps) else list(steps)
        self.clock = clock
        self.requests: list[dict] = []
        self.bytes_sent: list[int] = []  # body bytes written per answer (a trickle stops when the client hangs up)
        self.lock = threading.Lock()

    def next_step(self, request: dict[str, Any]) -> Step:
        with self.lock:
            if self.responder is not None:
                return self.responder(request)
            return self.steps.pop(0) if self.steps else Step()


@contextmanager
def scripted_server(
    steps: list[Step] | Responder, *, host: str = "127.0.0.1", clock: Callable[[], float] = time.monotonic
) -> Iterator[tuple[str, ScriptedServer]]:
    """Serve ``steps`` in order (or ask a responder) on ``host`` (any 127.x address is a separate loopback host).

    Every request is recorded, with ``at`` read from ``clock`` when it arrived (tests pass the fake clock their
    client runs on).
    """
    script = ScriptedServer(steps, clock)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            try:
                parsed = json.loads(body) if body else None
            except ValueError:
                parsed = None
            request = {
                "method": self.command,
                "path": self.path,
                "route": parts.path,
                "query": parse_qs(parts.query),
                "headers": dict(self.headers),
                "body": body,
                "json": parsed,
                "at": script.clock(),
            }
            script.requests.append(request)
            step = script.next_step(request)
            if step.delay_s:
                time.sleep(step.delay_s)
            raw = step.body if isinstance(step.body, bytes) else json.dumps(step.body).encode()
            self.send_response(step.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for k, v in step.headers.items():
                self.send_header(k, v)
            self.end_headers()
            if step.cut:
                self.wfile.write(raw[: len(raw) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if step.trickle_s:
                sent = 0
                try:
                    for i in range(len(raw)):
                        time.sleep(step.trickle_s)
                        self.wfile.write(raw[i : i + 1])
                        self.wfile.flush()
                        sent += 1
                except OSError:  # the client hung up
                    self.close_connection = True
                script.bytes_sent.append(sent)
                return
            self.wfile.write(raw)
            script.bytes_sent.append(len(raw))

        do_GET = do_POST = _handle

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}", script
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Exchange:
    """One request through a :func:`proxy_server`, as the mutator sees it."""

    method: str
    path: str  # without the query string
    query: dict[str, list[str]]
    request_body: object  # parsed JSON, or None
    status: int
    body: object  # parsed JSON response, or None when it was not JSON


# Returns the body to send instead (an object is sent as JSON, bytes as they are), or None to pass the answer through.
Mutator = Callable[[Exchange], object | None]


@contextmanager
def proxy_server(
    upstream: str, mutate: Mutator, *, max_url_chars: int | None = None
) -> Iterator[tuple[str, list[Exchange]]]:
    """A forwarding proxy in front of a real (sandbox) server that lets a test rewrite chosen answers.

    Yields the proxy's base URL (same path layout as ``upstream``) and the list of exchanges seen so far. With
    ``max_url_chars``, a request whose path and query are longer is answered 414 URI Too Long (recorded with that
    status) instead of being forwarded, like the load balancers in front of real APIs.
    """
    seen: list[Exchange] = []
    session = requests.Session()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw_in = self.rfile.read(length) if length else b""
            if max_url_chars is not None and len(self.path) > max_url_chars:
                parts = urlsplit(self.path)
                with lock:
                    seen.append(Exchange(self.command, parts.path, {}, None, 414, None))
                raw = b'{"status":"error","message":"URI Too Long"}'
                self.send_response(414)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
            resp = session.request(self.command, upstream + self.path, headers=headers, data=raw_in or None, timeout=60)
            parts = urlsplit(self.path)
            try:
                body = resp.json() if resp.content else None
            except ValueError:
                body = None
            try:
                request_body = json.loads(raw_in) if raw_in else None
            except ValueError:
                request_body = None
            exchange = Exchange(self.command, parts.path, parse_qs(parts.query), request_body, resp.status_code, body)
            with lock:
                seen.append(exchange)
                replacement = mutate(exchange)
            if replacement is None:
                raw, ctype = resp.content, resp.headers.get("Content-Type", "application/json")
            elif isinstance(replacement, bytes):
                raw, ctype = replacement, "text/html"
            else:
                raw, ctype = json.dumps(replacement).encode(), "application/json"
            self.send_response(resp.status_code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        session.close()
