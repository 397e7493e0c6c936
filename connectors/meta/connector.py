"""The Meta connectors on the Graph API: ``MetaAdsConnector`` (schema ``raw_meta_ads``) and ``SocialConnector``
(schema ``raw_social``), which share the configuration and the client."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from connectors.base import Connector
from connectors.core.clock import parse_present, parse_timestamp
from connectors.meta.catalog import (
    AD_FIELDS,
    ADSET_FIELDS,
    CAMPAIGN_FIELDS,
    COMMENT_FIELDS,
    IG_COMMENT_FIELDS,
    LEAD_FIELDS,
    LEAD_FORM_FIELDS,
    MEDIA_FIELDS,
    META_ADS_STREAMS,
    META_ADS_STREAMS_BY_NAME,
    POST_FIELDS,
    REACTION_FIELDS,
    SOCIAL_STREAMS,
    SOCIAL_STREAMS_BY_NAME,
)
from connectors.meta.client import GraphApi
from connectors.meta.config import MetaConfig
from connectors.meta.readers import ChildrenReader, EdgeReader, InsightsReader, WithParent
from connectors.raw.contracts import ContractLimits
from connectors.raw.sync import StreamReader, SyncMode


def _require(value: str | None, var: str) -> str:  # resolved when read, so a missing id names itself
    if not value:
        raise ValueError(f"{var} is not set")
    return value


class _GraphConnector(Connector):
    def __init__(
        self, config: MetaConfig, *, api: GraphApi | None = None, limits: ContractLimits | None = None
    ) -> None:
        self.config = config
        self.api = api or GraphApi(config)
        if limits is not None:
            self.limits = limits


class MetaAdsConnector(_GraphConnector):
    source = "meta_ads"
    stream_names = tuple(s.name for s in META_ADS_STREAMS)

    def __init__(
        self,
        config: MetaConfig,
        *,
        start_date: date,
        insights_range: tuple[date, date] | None = None,
        today: Any = date.today,
        api: GraphApi | None = None,
        limits: ContractLimits | None = None,
    ) -> None:
        super().__init__(config, api=api, limits=limits)
        self.start_date = start_date
        self.insights_range = insights_range
        self.today = today

    def reader(self, name: str) -> StreamReader:
        stream = META_ADS_STREAMS_BY_NAME[name]
        account = lambda: self.config.account_node  # noqa: E731  (resolved when read, so a missing id names itself)
        page = lambda: _require(self.config.page_id, "META_PAGE_ID")  # noqa: E731
        if name == "campaigns":
            return EdgeReader(self.api, stream, account, "campaigns", CAMPAIGN_FIELDS, limits=self.limits)
        if name == "adsets":
            return EdgeReader(self.api, stream, account, "adsets", ADSET_FIELDS, limits=self.limits)
        if name == "ads":
            return EdgeReader(self.api, stream, account, "ads", AD_FIELDS, limits=self.limits)
        if name == "ads_insights":
            return InsightsReader(
                self.api,
                stream,
                start_date=self.start_date,
                date_range=self.insights_range,
                today=self.today,
                limits=self.limits,
            )
        if name == "lead_forms":
            forms = EdgeReader(self.api, stream, page, "leadgen_forms", LEAD_FORM_FIELDS, limits=self.limits)
            return WithParent(forms, "page_id", page)
        if name == "leads":
            return ChildrenReader(
                self.api,
                stream,
                parents=lambda state, mode: self._lead_form_ids(),
                edge="leads",
                fields=LEAD_FIELDS,
                parent_key="form_id",
                params=self._lead_filter,
                limits=self.limits,
            )
        raise KeyError(name)

    def _lead_form_ids(self) -> list[str]:
        page = _require(self.config.page_id, "META_PAGE_ID")
        ids: list[str] = []
        for body, _ in self.api.pages(page, "leadgen_forms", {"fields": "id", "limit": 100}):
            ids += [str(f["id"]) for f in body.get("data") or [] if isinstance(f, dict) and f.get("id")]
        return sorted(ids)

    @staticmethod
    def _lead_filter(form_id: str, state: dict[str, Any], mode: SyncMode) -> dict[str, Any]:
        cursor = (state.get("cursor") or {}).get(form_id) if mode == "incremental" else None
        if not cursor:
            return {}
        # Leads are immutable once submitted; an hour of overlap covers clock skew between Meta's servers.
        since = int(parse_present(cursor).timestamp()) - 3600
        return {"filtering": [{"field": "time_created", "operator": "GREATER_THAN", "value": since}]}


class SocialConnector(_GraphConnector):
    source = "social"
    stream_names = tuple(s.name for s in SOCIAL_STREAMS)

    def reader(self, name: str) -> StreamReader:
        stream = SOCIAL_STREAMS_BY_NAME[name]
        page = lambda: _require(self.config.page_id, "META_PAGE_ID")  # noqa: E731
        ig = lambda: _require(self.config.ig_user_id, "META_IG_USER_ID")  # noqa: E731
        if name == "facebook_posts":
            return EdgeReader(self.api, stream, page, "posts", POST_FIELDS, limits=self.limits)
        if name == "facebook_comments":
            return ChildrenReader(
                self.api,
                stream,
                parents=self._recent(page, "posts", "created_time"),
                edge="comments",
                fields=COMMENT_FIELDS,
                parent_key="post_id",
                params=lambda *_: {"filter": "stream", "order": "chronological"},
                limits=self.limits,
            )
        if name == "facebook_reactions":
            return ChildrenReader(
                self.api,
                stream,
                parents=self._recent(page, "posts", "created_time"),
                edge="reactions",
                fields=REACTION_FIELDS,
                parent_key="post_id",
                limits=self.limits,
            )
        if name == "instagram_media":
            return EdgeReader(self.api, stream, ig, "media", MEDIA_FIELDS, limits=self.limits)
        if name == "instagram_comments":
            return ChildrenReader(
                self.api,
                stream,
                parents=self._recent(ig, "media", "timestamp"),
                edge="comments",
                fields=IG_COMMENT_FIELDS,
                parent_key="media_id",
                limits=self.limits,
            )
        raise KeyError(name)

    def _recent(self, node: Any, edge: str, time_field: str):
        """Parents whose children may still change: every one on a full refresh, recent ones incrementally."""

        def parents(state: dict[str, Any], mode: SyncMode) -> list[str]:
            items: list[tuple[str, str]] = []
            for body, _ in self.api.pages(node(), edge, {"fields": f"id,{time_field}", "limit": 100}):
                items += [
                    (str(i["id"]), i.get(time_field) or "")
                    for i in body.get("data") or []
                    if isinstance(i, dict) and i.get("id")
                ]
            seen = [parse_present(v) for v in (state.get("cursor") or {}).values() if v]
            if mode != "incremental" or not seen:
                return sorted(i for i, _ in items)
            newest_child = max(seen)
            horizon = newest_child - timedelta(days=self.config.comments_reread_days)
            return sorted(i for i, t in items if t and _not_before(t, horizon))

        return parents


def _not_before(value: str, horizon: datetime) -> bool:
    """A parent's time against the re-read horizon; an unreadable time counts as recent, so its children are read
    rather than silently skipped (the parent itself is quarantined by its own stream)."""
    try:
        when = parse_timestamp(value)
    except ValueError:
        return True
    return when is None or when >= horizon
