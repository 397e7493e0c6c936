"""The Meta streams this project syncs: ``meta_ads`` (schema ``raw_meta_ads``: campaigns, ad sets, ads, daily
ad-level insights, Lead Ads forms and leads) and ``social`` (schema ``raw_social``: Facebook Page posts, comments and
reactions; Instagram media and comments), with the Graph fields each reads and its record contract.

Payloads are the Graph objects as returned for the requested fields. Children carry their parent's id: comments and
reactions ``post_id``, Instagram comments ``media_id``, leads ``form_id`` (Graph returns it when asked), lead forms
``page_id``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from connectors.raw.contracts import Check, ContractLimits, Reason, Violation, check_metrics, list_of_named_objects
from connectors.raw.records import CursorCheck, date_at, timestamp_at

CursorKind = Literal["timestamp", "date"]


@dataclass(frozen=True)
class GraphStream:
    """One raw table fed from the Graph API, with its record contract (see connectors.raw.contracts)."""

    name: str
    description: str
    cursor_field: str | None
    # Builds the record id from the stored payload (``id`` for most nodes; composite for reactions and insights).
    record_id: Callable[[dict[str, Any]], Any] = lambda p: p.get("id")
    # The fields the id is built from, checked for presence and type first.
    key_paths: tuple[str, ...] = ("id",)
    # "date" for daily rows (insights' date_start), "timestamp" for everything else.
    cursor_kind: CursorKind = "timestamp"
    # Stream checks before the cursor (required fields) and after it (values).
    required: tuple[Check, ...] = ()
    checks: tuple[Check, ...] = ()

    def cursor(self) -> CursorCheck | None:
        """How the record's cursor is read and checked (none for streams without a time, like reactions)."""
        if self.cursor_field is None:
            return None
        return date_at(self.cursor_field) if self.cursor_kind == "date" else timestamp_at(self.cursor_field)


# Delivery metrics of an insights row; Meta sends them as decimal strings.
INSIGHT_METRICS = ("spend", "impressions", "clicks", "inline_link_clicks")


def check_insight_values(payload: dict[str, Any], _limits: ContractLimits) -> Violation | None:
    """A daily row covers exactly one day (time_increment=1) and its metrics are non-negative numbers."""
    stop = payload.get("date_stop")
    if stop is not None and stop != payload.get("date_start"):
        return Violation(Reason.INVALID_DATE, f"date_stop {stop!r} differs from date_start on a daily row")
    return check_metrics(payload, INSIGHT_METRICS)


# A lead's answers: the email and phone that identity resolution needs live in field_data.
check_lead_fields = list_of_named_objects("field_data", Reason.INVALID_FIELD_DATA, values_key="values")


INSIGHT_FIELDS = (
    "account_id,campaign_id,campaign_name,adset_id,adset_name,ad_id,ad_name,date_start,date_stop,"
    "spend,impressions,clicks,inline_link_clicks,actions,action_values,account_currency"
)


def insight_record_id(p: dict[str, Any]) -> str | None:
    return f"{p['ad_id']}:{p['date_start']}" if p.get("ad_id") and p.get("date_start") else None


META_ADS_STREAMS: tuple[GraphStream, ...] = (
    GraphStream("campaigns", "Meta ad campaigns (objective, status, budget).", "updated_time"),
    GraphStream("adsets", "Meta ad sets: targeting and budget under a campaign.", "updated_time"),
    GraphStream("ads", "Meta ads with their ad set and campaign.", "updated_time"),
    GraphStream(
        "ads_insights",
        "Daily ad-level delivery: spend, impressions, clicks and actions, as Meta reports them (strings).",
        "date_start",
        insight_record_id,
        key_paths=("ad_id", "date_start"),
        cursor_kind="date",
        checks=(check_insight_values,),
    ),
    GraphStream("lead_forms", "Lead Ads forms of the Facebook Page.", "created_time"),
    GraphStream(
        "leads",
        "Lead Ads submissions: field_data with email and phone, the ad and campaign.",
        "created_time",
        required=(check_lead_fields,),
    ),
)

SOCIAL_STREAMS: tuple[GraphStream, ...] = (
    GraphStream("facebook_posts", "Facebook Page posts.", "created_time"),
    GraphStream(
        "facebook_comments", "Comments on Page posts; `from` only when Meta shows the commenter.", "created_time"
    ),
    GraphStream(
        "facebook_reactions",
        "Reactions to Page posts (who and which reaction; Meta gives no time).",
        None,
        lambda p: f"{p['post_id']}:{p['id']}" if p.get("post_id") and p.get("id") else None,
        key_paths=("post_id", "id"),
    ),
    GraphStream("instagram_media", "Instagram business account media.", "timestamp"),
    GraphStream("instagram_comments", "Comments on Instagram media, with the commenter's username.", "timestamp"),
)

META_ADS_STREAMS_BY_NAME: dict[str, GraphStream] = {s.name: s for s in META_ADS_STREAMS}
SOCIAL_STREAMS_BY_NAME: dict[str, GraphStream] = {s.name: s for s in SOCIAL_STREAMS}

CAMPAIGN_FIELDS = "id,name,objective,status,effective_status,daily_budget,created_time,updated_time,start_time"
ADSET_FIELDS = "id,name,campaign_id,status,daily_budget,optimization_goal,created_time,updated_time"
AD_FIELDS = "id,name,adset_id,campaign_id,status,created_time,updated_time"
LEAD_FORM_FIELDS = "id,name,status,locale,created_time"
LEAD_FIELDS = "id,created_time,ad_id,ad_name,adset_id,campaign_id,campaign_name,form_id,platform,is_organic,field_data"
POST_FIELDS = "id,message,created_time,permalink_url,from{id,name}"
COMMENT_FIELDS = "id,message,created_time,from{id,name},like_count,parent{id}"
MEDIA_FIELDS = "id,caption,media_type,timestamp,permalink,like_count,comments_count"
IG_COMMENT_FIELDS = "id,text,timestamp,username,from{id,username},like_count"
REACTION_FIELDS = "id,name,type"
