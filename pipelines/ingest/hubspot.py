"""HubSpot ingestion: one asset per stream in ``raw_hubspot``."""

from connectors.hubspot import STREAMS
from pipelines.ingest.factory import SourceAssets, StreamAsset, build_source_assets

hubspot_raw = build_source_assets(
    SourceAssets(
        name="hubspot_raw",
        source="hubspot",
        group="hubspot",
        vendor_kind="hubspot",
        pool="hubspot_api",
        streams=[StreamAsset(s.name, s.description, s.primary_key, s.cursor_field) for s in STREAMS],
        resource_key="hubspot",
        make_connector=lambda context, _range: context.resources.hubspot.connector(),
        description="Sync HubSpot CRM objects, owners, forms, form submissions and page views (the Events API; "
        "a portal without it ends web_events unavailable) into raw_hubspot.",
    )
)
