"""The JSON request bodies of ``googleAds:search`` and ``googleAds:searchStream``, checked as Google checks them.

The REST API parses a body into its request message (``SearchGoogleAdsRequest`` / ``SearchGoogleAdsStreamRequest``,
https://developers.google.com/google-ads/api/reference/rpc/v24/SearchGoogleAdsRequest) and refuses a field the
message does not have with 400 ``INVALID_ARGUMENT`` and a ``google.rpc.BadRequest`` detail, so a client that sends a
field of an older version (the top-level ``returnTotalResultsCount`` moved into ``searchSettings``) hears about it
instead of being ignored. Field names are accepted in lowerCamelCase and in the proto's snake_case, as proto3 JSON
parsers do.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

# field (lowerCamelCase) -> JSON type; a dict is a nested message
_SEARCH_SETTINGS = {"omitResults": bool, "returnSummaryRow": bool, "returnTotalResultsCount": bool}
SEARCH_REQUEST: dict[str, Any] = {
    "customerId": str,
    "query": str,
    "pageToken": str,
    "pageSize": int,
    "validateOnly": bool,
    "searchSettings": _SEARCH_SETTINGS,
}
STREAM_REQUEST: dict[str, Any] = {"customerId": str, "query": str, "summaryRowSetting": str}
_TYPE_NAMES = {str: "TYPE_STRING", int: "TYPE_INT32", bool: "TYPE_BOOL"}
SUMMARY_ROW_SETTINGS = frozenset(
    {"UNSPECIFIED", "UNKNOWN", "NO_SUMMARY_ROW", "SUMMARY_ROW_WITH_RESULTS", "SUMMARY_ROW_ONLY"}
)


@dataclass
class RequestError:
    message: str
    field: str | None = None  # the path of the offending message, snake_case ("search_settings"), when nested


@dataclass
class SearchRequest:
    query: str = ""
    page_token: str = ""
    page_size: int = 0
    validate_only: bool = False
    settings: dict[str, bool] = field(default_factory=dict)
    summary_row_setting: str = ""


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _check(obj: dict[str, Any], schema: dict[str, Any], path: list[str]) -> tuple[dict[str, Any], RequestError | None]:
    out: dict[str, Any] = {}
    where = f" at '{'.'.join(path)}'" if path else ""
    for raw, value in obj.items():
        name = _camel(raw)
        kind = schema.get(name)
        if kind is None:
            message = f'Invalid JSON payload received. Unknown name "{raw}"{where}: Cannot find field.'
            return out, RequestError(message, ".".join(path) or None)
        if isinstance(kind, dict):
            if not isinstance(value, dict):
                return out, RequestError(
                    f'Invalid JSON payload received. Expected an object for "{raw}"{where}.', ".".join(path) or None
                )
            nested, err = _check(value, kind, [*path, _snake(name)])
            if err is not None:
                return out, err
            out[name] = nested
            continue
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if kind is int and isinstance(value, str) and value.lstrip("-").isdigit():
            ok, value = True, int(value)  # proto3 JSON accepts integers as strings
        if not ok:
            at = ".".join([*path, _snake(name)])
            return out, RequestError(f"Invalid value at '{at}' ({_TYPE_NAMES[kind]}), {json.dumps(value)}", at)
        out[name] = value
    return out, None


def parse_request(body: Any, *, stream: bool, version: str) -> SearchRequest | RequestError:
    """The request's fields, or the error Google answers for its body."""
    if not isinstance(body, dict):
        return RequestError("Invalid JSON payload received. Expected an object.")
    fields, err = _check(body, STREAM_REQUEST if stream else SEARCH_REQUEST, [])
    if err is not None:
        return err
    setting = fields.get("summaryRowSetting", "")
    if setting and setting not in SUMMARY_ROW_SETTINGS:
        return RequestError(
            f"Invalid value at 'summary_row_setting' (type.googleapis.com/google.ads.googleads.{version}.enums."
            f'SummaryRowSettingEnum.SummaryRowSetting), "{setting}"',
            "summary_row_setting",
        )
    return SearchRequest(
        query=fields.get("query", ""),
        page_token=fields.get("pageToken", ""),
        page_size=fields.get("pageSize", 0),
        validate_only=fields.get("validateOnly", False),
        settings=fields.get("searchSettings", {}),
        summary_row_setting=setting,
    )
