"""HubSpot error bodies (``components/schemas/Error``), shared by the read and the write endpoints."""

from __future__ import annotations

import uuid
from typing import Any

from sandbox.server.base import Response


def correlation_id() -> str:
    return str(uuid.uuid4())


def error(
    status: int,
    category: str,
    message: str,
    *,
    extra: dict[str, Any] | None = None,
    headers: list[tuple[str, str]] | None = None,
) -> Response:
    """``{"status": "error", "message", "correlationId", "category", …}`` with the X-HubSpot-Correlation-Id header."""
    cid = correlation_id()
    body: dict[str, Any] = {"status": "error", "message": message, "correlationId": cid, "category": category}
    if extra:
        body.update(extra)
    return Response.json(status, body, [("X-HubSpot-Correlation-Id", cid), *(headers or [])])


def validation(message: str, **extra: Any) -> Response:
    return error(400, "VALIDATION_ERROR", message, extra=extra or None)
