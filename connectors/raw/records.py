"""Turning a page of vendor items into raw records, with contract violations quarantined instead of dropped.

The contract checks and their reason codes are in :mod:`connectors.raw.contracts`; this module applies them in order to
every item of a page (see that module's docstring for the order and the duplicate rule).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.raw.contracts import (
    DEFAULT_LIMITS,
    Check,
    ContractLimits,
    Reason,
    Violation,
    check_date,
    check_key,
    check_timestamp,
    check_wellformed,
    get_path,
)
from connectors.raw.store import QuarantinedRecord, RawRecord

# Reads a record's cursor from its payload and checks it: the value as naive UTC, or why the record is quarantined.
CursorCheck = Callable[[dict[str, Any], ContractLimits], tuple[datetime | None, Violation | None]]


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
    cursor: CursorCheck | None = None,
    key_paths: Sequence[str] = (),
    digit_keys: bool = False,
    required: Sequence[Check] = (),
    checks: Sequence[Check] = (),
    extra: dict[str, Any] | None = None,
    drop_keys: Iterable[str] = (),
    what: str = "page",
    limits: ContractLimits | None = None,
    locations: Sequence[str] | None = None,
) -> ShapedPage:
    """Check each item against the stream's contract and split the page into records and quarantined items.

    ``key_paths`` are the primary key parts (dotted paths into the payload) checked for presence and type (and, with
    ``digit_keys``, for canonical ASCII numbers); ``record_id`` builds the stored id from them. ``required`` are
    stream checks that run before the cursor, ``checks`` after it. ``cursor`` reads and checks the record's cursor
    (:func:`timestamp_at`, :func:`date_at`, or a stream's own). ``extra`` adds keys the connector documents (a
    parent's id); ``drop_keys`` removes ones it documents dropping. ``locations`` (one per item) say where each item
    came from (a file and line); a quarantined item's detail starts with its location.
    """
    limits = limits or DEFAULT_LIMITS
    page = ShapedPage()
    if not isinstance(items, list):
        # The HTTP layer already rejects pages without their envelope; this guards callers that bypass it.
        page.quarantined.append(
            QuarantinedRecord(Reason.MALFORMED_PAGE, items, detail=f"malformed {what}: the item list is not a list")
        )
        return page
    # Hoisted out of the loop below, which runs for every record of a bulk sync.
    drop = tuple(drop_keys)
    keys = tuple(key_paths)
    added = extra or {}
    seen: set[str] = set()
    if locations is not None and len(locations) != len(items):
        raise ValueError(f"{len(locations)} locations for {len(items)} items")
    where = ""
    for index, item in enumerate(items):
        if locations is not None:
            where = f"{locations[index]}: "
        if not isinstance(item, dict):
            page.quarantined.append(
                QuarantinedRecord(
                    Reason.NOT_AN_OBJECT, item, detail=f"{where}item is a {type(item).__name__}, not an object"
                )
            )
            continue
        payload = {**item, **added}
        for key in drop:
            payload.pop(key, None)
        problem = (
            check_wellformed(item) or check_key(payload, keys, digits=digit_keys) or _first(required, payload, limits)
        )
        updated = None
        if problem is None and cursor is not None:
            updated, problem = cursor(payload, limits)
        # Built only now: some ids include fields with their own reason (an activity's action and timestamp).
        rid = record_id(payload) if problem is None else _safe_id(record_id, payload)
        if problem is None and rid in (None, ""):
            problem = Violation(Reason.MISSING_PRIMARY_KEY, "the primary key could not be built")
        if problem is None:
            problem = _first(checks, payload, limits)
        stored_id = None if rid is None else str(rid)
        if problem is None and stored_id in seen:
            problem = Violation(Reason.DUPLICATE_PRIMARY_KEY, f"primary key {rid!s} occurred earlier in this page")
        if problem is not None:
            if where:
                problem = Violation(problem.reason, f"{where}{problem.detail}")
            page.quarantined.append(QuarantinedRecord.of(problem, payload, stored_id))
            continue
        assert stored_id is not None  # no problem means the id was built
        seen.add(stored_id)
        if updated is not None and (page.newest is None or updated > page.newest):
            page.newest = updated
        page.records.append(RawRecord(stored_id, payload, updated))
    return page


def _safe_id(record_id: Callable[[dict[str, Any]], Any], payload: dict[str, Any]) -> Any:
    """The id of a record that is quarantined anyway, for the quarantine row; None when it cannot be built."""
    try:
        rid = record_id(payload)
    except (KeyError, TypeError, ValueError):
        return None
    return rid if isinstance(rid, str | int) and not isinstance(rid, bool) and str(rid) else None


def _first(checks: Sequence[Check], payload: dict[str, Any], limits: ContractLimits) -> Violation | None:
    for check in checks:
        problem = check(payload, limits)
        if problem is not None:
            return problem
    return None


def timestamp_at(path: str) -> CursorCheck:
    """A cursor that is a plausible timestamp at ``path`` (ISO-8601 or epoch milliseconds), required."""

    def cursor(payload: dict[str, Any], limits: ContractLimits) -> tuple[datetime | None, Violation | None]:
        return check_timestamp(get_path(payload, path), path, limits)

    return cursor


def date_at(path: str) -> CursorCheck:
    """A daily row's cursor: a real ``YYYY-MM-DD`` day at ``path``, as midnight of that day."""

    def cursor(payload: dict[str, Any], limits: ContractLimits) -> tuple[datetime | None, Violation | None]:
        day, problem = check_date(get_path(payload, path), path, limits)
        return (datetime.combine(day, datetime.min.time()) if day else None), problem

    return cursor
