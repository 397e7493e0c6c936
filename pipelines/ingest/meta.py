"""Meta ingestion: ads structure and Lead Ads, daily ad insights (partitioned), and the Facebook Page / Instagram."""

from collections.abc import Iterable

from connectors.meta import META_ADS_STREAMS, SOCIAL_STREAMS, GraphStream
from pipelines.ingest.factory import SourceAssets, StreamAsset, build_source_assets
from pipelines.partitions import daily_partitions

_PK = {"ads_insights": "ad_id:date_start", "facebook_reactions": "post_id:id"}


def _streams(streams: Iterable[GraphStream], names: set[str]) -> list[StreamAsset]:
    return [
        StreamAsset(s.name, s.description, _PK.get(s.name, "id"), s.cursor_field) for s in streams if s.name in names
    ]


meta_ads_raw = build_source_assets(
    SourceAssets(
        name="meta_ads_raw",
        source="meta_ads",
        group="meta_ads",
        vendor_kind="meta",
        pool="meta_api",
        streams=_streams(META_ADS_STREAMS, {"campaigns", "adsets", "ads", "lead_forms", "leads"}),
        resource_key="meta",
        make_connector=lambda context, _range: context.resources.meta.ads_connector(),
        description="Sync Meta campaigns, ad sets, ads, Lead Ads forms and leads into raw_meta_ads.",
    )
)

meta_ads_insights = build_source_assets(
    SourceAssets(
        name="meta_ads_insights_daily",
        source="meta_ads",
        group="meta_ads",
        vendor_kind="meta",
        pool="meta_api",
        streams=_streams(META_ADS_STREAMS, {"ads_insights"}),
        resource_key="meta",
        make_connector=lambda context, date_range: context.resources.meta.ads_connector(date_range),
        description="Daily ad-level Meta insights for the run's partition range (async report jobs for long ranges).",
        partitions_def=daily_partitions,
    )
)

social_raw = build_source_assets(
    SourceAssets(
        name="social_raw",
        source="social",
        group="social",
        vendor_kind="meta",
        pool="meta_api",
        streams=_streams(SOCIAL_STREAMS, {s.name for s in SOCIAL_STREAMS}),
        resource_key="meta",
        make_connector=lambda context, _range: context.resources.meta.social_connector(),
        description="Sync Facebook Page posts, comments, reactions and Instagram media and comments into raw_social.",
    )
)
