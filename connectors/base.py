"""What every vendor connector shares: sync a set of streams, one after another, under one sync id."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from connectors.raw.contracts import DEFAULT_LIMITS, ContractLimits
from connectors.raw.store import RawStore
from connectors.raw.sync import ProgressFn, StreamReader, SyncMode, SyncResult, new_sync_id, run_stream_sync


class Connector:
    """Subclasses set ``source`` and ``stream_names`` and build a reader per stream; ``api`` has ``close()``."""

    source: str = ""
    stream_names: tuple[str, ...] = ()
    api: Any
    # Plausibility bounds for record timestamps (clock skew, earliest year); readers get them when built, so set
    # this before calling reader() / sync(). The registry sets it from the environment.
    limits: ContractLimits = DEFAULT_LIMITS

    def reader(self, name: str) -> StreamReader:
        raise NotImplementedError

    def sync(
        self,
        store: RawStore,
        streams: Iterable[str] | None = None,
        *,
        mode: SyncMode = "incremental",
        sync_id: str | None = None,
        progress: ProgressFn | None = None,
        progress_every_s: float = 5.0,
    ) -> list[SyncResult]:
        """Sync the named streams (all by default) in catalog order.

        A stream that meets a malformed page ends ``partial`` (see :mod:`connectors.raw.sync`) and the others still run.
        """
        sync_id = sync_id or new_sync_id()
        names = list(streams) if streams is not None else list(self.stream_names)
        unknown = sorted(set(names) - set(self.stream_names))
        if unknown:
            raise KeyError(f"unknown {self.source} streams {unknown}; known: {', '.join(self.stream_names)}")
        return [
            run_stream_sync(
                store, self.reader(n), mode=mode, sync_id=sync_id, progress=progress, progress_every_s=progress_every_s
            )
            for n in names
        ]

    def close(self) -> None:
        self.api.close()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
