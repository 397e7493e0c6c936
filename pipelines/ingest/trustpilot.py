"""Trustpilot ingestion: the business unit's private reviews into ``raw_trustpilot``."""

from connectors.trustpilot import STREAMS
from pipelines.ingest.factory import SourceAssets, StreamAsset, build_source_assets

trustpilot_raw = build_source_assets(
    SourceAssets(
        name="trustpilot_raw",
        source="trustpilot",
        group="trustpilot",
        vendor_kind="trustpilot",
        pool="trustpilot_api",
        streams=[StreamAsset(s.name, s.description, "id", s.cursor_field) for s in STREAMS],
        resource_key="trustpilot",
        make_connector=lambda context, _range: context.resources.trustpilot.connector(),
        description="Sync Trustpilot private reviews (stars, text, referral email, order reference) into "
        "raw_trustpilot.",
    )
)
