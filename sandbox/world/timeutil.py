"""Epoch-millisecond helpers. The world keeps every instant as an int of UTC epoch milliseconds."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MINUTE_MS = 60_000


def iso_ms(ms: int) -> str:
    """``2026-03-05T08:00:00.456Z`` (HubSpot v3 format)."""
    t = time.gmtime(ms // 1000)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (  # noqa: UP031 - hot path
        t.tm_year,
        t.tm_mon,
        t.tm_mday,
        t.tm_hour,
        t.tm_min,
        t.tm_sec,
        ms % 1000,
    )


def iso_date(ms: int) -> str:
    t = time.gmtime(ms // 1000)
    return "%04d-%02d-%02d" % (t.tm_year, t.tm_mon, t.tm_mday)  # noqa: UP031


def to_ms(value: datetime | date) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return round(value.timestamp() * 1000)
    return int(datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    """Aware UTC datetime."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def naive_utc(ms: int) -> datetime:
    """Naive UTC datetime (the warehouse convention)."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).replace(tzinfo=None)


def parse_time_ms(value: str | int | float) -> int:
    """Parse an epoch-ms number/string or an ISO 8601 string into epoch ms."""
    if isinstance(value, int | float):
        return int(value)
    s = str(value).strip()
    if s.lstrip("-").isdigit():
        return int(s)
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    dt = datetime.fromisoformat(s)
    return to_ms(dt)
