"""Google Ads API (REST) connector (schema ``raw_google_ads``), through ``googleAds:searchStream`` and GAQL.

searchStream answers with a JSON array of batches (int64 values as strings, camelCase keys); errors are Google RPC
status objects, also wrapped in an array. Streams: ``campaigns`` and ``ad_groups`` (re-read every sync),
``ad_group_daily_metrics`` (one row per ad group and day: cost_micros, impressions, clicks, conversions) and
``click_views`` (one row per click with its gclid; Google allows one day per query and only the last 90 days).
Payloads are the result rows exactly as Google sends them.

Record contracts (quarantined otherwise, see docs/quarantine.md): the key parts are present; each row's own resource
carries its ``resourceName`` (``customers/<id>/…``, where the models read the customer id); daily rows have a real
``segments.date`` within the plausible range; metrics, when present (proto3 JSON omits zeros), are non-negative
numbers. A searchStream answer that is not an array of batches is a malformed page.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import requests

from connectors.base import Connector
from connectors.core.http import Classified, HttpClient, RetryPolicy
from connectors.core.ratelimit import SlidingWindowLimiter
from connectors.core.settings import numbers, require
from connectors.raw.contracts import DEFAULT_LIMITS, Check, ContractLimits, Violation, check_metrics, resource_names
from connectors.raw.records import shape_page
from connectors.raw.store import QuarantinedRecord, RawRecord
from connectors.raw.sync import Page, StreamReader, SyncMode

TOKEN_ENV = "GOOGLE_ADS_ACCESS_TOKEN"
DEVELOPER_TOKEN_ENV = "GOOGLE_ADS_DEVELOPER_TOKEN"
CUSTOMER_ENV = "GOOGLE_ADS_CUSTOMER_ID"
BASE_URL_ENV = "GOOGLE_ADS_BASE_URL"
DEFAULT_BASE_URL = "https://googleads.googleapis.com"


@dataclass(frozen=True)
class GoogleAdsConfig:
    access_token: str
    developer_token: str
    customer_id: str
    login_customer_id: str | None = None
    base_url: str = DEFAULT_BASE_URL
    api_version: str = "v24"
    # Conversions are attributed back to the click date for weeks: re-read this many days of metrics.
    restatement_days: int = 14
    # click_view serves only the last 90 days.
    click_view_days: int = 90
    metrics_chunk_days: int = 31
    requests_per_minute: int = 300
    timeout_s: float = 60.0
    max_attempts: int = 8
    backoff_base_s: float = 1.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> GoogleAdsConfig:
        env = os.environ if env is None else env
        hint = "See https://developers.google.com/google-ads/api/docs/oauth/overview for how to get it, then export it"
        values: dict[str, Any] = {
            "access_token": require(env, TOKEN_ENV, source="google_ads", hint=f"An OAuth2 access token. {hint}."),
            "developer_token": require(
                env, DEVELOPER_TOKEN_ENV, source="google_ads", hint=f"Your Google Ads API developer token. {hint}."
            ),
            "customer_id": require(
                env, CUSTOMER_ENV, source="google_ads", hint="The 10-digit customer id (no dashes) of the ad account."
            ).replace("-", ""),
            "login_customer_id": ((env.get("GOOGLE_ADS_LOGIN_CUSTOMER_ID") or "").replace("-", "").strip() or None),
            "base_url": (env.get(BASE_URL_ENV) or DEFAULT_BASE_URL).strip(),
            "api_version": (env.get("GOOGLE_ADS_API_VERSION") or "v24").strip(),
            **numbers(env, {"GOOGLE_ADS_RESTATEMENT_DAYS": ("restatement_days", int)}, source="google_ads"),
        }
        values.update(overrides)
        return cls(**values)

    def __repr__(self) -> str:
        return f"GoogleAdsConfig(base_url={self.base_url!r}, customer_id={self.customer_id!r}, tokens='***')"


_DELAY = re.compile(r"^(\d+(?:\.\d+)?)s$")


def classify_google_ads(resp: requests.Response, body: Any) -> Classified | None:
    if isinstance(body, list) and body and isinstance(body[0], dict) and "error" in body[0]:
        body = body[0]  # searchStream wraps its error in an array
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict):
        return None
    status = err.get("status", "")
    details = []
    retry_after = None
    # An error body is vendor input like any other: odd shapes are skipped, never a crash in the classifier.
    for d in _objects(err.get("details")):
        errors = _objects(d.get("errors"))
        for e in errors:
            code = ",".join(f"{k}={v}" for k, v in _object(e.get("errorCode")).items())
            details.append(f"{code}: {e.get('message', '')}".strip(": "))
        delay = _object(d.get("quotaErrorDetails")).get("retryDelay")
        for e in errors:
            delay = delay or _object(_object(e.get("details")).get("quotaErrorDetails")).get("retryDelay")
        if isinstance(delay, str) and _DELAY.match(delay):
            retry_after = float(_DELAY.match(delay).group(1))
    text = f"HTTP {resp.status_code} {status}: {err.get('message', '')}" + (
        f" ({'; '.join(details)})" if details else ""
    )
    if resp.status_code == 429 or status == "RESOURCE_EXHAUSTED":
        return Classified("rate_limited", text, retry_after)
    if resp.status_code in (401, 403) or status in ("UNAUTHENTICATED", "PERMISSION_DENIED"):
        return Classified("auth", text)
    if resp.status_code >= 500 or status in ("INTERNAL", "UNAVAILABLE", "DEADLINE_EXCEEDED"):
        return Classified("transient", text)
    return Classified("request", text)


def _objects(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class GoogleAdsApi:
    def __init__(self, config: GoogleAdsConfig, *, http: HttpClient | None = None) -> None:
        self.config = config
        headers = {"Authorization": f"Bearer {config.access_token}", "developer-token": config.developer_token}
        if config.login_customer_id:
            headers["login-customer-id"] = config.login_customer_id
        self.http = http or HttpClient(
            config.base_url,
            source="google_ads",
            credential_env_var=f"{TOKEN_ENV} / {DEVELOPER_TOKEN_ENV}",
            base_url_env_var=BASE_URL_ENV,
            headers=headers,
            secrets=[config.access_token, config.developer_token],
            timeout_s=config.timeout_s,
            retry=RetryPolicy(max_attempts=config.max_attempts, base_delay_s=config.backoff_base_s),
            limiters={"default": SlidingWindowLimiter(config.requests_per_minute, 60.0)},
            classifier=classify_google_ads,
        )

    def close(self) -> None:
        self.http.close()

    def search_stream(self, query: str) -> list[Any]:
        """All result rows of a GAQL query. A body that is not an array of batches is retried and then raises
        :class:`~connectors.core.errors.MalformedPageError` (the HTTP layer's envelope check)."""
        path = f"/{self.config.api_version}/customers/{self.config.customer_id}/googleAds:searchStream"
        body = self.http.post(path, json_body={"query": query}, expect=expect_batches)
        rows: list[Any] = []
        for batch in body:
            rows += batch.get("results", [])
        return rows


def expect_batches(body: Any) -> str | None:
    """searchStream answers a JSON array of batches, each an object whose ``results`` (absent when empty) is a list."""
    if not isinstance(body, list):
        return f"expected an array of batches, got {'an empty body' if body is None else type(body).__name__}"
    for i, batch in enumerate(body):
        if not isinstance(batch, dict):
            return f"batch {i} is a {type(batch).__name__}, not an object"
        if not isinstance(batch.get("results", []), list):
            return f"batch {i}: 'results' is a {type(batch['results']).__name__}"
    return None


def _get(row: dict[str, Any], path: str) -> Any:
    value: Any = row
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


# Metrics of the daily rows: int64 as strings (costMicros, impressions, clicks), doubles as numbers.
METRICS = ("metrics.costMicros", "metrics.impressions", "metrics.clicks", "metrics.conversions")
METRICS += ("metrics.conversionsValue",)


def _metrics(payload: dict[str, Any], _limits: ContractLimits) -> Violation | None:
    return check_metrics(payload, METRICS)


@dataclass(frozen=True)
class GaqlStream:
    name: str
    description: str
    key_paths: tuple[str, ...]
    cursor_path: str | None = None
    # The resources of the row whose resourceName must be there (the models parse the customer id from it).
    required: tuple[Check, ...] = ()
    checks: tuple[Check, ...] = ()

    def record_id(self, row: dict[str, Any]) -> str | None:
        parts = [_get(row, p) for p in self.key_paths]
        return ":".join(str(p) for p in parts) if all(p not in (None, "") for p in parts) else None


STREAMS: tuple[GaqlStream, ...] = (
    GaqlStream(
        "campaigns",
        "Google Ads campaigns with status and channel type.",
        ("campaign.id",),
        required=(resource_names("campaign.resourceName"),),
    ),
    GaqlStream(
        "ad_groups",
        "Ad groups with their campaign.",
        ("adGroup.id",),
        required=(resource_names("adGroup.resourceName"),),
    ),
    GaqlStream(
        "ad_group_daily_metrics",
        "One row per ad group and day: cost_micros, impressions, clicks, conversions (as Google reports them).",
        ("adGroup.id", "segments.date"),
        "segments.date",
        required=(resource_names("campaign.resourceName", "adGroup.resourceName"),),
        checks=(_metrics,),
    ),
    GaqlStream(
        "click_views",
        "One row per ad click with its gclid, campaign, ad group and keyword.",
        ("clickView.gclid",),
        "segments.date",
        required=(resource_names("clickView.resourceName"),),
    ),
)
_BY_NAME = {s.name: s for s in STREAMS}

CAMPAIGNS_QUERY = "SELECT campaign.id, campaign.name, campaign.status, campaign.advertising_channel_type FROM campaign"
AD_GROUPS_QUERY = "SELECT ad_group.id, ad_group.name, ad_group.status, campaign.id FROM ad_group"
METRICS_QUERY = (
    "SELECT campaign.id, campaign.name, ad_group.id, ad_group.name, customer.currency_code, metrics.cost_micros, "
    "metrics.impressions, metrics.clicks, metrics.conversions, metrics.conversions_value, segments.date "
    "FROM ad_group WHERE segments.date BETWEEN '{since}' AND '{until}'"
)
CLICKS_QUERY = (
    "SELECT click_view.gclid, click_view.ad_group_ad, click_view.keyword_info.text, "
    "click_view.keyword_info.match_type, campaign.id, ad_group.id, segments.date "
    "FROM click_view WHERE segments.date = '{day}'"
)


def _shape(
    stream: GaqlStream, rows: Any, limits: ContractLimits | None = None
) -> tuple[list[RawRecord], list[QuarantinedRecord]]:
    cursor = (lambda row: _get(row, stream.cursor_path)) if stream.cursor_path else None
    page = shape_page(
        rows,
        record_id=stream.record_id,
        key_paths=stream.key_paths,
        required=stream.required,
        cursor=cursor,
        cursor_name=stream.cursor_path or "",
        # Every cursor here is segments.date: a day in the account's time zone.
        cursor_kind="date",
        checks=stream.checks,
        what="searchStream response",
        limits=limits or DEFAULT_LIMITS,
    )
    return page.records, page.quarantined


class _QueryReader:
    """A dimension query re-read in full every sync (one page)."""

    def __init__(
        self, api: GoogleAdsApi, stream: GaqlStream, query: str, limits: ContractLimits = DEFAULT_LIMITS
    ) -> None:
        self.api, self.stream, self.name, self.query, self.limits = api, stream, stream.name, query, limits

    def read(self, state: dict[str, Any], mode: SyncMode, *, resuming: bool) -> Iterator[Page]:
        records, bad = _shape(self.stream, self.api.search_stream(self.query), self.limits)
        yield Page(records, {"cursor": None, "run": {"mode": "full_refresh"}}, bad)

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        return {"cursor": None, "run": None}


class _DailyReader:
    """Date-windowed queries, one page per chunk of days; the cursor is the newest date read.

    The window is the explicit range (a Dagster partition range) or, incrementally, the cursor minus the restatement
    window up to today.
    """

    def __init__(
        self,
        api: GoogleAdsApi,
        stream: GaqlStream,
        *,
        start_date: date,
        date_range: tuple[date, date] | None,
        today: Callable[[], date],
        chunk_days: int,
        lookback_days: int,
        query: Callable[[date, date], str],
        earliest: Callable[[date], date] | None = None,
        limits: ContractLimits = DEFAULT_LIMITS,
    ) -> None:
        self.api, self.stream, self.name, self.limits = api, stream, stream.name, limits
        self.start_date, self.date_range, self.today = start_date, date_range, today
        self.chunk_days, self.lookback_days, self.query, self.earliest = chunk_days, lookback_days, query, earliest

    def read(self, state: dict[str, Any], mode: SyncMode, *, resuming: bool) -> Iterator[Page]:
        cursor = state.get("cursor")
        run = state.get("run") if resuming else None
        if run is None:
            if self.date_range:
                since, until = self.date_range
            else:
                until = self.today()
                since = self.start_date
                if mode == "incremental" and cursor:
                    since = max(self.start_date, date.fromisoformat(cursor) - timedelta(days=self.lookback_days))
            if self.earliest:
                since = max(since, self.earliest(self.today()))
            run = {"mode": mode, "next": since.isoformat(), "until": until.isoformat(), "max_date": None}
        day, until = date.fromisoformat(run["next"]), date.fromisoformat(run["until"])
        while day <= until:
            end = min(until, day + timedelta(days=self.chunk_days - 1))
            records, bad = _shape(self.stream, self.api.search_stream(self.query(day, end)), self.limits)
            dates = [_get(r.payload, "segments.date") for r in records]
            run = {**run, "next": (end + timedelta(days=1)).isoformat()}
            if dates:
                run["max_date"] = max(d for d in (run.get("max_date"), *dates) if d)
            yield Page(records, {"cursor": cursor, "run": dict(run)}, bad)
            day = end + timedelta(days=1)

    def final_state(self, state: dict[str, Any]) -> dict[str, Any]:
        run = state.get("run") or {}
        newest = max([d for d in (state.get("cursor"), run.get("max_date")) if d], default=None)
        return {"cursor": newest, "run": None}


class GoogleAdsConnector(Connector):
    source = "google_ads"
    stream_names = tuple(s.name for s in STREAMS)

    def __init__(
        self,
        config: GoogleAdsConfig,
        *,
        start_date: date,
        date_range: tuple[date, date] | None = None,
        today: Callable[[], date] = date.today,
        api: GoogleAdsApi | None = None,
        limits: ContractLimits | None = None,
    ) -> None:
        self.config = config
        self.api = api or GoogleAdsApi(config)
        if limits is not None:
            self.limits = limits
        self.start_date, self.date_range, self.today = start_date, date_range, today

    def reader(self, name: str) -> StreamReader:
        stream = _BY_NAME[name]
        if name == "campaigns":
            return _QueryReader(self.api, stream, CAMPAIGNS_QUERY, self.limits)
        if name == "ad_groups":
            return _QueryReader(self.api, stream, AD_GROUPS_QUERY, self.limits)
        if name == "ad_group_daily_metrics":
            return _DailyReader(
                self.api,
                stream,
                start_date=self.start_date,
                date_range=self.date_range,
                today=self.today,
                chunk_days=self.config.metrics_chunk_days,
                lookback_days=self.config.restatement_days,
                query=lambda a, b: METRICS_QUERY.format(since=a.isoformat(), until=b.isoformat()),
                limits=self.limits,
            )
        if name == "click_views":
            return _DailyReader(
                self.api,
                stream,
                start_date=self.start_date,
                date_range=self.date_range,
                today=self.today,
                chunk_days=1,
                lookback_days=1,
                query=lambda a, _b: CLICKS_QUERY.format(day=a.isoformat()),
                earliest=lambda today: today - timedelta(days=self.config.click_view_days - 1),
                limits=self.limits,
            )
        raise KeyError(name)
