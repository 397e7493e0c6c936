"""The reverse-ETL assets materialized through Dagster against the sandbox portal."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipelines.resources import HubSpotResource, WarehouseResource
from pipelines.reverse_etl import ERASURE_KEY, PUBLISH_KEY, build_reverse_etl_assets, reverse_etl_assets
from pipelines.reverse_etl.assets import rate_checks
from reverse_etl.config import load_syncs
from reverse_etl.models import RunResult
from tests.reverse_etl.helpers import execute, list_members, query, segment_contact_ids

SYNCS = load_syncs()
ADVOCATES = SYNCS["list_advocates"]


def test_assets_are_wired_after_publish():
    by_key = {a.key: a for a in reverse_etl_assets}
    sync = by_key[dg.AssetKey(["reverse_etl", "list_advocates"])]
    deps = {d for deps in sync.asset_deps.values() for d in deps}
    assert {dg.AssetKey(["marts", "segment_membership"]), PUBLISH_KEY, ERASURE_KEY} <= deps
    fields = by_key[dg.AssetKey(["reverse_etl", "journey_fields_to_contacts"])]
    assert dg.AssetKey(["marts", "customer_journeys"]) in {d for v in fields.asset_deps.values() for d in v}
    spec = next(iter(sync.specs))
    assert spec.group_name == "reverse_etl" and "hubspot" in spec.kinds
    assert sync.op.pool == "hubspot_api"
    assert spec.automation_condition is not None and "publish" in (spec.automation_condition.get_label() or "")


def test_rate_checks_fail_above_their_thresholds():
    counts = {"queried": 100, "invalid": 10, "delivered": 18, "rejected": 2}
    checks = {c.check_name: c for c in rate_checks(ADVOCATES, RunResult("r", "s", "partial", False, counts))}
    # 2 of 20 sent (10 %) against max_reject_share 5 %; 10 of 100 invalid against max_invalid_share 20 %
    assert not checks["reject_rate"].passed and checks["reject_rate"].metadata["share"].value == 0.1
    assert checks["invalid_rate"].passed
    strict = ADVOCATES.model_copy(
        update={"thresholds": ADVOCATES.thresholds.model_copy(update={"max_invalid_share": 0.05})}
    )
    assert not {c.check_name: c for c in rate_checks(strict, RunResult("r", "s", "partial", False, counts))}[
        "invalid_rate"
    ].passed


def test_materialize_sync_assets(warehouse: Path, sb):
    assets = build_reverse_etl_assets([ADVOCATES, SYNCS["list_stalled_in_consideration"]])
    resources = {
        "warehouse": WarehouseResource(path=str(warehouse)),
        "hubspot": HubSpotResource(
            access_token=sb.hubspot.token,
            settings={"HUBSPOT_BASE_URL": sb.hubspot.base_url, "HUBSPOT_REQUESTS_PER_10S": "5000"},
        ),
    }
    key = dg.AssetKey(["reverse_etl", "list_advocates"])
    advocates = len(segment_contact_ids(warehouse, "advocates"))
    assert advocates > 0

    # a dry run through the launchpad config: a plan in the metadata, nothing written
    dry = dg.materialize(
        assets,
        resources=resources,
        selection=[key],
        run_config={"ops": {"reverse_etl__list_advocates": {"config": {"dry_run": True}}}},
    )
    assert dry.success
    meta = dry.asset_materializations_for_node("reverse_etl__list_advocates")[0].metadata
    assert meta["dry_run"].value is True and meta["added"].value == advocates
    assert sb.hubspot.write_call_count() == 0

    result = dg.materialize(assets, resources=resources)
    assert result.success
    meta = result.asset_materializations_for_node("reverse_etl__list_advocates")[0].metadata
    assert meta["status"].value == "success"
    assert {k: meta[k].value for k in ("queried", "added", "removed", "invalid", "rejected")} == {
        "queried": advocates,
        "added": advocates,
        "removed": 0,
        "invalid": 0,
        "rejected": 0,
    }
    assert "rejected_sample" in meta
    checks = {
        (e.asset_key.path[-1], e.check_name): e
        for e in result.get_asset_check_evaluations()
        if e.asset_key.path[0] == "reverse_etl"
    }
    assert set(checks) == {
        (sync, check)
        for sync in ("list_advocates", "list_stalled_in_consideration")
        for check in ("reject_rate", "invalid_rate")
    }
    reject = checks[("list_advocates", "reject_rate")]
    assert reject.passed and reject.metadata["sent"].value == advocates and reject.metadata["rejected"].value == 0
    assert checks[("list_advocates", "invalid_rate")].metadata["queried"].value == advocates
    assert list_members(sb, ADVOCATES.destination.list_name) == segment_contact_ids(warehouse, "advocates")
    assert sb.hubspot.token not in str(meta)

    # the breaker fails the step (and records the refusal) when the segment is truncated
    execute(warehouse, "delete from marts.segment_membership where segment_name = 'stalled_in_consideration'")
    refused = dg.materialize(
        assets,
        resources=resources,
        selection=[dg.AssetKey(["reverse_etl", "list_stalled_in_consideration"])],
        raise_on_error=False,
    )
    assert not refused.success
    last = query(
        warehouse,
        "select status from reverse_etl._sync_runs where sync_name = 'list_stalled_in_consideration' "
        "order by started_at desc limit 1",
    )
    assert last == [("refused",)]
