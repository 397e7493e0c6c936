"""Reverse ETL in Dagster: one asset per sync definition (``reverse_etl/syncs/*.yaml``) plus the erasure step.

Add to the code location's Definitions::

    from pipelines.reverse_etl import reverse_etl_assets, reverse_etl_job
    dg.Definitions(assets=[..., *reverse_etl_assets], jobs=[..., reverse_etl_job], ...)

They use the existing ``warehouse`` (WarehouseResource) and ``hubspot`` (HubSpotResource) resources.
"""

from pipelines.reverse_etl.assets import (
    ERASURE_KEY,
    PUBLISH_KEY,
    ReverseEtlRunConfig,
    after_publish,
    build_reverse_etl_assets,
    erasure_asset,
    reverse_etl_assets,
    reverse_etl_job,
)

__all__ = [
    "ERASURE_KEY",
    "PUBLISH_KEY",
    "ReverseEtlRunConfig",
    "after_publish",
    "build_reverse_etl_assets",
    "erasure_asset",
    "reverse_etl_assets",
    "reverse_etl_job",
]
