"""Request parsing shared by the HubSpot endpoints: object types in any spelling, integer and boolean query
parameters, the requested properties, and the opaque (base64) paging cursors."""

from __future__ import annotations

import base64
from collections.abc import Callable

from sandbox.server.base import Request, Response
from sandbox.server.hubspot_errors import validation
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections.hubspot_store import HubSpotStore


def object_type(raw: str) -> str | None:
    """``contacts``, ``contact``, ``0-1``, ... -> ``contacts`` (None when HubSpot would not know it)."""
    return hs.OBJECT_TYPE_ALIASES.get(raw.lower())


def bad_type(raw: str) -> Response:
    return validation(f"Unable to infer object type from: {raw}")


def int_param(req: Request, name: str, default: int) -> int | Response:
    v = req.arg(name)
    if v is None or v == "":
        return default
    try:
        return int(v)
    except ValueError:
        return validation(f"Invalid value for query parameter '{name}': {v!r} is not an integer")


def bool_param(req: Request, name: str) -> bool:
    return (req.arg(name) or "false").lower() == "true"


def requested_properties(store: HubSpotStore, otype: str, requested: list[str] | None) -> list[str]:
    """Requested properties that the object type defines (unknown ones are ignored, as HubSpot does)."""
    if not requested:
        return list(hs.DEFAULT_PROPERTIES[otype])
    defined = store.property_types(otype)
    out: list[str] = []
    for p in requested:
        if p in defined and p not in out:
            out.append(p)
    return out


def b64(s: str) -> str:
    return base64.urlsafe_b64encode(s.encode()).decode().rstrip("=")


def unb64(s: str) -> str:
    """The text of a cursor; ValueError when it is not one (bad base64 or not UTF-8)."""
    try:
        return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise ValueError(s) from None


class Handlers:
    """A group of HubSpot endpoints over the store. ``base_url`` is read per request: the server assigns the app's
    URL only once it listens."""

    def __init__(self, store: HubSpotStore, base_url: Callable[[], str]) -> None:
        self.store = store
        self.base_url = base_url

    def _props(self, otype: str, requested: list[str] | None) -> list[str]:
        return requested_properties(self.store, otype, requested)
