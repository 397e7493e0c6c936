"""Dagster assets for reverse ETL: ``["reverse_etl", <sync name>]`` per sync and ``["reverse_etl", "erasure"]``.

Ordering: every sync depends on its source model (``["marts", <model>]``) and on ``["publish", "serving_copy"]``.
The serving copy is only published after the blocking quality checks passed, so a sync never pushes data that
failed them. The automation condition :func:`after_publish` starts the syncs once the serving copy has been
materialized again (not merely when a mart changed: a mart rebuilt but held back by a failed check is not pushed).
"""

from collections.abc import Iterable
from typing import Any

import dagster as dg

from pipelines.resources import HubSpotResource, WarehouseResource
from reverse_etl.config import ListDestination, SyncDefinition, load_syncs
from reverse_etl.engine import RunOptions, run_sync
from reverse_etl.erasure import process_erasures
from reverse_etl.hubspot import HubSpotWriter
from reverse_etl.ledger import Ledger
from reverse_etl.models import RunResult

GROUP = "reverse_etl"
POOL = "hubspot_api"  # shared with the HubSpot ingestion: one portal, one rate budget
PUBLISH_KEY = dg.AssetKey(["publish", "serving_copy"])
ERASURE_KEY = dg.AssetKey(["reverse_etl", "erasure"])
OWNERS = ["team:data-engineering"]
SAMPLE_LIMIT = 20


class ReverseEtlRunConfig(dg.Config):
    """Launchpad options of a sync run."""

    dry_run: bool = False
    # Override the circuit breaker (large deletes/changes, or an empty source) for this run only.
    allow_large_changes: bool = False


def after_publish() -> dg.AutomationCondition:
    """Run when ``publish/serving_copy`` was materialized since this asset last ran, once nothing upstream is in
    progress. Needs the default automation condition sensor running (Automation tab in the UI)."""
    published = dg.AutomationCondition.any_deps_updated().allow(dg.AssetSelection.assets(PUBLISH_KEY))
    return (
        published.since_last_handled()
        & ~dg.AutomationCondition.any_deps_in_progress()
        & ~dg.AutomationCondition.in_progress()
    ).with_label("after publish/serving_copy")


def _writer(hubspot: HubSpotResource) -> HubSpotWriter:
    return HubSpotWriter(hubspot.config())


def _table(rows: list[dict[str, str]], columns: list[str]) -> str:
    if not rows:
        return "_none_"
    head = "| " + " | ".join(columns) + " |\n| " + " | ".join("---" for _ in columns) + " |\n"
    body = "".join(
        "| " + " | ".join(str(r.get(c, "")).replace("|", "\\|").replace("\n", " ") for c in columns) + " |\n"
        for r in rows[:SAMPLE_LIMIT]
    )
    more = f"\n… and {len(rows) - SAMPLE_LIMIT} more (see reverse_etl._changes)" if len(rows) > SAMPLE_LIMIT else ""
    return head + body + more


def _metadata(sync: SyncDefinition, result: RunResult) -> dict[str, Any]:
    c = result.counts
    dest = sync.destination
    destination = dest.list_name if isinstance(dest, ListDestination) else "contact properties"
    meta: dict[str, Any] = {
        "status": result.status,
        "dry_run": result.dry_run,
        "run_id": result.run_id or "",
        "mode": sync.mode,
        "destination": destination,
        **{
            k: int(c.get(k, 0))
            for k in ("queried", "added", "changed", "removed", "unchanged", "invalid", "anonymous_visitors")
        },
        "rejected": int(c.get("rejected", 0)),
        "delivered": int(c.get("delivered", 0)),
        "rejected_sample": dg.MetadataValue.md(_table(result.rejected, ["record_key", "operation", "error"])),
        "invalid_sample": dg.MetadataValue.md(_table(result.invalid, ["record_key", "reason"])),
    }
    if result.message:
        meta["message"] = result.message
    if result.dry_run:
        meta["plan_sample"] = dg.MetadataValue.json(result.samples)
    if result.http:
        meta["http"] = dg.MetadataValue.json(result.http)
    return meta


# The asset checks every sync reports: (counted, out of, the Thresholds field bounding the share, what a result
# says after "<counted> of <out of>", the check's description).
RATE_CHECKS = {
    "reject_rate": (
        "rejected",
        "sent",
        "max_reject_share",
        "rows sent were rejected by HubSpot",
        "Share of the rows sent that HubSpot rejected, at most thresholds.max_reject_share (rejected rows are sent "
        "again next run; their errors are in reverse_etl._changes).",
    ),
    "invalid_rate": (
        "invalid",
        "queried",
        "max_invalid_share",
        "queried rows were invalid and not sent",
        "Share of the queried rows that were invalid and not sent, at most thresholds.max_invalid_share (above it, "
        "from thresholds.min_rows queried rows up, the circuit breaker refuses the run unless overridden).",
    ),
}


def rate_checks(sync: SyncDefinition, result: RunResult) -> list[dg.AssetCheckResult]:
    """What the run left behind, as checks with history in the UI: rows HubSpot rejected, rows too bad to send."""
    c = result.counts
    counts = {name: int(c.get(name, 0)) for name in ("rejected", "invalid", "queried")}
    counts["sent"] = counts["rejected"] + int(c.get("delivered", 0))
    checks = []
    for check_name, (part, whole, limit_field, outcome, _) in RATE_CHECKS.items():
        limit = getattr(sync.thresholds, limit_field)
        share = counts[part] / counts[whole] if counts[whole] else 0.0
        note = " (dry run: nothing sent)" if result.dry_run and whole == "sent" else ""
        checks.append(
            dg.AssetCheckResult(
                check_name=check_name,
                passed=share <= limit,
                severity=dg.AssetCheckSeverity.ERROR,
                description=f"{counts[part]} of {counts[whole]} {outcome}{note}",
                metadata={part: counts[part], whole: counts[whole], "share": share, limit_field: limit},
            )
        )
    return checks


def build_sync_asset(sync: SyncDefinition) -> dg.AssetsDefinition:
    source_key = dg.AssetKey(["marts", sync.source.model])
    key = dg.AssetKey(["reverse_etl", sync.name])

    @dg.asset(
        key=key,
        check_specs=[
            dg.AssetCheckSpec(check_name, asset=key, description=description)
            for check_name, (*_, description) in RATE_CHECKS.items()
        ],
        group_name=GROUP,
        kinds={"hubspot"},
        owners=OWNERS,
        deps=[source_key, PUBLISH_KEY, ERASURE_KEY],
        pool=POOL,
        automation_condition=after_publish(),
        description=sync.description or f"Reverse ETL sync {sync.name}",
        metadata={"mode": sync.mode, "source": f"{sync.source.schema_}.{sync.source.model}"},
    )
    def _sync(
        context: dg.AssetExecutionContext,
        config: ReverseEtlRunConfig,
        warehouse: WarehouseResource,
        hubspot: HubSpotResource,
    ) -> dg.MaterializeResult:
        ledger = Ledger.for_duckdb(warehouse.resolved_path)
        writer = _writer(hubspot)
        try:
            result = run_sync(
                sync,
                ledger,
                writer,
                RunOptions(dry_run=config.dry_run or None, allow_large_changes=config.allow_large_changes),
            )
        finally:
            writer.close()
        meta = _metadata(sync, result)
        if result.status == "refused":
            # The refusal is in reverse_etl._sync_runs; failing the step makes it visible and stops dependants.
            raise dg.Failure(description=f"circuit breaker refused sync {sync.name}: {result.message}", metadata=meta)
        context.log.info(f"{sync.name}: {result.status} {result.counts}")
        return dg.MaterializeResult(metadata=meta, check_results=rate_checks(sync, result))

    return _sync


@dg.asset(
    key=ERASURE_KEY,
    group_name=GROUP,
    kinds={"hubspot"},
    owners=OWNERS,
    deps=[dg.AssetKey(["marts", "dim_persons"]), PUBLISH_KEY],
    pool=POOL,
    automation_condition=after_publish(),
    description="GDPR erasure: people in reverse_etl.erasure_requests are gdpr-deleted in HubSpot, purged from the "
    "reverse-ETL ledger and suppressed from every sync; a hashed proof stays in reverse_etl._erasures.",
)
def erasure_asset(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, hubspot: HubSpotResource
) -> dg.MaterializeResult:
    writer = _writer(hubspot)
    try:
        outcomes = process_erasures(Ledger.for_duckdb(warehouse.resolved_path), writer)
    finally:
        writer.close()
    by_result: dict[str, int] = {}
    for o in outcomes:
        by_result[o.result] = by_result.get(o.result, 0) + 1
    context.log.info(f"erasure requests processed: {by_result or 'none'}")
    return dg.MaterializeResult(
        metadata={"processed": len(outcomes), **{f"result_{k}": v for k, v in sorted(by_result.items())}}
    )


def build_reverse_etl_assets(syncs: Iterable[SyncDefinition] | None = None) -> list[dg.AssetsDefinition]:
    """The erasure asset plus one asset per sync (default: every definition in ``reverse_etl/syncs``)."""
    chosen = list(load_syncs().values()) if syncs is None else list(syncs)
    return [erasure_asset, *(build_sync_asset(s) for s in chosen)]


reverse_etl_assets = build_reverse_etl_assets()

reverse_etl_job = dg.define_asset_job(
    name="reverse_etl",
    selection=dg.AssetSelection.groups(GROUP),
    description="Erase, then push every reverse-ETL sync to HubSpot (run config: dry_run, allow_large_changes).",
)
