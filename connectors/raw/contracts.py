"""Record contracts: what a raw record must look like before it is stored, and the reason codes for those that don't.

A record that breaks its stream's contract is written to ``raw_<source>._quarantine`` with one of the reason codes
below (``reason``), a human explanation (``detail``), its raw text, source, stream and sync id — never dropped. The
checks run in a fixed order and the first failing one names the reason, so a record lands in quarantine exactly once:

1. the record is a JSON object (``not_an_object``) whose values can be stored as they came: no text that was not
   UTF-8 (``invalid_encoding``), no NaN or Infinity (``non_finite_number``);
2. its primary key parts are present (``missing_primary_key``), usable (``invalid_primary_key``) and, when numeric,
   spelled canonically (``non_canonical_primary_key``);
3. stream-specific required fields (``missing_properties``, ``missing_email``, ``missing_action`` …);
4. the cursor / event timestamp (``missing_timestamp``, ``unparseable_timestamp``, ``invalid_date``,
   ``timestamp_in_future``, ``timestamp_too_old``);
5. stream-specific values (``negative_metric``, ``non_numeric_metric``, ``invalid_email`` …);
6. the primary key did not already occur in the same page (``duplicate_primary_key``).

Duplicates: within one page the **first** occurrence of a primary key is kept and every later one is quarantined.
A page is one consistent answer of the vendor; a key repeated inside it means the vendor sent two versions at once
and we cannot tell which is right, so we keep what a reader of the page meets first and keep the rest for inspection.
(Across pages the raw store still merges on the key, newest version winning.)

The reason table lives in docs/quarantine.md; keep the two in step.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from connectors.core.clock import TODAY_ENV, parse_timestamp
from connectors.core.jsonbody import taint_of

SKEW_ENV = "JOURNEYHUB_MAX_FUTURE_SKEW_HOURS"


class Reason(StrEnum):
    """Quarantine reason codes. Stable: dashboards and the orchestrator's metadata count by them."""

    NOT_AN_OBJECT = "not_an_object"
    MISSING_PRIMARY_KEY = "missing_primary_key"
    INVALID_PRIMARY_KEY = "invalid_primary_key"
    DUPLICATE_PRIMARY_KEY = "duplicate_primary_key"
    MISSING_TIMESTAMP = "missing_timestamp"
    UNPARSEABLE_TIMESTAMP = "unparseable_timestamp"
    TIMESTAMP_IN_FUTURE = "timestamp_in_future"
    TIMESTAMP_TOO_OLD = "timestamp_too_old"
    INVALID_DATE = "invalid_date"
    NEGATIVE_METRIC = "negative_metric"
    NON_NUMERIC_METRIC = "non_numeric_metric"
    MISSING_PROPERTIES = "missing_properties"
    INVALID_FORM_VALUES = "invalid_form_values"
    MISSING_EMAIL = "missing_email"
    INVALID_EMAIL = "invalid_email"
    MISSING_ACTION = "missing_action"
    INVALID_ACTIVITY = "invalid_activity"
    INVALID_FIELD_DATA = "invalid_field_data"
    MISSING_RESOURCE_NAME = "missing_resource_name"
    MALFORMED_PAGE = "malformed_page"
    INVALID_ENCODING = "invalid_encoding"
    NON_FINITE_NUMBER = "non_finite_number"
    NON_CANONICAL_PRIMARY_KEY = "non_canonical_primary_key"
    MISSING_ON_READ = "missing_on_read"
    REPEATED_CURSOR = "repeated_cursor"
    MISSING_OBJECT_ID = "missing_object_id"
    INVALID_JSON = "invalid_json"
    OVERSIZED_EVENT = "oversized_event"
    MISSING_IDENTITY = "missing_identity"
    UNKNOWN_EVENT_TYPE = "unknown_event_type"
    CORRUPT_FILE = "corrupt_file"
    MISSING_EVENT_DATES = "missing_event_dates"
    UNKNOWN_ATTENDANCE_STATE = "unknown_attendance_state"
    MISSING_CONTACT = "missing_contact"
    SCORE_OUT_OF_RANGE = "score_out_of_range"
    UNKNOWN_FIELD = "unknown_field"
    INVALID_ANSWERS = "invalid_answers"
    MISSING_STARS = "missing_stars"
    INVALID_STARS = "invalid_stars"
    UNKNOWN_STAR_RATING = "unknown_star_rating"


# One line per code, for docs and for anyone reading a quarantine row.
REASON_DESCRIPTIONS: dict[Reason, str] = {
    Reason.NOT_AN_OBJECT: "The item is not a JSON object (a string, number, list or null inside the item list).",
    Reason.MISSING_PRIMARY_KEY: "A part of the stream's primary key is absent or null.",
    Reason.INVALID_PRIMARY_KEY: (
        "A key part is empty, blank, or not a string/integer (HubSpot CRM ids: ASCII digits 0-9 only)."
    ),
    Reason.DUPLICATE_PRIMARY_KEY: "The primary key already occurred earlier in the same page; the first one is kept.",
    Reason.MISSING_TIMESTAMP: "The cursor / event timestamp (updatedAt, submittedAt, created_time, …) is absent.",
    Reason.UNPARSEABLE_TIMESTAMP: "The cursor / event timestamp is not ISO-8601 or epoch milliseconds.",
    Reason.TIMESTAMP_IN_FUTURE: "The timestamp is later than now plus the allowed clock skew (1 day by default).",
    Reason.TIMESTAMP_TOO_OLD: "The timestamp is before 2000-01-01: a zero or garbage epoch, not a real event.",
    Reason.INVALID_DATE: "A daily row's date is not a real YYYY-MM-DD date (or Meta's date_stop differs from it).",
    Reason.NEGATIVE_METRIC: "An ad metric (spend, cost, impressions, clicks, conversions) is below zero.",
    Reason.NON_NUMERIC_METRIC: "An ad metric is not a number or numeric string (or is NaN/infinite).",
    Reason.MISSING_PROPERTIES: "A HubSpot CRM object has no 'properties' object.",
    Reason.INVALID_FORM_VALUES: "A HubSpot form submission's 'values' is not a list of {name, value} objects.",
    Reason.MISSING_EMAIL: "A Mailchimp list member has no email_address.",
    Reason.INVALID_EMAIL: "A Mailchimp list member's email_address is not an address (no '@' between two parts).",
    Reason.MISSING_ACTION: "A Mailchimp email activity event has no action (open, click, bounce …).",
    Reason.INVALID_ACTIVITY: "A Mailchimp email-activity recipient's 'activity' is not a list of events.",
    Reason.INVALID_FIELD_DATA: "A Meta lead's field_data is missing or not a list of {name, values[]} objects.",
    Reason.MISSING_RESOURCE_NAME: "A Google Ads row lacks the resourceName (customers/…) of its resource.",
    Reason.MALFORMED_PAGE: "A whole page was not JSON or lacked its envelope, after retries; the stream ends partial.",
    Reason.INVALID_ENCODING: (
        "A string or key of the record was not valid UTF-8 in the response (or is an unpaired \\ud800-\\udfff "
        "escape): stored, it would have been changed to U+FFFD."
    ),
    Reason.NON_FINITE_NUMBER: (
        "A value of the record is NaN, Infinity or a number beyond the float range (not JSON): stored, it would "
        "have become null."
    ),
    Reason.NON_CANONICAL_PRIMARY_KEY: (
        "A numeric key part has leading zeros ('042'): kept, it would be a second record beside '42'."
    ),
    Reason.MISSING_ON_READ: (
        "HubSpot listed the record, but reading it in full by id (batch/read) did not return it: it was archived, "
        "merged or deleted in between. The listing's partial copy is kept here, not stored."
    ),
    Reason.REPEATED_CURSOR: (
        "The vendor's paging cursor repeated (or a page repeated an earlier one): the pages loop. The stream ends "
        "partial at the last good page, like a malformed page."
    ),
    Reason.MISSING_OBJECT_ID: (
        "A HubSpot web analytics event has no objectId: the contact it belongs to is unknown, so it could not be "
        "joined to anyone."
    ),
    Reason.INVALID_JSON: "A line of an event file is not JSON (or is nested deeper than 254 levels).",
    Reason.OVERSIZED_EVENT: (
        "A Segment call is larger than 32 KB, Segment's own limit for one event: no conforming sender writes one."
    ),
    Reason.MISSING_IDENTITY: (
        "A Segment call has neither anonymousId nor userId (the spec requires one): it belongs to nobody."
    ),
    Reason.UNKNOWN_EVENT_TYPE: (
        "A Segment call's type is missing or not one of identify, track, page, screen, group, alias."
    ),
    Reason.CORRUPT_FILE: (
        "A whole event file could not be read (a corrupt or truncated gzip member, not gzip at all). The files "
        "before it stay loaded, the stream ends partial, and the next sync retries the file."
    ),
    Reason.MISSING_EVENT_DATES: (
        "A HubSpot marketing event has no (or an unparseable) startDateTime or endDateTime: it cannot be placed on "
        "anyone's timeline."
    ),
    Reason.UNKNOWN_ATTENDANCE_STATE: (
        "A HubSpot marketing event participation's attendanceState is missing or not one of REGISTERED, ATTENDED, "
        "CANCELLED, NO_SHOW, EMPTY (the spec's values)."
    ),
    Reason.MISSING_CONTACT: (
        "A HubSpot marketing event participation has no associations.contact.contactId: it belongs to nobody."
    ),
    Reason.SCORE_OUT_OF_RANGE: (
        "A survey answer's number lies off its field's scale (Typeform opinion scale beyond its steps, rating "
        "outside 1..steps): no form accepts it, so the score is corrupt."
    ),
    Reason.UNKNOWN_FIELD: (
        "A survey answer names a field its form's definition does not have: it cannot be mapped to a question."
    ),
    Reason.INVALID_ANSWERS: "A survey response's answers are not a list of objects each naming a field.id.",
    Reason.MISSING_STARS: "A review (Trustpilot stars, Google starRating) has no rating: a review is its rating.",
    Reason.INVALID_STARS: "A Trustpilot review's stars is not a whole number from 1 to 5.",
    Reason.UNKNOWN_STAR_RATING: (
        "A Google review's starRating is not ONE, TWO, THREE, FOUR or FIVE (STAR_RATING_UNSPECIFIED included)."
    ),
}


def _wall_clock() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class ContractLimits:
    """Plausibility bounds for timestamps. ``now`` is naive UTC, like every timestamp in the warehouse."""

    # Vendors' clocks and ours disagree by seconds to minutes; a day is far beyond any honest skew.
    max_future_skew: timedelta = timedelta(days=1)
    # Nothing this platform ingests predates 2000: an older value is a zero/garbage epoch.
    earliest: datetime = datetime(2000, 1, 1)
    now: Callable[[], datetime] = field(default=_wall_clock, compare=False)

    def latest(self) -> datetime:
        return self.now() + self.max_future_skew

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ContractLimits:
        """``JOURNEYHUB_MAX_FUTURE_SKEW_HOURS`` sets the skew; a pinned ``JOURNEYHUB_TODAY`` (the sandbox's world
        clock) later than the wall clock moves "now" to the end of that day, so a simulated future is not rejected."""
        env = os.environ if env is None else env
        raw = (env.get(SKEW_ENV) or "").strip()
        try:
            skew = timedelta(hours=float(raw)) if raw else cls.max_future_skew
        except ValueError:
            raise ValueError(f"{SKEW_ENV}={raw!r} is not a number of hours") from None
        pinned = (env.get(TODAY_ENV) or "").strip()
        if not pinned:
            return cls(max_future_skew=skew)
        end_of_day = datetime.combine(date.fromisoformat(pinned), datetime.min.time()) + timedelta(days=1)
        return cls(max_future_skew=skew, now=lambda: max(_wall_clock(), end_of_day))


DEFAULT_LIMITS = ContractLimits()


@dataclass(frozen=True)
class Violation:
    """Why one record breaks its contract: a reason code and a human detail naming the field and value."""

    reason: Reason
    detail: str


# A stream-specific check: the payload (already known to be an object) and the limits in, a violation or None out.
Check = Callable[[dict[str, Any], ContractLimits], "Violation | None"]


def get_path(obj: Any, path: str) -> Any:
    """``a.b.c`` inside nested objects; None when any step is missing."""
    if "." not in path:  # most paths are a top-level key: no split (this runs for every record of a bulk sync)
        return obj.get(path) if isinstance(obj, dict) else None
    value: Any = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _show(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- primary keys ------------------------------------------------------------------------------------------------


def check_key_part(name: str, value: Any, *, digits: bool = False) -> Violation | None:
    """A key part must be a non-blank string or an integer; ``digits`` additionally requires a canonical number:
    ASCII digits only (``str.isdigit`` also accepts ``"١٢٣"`` and ``"²³"``) and no leading zero, because ``"042"``
    and ``"42"`` would be stored as two records."""
    if type(value) is str and not digits and value.strip():  # by far the most common key: decided at once
        return None
    if value is None:
        return Violation(Reason.MISSING_PRIMARY_KEY, f"primary key {name!r} is missing")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return Violation(
            Reason.INVALID_PRIMARY_KEY, f"primary key {name!r} is a {type(value).__name__}: {_show(value)}"
        )
    if isinstance(value, str) and not value.strip():
        return Violation(Reason.INVALID_PRIMARY_KEY, f"primary key {name!r} is empty")
    if digits:
        text = str(value)
        if not is_ascii_number(text):
            return Violation(
                Reason.INVALID_PRIMARY_KEY, f"primary key {name!r} is not a number of ASCII digits: {_show(value)}"
            )
        if text != str(int(text)):
            return Violation(
                Reason.NON_CANONICAL_PRIMARY_KEY,
                f"primary key {name!r} {_show(value)} has leading zeros: it is record {int(text)} spelled "
                "differently, so storing it would make a second copy",
            )
    return None


def is_ascii_number(text: str) -> bool:
    """Digits 0-9 only (``int()`` and ``str.isdigit`` both accept other scripts' digits)."""
    return text.isascii() and text.isdigit()


def check_wellformed(item: Any) -> Violation | None:
    """A record whose values cannot be stored as they came: text that was not UTF-8 or NaN / Infinity, which the
    HTTP layer's JSON decoder marks (:mod:`connectors.core.jsonbody`). A type check per record: free for clean pages."""
    taint = taint_of(item)
    if taint is None:
        return None
    return Violation(Reason(taint.reason), taint.detail)


def check_key(payload: dict[str, Any], key_paths: tuple[str, ...], *, digits: bool = False) -> Violation | None:
    for path in key_paths:
        problem = check_key_part(path, get_path(payload, path), digits=digits)
        if problem:
            return problem
    return None


# -- timestamps --------------------------------------------------------------------------------------------------


def check_timestamp(
    value: Any, name: str, limits: ContractLimits, *, required: bool = True
) -> tuple[datetime | None, Violation | None]:
    """Parse a cursor / event timestamp and check it is plausible. Returns ``(parsed, None)`` or ``(None, why)``."""
    try:
        parsed = parse_timestamp(value)
    except (ValueError, OverflowError, OSError):
        return None, Violation(Reason.UNPARSEABLE_TIMESTAMP, f"{name} is not a timestamp: {_show(value)}")
    if parsed is None:
        return None, (Violation(Reason.MISSING_TIMESTAMP, f"{name} is missing") if required else None)
    return _plausible(parsed, name, value, limits)


def check_date(value: Any, name: str, limits: ContractLimits) -> tuple[date | None, Violation | None]:
    """A daily row's date: exactly ``YYYY-MM-DD`` and a real calendar day, within the plausible range."""
    if value is None or value == "":
        return None, Violation(Reason.MISSING_TIMESTAMP, f"{name} is missing")
    if not isinstance(value, str) or not _DATE.match(value):
        return None, Violation(Reason.INVALID_DATE, f"{name} is not a YYYY-MM-DD date: {_show(value)}")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None, Violation(Reason.INVALID_DATE, f"{name} is not a calendar date: {_show(value)}")
    as_dt = datetime.combine(day, datetime.min.time())
    _, problem = _plausible(as_dt, name, value, limits, whole_days=True)
    return (None, problem) if problem else (day, None)


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _plausible(
    parsed: datetime, name: str, raw: Any, limits: ContractLimits, *, whole_days: bool = False
) -> tuple[datetime | None, Violation | None]:
    latest = limits.latest()
    if whole_days:
        # A date names a whole day: it is in the future only once that day starts after the latest instant allowed.
        latest = datetime.combine(latest.date(), datetime.min.time())
    if parsed > latest:
        return None, Violation(
            Reason.TIMESTAMP_IN_FUTURE,
            f"{name} {_show(raw)} is after {latest:%Y-%m-%dT%H:%M:%S}Z "
            f"(now + {limits.max_future_skew.total_seconds() / 3600:g} h of allowed clock skew)",
        )
    if parsed < limits.earliest:
        return None, Violation(Reason.TIMESTAMP_TOO_OLD, f"{name} {_show(raw)} is before {limits.earliest:%Y-%m-%d}")
    return parsed, None


# -- values --------------------------------------------------------------------------------------------------------


def check_metrics(payload: dict[str, Any], paths: tuple[str, ...]) -> Violation | None:
    """Ad metrics: absent is fine (Google omits zeros), otherwise a finite, non-negative number or numeric string."""
    for path in paths:
        value = get_path(payload, path)
        if value is None:
            continue
        number: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value.strip()) if value.strip() else None
            except ValueError:
                number = None
        if number is None or math.isnan(number) or math.isinf(number):
            return Violation(Reason.NON_NUMERIC_METRIC, f"{path} is not a number: {_show(value)}")
        if number < 0:
            return Violation(Reason.NEGATIVE_METRIC, f"{path} is negative: {_show(value)}")
    return None


def check_email(value: Any, name: str = "email_address") -> Violation | None:
    """Present, and shaped like an address: something, one '@', a domain. Finer normalisation happens in dbt."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Violation(Reason.MISSING_EMAIL, f"{name} is missing")
    if not isinstance(value, str):
        return Violation(Reason.INVALID_EMAIL, f"{name} is a {type(value).__name__}: {_show(value)}")
    local, at, domain = value.strip().rpartition("@")
    if not at or not local or not domain or " " in value.strip():
        return Violation(Reason.INVALID_EMAIL, f"{name} is not an email address: {_show(value)}")
    return None


def required_text(path: str, reason: Reason) -> Check:
    """A check that ``path`` holds a non-blank string."""

    def check(payload: dict[str, Any], _limits: ContractLimits) -> Violation | None:
        value = get_path(payload, path)
        if isinstance(value, str) and value.strip():
            return None
        return Violation(reason, f"{path} is " + ("missing" if value in (None, "") else f"invalid: {_show(value)}"))

    return check


def any_identifier(paths: tuple[str, ...], reason: Reason) -> Check:
    """At least one of ``paths`` holds a non-blank string or an integer (Segment: ``anonymousId`` or ``userId``)."""

    def check(payload: dict[str, Any], _limits: ContractLimits) -> Violation | None:
        for path in paths:
            value = get_path(payload, path)
            if (isinstance(value, str) and value.strip()) or (isinstance(value, int) and not isinstance(value, bool)):
                return None
        verb = "is" if len(paths) == 1 else "are both"
        return Violation(reason, f"{' and '.join(paths)} {verb} missing or blank")

    return check


def one_of(path: str, values: frozenset[str], reason: Reason) -> Check:
    """``path`` holds one of ``values`` exactly (an event's type)."""

    def check(payload: dict[str, Any], _limits: ContractLimits) -> Violation | None:
        value = get_path(payload, path)
        if isinstance(value, str) and value in values:
            return None
        what = "missing" if value is None else f"{_show(value)}, not one of {', '.join(sorted(values))}"
        return Violation(reason, f"{path} is {what}")

    return check


def resource_names(*paths: str) -> Check:
    """Google Ads: each selected resource carries ``resourceName`` ``customers/<id>/…`` (dbt reads the id from it)."""

    def check(payload: dict[str, Any], _limits: ContractLimits) -> Violation | None:
        for path in paths:
            value = get_path(payload, path)
            if not isinstance(value, str) or not value.startswith("customers/"):
                what = "missing" if value is None else f"not a customers/… name: {_show(value)}"
                return Violation(Reason.MISSING_RESOURCE_NAME, f"{path} is {what}")
        return None

    return check


def list_of_named_objects(path: str, reason: Reason, *, values_key: str | None = None) -> Check:
    """``path`` is a list of objects each with a string ``name`` (and, if given, a list under ``values_key``)."""

    def check(payload: dict[str, Any], _limits: ContractLimits) -> Violation | None:
        value = get_path(payload, path)
        if not isinstance(value, list):
            return Violation(reason, f"{path} is " + ("missing" if value is None else f"a {type(value).__name__}"))
        for i, item in enumerate(value):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                return Violation(reason, f"{path}[{i}] is not an object with a name: {_show(item)}")
            if values_key is not None and not isinstance(item.get(values_key), list):
                return Violation(reason, f"{path}[{i}].{values_key} is not a list: {_show(item.get(values_key))}")
        return None

    return check
