"""Where the Segment-spec event files are, and the environment variables that say so (docs/configuration.md,
"Segment")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from connectors.core.errors import ConfigurationError
from connectors.core.settings import EnvConfig, Setting

EXPORT_PATH_ENV = "SEGMENT_EXPORT_PATH"
BUCKET_ENV = "SEGMENT_S3_BUCKET"
PREFIX_ENV = "SEGMENT_S3_PREFIX"
ENDPOINT_ENV = "SEGMENT_S3_ENDPOINT_URL"
SOURCE_ID_ENV = "SEGMENT_SOURCE_ID"
# Segment's S3 destination writes every source under this folder of the bucket.
DEFAULT_PREFIX = "segment-logs"
# boto3's own variables; the connector passes them to boto3 when set (from the mapping it was built with, so a test
# or a Dagster resource configures it like the CLI's environment does), and otherwise leaves boto3 its default chain.
AWS_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION")


def _region(values: Mapping[str, Any]) -> str:
    return values.get("default_region") or "us-east-1"


@dataclass(frozen=True, repr=False)
class SegmentConfig(EnvConfig):
    """One export of Segment-spec files: a local folder (``SEGMENT_EXPORT_PATH``) or an S3-compatible bucket
    (``SEGMENT_S3_BUCKET``), never both. In either, the files are ``<prefix>/<source id>/<received day, epoch
    ms>/<name>.gz``."""

    SOURCE: ClassVar[str] = "segment"
    SETTINGS: ClassVar[tuple[Setting, ...]] = (
        Setting(EXPORT_PATH_ENV, "export_path"),
        Setting(BUCKET_ENV, "s3_bucket"),
        Setting(PREFIX_ENV, "prefix"),
        Setting(ENDPOINT_ENV, "s3_endpoint_url"),
        Setting(SOURCE_ID_ENV, "source_id"),
        Setting("SEGMENT_PAGE_SIZE", "page_size", int),
        Setting("AWS_ACCESS_KEY_ID", "aws_access_key_id", secret=True),
        Setting("AWS_SECRET_ACCESS_KEY", "aws_secret_access_key", secret=True),
        Setting("AWS_SESSION_TOKEN", "aws_session_token", secret=True),
        Setting("AWS_DEFAULT_REGION", "default_region"),
        # after AWS_DEFAULT_REGION: AWS_REGION wins when both are set, as in the AWS SDKs
        Setting("AWS_REGION", "region", default=_region),
    )

    export_path: str | None = None
    s3_bucket: str | None = None
    # The folder of the export inside the bucket (or the local folder): Segment writes segment-logs/.
    prefix: str = DEFAULT_PREFIX
    s3_endpoint_url: str | None = None
    # Only this source's folder; unset: every source folder under the prefix.
    source_id: str | None = None
    # Lines of a file per committed page: a big file is several transactions, resumable between them.
    page_size: int = 5000
    aws_access_key_id: str | None = None
    aws_secret_access_key: str | None = None
    aws_session_token: str | None = None
    default_region: str | None = None
    region: str = "us-east-1"

    def __post_init__(self) -> None:
        if bool(self.export_path) == bool(self.s3_bucket):
            which = "both are set" if self.export_path else "neither is set"
            raise ConfigurationError(
                f"segment: set {EXPORT_PATH_ENV} (a folder of Segment-spec files) or {BUCKET_ENV} (an S3-compatible "
                f"bucket, with {PREFIX_ENV} and {ENDPOINT_ENV}), not both: {which}",
                source="segment",
            )
        if self.page_size < 1:
            raise ConfigurationError(f"segment: SEGMENT_PAGE_SIZE must be at least 1, got {self.page_size}")
        if self.prefix.strip("/") != self.prefix or not self.prefix:
            raise ConfigurationError(
                f"segment: {PREFIX_ENV}={self.prefix!r} must be a folder name without leading or trailing '/'",
                source="segment",
            )
