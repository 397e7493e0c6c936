"""HubSpot ingestion: one asset per stream in ``raw_hubspot``, synced together in one step."""

from collections.abc import Iterator
from typing import Literal

import dagster as dg

from connectors.errors import ConnectorError
from connectors.hubspot import STREAMS
from connectors.sync import new_sync_id, run_stream_sync
from pipelines.resources import HubSpotResource, WarehouseResource

WAREHOUSE_POOL = "duckdb_warehouse"
OWNERS = ["team:data-engineering"]


class HubSpotSyncConfig(dg.Config):
    """Launchpad options for a HubSpot sync."""

    mode: Literal["incremental", "full_refresh"] = "incremental"


def _spec(stream) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=dg.AssetKey(["raw_hubspot", stream.name]),
        description=stream.description,
        group_name="hubspot",
        kinds={"hubspot", "duckdb"},
        owners=OWNERS,
        tags={"layer": "raw", "source": "hubspot"},
        metadata={
            "primary_key": stream.primary_key,
            "cursor_field": stream.cursor_field or "",
            "table": f"raw_hubspot.{stream.name}",
        },
    )


@dg.multi_asset(
    name="hubspot_raw",
    specs=[_spec(s) for s in STREAMS],
    can_subset=True,
    pool=WAREHOUSE_POOL,
    description="Sync HubSpot CRM objects, owners, forms and form submissions into raw_hubspot.",
)
def hubspot_raw(
    context: dg.AssetExecutionContext,
    config: HubSpotSyncConfig,
    hubspot: HubSpotResource,
    warehouse: WarehouseResource,
) -> Iterator[dg.MaterializeResult]:
    selected = [s.name for s in STREAMS if dg.AssetKey(["raw_hubspot", s.name]) in context.selected_asset_keys]
    sync_id = new_sync_id()
    failures: dict[str, str] = {}
    with warehouse.raw_store("hubspot") as store, hubspot.connector() as connector:
        for name in selected:
            try:
                result = run_stream_sync(
                    store, connector.reader(name), mode=config.mode, sync_id=sync_id, progress=context.log.info
                )
            except ConnectorError as exc:
                # Keep going: one failing stream should not hold back the others' data.
                context.log.error(f"hubspot.{name}: {exc}")
                failures[name] = str(exc)
                continue
            yield dg.MaterializeResult(
                asset_key=dg.AssetKey(["raw_hubspot", name]),
                metadata={
                    "dagster/row_count": store.count(name),
                    "records_synced": result.records,
                    "pages": result.pages,
                    "quarantined": result.quarantined,
                    "mode": result.mode,
                    "resumed_unfinished_sync": result.resumed,
                    "cursor": dg.MetadataValue.json(result.cursor)
                    if isinstance(result.cursor, dict)
                    else str(result.cursor),
                    "sync_id": sync_id,
                    "duration_s": round(result.seconds, 2),
                },
            )
        context.log.info(f"hubspot HTTP: {connector.api.http.stats.as_metadata()}")
    if failures:
        raise dg.Failure(
            description="; ".join(f"{k}: {v}" for k, v in failures.items()),
            metadata={"failed_streams": list(failures)},
        )
