"""Decoding a vendor's JSON body without changing anything silently.

``requests``' ``Response.json()`` replaces bytes that are not UTF-8 with U+FFFD, reads text/* bodies as ISO-8859-1,
accepts ``NaN`` and ``Infinity`` (not JSON; the raw store's serialiser writes them as ``null``) and raises an uncaught
``RecursionError`` on a deeply nested body. :func:`decode_json` instead:

- decodes UTF-8 (RFC 8259: JSON between systems is UTF-8), whatever the content type says;
- parses with the standard library, so every valid body reads exactly as before (integers beyond 64 bits stay exact);
- turns a body nested deeper than :data:`MAX_JSON_DEPTH` levels, or too deep to parse at all, into
  :class:`Unparseable` (the HTTP layer retries it, then the engine quarantines it as a ``malformed_page``);
- marks every JSON object that holds a value the raw layer cannot store faithfully (text that was not UTF-8 or is
  an unpaired surrogate escape; ``NaN``, ``Infinity`` or a number beyond the float range) as a :class:`TaintedDict`,
  whose ``taint`` names the value, so the record contract quarantines exactly the records that hold one.

Clean bodies (nearly all) pay for three cheap probes only: the strict UTF-8 decode, a serialisation with orjson (which
refuses more than :data:`MAX_JSON_DEPTH` levels and lone surrogates, and writes a non-finite float as ``null``, so a
``null`` count higher than the body's gives one away) and a search for ``\\ud…`` escapes. Only a body a probe flags
is walked.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

import orjson

# orjson serialises at most 254 levels of nesting, and the raw store serialises every payload with it: a deeper body
# could be parsed but never stored. No vendor API we read nests beyond a dozen levels.
MAX_JSON_DEPTH = 254

# Reason codes of connectors.raw.contracts.Reason (which imports this module, so they are spelled out here).
INVALID_ENCODING = "invalid_encoding"
NON_FINITE_NUMBER = "non_finite_number"

_SURROGATES = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Unparseable:
    """A body that is not JSON we can use; ``why`` says what is wrong with it, for the malformed-page message."""

    why: str

    def __repr__(self) -> str:
        return f"<unparseable body: {self.why}>"


@dataclass(frozen=True)
class Taint:
    """The first value inside an object that the raw layer cannot store faithfully."""

    reason: str  # INVALID_ENCODING or NON_FINITE_NUMBER
    path: str  # dotted path from the tainted object to the value ("properties.email", "activity.0.timestamp")
    problem: str  # what is wrong with it, for the quarantine row's detail

    def inside(self, key: str | int) -> Taint:
        return Taint(self.reason, f"{key}.{self.path}" if self.path else str(key), self.problem)

    @property
    def detail(self) -> str:
        return f"{self.path} {self.problem}" if self.path else f"the record {self.problem}"


class TaintedDict(dict):
    """A JSON object holding a value that :class:`Taint` describes. Behaves as the dict it is otherwise."""

    __slots__ = ("taint",)

    def __init__(self, items: dict[str, Any], taint: Taint) -> None:
        super().__init__(items)
        self.taint = taint


def taint_of(value: Any) -> Taint | None:
    """The taint of a record (or None): a type check, cheap enough for every record of a bulk sync."""
    return value.taint if type(value) is TaintedDict else None


def decode_json(content: bytes) -> Any:
    """The body's JSON value (None for an empty body), or :class:`Unparseable`."""
    if not content:
        return None
    try:
        text = content.decode("utf-8")
        flagged = False
    except UnicodeDecodeError:
        # Bytes that are not UTF-8 become lone surrogates (U+DC80-U+DCFF), which the walk below finds and reports,
        # instead of U+FFFD, which would look like real text.
        text = content.decode("utf-8", "surrogateescape")
        flagged = True
    constants: list[str] = []

    def constant(token: str) -> float:
        constants.append(token)  # NaN, Infinity, -Infinity: Python accepts them, JSON does not
        return float(token)

    try:
        value = json.loads(text, parse_constant=constant)
    except RecursionError:
        return Unparseable(f"nested deeper than {MAX_JSON_DEPTH} levels")
    except ValueError:
        return Unparseable("not valid JSON")
    # A \ud800-\udfff escape may be half of a pair (an emoji, fine) or alone (not text): the walk tells.
    flagged = flagged or bool(constants) or b"\\ud" in content or b"\\uD" in content
    if not flagged:
        try:
            probe = orjson.dumps(value)
        except TypeError:  # deeper than orjson's limit, or an integer beyond 64 bits (which is fine)
            flagged = True
        else:
            # orjson writes NaN and infinities (a number like 1e400 parses as inf) as null: one more null than the
            # body has means one of them is in it.
            flagged = probe.count(b"null") > content.count(b"null")
    return mark(value) if flagged else value


def mark(value: Any) -> Any:
    """``value`` with every object that holds a faithfully unstorable value turned into a :class:`TaintedDict`, or
    :class:`Unparseable` when it nests deeper than :data:`MAX_JSON_DEPTH` levels.

    Iterative (an explicit stack), so no depth the parser accepted can overflow Python's stack here.
    """
    if not isinstance(value, dict | list):
        return value
    root = _Frame(value, None, 1)
    stack = [root]
    while stack:
        frame = stack[-1]
        if frame.position < len(frame.keys):
            key = frame.keys[frame.position]
            frame.position += 1
            if frame.taint is None and isinstance(key, str) and _bad_text(key):
                frame.taint = Taint(INVALID_ENCODING, "", f"has a key that is {_BAD_TEXT}: {_show(key)}")
            child = frame.node[key]
            if isinstance(child, dict | list):
                if frame.depth + 1 > MAX_JSON_DEPTH:
                    return Unparseable(f"nested deeper than {MAX_JSON_DEPTH} levels")
                stack.append(_Frame(child, key, frame.depth + 1))
                continue
            frame.put(key, child, _leaf_taint(child))
            continue
        stack.pop()
        built = frame.build()
        if not stack:
            return built
        stack[-1].put(frame.key, built, frame.taint)
    raise AssertionError("unreachable")


_BAD_TEXT = "not valid Unicode text (bytes that are not UTF-8, or an unpaired \\ud800-\\udfff escape)"


class _Frame:
    """One container of :func:`mark`'s walk: its children so far and the first taint among them."""

    __slots__ = ("depth", "key", "keys", "node", "out", "position", "taint")

    def __init__(self, node: dict | list, key: Any, depth: int) -> None:
        self.node, self.key, self.depth = node, key, depth
        self.keys: list[Any] = list(node) if isinstance(node, dict) else list(range(len(node)))
        self.position = 0
        self.out: dict[str, Any] | list[Any] = {} if isinstance(node, dict) else []
        self.taint: Taint | None = None

    def put(self, key: Any, child: Any, taint: Taint | None) -> None:
        if isinstance(self.out, dict):
            self.out[key] = child
        else:
            self.out.append(child)
        if taint is not None and self.taint is None:
            self.taint = taint.inside(key)

    def build(self) -> Any:
        if self.taint is not None and isinstance(self.out, dict):
            return TaintedDict(self.out, self.taint)
        return self.out  # a list passes its taint up to the object holding it


def _leaf_taint(value: Any) -> Taint | None:
    if isinstance(value, str):
        return Taint(INVALID_ENCODING, "", f"is {_BAD_TEXT}: {_show(value)}") if _bad_text(value) else None
    if isinstance(value, float) and not math.isfinite(value):
        return Taint(NON_FINITE_NUMBER, "", f"is {value!r} (NaN, Infinity or beyond the float range: not JSON)")
    return None


def _bad_text(text: str) -> bool:
    return not text.isascii() and _SURROGATES.search(text) is not None


def _show(text: str, limit: int = 60) -> str:
    # repr escapes the surrogates (\udcff is the byte 0xff), so the detail is storable and shows the bad bytes.
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
