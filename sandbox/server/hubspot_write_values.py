"""Validation of the property values a HubSpot write sends: unknown and read-only properties, and values that break
their property's type (email, number, bool, enumeration options, date and datetime). HubSpot fails the whole batch
on any of them, with one 400 naming every property and value."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sandbox.server.base import Response
from sandbox.server.hubspot_errors import validation
from sandbox.world.projections.hubspot_store import HubSpotStore
from sandbox.world.timeutil import iso_date, iso_ms, parse_time_ms

# Pragmatic address check (HubSpot's own is stricter but undocumented): one @, no spaces, a dot in the domain.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Problem:
    """One invalid property value; HubSpot fails the whole batch on any of them."""

    name: str
    value: str
    code: str
    message: str


def _as_text(value: Any) -> str | None:
    """JSON property values as HubSpot coerces them: strings as is, numbers and booleans as text, null clears."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return None


def _option_values(defn: dict[str, Any]) -> set[str]:
    return {o["value"] for o in defn.get("options") or ()}


def _check_typed(name: str, text: str, defn: dict[str, Any]) -> tuple[str | None, Problem | None]:
    """The stored form of a non-empty value of the property ``defn``, or the reason it is invalid."""
    ptype = defn["type"]
    if name == "email":
        if not EMAIL.match(text.strip()):
            return None, Problem(name, text, "INVALID_EMAIL", f"Email address {text} is invalid")
        return text.strip(), None
    if ptype == "number":
        if not _NUMBER.match(text.strip()):
            return None, Problem(name, text, "INVALID_NUMBER", f"{text} was not a valid number.")
        return text.strip(), None
    if ptype == "bool":
        if text.strip().lower() not in ("true", "false"):
            return None, Problem(name, text, "INVALID_BOOLEAN", f"{text} was not a valid boolean (true or false).")
        return text.strip().lower(), None
    if ptype == "enumeration":
        allowed = _option_values(defn)
        chosen = text.split(";") if defn.get("fieldType") == "checkbox" else [text]
        bad = [c for c in chosen if c not in allowed]
        if bad:
            opts = ", ".join(sorted(allowed))
            return None, Problem(name, text, "INVALID_OPTION", f"{bad[0]} was not one of the allowed options: [{opts}]")
        return text, None
    if ptype in ("datetime", "date"):
        return _check_time(name, text, ptype)
    return text, None


def _check_time(name: str, text: str, ptype: str) -> tuple[str | None, Problem | None]:
    """Datetimes: epoch ms or ISO 8601, stored as ISO. Dates: ``YYYY-MM-DD`` or midnight UTC in epoch ms."""
    s = text.strip()
    code = "INVALID_DATE" if ptype == "date" else "INVALID_DATETIME"
    bad = Problem(name, text, code, f"{text} was not a valid {ptype}.")
    if ptype == "date" and _DATE.match(s):
        return s, None
    try:
        ms = parse_time_ms(s)
    except ValueError:
        return None, bad
    if ptype == "date":
        if ms % 86_400_000:
            return None, Problem(name, text, code, f"{text} is not midnight UTC: date values must be whole days.")
        return iso_date(ms), None
    return iso_ms(ms), None


def check_properties(store: HubSpotStore, otype: str, raw: Any) -> tuple[dict[str, str | None], list[Problem]]:
    """Validate one input's ``properties``: unknown names, read-only properties and values that break their type.
    Returns the values to store (empty string / null = clear) and the problems found."""
    if not isinstance(raw, dict):
        return {}, [Problem("properties", str(raw), "INVALID_INPUT", "properties must be an object")]
    values: dict[str, str | None] = {}
    problems: list[Problem] = []
    for name, value in raw.items():
        defn = store.property_definition(otype, str(name))
        text = _as_text(value)
        if defn is None:
            message = f'Property "{name}" does not exist'
            problems.append(Problem(str(name), str(value), "PROPERTY_DOESNT_EXIST", message))
        elif defn.get("modificationMetadata", {}).get("readOnlyValue"):
            message = f"{name} is a read only property; its value cannot be set."
            problems.append(Problem(name, str(value), "READ_ONLY_VALUE", message))
        elif text is None:
            problems.append(Problem(name, json.dumps(value), "INVALID_TYPE", f"{name} must be a string value"))
        elif text == "":
            values[name] = None
        else:
            stored, problem = _check_typed(name, text, defn)
            if problem is not None:
                problems.append(problem)
            else:
                values[name] = stored
    return values, problems


def invalid_values(problems: list[Problem]) -> Response:
    """HubSpot's whole-batch 400: the message embeds the per-property verdicts, ``errors`` names property and value."""
    verdicts = [{"isValid": False, "message": p.message, "error": p.code, "name": p.name} for p in problems]
    details = [
        {"message": p.message, "code": p.code, "in": p.name, "context": {"propertyName": [p.name], "value": [p.value]}}
        for p in problems
    ]
    context = {"propertyName": sorted({p.name for p in problems})}
    unknown = sorted({p.name for p in problems if p.code == "PROPERTY_DOESNT_EXIST"})
    if unknown:
        context["invalidPropertyName"] = unknown
    return validation(
        "Property values were not valid: " + json.dumps(verdicts, separators=(",", ":")),
        context=context,
        errors=details,
    )
