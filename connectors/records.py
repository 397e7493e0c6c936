"""Turning a page of vendor items into raw records, with contract violations quarantined instead of dropped."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.raw_store import QuarantinedRecord, RawRecord
from connectors.timeutil import parse_timestamp


@dataclass
class ShapedPage:
    records: list[RawRecord] = field(default_factory=list)
    quarantined: list[QuarantinedRecord] = field(default_factory=list)
    # The newest cursor value among the good records, for the stream's next cursor.
    newest: datetime | None = None


def shape_page(
    items: Any,
    *,
    record_id: Callable[[dict[str, Any]], Any],
    cursor: Callable[[dict[str, Any]], Any] | None = None,
    cursor_name: str = "cursor",
    extra: dict[str, Any] | None = None,
    drop_keys: Iterable[str] = (),
    what: str = "page",
) -> ShapedPage:
    """Check each item against the stream's contract: an object, a primary key, a parseable cursor value.

    ``extra`` adds keys the connector documents (a parent's id); ``drop_keys`` removes ones it documents dropping.
    """
    page = ShapedPage()
    if not isinstance(items, list):
        page.quarantined.append(QuarantinedRecord(f"malformed {what}: the item list is not a list", items))
        return page
    drop = tuple(drop_keys)
    for item in items:
        if not isinstance(item, dict):
            page.quarantined.append(QuarantinedRecord(f"record is a {type(item).__name__}, not an object", item))
            continue
        payload = {**item, **(extra or {})}
        for key in drop:
            payload.pop(key, None)
        rid = record_id(payload)
        if rid in (None, ""):
            page.quarantined.append(QuarantinedRecord("missing primary key", payload))
            continue
        updated = None
        if cursor is not None:
            try:
                updated = parse_timestamp(cursor(payload))
            except ValueError as exc:
                page.quarantined.append(QuarantinedRecord(f"cursor field {cursor_name!r}: {exc}", payload, str(rid)))
                continue
            if updated is None:
                page.quarantined.append(QuarantinedRecord(f"missing cursor field {cursor_name!r}", payload, str(rid)))
                continue
            if page.newest is None or updated > page.newest:
                page.newest = updated
        page.records.append(RawRecord(str(rid), payload, updated))
    return page
