"""Meta's throttling: a call budget per token and business use case over a rolling window, answered as HTTP 400
with the use case's code, and the ``X-Business-Use-Case-Usage`` / ``X-Ad-Account-Usage`` / ``X-App-Usage``
headers on every answer (https://developers.facebook.com/docs/graph-api/overview/rate-limiting)."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Container
from dataclasses import dataclass

from sandbox.server.base import Request, Response
from sandbox.server.meta_graph import graph_error
from sandbox.world import catalog


@dataclass
class MetaLimits:
    """A call budget per token and business use case (``ads_management``, ``ads_insights``, ``pages``,
    ``instagram``, ``leadgen``) over a rolling window. Over budget: HTTP 400 with the use case's throttling code."""

    calls_per_window: int = 10_000
    window_s: float = 3600.0


BUC_CODES = {
    "ads_management": (80004, "There have been too many calls to this ad-account. Wait a bit and try again."),
    "ads_insights": (80000, "There have been too many calls from this ad-account. Wait a bit and try again."),
    "pages": (80001, "There have been too many calls to this Page account. Wait a bit and try again."),
    "instagram": (80002, "There have been too many calls to this Instagram account. Wait a bit and try again."),
    "leadgen": (80005, "There have been too many leadgen api calls to this Page. Wait a bit and try again."),
}
FAULT_CODES = (
    (17, 2446079, "(#17) User request limit reached"),
    (613, 1487742, "(#613) There have been too many calls from this ad-account. Please wait a bit and try again."),
    (80004, 2446079, "(#80004) There have been too many calls to this ad-account. Wait a bit and try again."),
)


def use_case(req: Request, reports: Container[str]) -> str:
    """The business use case a request counts against (``reports``: the async report run ids)."""
    node = req.params.get("node", "")
    edge = req.params.get("edge", "")
    if edge == "insights" or node in reports:
        return "ads_insights"
    if node.startswith("act_"):
        return "ads_management"
    if edge in ("leads", "leadgen_forms"):
        return "leadgen"
    if node == catalog.META_IG_USER_ID or (node.isdigit() and node.startswith("179")):
        return "instagram"
    return "pages"


class MetaLimiter:
    """Recent calls per (token, use case), checked against ``limits`` (which the control endpoint may change)."""

    def __init__(self, limits: MetaLimits) -> None:
        self.limits = limits
        self._calls: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def usage(self, used: int, regain: int | None = None) -> tuple[int, list[tuple[str, str]]]:
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

    def admit(self, token: str, case: str) -> tuple[Response | None, list[tuple[str, str]]]:
        now = time.monotonic()
        with self._lock:
            q = self._calls.setdefault((token, case), deque())
            while q and q[0] <= now - self.limits.window_s:
                q.popleft()
            if len(q) >= self.limits.calls_per_window:
                _regain, headers = self.usage(len(q))
                code, message = BUC_CODES[case]
                return graph_error(
                    400, code, f"(#{code}) {message}", subcode=2446079, transient=True, headers=headers
                ), []
            q.append(now)
            _, headers = self.usage(len(q))
        return None, headers

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
