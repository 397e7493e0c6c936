"""Segment ingestion: ``raw_segment/events`` from the export's files, daily-partitioned by received day.

A partition (or a single-run backfill range) reads exactly those day folders, so re-running a day is cheap; the
``refresh_all_daily`` schedule sets ``late_files`` so its run lists every day folder and also loads files that
landed late in an older day's folder (already-loaded files are skipped by ``raw_segment._files``).
"""

from connectors.segment import STREAMS
from pipelines.ingest.factory import SourceAssets, StreamAsset, build_source_assets
from pipelines.partitions import daily_partitions

segment_events = build_source_assets(
    SourceAssets(
        name="segment_events",
        source="segment",
        group="segment",
        vendor_kind="segment",
        pool="segment_files",
        streams=[StreamAsset(s.name, s.description, s.primary_key, s.cursor_field) for s in STREAMS],
        resource_key="segment",
        make_connector=lambda context, date_range: context.resources.segment.connector(date_range),
        description="Load Segment-spec event files (a local folder or an S3-compatible bucket) of the run's received "
        "days into raw_segment.events; with late_files (the daily schedule), every day folder's new files.",
        partitions_def=daily_partitions,
        reads_day_folders=True,
    )
)
