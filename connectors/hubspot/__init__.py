"""HubSpot connector: CRM objects, owners, forms and form submissions into ``raw_hubspot``.

Usage outside Dagster::

    from connectors.hubspot import HubSpotConfig, HubSpotConnector
    from connectors.raw_store import RawStore

    with RawStore("/abs/path/warehouse.duckdb", "hubspot") as store:
        results = HubSpotConnector(HubSpotConfig.from_env()).sync(store, mode="incremental")
"""

from __future__ import annotations

from collections.abc import Iterable

from connectors.hubspot.api import BASE_URL_ENV, TOKEN_ENV, HubSpotApi, HubSpotConfig
from connectors.hubspot.catalog import STREAMS, HubSpotStream, get_stream
from connectors.hubspot.readers import CrmObjectReader, FormSubmissionsReader, SimpleListReader
from connectors.raw_store import RawStore
from connectors.sync import ProgressFn, StreamReader, SyncMode, SyncResult, new_sync_id, run_stream_sync

__all__ = [
    "BASE_URL_ENV",
    "STREAMS",
    "TOKEN_ENV",
    "HubSpotConfig",
    "HubSpotConnector",
    "HubSpotStream",
]


class HubSpotConnector:
    def __init__(self, config: HubSpotConfig, *, api: HubSpotApi | None = None) -> None:
        self.config = config
        self.api = api or HubSpotApi(config)

    def reader(self, stream: HubSpotStream | str) -> StreamReader:
        s = get_stream(stream) if isinstance(stream, str) else stream
        if s.kind == "crm_object":
            return CrmObjectReader(self.api, s)
        if s.kind == "owners":
            return SimpleListReader(self.api, s, "/crm/v3/owners", with_archived=True)
        if s.kind == "forms":
            return SimpleListReader(self.api, s, "/marketing/v3/forms", with_archived=False)
        if s.kind == "form_submissions":
            return FormSubmissionsReader(self.api, s)
        raise ValueError(f"no reader for stream kind {s.kind!r}")

    def sync(
        self,
        store: RawStore,
        streams: Iterable[str] | None = None,
        *,
        mode: SyncMode = "incremental",
        sync_id: str | None = None,
        progress: ProgressFn | None = None,
    ) -> list[SyncResult]:
        """Sync the named streams (all by default) one after another under one sync id."""
        sync_id = sync_id or new_sync_id()
        names = list(streams) if streams is not None else [s.name for s in STREAMS]
        return [
            run_stream_sync(store, self.reader(name), mode=mode, sync_id=sync_id, progress=progress) for name in names
        ]

    def close(self) -> None:
        self.api.close()

    def __enter__(self) -> HubSpotConnector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
