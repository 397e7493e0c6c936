"""The Google Ads streams this project syncs (schema ``raw_google_ads``): their GAQL queries, keys, cursors and record
contracts.

``campaigns`` and ``ad_groups`` are re-read every sync, ``ad_group_daily_metrics`` has one row per ad group and day
(cost_micros, impressions, clicks, conversions) and ``click_views`` one row per click with its gclid (Google allows
one day per query and only the last 90 days). Payloads are the result rows exactly as Google sends them.

Record contracts (quarantined otherwise, see docs/quarantine.md): the key parts are present; each row's own resource
carries its ``resourceName`` (``customers/<id>/…``, where the models read the customer id); daily rows have a real
``segments.date`` within the plausible range; metrics, when present (proto3 JSON omits zeros), are non-negative
numbers. A searchStream answer that is not an array of batches is a malformed page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.raw.contracts import Check, ContractLimits, Violation, check_metrics, get_path, resource_names

# Metrics of the daily rows: int64 as strings (costMicros, impressions, clicks), doubles as numbers.
METRICS: tuple[str, ...] = (
    "metrics.costMicros",
    "metrics.impressions",
    "metrics.clicks",
    "metrics.conversions",
    "metrics.conversionsValue",
)


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
        parts = [get_path(row, p) for p in self.key_paths]
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
STREAMS_BY_NAME: dict[str, GaqlStream] = {s.name: s for s in STREAMS}

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
