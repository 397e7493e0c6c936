"""Google Business Profile ingestion: the account's locations and their reviews into ``raw_google_business``."""

from connectors.google_business import STREAMS
from pipelines.ingest.factory import SourceAssets, StreamAsset, build_source_assets

google_business_raw = build_source_assets(
    SourceAssets(
        name="google_business_raw",
        source="google_business",
        group="google_business",
        vendor_kind="google",
        pool="google_business_api",
        streams=[StreamAsset(s.name, s.description, "name", s.cursor_field) for s in STREAMS],
        resource_key="google_business",
        make_connector=lambda context, _range: context.resources.google_business.connector(),
        description="Sync Google Business Profile locations and their reviews (location-level, no person link) into "
        "raw_google_business.",
    )
)
