"""The record of every HubSpot write call that reached a handler (whatever its status), so tests can count what a
reverse-ETL client really sent, retries and faulted calls included. Reads are not logged."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from sandbox.server.base import Request, Response
from sandbox.server.hubspot_errors import validation


class WriteLog:
    """Thread-safe record of every write call that reached a handler (whatever its status)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[dict[str, Any]] = []

    def record(self, req: Request, route: str, inputs: int, status: int) -> None:
        entry = {
            "method": req.method,
            "path": req.path,
            "route": route,
            "inputs": inputs,
            "status": status,
            "fault": req.fault,  # "apply_then_500" / "cut" / "slow": the write happened but the client may not know
            "at": time.time(),
        }
        with self._lock:
            self._calls.append(entry)

    def calls(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(c) for c in self._calls]

    def count(self) -> int:
        with self._lock:
            return len(self._calls)

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()


def _count_inputs(body: Any) -> int:
    if isinstance(body, list):
        return len(body)
    if isinstance(body, dict) and isinstance(body.get("inputs"), list):
        return len(body["inputs"])
    return 1


def logged(log: WriteLog, route: str, handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
    def run(req: Request) -> Response:
        try:
            body = req.json()
        except json.JSONDecodeError as exc:
            resp = validation(f"Invalid input JSON: {exc}")
            log.record(req, route, 0, resp.status)
            return resp
        resp = handler(req)
        log.record(req, route, _count_inputs(body), resp.status)
        return resp

    return run
