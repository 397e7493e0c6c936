"""Segment-spec event files (Segment's S3 destination, RudderStack, the sandbox) into ``raw_segment``.

One stream, ``events``: every call (identify, track, page, screen, group, alias) of the gzipped NDJSON files under
``<prefix>/<source id>/<received day, epoch ms>/*.gz``, in a local folder (``SEGMENT_EXPORT_PATH``) or an
S3-compatible bucket (``SEGMENT_S3_BUCKET``). ``raw_segment._files`` records which files are loaded, in the same
transaction as their events, so a rerun loads nothing twice and a late file for an old day is still picked up.

Usage outside Dagster::

    from connectors.raw.store import RawStore
    from connectors.segment import SegmentConfig, SegmentConnector

    connector = SegmentConnector(SegmentConfig.from_env())
    with RawStore("/abs/path/warehouse.duckdb", "segment") as store, connector:
        results = connector.sync(store)

Modules: ``config`` (``SEGMENT_*`` and the AWS variables), ``client`` (the folder or bucket and the export's
layout), ``catalog`` (the stream, its contract, the ``_files`` table), ``readers`` (files to pages, resuming;
:func:`shape_items` and :func:`shape_lines` shape calls as a sync stores them), ``connector``.
"""

from connectors.segment.catalog import CALL_TYPES, FILES_TABLE, MAX_EVENT_BYTES, STREAMS, STREAMS_BY_NAME, SegmentStream
from connectors.segment.client import BucketStore, ExportFile, FolderStore, SegmentApi, day_folder, parse_key
from connectors.segment.config import (
    BUCKET_ENV,
    DEFAULT_PREFIX,
    ENDPOINT_ENV,
    EXPORT_PATH_ENV,
    PREFIX_ENV,
    SOURCE_ID_ENV,
    SegmentConfig,
)
from connectors.segment.connector import SegmentConnector
from connectors.segment.readers import shape_items, shape_lines

__all__ = [
    "BUCKET_ENV",
    "CALL_TYPES",
    "DEFAULT_PREFIX",
    "ENDPOINT_ENV",
    "EXPORT_PATH_ENV",
    "FILES_TABLE",
    "MAX_EVENT_BYTES",
    "PREFIX_ENV",
    "SOURCE_ID_ENV",
    "STREAMS",
    "STREAMS_BY_NAME",
    "BucketStore",
    "ExportFile",
    "FolderStore",
    "SegmentApi",
    "SegmentConfig",
    "SegmentConnector",
    "SegmentStream",
    "day_folder",
    "parse_key",
    "shape_items",
    "shape_lines",
]
