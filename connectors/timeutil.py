"""Timestamp parsing for vendor formats. Everything becomes a naive UTC ``datetime`` (the warehouse convention)."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_timestamp(value: object) -> datetime | None:
    """Parse ISO-8601 (``Z``, ``+00:00`` or Meta's ``+0000``) or epoch milliseconds; None when empty.

    Raises ValueError for anything else, so callers can quarantine the record with the reason.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a timestamp: {value!r}")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value) / 1000.0, UTC).replace(tzinfo=None)
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r}")
    text = value.strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000.0, UTC).replace(tzinfo=None)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    elif len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit() and ":" not in text[-5:]:
        text = f"{text[:-2]}:{text[-2:]}"  # +0000 -> +00:00
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"unparseable timestamp {value!r}") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def to_epoch_ms(dt: datetime) -> int:
    """Naive UTC datetime to epoch milliseconds."""
    return int(dt.replace(tzinfo=UTC).timestamp() * 1000)


def to_iso_z(dt: datetime) -> str:
    """Naive UTC datetime to HubSpot's ``2026-03-05T08:00:00.456Z`` form."""
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def later_iso(a: str | None, b: str | None) -> str | None:
    """The later of two timestamp strings (either may be missing)."""
    if not a or not b:
        return a or b
    return a if parse_timestamp(a) >= parse_timestamp(b) else b


def iso_or_none(dt: datetime | None) -> str | None:
    return to_iso_z(dt) if dt is not None else None
