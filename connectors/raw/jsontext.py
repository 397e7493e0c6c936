"""The text the raw layer writes to DuckDB: payloads and sync state as JSON, and quarantine rows with credentials
masked, each kept storable (DuckDB holds valid UTF-8 only) without silently changing what a vendor sent."""

from __future__ import annotations

import json
from typing import Any

import orjson

from connectors.core.redaction import scrub


def payload_json(payload: dict[str, Any], record_id: str = "?") -> str:
    """The payload as compact JSON text.

    orjson does this about 7 times faster than ``json.dumps``, which was a quarter of a bulk sync's time
    (docs/benchmarks.md, connector overhead). What orjson refuses is still valid parsed JSON and takes the standard
    library: an integer beyond 64 bits is kept exactly; a lone surrogate (a ``\\ud800`` escape with no pair) is not
    text DuckDB can store, so it becomes U+FFFD, the replacement character, instead of failing the whole page.
    Records from vendors never get here with one: the record contract quarantines them (``invalid_encoding``), and
    NaN / Infinity (``non_finite_number``), which orjson would write as null. A payload nested too deeply for any
    serialiser (the HTTP layer refuses such pages) is a clear error, not a ``RecursionError``.
    """
    try:
        return orjson.dumps(payload).decode()
    except TypeError:
        try:
            text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        except RecursionError:
            raise ValueError(
                f"record {record_id!r}: its payload is nested too deeply to store as JSON "
                "(the HTTP layer refuses pages nested deeper than 254 levels)"
            ) from None
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def state_json(state: dict[str, Any]) -> str:
    """A stream's state as JSON text. A paging cursor cut from a body that was not UTF-8 holds lone surrogates, whose
    ``\\udcXX`` escapes DuckDB's JSON type rejects: such strings are saved with the escape as visible text (the vendor
    then rejects the changed cursor with a clear error, instead of the page commit failing)."""
    text = json.dumps(state, default=str)
    if "\\ud" in text:  # a surrogate escape: a pair (an emoji) is fine, a lone one is not
        try:
            json.dumps(state, default=str, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            text = json.dumps(_storable_strings(state), default=str)
    return text


def _storable_strings(value: Any) -> Any:
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {storable(str(k)): _storable_strings(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable_strings(v) for v in value]
    return value


def storable(text: str) -> str:
    """``text`` as DuckDB can store it: a lone surrogate (a byte that was not UTF-8, read with surrogateescape)
    becomes its escape ``\\udcXX``, which keeps the byte recoverable where U+FFFD would lose it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


# A quarantine row keeps the record for inspection and replay; beyond this it keeps an excerpt (a whole malformed
# page, a runaway nested field) so one bad answer cannot bloat the warehouse.
MAX_QUARANTINE_PAYLOAD_CHARS = 64_000


def quarantine_text(payload: Any) -> str:
    """The record's raw text, credentials masked (a vendor may echo a token), cut to an excerpt when huge.

    Strings are masked inside the structure before it is serialised, so the stored text stays valid JSON.
    """
    try:
        text = _as_text(_scrub_values(payload))
    except RecursionError:
        # Only a direct caller can hand over such a payload (the HTTP layer refuses pages nested this deeply).
        text = f"[not copied: a {type(payload).__name__} nested too deeply to serialise]"
    if len(text) > MAX_QUARANTINE_PAYLOAD_CHARS:
        text = text[:MAX_QUARANTINE_PAYLOAD_CHARS] + f"…[truncated: {len(text)} characters in all]"
    return text


def _scrub_values(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, bytes):
        return scrub(value.decode("utf-8", "replace"))
    if isinstance(value, dict):
        return {scrub(str(k)): _scrub_values(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_values(v) for v in value]
    return value


def _as_text(payload: Any) -> str:
    if isinstance(payload, str | bytes):
        return storable(payload.decode("utf-8", "surrogateescape") if isinstance(payload, bytes) else payload)
    try:
        text = json.dumps(payload, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        return storable(repr(payload))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # Text that was not UTF-8 (lone surrogates): all-ASCII JSON escapes it, still valid JSON, bytes recoverable.
        text = json.dumps(payload, default=str, ensure_ascii=True)
    return text
