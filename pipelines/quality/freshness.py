"""Freshness: Dagster freshness policies on the raw streams, and dbt source freshness as asset checks on them.

The two answer different questions. The Dagster policy (evaluated by the daemon, shown on every raw asset) says
whether the sync *ran* recently enough; dbt source freshness says whether the newest *record loaded* is recent
enough (``loaded_at_field: _extracted_at`` in the sources' YAML), which also catches a sync that ran but wrote
nothing.
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource

from connectors.raw.locking import warehouse_lock
from connectors.registry import stream_names
from pipelines.settings import warehouse_path
from pipelines.transform.dbt import dbt_project

SOURCE_FRESHNESS_CHECK = "dbt_source_freshness"


def _source_asset_keys(manifest: dict[str, Any]) -> dict[str, dg.AssetKey]:
    """dbt source unique id → the raw asset it stands for (meta.dagster.asset_key in the sources' YAML)."""
    out: dict[str, dg.AssetKey] = {}
    for unique_id, node in manifest.get("sources", {}).items():
        key = ((node.get("meta") or {}).get("dagster") or {}).get("asset_key")
        if key:
            out[unique_id] = dg.AssetKey(key)
    return out


def _raw_keys() -> list[dg.AssetKey]:
    return [dg.AssetKey([f"raw_{source}", s]) for source, streams in stream_names().items() for s in streams]


def _severity(status: str) -> dg.AssetCheckSeverity:
    return dg.AssetCheckSeverity.WARN if status == "warn" else dg.AssetCheckSeverity.ERROR


@dg.multi_asset_check(
    name="raw_source_freshness",
    specs=[
        dg.AssetCheckSpec(
            SOURCE_FRESHNESS_CHECK,
            asset=key,
            description="dbt source freshness: the newest _extracted_at of the raw table against the sources' "
            "warn_after / error_after (dbt_project/models/staging/*/_*__sources.yml).",
        )
        for key in _raw_keys()
    ],
    can_subset=True,
    required_resource_keys={"dbt"},
)
def raw_source_freshness(context: dg.AssetCheckExecutionContext) -> Iterator[dg.AssetCheckResult]:
    dbt: DbtCliResource = context.resources.dbt
    manifest = json.loads(Path(dbt_project.manifest_path).read_text())
    keys = _source_asset_keys(manifest)
    wanted = {k.asset_key for k in context.selected_asset_check_keys}
    # dbt-duckdb opens the file for writing even to read it: wait for other writers like every other step
    with warehouse_lock(warehouse_path()):
        # every source at once: one query per table, cheaper than a dbt invocation per selected stream
        invocation = dbt.cli(["source", "freshness"], manifest=manifest, raise_on_error=False)
        invocation.wait()
    try:
        results = invocation.get_artifact("sources.json").get("results", [])
    except FileNotFoundError:
        raise dg.Failure("dbt source freshness wrote no sources.json; see the dbt log in this step") from None
    seen: set[dg.AssetKey] = set()
    for r in results:
        key = keys.get(r.get("unique_id", ""))
        if key is None or key not in wanted:
            continue
        seen.add(key)
        status = str(r.get("status"))
        age = r.get("max_loaded_at_time_ago_in_s")
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name=SOURCE_FRESHNESS_CHECK,
            passed=status == "pass",
            severity=_severity(status),
            metadata={
                "status": status,
                "max_loaded_at": str(r.get("max_loaded_at")),
                "age_hours": round(float(age) / 3600, 2) if age is not None else -1.0,
                "criteria": dg.MetadataValue.json(r.get("criteria") or {}),
            },
        )
    for key in wanted - seen:
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name=SOURCE_FRESHNESS_CHECK,
            passed=False,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"status": "not evaluated (no dbt source with this asset key, or dbt failed)"},
        )
