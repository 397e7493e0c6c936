"""Publishing: the serving copy BI tools read, refreshed after the models build and pass their tests."""

import dagster as dg

from pipelines.ingest.factory import OWNERS
from pipelines.publish.serving import SERVING_STORAGE_VERSION, publish_serving_copy
from pipelines.settings import serving_paths, warehouse_path
from pipelines.transform.dbt import attribution_dbt_models, journey_dbt_models


@dg.asset(
    name="serving_copy",
    key_prefix=["publish"],
    group_name="publish",
    kinds={"duckdb", "parquet"},
    owners=OWNERS,
    deps=[journey_dbt_models, attribution_dbt_models],
    pool="dbt_warehouse",
    description=(
        "The marts copied into var/serving/serving.duckdb (storage readable by DuckDB 1.x BI drivers) and Parquet, "
        "swapped in atomically so readers never see a half-written copy and never block the pipeline."
    ),
)
def serving_copy(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    serving, parquet_root = serving_paths()
    result = publish_serving_copy(warehouse_path(), serving, parquet_root=parquet_root)
    context.log.info(f"published {len(result.tables)} tables to {serving} in {result.seconds:.1f}s")
    return dg.MaterializeResult(
        metadata={
            "serving_path": dg.MetadataValue.path(str(serving)),
            "parquet_dir": dg.MetadataValue.path(str(result.parquet_dir)),
            "storage_version": SERVING_STORAGE_VERSION,
            "tables": dg.MetadataValue.json(result.tables),
            "duration_s": round(result.seconds, 2),
        }
    )
