"""Time for every connector: vendor timestamps parsed to naive UTC ``datetime`` (the warehouse convention), and the
two clocks of date-windowed streams (the first day of history and "today"), both read from the environment."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime

START_DATE_ENV = "JOURNEYHUB_START_DATE"
TODAY_ENV = "JOURNEYHUB_TODAY"
DEFAULT_START_DATE = "2026-01-01"

# An inclusive range of days (a Dagster partition range, or the window a daily stream reads).
DateRange = tuple[date, date]


def history_start(env: Mapping[str, str]) -> date:
    """First day of history for date-windowed streams (ad metrics)."""
    return date.fromisoformat(env.get(START_DATE_ENV) or DEFAULT_START_DATE)


def today_from(env: Mapping[str, str]) -> Callable[[], date]:
    """ "Today" for date-windowed streams: the wall clock unless pinned (the sandbox pins its world clock)."""
    pinned = env.get(TODAY_ENV)
    return (lambda: date.fromisoformat(pinned)) if pinned else (lambda: datetime.now(UTC).date())


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


def parse_present(value: object) -> datetime:
    """:func:`parse_timestamp` for a value that must be there (a saved cursor, a run's window): missing is a
    ValueError too, never None."""
    parsed = parse_timestamp(value)
    if parsed is None:
        raise ValueError(f"a timestamp is required here, got {value!r}")
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
    return a if parse_present(a) >= parse_present(b) else b


def iso_or_none(dt: datetime | None) -> str | None:
    return to_iso_z(dt) if dt is not None else None
