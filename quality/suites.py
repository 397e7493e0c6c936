"""What each table must satisfy, as Great Expectations suites over a SQL projection.

A :class:`Suite` is a query (run in DuckDB, so aggregations and JSON extraction never go through pandas) and the
expectations its result must meet. Every expectation carries a severity in its ``meta``: ``error`` breaks the
contract and blocks publishing and reverse ETL; ``warn`` is reported but lets data through (messy-but-usable input,
such as a mixed-case email the warehouse normalises anyway).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

ERROR = "error"
WARN = "warn"

#: Timestamps may run this far ahead of the warehouse clock (vendor clocks drift) before they count as impossible.
CLOCK_SKEW_SECONDS = float(os.environ.get("JOURNEYHUB_CLOCK_SKEW_SECONDS", "3600"))

EMAIL_REGEX = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"

#: Journey stages allowed in customer_journeys (dbt var journey_stages).
STAGES = ("awareness", "engagement", "consideration", "conversion", "retention", "advocacy")


@dataclass(frozen=True)
class Check:
    """One expectation: the GX class name, its arguments and a severity."""

    expectation: str
    kwargs: dict[str, Any]
    severity: str = ERROR

    def build(self) -> Any:
        import great_expectations as gx

        cls = getattr(gx.expectations, self.expectation)
        return cls(**self.kwargs, meta={"severity": self.severity})


@dataclass(frozen=True)
class Suite:
    """A named suite: the batch query and its checks. ``asset`` is the Dagster asset key path it guards."""

    name: str
    asset: tuple[str, ...]
    sql: str | Callable[[], str]
    checks: Sequence[Check] = field(default_factory=tuple)
    description: str = ""

    def query(self) -> str:
        return self.sql() if callable(self.sql) else self.sql


def not_null(column: str, severity: str = ERROR, mostly: float | None = None) -> Check:
    kwargs: dict[str, Any] = {"column": column}
    if mostly is not None:
        kwargs["mostly"] = mostly
    return Check("ExpectColumnValuesToNotBeNull", kwargs, severity)


def unique(column: str, severity: str = ERROR) -> Check:
    return Check("ExpectColumnValuesToBeUnique", {"column": column}, severity)


def between(
    column: str, min_value: float | None = None, max_value: float | None = None, severity: str = ERROR
) -> Check:
    return Check(
        "ExpectColumnValuesToBeBetween", {"column": column, "min_value": min_value, "max_value": max_value}, severity
    )


def in_set(column: str, values: Sequence[Any], severity: str = ERROR, mostly: float | None = None) -> Check:
    kwargs: dict[str, Any] = {"column": column, "value_set": list(values)}
    if mostly is not None:
        kwargs["mostly"] = mostly
    return Check("ExpectColumnValuesToBeInSet", kwargs, severity)


def email_format(column: str, severity: str = WARN, mostly: float | None = None) -> Check:
    kwargs: dict[str, Any] = {"column": column, "regex": EMAIL_REGEX}
    if mostly is not None:
        kwargs["mostly"] = mostly
    return Check("ExpectColumnValuesToMatchRegex", kwargs, severity)


def phone_format(column: str, severity: str = WARN, mostly: float | None = None) -> Check:
    # messy local formats are fine (the warehouse normalises to E.164); at least 7 digits and only phone characters
    kwargs: dict[str, Any] = {"column": column, "regex": r"^\+?\(?[0-9][0-9 ().\-]{5,}[0-9]$"}
    if mostly is not None:
        kwargs["mostly"] = mostly
    return Check("ExpectColumnValuesToMatchRegex", kwargs, severity)


# -- raw streams -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawField:
    """A payload field projected into the batch: a JSON path and an optional kind of check."""

    name: str
    path: str  # DuckDB JSON path, e.g. '$.properties.email'
    kind: str = "text"  # text, email, phone, number, nonnegative, timestamp, date
    severity: str = WARN
    required: bool = False  # the field must be present on every record (an ERROR when it is not)


def _f(name: str, path: str, kind: str = "text", severity: str = WARN, required: bool = False) -> RawField:
    return RawField(name, path, kind, severity, required)


# Stream contracts beyond the generic ones (every raw table: record id present and unique, record timestamp not in
# the future beyond CLOCK_SKEW_SECONDS). Paths follow the vendor payloads the staging models read.
RAW_FIELDS: dict[tuple[str, str], Sequence[RawField]] = {
    ("hubspot", "contacts"): (
        _f("email", "$.properties.email", "email"),
        _f("phone", "$.properties.phone", "phone"),
        _f("createdate", "$.properties.createdate", "timestamp", ERROR, required=True),
    ),
    ("hubspot", "companies"): (_f("createdate", "$.properties.createdate", "timestamp", ERROR, required=True),),
    ("hubspot", "deals"): (
        _f("amount", "$.properties.amount", "nonnegative", ERROR),
        _f("createdate", "$.properties.createdate", "timestamp", ERROR, required=True),
    ),
    ("hubspot", "form_submissions"): (_f("submitted_at", "$.submittedAt", "number", ERROR, required=True),),
    ("mailchimp", "list_members"): (
        _f("email_address", "$.email_address", "email", ERROR, required=True),
        _f("status", "$.status", "text", ERROR, required=True),
        _f("last_changed", "$.last_changed", "timestamp", ERROR),
    ),
    ("mailchimp", "email_activity"): (
        _f("action", "$.action", "text", ERROR, required=True),
        _f("timestamp", "$.timestamp", "timestamp", ERROR, required=True),
    ),
    ("mailchimp", "campaigns"): (_f("send_time", "$.send_time", "timestamp", WARN),),
    ("meta_ads", "ads_insights"): (
        _f("spend", "$.spend", "nonnegative", ERROR, required=True),
        _f("impressions", "$.impressions", "nonnegative", ERROR),
        _f("clicks", "$.clicks", "nonnegative", ERROR),
        _f("date_start", "$.date_start", "date", ERROR, required=True),
    ),
    ("meta_ads", "leads"): (_f("created_time", "$.created_time", "timestamp", ERROR, required=True),),
    ("google_ads", "ad_group_daily_metrics"): (
        _f("cost_micros", "$.metrics.costMicros", "nonnegative", ERROR),
        _f("impressions", "$.metrics.impressions", "nonnegative", ERROR),
        _f("clicks", "$.metrics.clicks", "nonnegative", ERROR),
        _f("segment_date", "$.segments.date", "date", ERROR, required=True),
    ),
    ("google_ads", "click_views"): (_f("gclid", "$.clickView.gclid", "text", ERROR, required=True),),
    ("social", "facebook_comments"): (_f("created_time", "$.created_time", "timestamp", ERROR, required=True),),
    ("social", "instagram_comments"): (_f("timestamp", "$.timestamp", "timestamp", ERROR, required=True),),
    ("trustpilot", "reviews"): (
        _f("stars", "$.stars", "nonnegative", ERROR, required=True),
        _f("created_at", "$.createdAt", "timestamp", ERROR, required=True),
    ),
    ("google_business", "reviews"): (
        _f("star_rating", "$.starRating", "text", ERROR, required=True),
        _f("create_time", "$.createTime", "timestamp", ERROR, required=True),
        _f("update_time", "$.updateTime", "timestamp", ERROR, required=True),
    ),
}


def _projection(f: RawField) -> str:
    text = f"json_extract_string(payload, '{f.path}')"
    if f.kind in ("number", "nonnegative"):
        number = f"try_cast({text} as double)"
        return (
            f"{number} as {f.name}, {text} as {f.name}_raw, "
            f"case when {text} is null then null else {number} is not null end as {f.name}_parsed"
        )
    if f.kind == "timestamp":
        # epoch-millisecond strings (HubSpot) and ISO strings (everyone else) both parse
        parsed = (
            f"coalesce(try_cast({text} as timestamptz), "
            f"case when regexp_full_match({text}, '[0-9]{{12,14}}') "
            f"then make_timestamptz(cast({text} as bigint) * 1000) end)"
        )
        return (
            f"{text} as {f.name}_raw, "
            f"case when {text} is null then null else epoch({parsed}) - epoch(now()) end as {f.name}_seconds_ahead, "
            f"case when {text} is null then null else {parsed} is not null end as {f.name}_parsed"
        )
    if f.kind == "date":
        parsed = f"try_cast({text} as date) is not null"
        return f"{text} as {f.name}_raw, case when {text} is null then null else {parsed} end as {f.name}_parsed"
    return f"{text} as {f.name}"


def _field_checks(f: RawField) -> list[Check]:
    checks: list[Check] = []
    if f.kind in ("number", "nonnegative"):
        if f.required:
            checks.append(not_null(f"{f.name}_raw"))
        checks.append(in_set(f"{f.name}_parsed", [True], f.severity))  # present but not a number
        if f.kind == "nonnegative":
            checks.append(between(f.name, min_value=0, severity=f.severity))
    elif f.kind == "timestamp":
        if f.required:
            checks.append(not_null(f"{f.name}_raw"))
        checks.append(in_set(f"{f.name}_parsed", [True], f.severity))
        checks.append(between(f"{f.name}_seconds_ahead", max_value=CLOCK_SKEW_SECONDS, severity=f.severity))
    elif f.kind == "date":
        if f.required:
            checks.append(not_null(f"{f.name}_raw"))
        checks.append(in_set(f"{f.name}_parsed", [True], f.severity))
    else:
        if f.required:
            checks.append(not_null(f.name, ERROR))
        if f.kind == "email":
            checks.append(email_format(f.name, f.severity))
        elif f.kind == "phone":
            checks.append(phone_format(f.name, f.severity))
    return checks


def raw_suite(source: str, stream: str) -> Suite:
    """The contract of one raw stream table ``raw_<source>.<stream>``."""
    fields = RAW_FIELDS.get((source, stream), ())
    columns = ", ".join(
        [
            "record_id",
            "epoch(record_updated_at) - epoch(now()) as updated_seconds_ahead",
            "_extracted_at",
            *(_projection(f) for f in fields),
        ]
    )
    checks: list[Check] = [
        not_null("record_id"),
        unique("record_id"),
        not_null("_extracted_at"),
        between("updated_seconds_ahead", max_value=CLOCK_SKEW_SECONDS),
    ]
    for f in fields:
        checks.extend(_field_checks(f))
    return Suite(
        name=f"raw_{source}.{stream}",
        asset=(f"raw_{source}", stream),
        sql=f'select {columns} from "raw_{source}"."{stream}"',
        checks=tuple(checks),
        description=f"Contract of the raw {source} stream {stream}",
    )


def raw_suites(streams: dict[str, Sequence[str]]) -> list[Suite]:
    """One suite per raw stream, for ``{source: [stream, ...]}``."""
    return [raw_suite(source, stream) for source, names in streams.items() for stream in names]


# -- published tables ------------------------------------------------------------------------------------------------


def published_suites() -> list[Suite]:
    """What BI and the CRM may rely on in the marts."""
    return [
        Suite(
            name="marts.customer_journeys",
            asset=("marts", "customer_journeys"),
            sql="""
                select j.person_key, j.current_stage, p.person_key is not null as person_exists
                from marts.customer_journeys as j
                left join marts.dim_persons as p on p.person_key = j.person_key
            """,
            checks=(
                not_null("person_key"),
                unique("person_key"),
                in_set("current_stage", STAGES),
                in_set("person_exists", [True]),
            ),
            description="One row per person, allowed stage values, every person exists in dim_persons",
        ),
        Suite(
            name="marts.dim_persons",
            asset=("marts", "dim_persons"),
            sql="select person_key, email from marts.dim_persons",
            checks=(not_null("person_key"), unique("person_key"), email_format("email", WARN)),
            description="Person keys present and unique",
        ),
        Suite(
            name="marts.segment_membership",
            asset=("marts", "segment_membership"),
            sql="""
                select s.person_key, s.segment_name, p.person_key is not null as person_exists
                from marts.segment_membership as s
                left join marts.dim_persons as p on p.person_key = s.person_key
            """,
            checks=(not_null("person_key"), not_null("segment_name"), in_set("person_exists", [True])),
            description="Every segment member is a known person",
        ),
        Suite(
            name="marts.fct_attribution",
            asset=("marts", "fct_attribution"),
            sql="""
                select a.attribution_model, a.conversion_id, sum(a.credit) as credit,
                       abs(sum(a.revenue_credit) - coalesce(any_value(c.revenue), 0)) as revenue_error,
                       any_value(c.conversion_id) is not null as conversion_exists
                from marts.fct_attribution as a
                left join marts.fct_conversions as c on c.conversion_id = a.conversion_id
                group by a.attribution_model, a.conversion_id
            """,
            checks=(
                between("credit", 1 - 1e-6, 1 + 1e-6),
                between("revenue_error", max_value=1e-4),
                in_set("conversion_exists", [True]),
            ),
            description="Attribution conserves credit and revenue for every conversion and model",
        ),
        Suite(
            name="marts.fct_attribution_channel_totals",
            asset=("marts", "fct_attribution_channel_totals"),
            # One row per currency: every model, touch-level (fct_attribution) or standard Markov (channel totals),
            # must credit the same conversions and revenue, and no channel may get negative conversions.
            sql="""
                with per_model as (
                    select attribution_model, currency, count(distinct conversion_id)::double as conversions,
                           sum(revenue_credit) as revenue, 0.0 as min_conversions
                    from marts.fct_attribution
                    group by all
                    union all
                    select attribution_model, currency, sum(conversions), sum(revenue), min(conversions)
                    from marts.fct_attribution_channel_totals
                    group by all
                )
                select currency, count(*) as models, max(conversions) - min(conversions) as conversion_spread,
                       max(revenue) - min(revenue) as revenue_spread, min(min_conversions) as min_conversions
                from per_model
                group by currency
            """,
            checks=(
                between("conversion_spread", max_value=1e-6),
                between("revenue_spread", max_value=1e-4),
                between("min_conversions", min_value=-1e-9),
            ),
            description="The standard Markov totals credit the same conversions and revenue as every other model",
        ),
    ]
