"""The Typeform APIs of the sandbox (https://www.typeform.com/developers/): the Create API's ``GET /forms`` and
``GET /forms/{form_id}``, and the Responses API's ``GET /forms/{form_id}/responses``
(https://www.typeform.com/developers/responses/reference/retrieve-responses/) with ``page_size`` (at most 1,000),
``since`` / ``until`` (ISO 8601 UTC to the second, or Unix seconds), ``after`` / ``before`` (response tokens),
``completed`` (with ``true`` the window applies to ``submitted_at`` and only submitted responses are listed;
otherwise partial ones too, windowed by ``landed_at``), ``sort`` (``submitted_at,desc`` by default; ignored with a
token cursor) and ``query``. Bearer personal access tokens; errors ``{"code", "description"}``; 2 requests per
second per token, answered ``429`` (no ``Retry-After``: [2nd], Typeform documents the limit, not the answer).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sandbox.server.base import Request, Response, Route, VendorApp
from sandbox.world.voice.surveys import API_ROOT, SurveyResponse, form_definition, form_link
from sandbox.world.world import World

DEFAULT_TOKEN = "tfp_sandbox-typeform-token"
MAX_PAGE_SIZE = 1000
FORMS_MAX_PAGE_SIZE = 200


@dataclass
class TypeformLimits:
    """Typeform's limit: ``requests_per_second`` per token over a rolling second."""

    requests_per_second: float = 2.0


def tf_error(status: int, code: str, description: str, details: list | None = None) -> Response:
    body: dict[str, Any] = {"code": code, "description": description}
    if details:
        body["details"] = details
    return Response.json(status, body)


def _time_param(value: str) -> int:
    """``since`` / ``until``: Unix seconds or ISO 8601 (UTC when no offset) -> epoch ms; ValueError otherwise."""
    v = value.strip()
    if v.isdigit():
        return int(v) * 1000
    dt = datetime.fromisoformat(v[:-1] + "+00:00" if v.endswith("Z") else v)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


class TypeformApp(VendorApp):
    name = "typeform"

    def __init__(self, world: World, *, token: str = DEFAULT_TOKEN, limits: TypeformLimits | None = None) -> None:
        super().__init__()
        self.world = world
        self.token = token
        self.limits = limits or TypeformLimits()
        self._calls: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        r = self.router
        r.add("GET", "/forms", self.forms)
        r.add("GET", "/forms/{form_id}", self.form)
        r.add("GET", "/forms/{form_id}/responses", self.responses)

    # -- hooks -------------------------------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        return {"TYPEFORM_TOKEN": self.token, "TYPEFORM_BASE_URL": self.base_url}

    def authenticate(self, req: Request) -> Response | None:
        scheme, _, value = req.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and value.strip() == self.token:
            return None
        return tf_error(401, "AUTHENTICATION_FAILED", "Authentication credentials not found on the Request Headers")

    def admit(self, req: Request, route: Route) -> tuple[Response | None, list[tuple[str, str]]]:
        rps = self.limits.requests_per_second
        calls = max(1, int(rps))
        window = calls / rps
        now = time.monotonic()
        with self._lock:
            q = self._calls.setdefault(self.token, deque())
            while q and now - q[0] >= window:
                q.popleft()
            if len(q) >= calls:
                return tf_error(429, "RATE_LIMIT_EXCEEDED", "Too many requests: 2 requests per second allowed"), []
            q.append(now)
        return None, []

    def fault_response(self, kind: str) -> Response:
        if kind.startswith("429") or kind in ("meta_rate_limit", "google_quota"):
            resp = tf_error(429, "RATE_LIMIT_EXCEEDED", "Too many requests")
            if kind == "429_retry_after":
                resp.headers.append(("Retry-After", "1"))
            return resp
        status = int(kind[:3]) if kind[:3].isdigit() else 500
        return tf_error(status, "INTERNAL_SERVER_ERROR", "Something went wrong. Please try again later.")

    def not_found(self, req: Request) -> Response:
        return tf_error(404, "NOT_FOUND", "Endpoint not found")

    def error(self, status: int, message: str) -> Response:
        return tf_error(status, "VALIDATION_ERROR" if status == 400 else "ERROR", message)

    def control(self, req: Request, action: str) -> Response | None:
        if action == "limits":
            if req.method == "POST":
                data = req.json() or {}
                self.limits = TypeformLimits(float(data.get("requests_per_second", self.limits.requests_per_second)))
            return Response.json(200, {"requests_per_second": self.limits.requests_per_second})
        return None

    # -- handlers ----------------------------------------------------------------------------------------------

    def _form_or_404(self, form_id: str) -> dict[str, Any] | None:
        return next((f for f in self.world.survey_forms() if f["id"] == form_id), None)

    def forms(self, req: Request) -> Response:
        try:
            page = int(req.arg("page", "1") or 1)
            size = int(req.arg("page_size", "10") or 10)
        except ValueError:
            return tf_error(400, "VALIDATION_ERROR", "page and page_size must be integers")
        if page < 1 or not 1 <= size <= FORMS_MAX_PAGE_SIZE:
            return tf_error(400, "VALIDATION_ERROR", f"page_size must be between 1 and {FORMS_MAX_PAGE_SIZE}")
        forms = list(self.world.survey_forms())
        items = [
            {
                "id": f["id"],
                "title": f["title"],
                "last_updated_at": f["last_updated_at"],
                "created_at": f["created_at"],
                "settings": {"is_public": f["settings"]["is_public"]},
                "self": {"href": f"{API_ROOT}/forms/{f['id']}"},
                "theme": {"href": f"{API_ROOT}/themes/qHWOQ7"},
                "_links": form_link(f["id"]),
            }
            for f in forms[(page - 1) * size : page * size]
        ]
        count = max(1, -(-len(forms) // size))
        return Response.json(200, {"total_items": len(forms), "page_count": count, "items": items}, records=len(items))

    def form(self, req: Request) -> Response:
        f = self._form_or_404(req.params["form_id"])
        if f is None:
            return tf_error(404, "FORM_NOT_FOUND", "Non existing form with uid " + req.params["form_id"])
        return Response.json(200, form_definition(f), records=1)

    def responses(self, req: Request) -> Response:
        form_id = req.params["form_id"]
        if self._form_or_404(form_id) is None:
            return tf_error(404, "FORM_NOT_FOUND", "Non existing form with uid " + form_id)
        try:
            size = int(req.arg("page_size", "25") or 25)
            since = _time_param(req.arg("since")) if req.arg("since") else None
            until = _time_param(req.arg("until")) if req.arg("until") else None
        except ValueError as exc:
            return tf_error(400, "VALIDATION_ERROR", f"invalid parameter: {exc}")
        if not 1 <= size <= MAX_PAGE_SIZE:
            return tf_error(400, "VALIDATION_ERROR", f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        after, before = req.arg("after"), req.arg("before")
        if after and before:
            return tf_error(400, "VALIDATION_ERROR", "after and before cannot be used together")
        completed = (req.arg("completed") or "").lower()
        rows: list[SurveyResponse] = self.world.survey_responses(form_id)  # in processing order
        if completed == "true":
            rows = [r for r in rows if r.submitted_at is not None]
        elif completed == "false":
            rows = [r for r in rows if r.submitted_at is None]

        def at(r: SurveyResponse) -> int:
            # With completed=true the window is about submission, otherwise about landing; to the second, as served.
            ms = r.submitted_at if completed == "true" and r.submitted_at is not None else r.landed_at
            return ms // 1000 * 1000

        rows = [r for r in rows if (since is None or at(r) >= since) and (until is None or at(r) <= until)]
        query = req.arg("query")
        if query:
            rows = [r for r in rows if query.lower() in str(r.payload()).lower()]
        cursor = after or before
        if cursor:
            idx = next((i for i, r in enumerate(rows) if r.token == cursor), None)
            if idx is None:
                return tf_error(400, "VALIDATION_ERROR", f"invalid response token {cursor!r}")
            # processing order: after -> the later ones, oldest first; before -> the earlier ones, newest first
            rows = rows[idx + 1 :] if after else list(reversed(rows[:idx]))
        else:
            rows = self._sorted(rows, req.arg("sort") or "submitted_at,desc")
        total = len(rows)
        items = [r.payload() for r in rows[:size]]
        body = {"total_items": total, "page_count": max(1, -(-total // size)) if total else 0, "items": items}
        return Response.json(200, body, records=len(items))

    @staticmethod
    def _sorted(rows: list[SurveyResponse], sort: str) -> list[SurveyResponse]:
        key, _, direction = sort.partition(",")
        if key == "landed_at":
            ordered = sorted(rows, key=lambda r: (r.landed_at, r.token))
        else:
            ordered = sorted(rows, key=lambda r: (r.order_ms, r.token))
        return ordered if direction == "asc" else list(reversed(ordered))
