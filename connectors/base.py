"""What every vendor connector shares: its streams synced one after another under one sync id, through the one
per-stream loop :func:`sync_streams` (the CLI, through :meth:`Connector.sync`, and the Dagster assets both use it)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from connectors.core.errors import ConnectorError
from connectors.raw.contracts import DEFAULT_LIMITS, ContractLimits
from connectors.raw.store import RawStore
from connectors.raw.sync import ProgressFn, StreamReader, SyncMode, SyncResult, new_sync_id, run_stream_sync


class Streams(Protocol):
    """What :func:`sync_streams` needs of a connector."""

    source: str
    stream_names: tuple[str, ...]

    def reader(self, name: str) -> StreamReader: ...


@dataclass(frozen=True)
class StreamOutcome:
    """One stream of a sync: its result, or the connector error that failed it (already recorded as a failed run)."""

    stream: str
    result: SyncResult | None = None
    error: ConnectorError | None = None


def sync_streams(
    store: RawStore,
    connector: Streams,
    streams: Iterable[str] | None = None,
    *,
    mode: SyncMode = "incremental",
    sync_id: str | None = None,
    progress: ProgressFn | None = None,
    progress_every_s: float = 5.0,
) -> Iterator[StreamOutcome]:
    """Sync the named streams (all by default) in the given order, yielding each stream's outcome as it ends.

    A stream that fails with a :class:`ConnectorError` yields it and the next stream runs, so one failing stream
    does not hold back the others' data; a caller that wants to stop at the first error stops iterating (the streams
    after it are then never started). A stream that meets a malformed page ends ``partial`` (see
    :mod:`connectors.raw.sync`), which is a result, not an error. Unknown stream names raise ``KeyError`` before any
    stream starts; anything that is not a connector error (a bug, an interrupt) propagates.
    """
    names = list(streams) if streams is not None else list(connector.stream_names)
    unknown = sorted(set(names) - set(connector.stream_names))
    if unknown:
        raise KeyError(f"unknown {connector.source} streams {unknown}; known: {', '.join(connector.stream_names)}")
    return _outcomes(store, connector, names, mode, sync_id or new_sync_id(), progress, progress_every_s)


def _outcomes(
    store: RawStore,
    connector: Streams,
    names: list[str],
    mode: SyncMode,
    sync_id: str,
    progress: ProgressFn | None,
    progress_every_s: float,
) -> Iterator[StreamOutcome]:
    for name in names:
        try:
            result = run_stream_sync(
                store,
                connector.reader(name),
                mode=mode,
                sync_id=sync_id,
                progress=progress,
                progress_every_s=progress_every_s,
            )
        except ConnectorError as exc:
            yield StreamOutcome(name, error=exc)
            continue
        yield StreamOutcome(name, result=result)


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
        """Sync the named streams (all by default, in catalog order) in the order given; the first connector error
        stops the sync and is raised (the streams after it are not started).

        A stream that meets a malformed page ends ``partial`` (see :mod:`connectors.raw.sync`) and the others still run.
        """
        results: list[SyncResult] = []
        outcomes = sync_streams(
            store, self, streams, mode=mode, sync_id=sync_id, progress=progress, progress_every_s=progress_every_s
        )
        for outcome in outcomes:
            if outcome.error is not None:
                raise outcome.error
            assert outcome.result is not None  # an outcome holds one or the other
            results.append(outcome.result)
        return results

    def close(self) -> None:
        self.api.close()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
