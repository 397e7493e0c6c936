"""dbt models as Dagster assets (dbt tests become asset checks)."""

import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from connectors.raw.locking import connect_warehouse, warehouse_lock
from connectors.registry import ensure_raw_tables
from pipelines.ingest.factory import OWNERS
from pipelines.settings import DBT_PROJECT_DIR, warehouse_path

# the dbt target of profiles.yml: dev (DuckDB) or postgres
DBT_TARGET = os.environ.get("JOURNEYHUB_DBT_TARGET") or "dev"
DBT_POOL = "dbt_warehouse"
# The dbt installed beside this interpreter, so a non-activated virtualenv (make, CI, the UI) still finds it.
_VENV_DBT = Path(sys.executable).parent / "dbt"
DBT_EXECUTABLE = str(_VENV_DBT) if _VENV_DBT.exists() else "dbt"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target=DBT_TARGET)
# Under `dagster dev` the manifest is rebuilt from the SQL on load; everywhere else `make manifest` builds it.
dbt_project.prepare_if_dev()

LAYER_GROUPS = {"staging": "staging", "intermediate": "intermediate", "marts": "marts"}

# What a dbt invocation streams into Dagster (the events DbtCliInvocation.stream() is annotated with): models as
# outputs, tests as check results or observations.
DbtEvent = dg.Output | dg.AssetMaterialization | dg.AssetObservation | dg.AssetCheckResult | dg.AssetCheckEvaluation


class JourneyDbtTranslator(DagsterDbtTranslator):
    """Groups by dbt layer folder; every model owned by the data team and tagged with its layer."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id) or {}
        if node.get("resource_type") != "model":
            return spec
        fqn = node.get("fqn") or []
        layer = fqn[1] if len(fqn) > 2 else "models"
        return spec.replace_attributes(
            group_name=LAYER_GROUPS.get(layer, layer),
            owners=OWNERS,
        ).merge_attributes(tags={"layer": layer}, kinds={"duckdb"})


@dataclass(frozen=True)
class Relation:
    schema: str
    name: str
    # column name -> description, from the model's YAML
    descriptions: dict[str, str]

    @property
    def quoted(self) -> str:
        return f'"{self.schema}"."{self.name}"'


def _table_metadata(relations: dict[dg.AssetKey, Relation]) -> dict[dg.AssetKey, dict[str, Any]]:
    """Row counts and column types of the built tables, read once dbt has released the warehouse (DuckDB allows one
    writer, and dbt holds it while running). The types are the warehouse's own, so the UI shows what was built."""
    facts: dict[dg.AssetKey, dict[str, Any]] = {}
    if not relations or DBT_TARGET != "dev":
        return facts
    with connect_warehouse(warehouse_path(), read_only=True) as con:
        columns: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for schema, table, column, data_type in con.execute(
            "select table_schema, table_name, column_name, data_type from information_schema.columns "
            "order by table_schema, table_name, ordinal_position"
        ).fetchall():
            columns.setdefault((schema, table), []).append((column, data_type.lower()))
        for key, relation in relations.items():
            try:
                row = con.execute(f"select count(*) from {relation.quoted}").fetchone()
            except duckdb.Error:
                continue
            schema = dg.TableSchema(
                columns=[
                    dg.TableColumn(name, data_type, description=relation.descriptions.get(name))
                    for name, data_type in columns.get((relation.schema, relation.name), [])
                ]
            )
            facts[key] = {"dagster/row_count": int(row[0]) if row else 0, "dagster/column_schema": schema}
    return facts


# The reports on attribution read marts.fct_attribution, which a Python asset writes between two dbt steps, so the
# project is split in two definitions: the journey models, then the models downstream of that table.
AFTER_ATTRIBUTION = "source:attribution+"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=JourneyDbtTranslator(),
    exclude=AFTER_ATTRIBUTION,
    pool=DBT_POOL,
)
def journey_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[DbtEvent]:
    yield from _build(context, dbt)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=JourneyDbtTranslator(),
    select=AFTER_ATTRIBUTION,
    name="attribution_dbt_models",
    pool=DBT_POOL,
)
def attribution_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[DbtEvent]:
    yield from _build(context, dbt)


def _build(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[DbtEvent]:
    """`dbt build` of the selected models, their tests as asset checks, row counts in metadata."""
    # dbt keeps the DuckDB file open (and locked) for the whole invocation: take the warehouse write lock that the
    # ingestion assets also take, and hold the events until dbt exits so row counts can be read afterwards.
    # Sources that were never synced still get (empty) raw tables, so their staging models read zero rows.
    ensure_raw_tables(warehouse_path())
    with warehouse_lock(warehouse_path()):
        if DBT_TARGET == "dev":
            # dbt would die on DuckDB's lock error if a process outside the lock (a notebook) holds the file:
            # wait for it here, with a message naming it, and fail with one sentence if it never lets go
            connect_warehouse(warehouse_path(), on_wait=context.log.warning).close()
        # Not raising inside the stream: the models that did build must still be recorded when a later one fails.
        invocation = dbt.cli(["build"], context=context, raise_on_error=False)
        events = list(invocation.stream())
    relations = _model_relations(context, invocation.manifest)
    facts = _table_metadata({k: v for k, v in relations.items() if k in _materialized_keys(context, events)})
    for event in events:
        if isinstance(event, dg.Output):
            key = context.asset_key_for_output(event.output_name)
            if key in facts:
                event = event.with_metadata({**event.metadata, **facts[key]})
        yield event
    if not invocation.is_successful():
        # The step fails, so nothing downstream (the BI serving copy) runs on a failed build.
        raise invocation.get_error() or dg.Failure("dbt build failed; see the dbt log in this step's output")


def _model_relations(context: dg.AssetExecutionContext, manifest: Mapping[str, Any]) -> dict[dg.AssetKey, Relation]:
    """Map each model asset of this definition to its warehouse relation."""
    relations: dict[dg.AssetKey, Relation] = {}
    for key in context.assets_def.keys:
        unique_id = context.assets_def.get_asset_spec(key).metadata.get("dagster_dbt/unique_id")
        node = manifest["nodes"].get(unique_id) if unique_id else None
        if node and node.get("resource_type") == "model" and node["config"].get("materialized") != "ephemeral":
            descriptions = {name: c.get("description") or "" for name, c in (node.get("columns") or {}).items()}
            relations[key] = Relation(node["schema"], node.get("alias") or node["name"], descriptions)
    return relations


def _materialized_keys(context: dg.AssetExecutionContext, events: list[DbtEvent]) -> set[dg.AssetKey]:
    return {context.asset_key_for_output(e.output_name) for e in events if isinstance(e, dg.Output)}
