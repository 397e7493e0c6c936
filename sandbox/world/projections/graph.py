"""Graph API conventions shared by the Meta Ads and Facebook Page / Instagram projections: timestamps and the
``fields`` selection language (``id,name,from{id,name},parent{id}``)."""

from __future__ import annotations

import time
from typing import Any


def graph_time(ms: int) -> str:
    """``2026-03-01T10:15:00+0000`` (Graph: seconds, no colon in the offset)."""
    t = time.gmtime(ms // 1000)
    return "%04d-%02d-%02dT%02d:%02d:%02d+0000" % t[:6]  # noqa: UP031


FieldSpec = list[tuple[str, "FieldSpec | None"]]


class FieldError(ValueError):
    """A malformed ``fields`` expression."""


def parse_fields(text: str) -> FieldSpec:
    """``a,b{c,d{e}},f`` -> ``[("a", None), ("b", [("c", None), ("d", [("e", None)])]), ("f", None)]``."""
    pos = 0

    def parse_list(depth: int) -> FieldSpec:
        nonlocal pos
        out: FieldSpec = []
        name = ""
        while pos < len(text):
            ch = text[pos]
            pos += 1
            if ch == ",":
                if name.strip():
                    out.append((name.strip(), None))
                name = ""
            elif ch == "{":
                if not name.strip():
                    raise FieldError("a nested field list needs a field name before '{'")
                sub = parse_list(depth + 1)
                out.append((name.strip(), sub))
                name = ""
                if pos < len(text) and text[pos] == ",":
                    pos += 1
            elif ch == "}":
                if depth == 0:
                    raise FieldError("unbalanced '}' in fields")
                if name.strip():
                    out.append((name.strip(), None))
                return out
            else:
                name += ch
        if depth:
            raise FieldError("unbalanced '{' in fields")
        if name.strip():
            out.append((name.strip(), None))
        return out

    spec = parse_list(0)
    for name, _ in spec:
        if not name.replace("_", "").replace(".", "").isalnum():
            raise FieldError(f"invalid field name {name!r}")
    return spec


def unknown_fields(spec: FieldSpec, known: frozenset[str] | set[str]) -> list[str]:
    return [name for name, _ in spec if name not in known]


def select(obj: dict[str, Any], spec: FieldSpec, *, always_id: bool = True) -> dict[str, Any]:
    """The object as Graph returns it for ``fields``: requested fields that have a value, in the order asked for
    (``id`` always included for nodes); nested selections apply to objects and lists of objects."""
    out: dict[str, Any] = {}
    for name, sub in spec:
        if name not in obj or obj[name] is None:
            continue
        v = obj[name]
        if sub is not None and isinstance(v, dict):
            v = select(v, sub, always_id=False)
        elif sub is not None and isinstance(v, list):
            v = [select(x, sub, always_id=False) if isinstance(x, dict) else x for x in v]
        out[name] = v
    if always_id and "id" in obj and "id" not in out:
        out["id"] = obj["id"]
    return out
