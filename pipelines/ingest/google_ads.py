"""Google Ads ingestion: campaigns and ad groups, and daily metrics and click views (partitioned by day)."""

from connectors.google_ads import STREAMS
from pipelines.ingest.factory import SourceAssets, StreamAsset, build_source_assets
from pipelines.partitions import daily_partitions


def _streams(names: set[str]) -> list[StreamAsset]:
    return [
        StreamAsset(s.name, s.description, ":".join(s.key_paths), s.cursor_path) for s in STREAMS if s.name in names
    ]


google_ads_raw = build_source_assets(
    SourceAssets(
        name="google_ads_raw",
        source="google_ads",
        group="google_ads",
        vendor_kind="googleads",
        pool="google_ads_api",
        streams=_streams({"campaigns", "ad_groups"}),
        resource_key="google_ads",
        make_connector=lambda context, _range: context.resources.google_ads.connector(),
        description="Sync Google Ads campaigns and ad groups into raw_google_ads.",
    )
)

google_ads_daily = build_source_assets(
    SourceAssets(
        name="google_ads_daily",
        source="google_ads",
        group="google_ads",
        vendor_kind="googleads",
        pool="google_ads_api",
        streams=_streams({"ad_group_daily_metrics", "click_views"}),
        resource_key="google_ads",
        make_connector=lambda context, date_range: context.resources.google_ads.connector(date_range),
        description="Daily ad-group metrics and click views (gclids) for the run's partition range.",
        partitions_def=daily_partitions,
    )
)
