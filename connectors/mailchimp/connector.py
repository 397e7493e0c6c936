"""The Mailchimp connector: which reader each stream uses, with its parents and filters."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from connectors.base import Connector
from connectors.core.clock import parse_present, parse_timestamp
from connectors.mailchimp.catalog import STREAMS, STREAMS_BY_NAME
from connectors.mailchimp.client import MailchimpApi
from connectors.mailchimp.config import MailchimpConfig
from connectors.mailchimp.readers import CollectionReader, PerParentReader, explode_activity
from connectors.raw.contracts import ContractLimits
from connectors.raw.sync import StreamReader, SyncMode


class MailchimpConnector(Connector):
    source = "mailchimp"
    stream_names = tuple(s.name for s in STREAMS)

    def __init__(
        self, config: MailchimpConfig, *, api: MailchimpApi | None = None, limits: ContractLimits | None = None
    ) -> None:
        self.config = config
        self.api = api or MailchimpApi(config)
        if limits is not None:
            self.limits = limits

    def _since(self, cursor: str | None) -> str | None:
        if not cursor:
            return None
        since = parse_present(cursor) - timedelta(minutes=self.config.lookback_minutes)
        return since.strftime("%Y-%m-%dT%H:%M:%S+00:00")

    def _list_ids(self, state: dict[str, Any], mode: SyncMode) -> list[str]:
        lists = self.api.all_items("/lists", "lists", {"fields": "lists.id,total_items"})
        # A list without an id is quarantined by the lists stream; here it simply has no members to read.
        return sorted(str(i["id"]) for i in lists if i.get("id"))

    def _sent_campaign_ids(self, state: dict[str, Any], mode: SyncMode) -> list[str]:
        """Sent campaigns; incrementally only those sent inside the activity window of the newest event seen."""
        campaigns = self.api.all_items(
            "/campaigns",
            "campaigns",
            {
                "status": "sent",
                "sort_field": "send_time",
                "sort_dir": "ASC",
                "fields": "campaigns.id,campaigns.send_time",
            },
        )
        seen = [parse_present(v) for v in (state.get("cursor") or {}).values() if v]
        if mode == "incremental" and seen:
            horizon = max(seen) - timedelta(days=self.config.activity_window_days)
            campaigns = [c for c in campaigns if _sent_since(c.get("send_time"), horizon)]
        return [str(c["id"]) for c in campaigns if c.get("id")]

    def reader(self, name: str) -> StreamReader:
        stream = STREAMS_BY_NAME[name]
        if name == "lists":
            return CollectionReader(self.api, stream, "/lists", "lists", {}, self.limits)
        if name == "campaigns":
            return CollectionReader(
                self.api,
                stream,
                "/campaigns",
                "campaigns",
                {"sort_field": "create_time", "sort_dir": "ASC"},
                self.limits,
            )
        if name == "list_members":
            return PerParentReader(
                self.api,
                stream,
                parents=self._list_ids,
                path=lambda list_id: f"/lists/{list_id}/members",
                key="members",
                params=lambda _, since: {
                    "sort_field": "last_changed",
                    "sort_dir": "ASC",
                    **({"since_last_changed": self._since(since)} if since else {}),
                },
                parent_key="list_id",
                limits=self.limits,
            )
        if name == "campaign_recipients":
            return PerParentReader(
                self.api,
                stream,
                parents=lambda state, mode: self._sent_campaign_ids({}, "full_refresh"),
                path=lambda cid: f"/reports/{cid}/sent-to",
                key="sent_to",
                params=lambda *_: {},
                parent_key="campaign_id",
                limits=self.limits,
            )
        if name == "email_activity":
            return PerParentReader(
                self.api,
                stream,
                parents=self._sent_campaign_ids,
                path=lambda cid: f"/reports/{cid}/email-activity",
                key="emails",
                params=lambda _, since: {"since": self._since(since)} if since else {},
                parent_key="campaign_id",
                explode=explode_activity,
                limits=self.limits,
            )
        raise KeyError(name)


def _sent_since(send_time: Any, horizon: datetime) -> bool:
    """Whether a campaign was sent after ``horizon``; an unreadable send time counts as recent, so its activity is
    re-read rather than silently skipped."""
    if not send_time:
        return False
    try:
        sent = parse_timestamp(send_time)
    except ValueError:
        return True
    return sent is None or sent >= horizon
