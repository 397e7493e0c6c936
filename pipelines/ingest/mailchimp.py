"""Mailchimp ingestion: audiences, members, campaigns, recipients and email activity into ``raw_mailchimp``."""

from connectors.mailchimp import STREAMS
from pipelines.ingest.factory import SourceAssets, StreamAsset, build_source_assets

_KEYS = {
    "lists": "id",
    "list_members": "list_id:id",
    "campaigns": "id",
    "campaign_recipients": "campaign_id:email_id",
    "email_activity": "campaign_id:email_id:action:timestamp:url",
}

mailchimp_raw = build_source_assets(
    SourceAssets(
        name="mailchimp_raw",
        source="mailchimp",
        group="mailchimp",
        vendor_kind="mailchimp",
        pool="mailchimp_api",
        streams=[StreamAsset(s.name, s.description, _KEYS[s.name], s.cursor_field) for s in STREAMS],
        resource_key="mailchimp",
        make_connector=lambda context, _range: context.resources.mailchimp.connector(),
        description="Sync Mailchimp audiences, members, campaigns, recipients and email activity into raw_mailchimp.",
    )
)
