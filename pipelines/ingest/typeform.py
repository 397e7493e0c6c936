"""Typeform ingestion: form definitions and survey responses (NPS, CSAT, free text) into ``raw_typeform``."""

from connectors.typeform import STREAMS
from pipelines.ingest.factory import SourceAssets, StreamAsset, build_source_assets

_KEYS = {"forms": "id", "responses": "form_id:token"}

typeform_raw = build_source_assets(
    SourceAssets(
        name="typeform_raw",
        source="typeform",
        group="typeform",
        vendor_kind="typeform",
        pool="typeform_api",
        streams=[StreamAsset(s.name, s.description, _KEYS[s.name], s.cursor_field) for s in STREAMS],
        resource_key="typeform",
        make_connector=lambda context, _range: context.resources.typeform.connector(),
        description="Sync Typeform form definitions and submitted responses (scores, free text, the hidden email "
        "and contact id) into raw_typeform.",
    )
)
