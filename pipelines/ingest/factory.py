"""One way to turn a connector's streams into Dagster assets: a subsettable multi-asset per source.

Every stream is its own asset (``raw_<source>/<stream>``) with row-count and sync metadata; a run syncs every selected
stream of the source with one connection and one warehouse lock. Daily-partitioned sources (ad metrics) read exactly
the partition range of the run, so a backfill of N days is one run and one API range. Segment's events are
partitioned by received day the same way: a partition range reads exactly those day folders, while an unpartitioned
run (or one with ``late_files``, as the daily schedule sets) lists every day folder and so picks up late files.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

import dagster as dg

from connectors.base import Connector, sync_streams
from connectors.raw.sync import new_sync_id
from connectors.registry import effective_settings

OWNERS = ["team:data-engineering"]


class SyncConfig(dg.Config):
    """Launchpad options for a source sync."""

    mode: Literal["incremental", "full_refresh"] = "incremental"
    # A stream whose sync quarantines more than this share of the records it read fails its blocking
    # quarantine_rate check: something upstream changed shape, and publishing what is left would mislead.
    max_quarantine_rate: float = 0.05
    # Sources read by received day (Segment): a partitioned run also loads the files of every other day folder that
    # were never loaded (late files). An unpartitioned run always does; the daily schedule sets this.
    late_files: bool = False


QUARANTINE_CHECK = "quarantine_rate"

# Daily syncs (the refresh_all_daily schedule): warn when a day's run was missed, fail after two.
DAILY_SYNC_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=50), warn_window=timedelta(hours=26))


@dataclass(frozen=True)
class StreamAsset:
    name: str
    description: str
    primary_key: str
    cursor_field: str | None


@dataclass(frozen=True)
class SourceAssets:
    """How to build a source's assets. ``make_connector(context, date_range)`` opens the vendor connector."""

    name: str
    source: str
    group: str
    vendor_kind: str
    pool: str
    streams: Sequence[StreamAsset]
    resource_key: str
    make_connector: Callable[[dg.AssetExecutionContext, tuple[date, date] | None], Connector]
    description: str
    partitions_def: dg.PartitionsDefinition | None = None
    # how recently the sync must have run (pipelines/quality/freshness.py: daily by default)
    freshness_policy: dg.FreshnessPolicy | None = DAILY_SYNC_FRESHNESS
    # a file source whose partitions are day folders: SyncConfig.late_files widens a partitioned run to every folder
    reads_day_folders: bool = False


def partition_dates(context: dg.AssetExecutionContext) -> tuple[date, date] | None:
    """The inclusive date range of a daily-partitioned run (one day, or a single-run backfill range)."""
    if not context.has_partition_key_range and not context.has_partition_key:
        return None
    window = context.partition_time_window
    return window.start.date(), (window.end - timedelta(days=1)).date()


def build_source_assets(spec: SourceAssets) -> dg.AssetsDefinition:
    def asset_key(stream: str) -> dg.AssetKey:
        return dg.AssetKey([f"raw_{spec.source}", stream])

    specs = [
        dg.AssetSpec(
            key=asset_key(s.name),
            description=s.description,
            group_name=spec.group,
            kinds={spec.vendor_kind, "duckdb"},
            owners=OWNERS,
            tags={"layer": "raw", "source": spec.source},
            freshness_policy=spec.freshness_policy,
            metadata={
                "primary_key": s.primary_key,
                "cursor_field": s.cursor_field or "",
                "table": f"raw_{spec.source}.{s.name}",
            },
        )
        for s in spec.streams
    ]

    check_specs = [
        dg.AssetCheckSpec(
            QUARANTINE_CHECK,
            asset=asset_key(s.name),
            blocking=True,
            description=(
                "Share of the records read in the sync that broke the stream's contract and went to "
                f"raw_{spec.source}._quarantine; fails above the run's max_quarantine_rate (default 5 %)."
            ),
        )
        for s in spec.streams
    ]

    @dg.multi_asset(
        name=spec.name,
        specs=specs,
        check_specs=check_specs,
        can_subset=True,
        pool=spec.pool,
        partitions_def=spec.partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run() if spec.partitions_def else None,
        required_resource_keys={"warehouse", spec.resource_key},
        description=spec.description,
    )
    def _sync(
        context: dg.AssetExecutionContext, config: SyncConfig
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        selected = [s.name for s in spec.streams if asset_key(s.name) in context.selected_asset_keys]
        date_range = partition_dates(context) if spec.partitions_def else None
        if date_range and spec.reads_day_folders and config.late_files:
            context.log.info(
                f"{spec.source}: late_files set: every day folder, not only {date_range[0]} to {date_range[1]}"
            )
            date_range = None
        if date_range:
            context.log.info(f"{spec.source}: reading {date_range[0]} to {date_range[1]}")
        sync_id = new_sync_id()
        failures: dict[str, str] = {}
        warehouse = context.resources.warehouse
        with warehouse.raw_store(spec.source) as store, spec.make_connector(context, date_range) as connector:
            # what this run was configured with (secrets left out): the answer to "which limit did it use?"
            settings = effective_settings(connector, getattr(context.resources, spec.resource_key).secrets())
            context.log.info(f"{spec.source} settings: {settings}")
            outcomes = sync_streams(
                store, connector, selected, mode=config.mode, sync_id=sync_id, progress=context.log.info
            )
            for outcome in outcomes:
                name, result = outcome.stream, outcome.result
                if result is None:
                    # One failing stream must not hold back the others' data; the step still fails below.
                    context.log.error(f"{spec.source}.{name}: {outcome.error}")
                    failures[name] = str(outcome.error)
                    continue
                if result.status == "partial":
                    # a page stayed malformed: it is quarantined and the next run resumes at it
                    context.log.warning(f"{spec.source}.{name}: partial sync ({result.error})")
                elif result.status == "unavailable":
                    # not a failure: the account does not offer the stream (the note says what stands in for it)
                    context.log.warning(f"{spec.source}.{name}: unavailable: {result.note}")
                metadata = {**_metadata(store, result, sync_id), "connector_settings": dg.MetadataValue.json(settings)}
                yield dg.MaterializeResult(asset_key=asset_key(name), metadata=metadata)
                yield _quarantine_check(asset_key(name), result, config.max_quarantine_rate)
            context.log.info(f"{spec.source} API: {_api_stats(connector)}")
        if failures:
            raise dg.Failure(
                description="; ".join(f"{k}: {v}" for k, v in failures.items()),
                metadata={"failed_streams": list(failures)},
            )

    return _sync


def _api_stats(connector: Connector) -> dict[str, Any]:
    """What the connector's client did: the HTTP layer's counters, or a file store's."""
    http = getattr(connector.api, "http", None)
    stats = getattr(http, "stats", None) or getattr(connector.api, "stats", None)
    return stats.as_metadata() if stats is not None else {}


def _quarantine_check(key: dg.AssetKey, result: Any, max_rate: float) -> dg.AssetCheckResult:
    read = result.records + result.quarantined
    rate = result.quarantined / read if read else 0.0
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=QUARANTINE_CHECK,
        passed=rate <= max_rate,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "records_read": read,
            "quarantined": result.quarantined,
            "quarantined_by_reason": dg.MetadataValue.json(dict(result.quarantined_by_reason)),
            "quarantine_rate": round(rate, 6),
            "max_quarantine_rate": max_rate,
        },
    )


def _metadata(store: Any, result: Any, sync_id: str) -> dict[str, Any]:
    cursor = result.cursor
    return {
        "dagster/row_count": store.count(result.stream),
        "records_synced": result.records,
        "pages": result.pages,
        "quarantined": result.quarantined,
        "quarantined_by_reason": dg.MetadataValue.json(dict(result.quarantined_by_reason)),
        "status": result.status,
        "sync_error": result.error or "",
        "mode": result.mode,
        "resumed_unfinished_sync": result.resumed,
        "cursor": dg.MetadataValue.json(cursor) if isinstance(cursor, dict) else str(cursor),
        "sync_id": sync_id,
        "duration_s": round(result.seconds, 2),
        # what the reader counted beyond records (Segment: files seen, loaded, late), and why a stream was unavailable
        **{k: v if isinstance(v, int | float) else str(v) for k, v in result.details.items()},
        **({"note": result.note} if result.note else {}),
    }
