"""The HubSpot connector: a reader per stream of the catalog, over one API client."""

from __future__ import annotations

from connectors.base import Connector
from connectors.hubspot.catalog import STREAMS, HubSpotStream, get_stream
from connectors.hubspot.client import MARKETING_EVENTS_PATH, HubSpotApi
from connectors.hubspot.config import HubSpotConfig
from connectors.hubspot.readers import (
    CrmObjectReader,
    FormSubmissionsReader,
    ParticipationsReader,
    SimpleListReader,
    WebEventsReader,
)
from connectors.raw.contracts import ContractLimits
from connectors.raw.sync import StreamReader


class HubSpotConnector(Connector):
    source = "hubspot"
    stream_names = tuple(s.name for s in STREAMS)

    def __init__(
        self, config: HubSpotConfig, *, api: HubSpotApi | None = None, limits: ContractLimits | None = None
    ) -> None:
        self.config = config
        self.api = api or HubSpotApi(config)
        if limits is not None:
            self.limits = limits

    def reader(self, stream: HubSpotStream | str) -> StreamReader:
        s = get_stream(stream) if isinstance(stream, str) else stream
        if s.kind == "crm_object":
            return CrmObjectReader(self.api, s, limits=self.limits)
        if s.kind == "owners":
            return SimpleListReader(self.api, s, "/crm/v3/owners", with_archived=True, limits=self.limits)
        if s.kind == "forms":
            return SimpleListReader(
                self.api, s, "/marketing/v3/forms", with_archived=False, limit=50, limits=self.limits
            )
        if s.kind == "form_submissions":
            return FormSubmissionsReader(self.api, s, limits=self.limits)
        if s.kind == "web_events":
            return WebEventsReader(self.api, s, limits=self.limits)
        if s.kind == "marketing_events":
            return SimpleListReader(
                self.api, s, MARKETING_EVENTS_PATH, with_archived=False, archived_param=False, limits=self.limits
            )
        if s.kind == "marketing_event_participations":
            return ParticipationsReader(self.api, s, limits=self.limits)
        raise ValueError(f"no reader for stream kind {s.kind!r}")
