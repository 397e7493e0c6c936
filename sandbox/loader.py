"""Direct raw loader: writes a world's HubSpot view straight into ``raw_hubspot`` (no HTTP).

The rows are exactly those the HubSpot connector stores after a full sync of the sandbox server at the same clock
(payload contract in docs/sandbox.md, "Raw payload contract"). Persons are generated, projected and written in
streaming fashion, so memory stays flat for millions of records; companies and shared-mailbox contacts are written
at the end because they depend on many people.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from connectors.hubspot.catalog import CRM_STREAMS, STREAMS_BY_NAME
from connectors.raw_store import RawRecord, RawStore
from sandbox.world.config import WorldConfig
from sandbox.world.people import PersonGenerator
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections.hubspot import (
    Aggregates,
    HSRecord,
    build_timeline,
    raw_payload,
    snapshot,
    submission_object,
)
from sandbox.world.timeutil import iso_ms, naive_utc, parse_time_ms, to_ms
from sandbox.world.world import World

log = logging.getLogger(__name__)

_CRM = {s.name: s for s in CRM_STREAMS}


@dataclass
class LoadResult:
    sync_id: str
    now: str
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    write_seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def crm_raw_record(rec: HSRecord) -> RawRecord:
    stream = _CRM[rec.otype]
    payload = raw_payload(rec, stream.history_properties, stream.associations)
    return RawRecord(
        record_id=rec.id,
        payload=payload,
        updated_at=naive_utc(rec.updated),
        is_archived=rec.archived_at is not None,
    )


def submission_raw_record(sub: dict) -> RawRecord:
    payload = submission_object(sub)
    payload["formGuid"] = sub["formGuid"]
    return RawRecord(record_id=sub["conversionId"], payload=payload, updated_at=naive_utc(sub["submittedAt"]))


def _iso_naive(value: str) -> datetime:
    return naive_utc(parse_time_ms(value))


def owner_raw_record(owner: dict) -> RawRecord:
    return RawRecord(record_id=owner["id"], payload=owner, updated_at=_iso_naive(owner["updatedAt"]))


def form_raw_record(form: dict) -> RawRecord:
    return RawRecord(record_id=form["id"], payload=form, updated_at=_iso_naive(form["updatedAt"]))


class _Writer:
    def __init__(self, store: RawStore, sync_id: str, page_size: int, result: LoadResult) -> None:
        self.store = store
        self.sync_id = sync_id
        self.page_size = page_size
        self.buffers: dict[str, list[RawRecord]] = {}
        self.result = result

    def add(self, stream: str, rec: RawRecord) -> None:
        buf = self.buffers.setdefault(stream, [])
        buf.append(rec)
        if len(buf) >= self.page_size:
            self.flush(stream)

    def flush(self, stream: str) -> None:
        buf = self.buffers.get(stream)
        if not buf:
            return
        t = time.perf_counter()
        n = self.store.commit_page(stream, buf, sync_id=self.sync_id, state=None)
        self.result.write_seconds += time.perf_counter() - t
        self.result.rows[stream] = self.result.rows.get(stream, 0) + n
        self.buffers[stream] = []

    def flush_all(self) -> None:
        for stream in list(self.buffers):
            self.flush(stream)


def load_hubspot(
    warehouse: str | Path,
    source: WorldConfig | World,
    *,
    now: datetime | None = None,
    sync_id: str | None = None,
    page_size: int = 5000,
    progress: Callable[[int, int], None] | None = None,
) -> LoadResult:
    """Write the HubSpot view of a world (as of ``now``, default the world's clock / end of the start window)
    into ``raw_hubspot`` of ``warehouse``. Returns row counts per stream.
    Every page goes through :meth:`RawStore.commit_page`, so the rows are exactly those a connector writes."""
    started = time.perf_counter()
    if isinstance(source, World):
        config = source.config
        now_ms = source.now_ms if now is None else to_ms(now)
    else:
        config = source
        now_ms = config.end_ms if now is None else to_ms(now)
    sync_id = sync_id or f"sandbox-load-{uuid.uuid4().hex[:12]}"
    result = LoadResult(sync_id=sync_id, now=iso_ms(now_ms))
    # make sure every stream's table exists even when empty
    for s in STREAMS_BY_NAME:
        result.rows[s] = 0
    with RawStore(warehouse, "hubspot") as store:
        for s in STREAMS_BY_NAME:
            store.ensure_stream(s)
        w = _Writer(store, sync_id, page_size, result)
        agg = Aggregates(config)
        gen = PersonGenerator(config)
        for i in range(config.people):
            if isinstance(source, World) and now is None:
                tl = source._hs_timelines[i]
                snap = source.hubspot_snapshot(i)
            else:
                person = source.persons[i] if isinstance(source, World) else gen.generate(i)
                tl = build_timeline(person, config)
                snap = snapshot(tl, now_ms)
            agg.add(tl)
            for rec in snap.records:
                w.add(rec.otype, crm_raw_record(rec))
            for sub in snap.submissions:
                w.add("form_submissions", submission_raw_record(sub))
            if progress is not None and i % 10000 == 0:
                progress(i, config.people)
        for rec in agg.snapshot(now_ms):
            w.add(rec.otype, crm_raw_record(rec))
        for o in hs.owners(config):
            w.add("owners", owner_raw_record(o))
        for f in hs.forms(config):
            w.add("forms", form_raw_record(f))
        w.flush_all()
    result.seconds = time.perf_counter() - started
    return result
