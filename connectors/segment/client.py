"""The object store a Segment export lives in: a local folder or an S3-compatible bucket, behind one small interface.

Segment's S3 destination (and RudderStack's, and the sandbox) writes ``<prefix>/<source id>/<received day as epoch
milliseconds>/<name>.gz``: gzipped newline-delimited JSON, one whole call per line, immutable once written. This
module lists those files and reads their bytes; what is in them is the readers' business. Anything else under the
prefix (a file at the wrong depth, a day folder that is not a number, a name without ``.gz``) is reported as
ignored, never read and never silently skipped.

A bucket is read with boto3; its credentials come from the standard AWS variables of the mapping the connector was
built with (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``) or, when those are unset, from
boto3's own chain (profiles, instance roles). ``SEGMENT_S3_ENDPOINT_URL`` points it at any S3-compatible server.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import boto3
import botocore.config
import botocore.exceptions

from connectors.core.errors import AuthenticationError, ConfigurationError, ConnectorError, TransientError
from connectors.core.redaction import register_secrets
from connectors.segment.config import BUCKET_ENV, ENDPOINT_ENV, EXPORT_PATH_ENV, PREFIX_ENV, SegmentConfig

DAY_MS = 86_400_000


@dataclass(frozen=True)
class ExportFile:
    """One file of the export. ``key`` is its path from the bucket's (or folder's) root with ``/`` separators, the
    same in a folder and in a bucket; ``etag`` is the bucket's ETag without quotes (a local file has none until it is
    read: the reader then takes its MD5, which is what S3 reports for a file uploaded in one part)."""

    key: str
    source_id: str
    day_ms: int
    size: int
    etag: str | None = None

    @property
    def received_day(self) -> date:
        return datetime.fromtimestamp(self.day_ms / 1000, UTC).date()


def day_folder(day: date) -> int:
    """The folder name of a received day: its midnight UTC in epoch milliseconds."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def parse_key(prefix: str, key: str, size: int, etag: str | None) -> ExportFile | None:
    """The file a key names, or None when the key is not ``<prefix>/<source>/<day ms>/<name>.gz``."""
    parts = key.split("/")
    expected = prefix.split("/")
    if len(parts) != len(expected) + 3 or parts[: len(expected)] != expected:
        return None
    source_id, day, name = parts[len(expected) :]
    if not source_id or not day.isascii() or not day.isdigit() or not name.endswith(".gz") or name == ".gz":
        return None
    return ExportFile(key, source_id, int(day), size, etag.strip('"') if etag else None)


@dataclass
class StoreStats:
    """What the store did in a run, for the run's metadata."""

    list_requests: int = 0
    files_read: int = 0
    bytes_read: int = 0

    def as_metadata(self) -> dict[str, Any]:
        return {"list_requests": self.list_requests, "files_read": self.files_read, "bytes_read": self.bytes_read}


class ObjectStore(Protocol):
    """Where the files are: every key under a prefix with its size and ETag, and a key's bytes."""

    @property
    def where(self) -> str: ...

    def keys(self, prefix: str) -> Iterator[tuple[str, int, str | None]]: ...

    def folders(self, prefix: str) -> list[str]: ...

    def read(self, key: str) -> bytes: ...

    def close(self) -> None: ...


@dataclass
class FolderStore:
    """A local folder standing for the bucket (``SEGMENT_EXPORT_PATH``): keys are paths relative to it."""

    root: Path
    stats: StoreStats = field(default_factory=StoreStats)

    @property
    def where(self) -> str:
        return f"folder {self.root}"

    def keys(self, prefix: str) -> Iterator[tuple[str, int, str | None]]:
        self.stats.list_requests += 1
        base = self.root / prefix
        if not base.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            for name in sorted(filenames):
                path = Path(dirpath) / name
                yield path.relative_to(self.root).as_posix(), path.stat().st_size, None

    def folders(self, prefix: str) -> list[str]:
        self.stats.list_requests += 1
        base = self.root / prefix
        return sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []

    def read(self, key: str) -> bytes:
        data = (self.root / key).read_bytes()
        self.stats.files_read += 1
        self.stats.bytes_read += len(data)
        return data

    def close(self) -> None:
        pass


class BucketStore:
    """An S3-compatible bucket, through boto3 (its standard retries for throttling and 5xx)."""

    def __init__(self, config: SegmentConfig, *, client: Any = None) -> None:
        assert config.s3_bucket, "a bucket store needs SEGMENT_S3_BUCKET"
        self.bucket = config.s3_bucket
        self.endpoint = config.s3_endpoint_url
        self.stats = StoreStats()
        register_secrets([config.aws_secret_access_key, config.aws_session_token])
        self.client = client or boto3.client(
            "s3",
            endpoint_url=config.s3_endpoint_url,
            region_name=config.region,
            aws_access_key_id=config.aws_access_key_id,
            aws_secret_access_key=config.aws_secret_access_key,
            aws_session_token=config.aws_session_token,
            config=botocore.config.Config(
                connect_timeout=5, read_timeout=60, retries={"max_attempts": 5, "mode": "standard"}
            ),
        )

    @property
    def where(self) -> str:
        host = urlsplit(self.endpoint).netloc if self.endpoint else "AWS S3"
        return f"bucket {self.bucket} at {host}"

    def keys(self, prefix: str) -> Iterator[tuple[str, int, str | None]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix + "/")
        try:
            for page in pages:
                self.stats.list_requests += 1
                for item in page.get("Contents") or []:
                    yield item["Key"], int(item["Size"]), item.get("ETag")
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            raise self._error("list", prefix, exc) from None

    def folders(self, prefix: str) -> list[str]:
        """The names of the "folders" (common prefixes) right under ``prefix``."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix + "/", Delimiter="/"
        )
        names: list[str] = []
        try:
            for page in pages:
                self.stats.list_requests += 1
                names += [p["Prefix"][len(prefix) + 1 :].rstrip("/") for p in page.get("CommonPrefixes") or []]
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            raise self._error("list", prefix, exc) from None
        return sorted(n for n in names if n)

    def read(self, key: str) -> bytes:
        try:
            data = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            raise self._error("read", key, exc) from None
        self.stats.files_read += 1
        self.stats.bytes_read += len(data)
        return bytes(data)

    def close(self) -> None:
        self.client.close()

    def _error(self, what: str, key: str, exc: Exception) -> ConnectorError:
        """Our own message (botocore's text can carry request details): the operation, the code, what to check."""
        if isinstance(exc, botocore.exceptions.ClientError):
            code = str(exc.response.get("Error", {}).get("Code", "?"))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            text = f"segment: cannot {what} {key!r} in {self.where}: {code}"
            if code == "NoSuchBucket":
                return ConfigurationError(f"{text}; check {BUCKET_ENV} and {ENDPOINT_ENV}", source="segment")
            if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken") or status in (
                401,
                403,
            ):
                return AuthenticationError(
                    f"{text}; check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)",
                    source="segment",
                    status=status,
                )
            return ConnectorError(text, source="segment", status=status)
        return TransientError(
            f"segment: cannot {what} {key!r} in {self.where}: {type(exc).__name__} (after boto3's retries)",
            source="segment",
        )


class SegmentApi:
    """The export: which files it holds (all, or those of some received days) and their bytes."""

    def __init__(self, config: SegmentConfig, *, store: ObjectStore | None = None) -> None:
        self.config = config
        self.prefix = config.prefix
        self.store: ObjectStore = store or _open_store(config)
        self.stats: StoreStats = getattr(self.store, "stats", StoreStats())

    def close(self) -> None:
        self.store.close()

    def files(self, days: tuple[date, date] | None = None) -> tuple[list[ExportFile], list[str]]:
        """Every file of the export in key order (``days``: only the folders of those received days), and the keys
        under the prefix that do not follow the layout."""
        listings: list[str] = []
        if days is None:
            listings.append(self._source_prefix())
        else:
            first, last = days
            for n in range((last - first).days + 1):
                listings += [
                    f"{self._source_prefix(sid)}/{day_folder(first + timedelta(days=n))}" for sid in self._ids()
                ]
        found: list[ExportFile] = []
        ignored: list[str] = []
        for prefix in listings:
            for key, size, etag in self.store.keys(prefix):
                parsed = parse_key(self.prefix, key, size, etag)
                if parsed is None:
                    ignored.append(key)
                elif self.config.source_id is None or parsed.source_id == self.config.source_id:
                    found.append(parsed)
        found.sort(key=lambda f: (f.source_id, f.day_ms, f.key))
        return found, sorted(ignored)

    def read(self, file: ExportFile) -> bytes:
        return self.store.read(file.key)

    def _source_prefix(self, source_id: str | None = None) -> str:
        sid = source_id or self.config.source_id
        return f"{self.prefix}/{sid}" if sid else self.prefix

    def _ids(self) -> list[str]:
        """The source folders to look in for a day: the configured one, or every one the export has."""
        if self.config.source_id:
            return [self.config.source_id]
        return self.store.folders(self.prefix)


def _open_store(config: SegmentConfig) -> ObjectStore:
    if config.s3_bucket:
        return BucketStore(config)
    assert config.export_path  # the configuration holds one of the two
    root = Path(config.export_path).expanduser()
    if not root.is_dir():
        raise ConfigurationError(f"segment: {EXPORT_PATH_ENV}={config.export_path} is not a folder", source="segment")
    if not (root / config.prefix).is_dir():
        raise ConfigurationError(
            f"segment: {EXPORT_PATH_ENV}={config.export_path} has no {config.prefix}/ folder (the export's layout is "
            f"{config.prefix}/<source id>/<received day, epoch ms>/<file>.gz; {PREFIX_ENV} names another folder)",
            source="segment",
        )
    return FolderStore(root.resolve())
