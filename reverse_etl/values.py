"""Warehouse values to HubSpot property strings, per declared property type, with a reason when one cannot be.

HubSpot stores every property value as a string. Normalising here (``120.000000`` -> ``120``, timestamps to ISO UTC
milliseconds) keeps the payload hash stable across runs, so an unchanged value is never re-sent.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

# The pragmatic check HubSpot applies too: one @, no spaces, a dot in the domain.
EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
MAX_STRING = 65_536  # HubSpot's limit for a string property value


class ValueProblem(ValueError):
    """A value that does not fit its declared property type."""


def normalise_email(value: Any) -> str | None:
    """Lower-cased, trimmed address, or None when empty; raises ValueProblem when malformed."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if not EMAIL.match(text):
        raise ValueProblem("malformed email")
    return text.lower()


def _number(value: Any) -> str:
    if isinstance(value, bool):
        raise ValueProblem(f"boolean {value!r} is not a number")
    try:
        dec = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ValueProblem(f"{_show(value)} is not a number") from None
    if not dec.is_finite() or (isinstance(value, float) and not math.isfinite(value)):
        raise ValueProblem(f"{_show(value)} is not a finite number")
    text = format(dec.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _bool(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip().lower()
    if text in ("true", "false"):
        return text
    raise ValueProblem(f"{_show(value)} is not a boolean")


def _datetime(value: Any) -> str:
    if isinstance(value, datetime):
        # Warehouse timestamps are naive UTC (the dbt models convert everything to UTC).
        dt = value if value.tzinfo else value.replace(tzinfo=UTC)
        return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    try:
        return _datetime(datetime.fromisoformat(str(value).strip().replace("Z", "+00:00")))
    except ValueError:
        raise ValueProblem(f"{_show(value)} is not a datetime") from None


def _date(value: Any) -> str:
    if isinstance(value, datetime):
        if (value.hour, value.minute, value.second, value.microsecond) != (0, 0, 0, 0):
            raise ValueProblem(f"{_show(value)} is not a whole day (date properties hold midnight UTC)")
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ValueProblem(f"{_show(value)} is not a date (YYYY-MM-DD)") from None


def _string(value: Any) -> str:
    if isinstance(value, datetime | date):
        return _datetime(value) if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
        return _number(value)
    if isinstance(value, bool):
        return _bool(value)
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise ValueProblem(f"text of {len(value)} characters is longer than HubSpot's {MAX_STRING}")
        return value
    raise ValueProblem(f"a {type(value).__name__} value cannot be a string property")


def to_hubspot(value: Any, ptype: str, options: tuple[str, ...] = ()) -> str:
    """The HubSpot string for ``value``; ``""`` for null (HubSpot clears a property given an empty string)."""
    if value is None:
        return ""
    if ptype == "number":
        return _number(value)
    if ptype == "bool":
        return _bool(value)
    if ptype == "datetime":
        return _datetime(value)
    if ptype == "date":
        return _date(value)
    if ptype == "enumeration":
        text = str(value)
        if text not in options:
            raise ValueProblem(f"{_show(value)} is not one of the options {', '.join(options)}")
        return text
    return _string(value)


def _show(value: Any) -> str:
    # Reasons end up in the ledger and in Dagster metadata: keep a value short.
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
