"""The Segment connector on an S3-compatible bucket: moto's S3 server, started here on 127.0.0.1 (a real HTTP server
speaking S3, not a mock object), holding the same files as a local folder. Both must load identical rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from connectors.core.errors import ConfigurationError
from connectors.raw.store import RawStore
from connectors.registry import SOURCES, connector_from_env, effective_settings
from tests.connectors.segment_files import START, Export, Visitors, files_table, key, line, make_export, quarantine_rows
from tests.connectors.test_segment_sync import assert_rows, bad_lines, sync
from tests.support.warehouse import describe_differences, raw_snapshot

SECRET = "moto-secret-key-do-not-show-0000"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint: str, request: pytest.FixtureRequest) -> tuple[Any, str, dict[str, str]]:
    name = "segment-" + request.node.name.lower().replace("_", "-")[:40].strip("-")
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIAMOTOTESTING0000",
        aws_secret_access_key=SECRET,
    )
    client.create_bucket(Bucket=name)
    env = {
        "SEGMENT_S3_BUCKET": name,
        "SEGMENT_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_ACCESS_KEY_ID": "AKIAMOTOTESTING0000",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_REGION": "us-east-1",
    }
    return client, name, env


def rich_export() -> Export:
    """Every case at once: several days, late calls, redeliveries, a file of bad lines."""
    export = make_export(days=4, files_per_day=3, calls_per_file=25)
    export.add(key(START + timedelta(days=1), "050-bad.gz"), list(bad_lines().values()))
    return export


def test_a_folder_and_a_bucket_with_the_same_files_load_identical_rows(
    tmp_path: Path, bucket: tuple[Any, str, dict[str, str]]
) -> None:
    client, name, env = bucket
    export = rich_export()
    export.put(client, name)
    root = export.write(tmp_path / "export")
    from_folder, from_bucket = tmp_path / "folder.duckdb", tmp_path / "bucket.duckdb"
    a = sync(from_folder, {"SEGMENT_EXPORT_PATH": str(root)})
    b = sync(from_bucket, env)
    assert (a.records, a.quarantined_by_reason, a.details) == (b.records, b.quarantined_by_reason, b.details)
    assert not describe_differences(raw_snapshot(from_folder, "segment"), raw_snapshot(from_bucket, "segment"))
    # the bucket's ETags are the MD5s the folder computes: the bookkeeping rows are the same too
    assert files_table(from_bucket) == files_table(from_folder)
    assert quarantine_rows(from_bucket) == quarantine_rows(from_folder)
    assert_rows(from_bucket, export)


def test_a_bucket_rerun_loads_nothing_and_a_late_file_is_picked_up(
    tmp_path: Path, bucket: tuple[Any, str, dict[str, str]]
) -> None:
    client, name, env = bucket
    export = make_export(days=3)
    export.put(client, name)
    db = tmp_path / "w.duckdb"
    sync(db, env)
    again = sync(db, env)
    assert again.records == 0 and again.details["files_already_loaded"] == len(export.files)
    visitors = Visitors(42)
    when = datetime(START.year, START.month, START.day, 21, 0, 0)
    late = [visitors.call(when, when) for _ in range(5)]
    export.add(key(START, "090-late.gz"), [line(c) for c in late], late)
    export.put(client, name)
    result = sync(db, env)
    assert result.records == 5 and result.details["files_loaded"] == 1 and result.details["late_files"] == 1
    assert_rows(db, export)


def test_a_partition_range_lists_only_its_day_folders(tmp_path: Path, bucket: tuple[Any, str, dict[str, str]]) -> None:
    client, name, env = bucket
    export = make_export(days=5, files_per_day=2)
    export.put(client, name)
    db = tmp_path / "w.duckdb"
    day = START + timedelta(days=3)
    with connector_from_env("segment", env, date_range=(day, day)) as conn, RawStore(db, "segment") as store:
        [result] = conn.sync(store)
        stats = conn.api.stats.as_metadata()
    assert result.details["files_seen"] == result.details["files_loaded"] == 2
    # one listing of the source folders, one of the day's folder: nothing else was listed
    assert stats["list_requests"] == 2 and stats["files_read"] == 2


def test_a_corrupt_object_fails_only_that_file(tmp_path: Path, bucket: tuple[Any, str, dict[str, str]]) -> None:
    client, name, env = bucket
    export = make_export(days=2, files_per_day=2)
    broken = sorted(export.files)[1]
    export.files[broken] = b"\x1f\x8b\x08\x00" + b"not really deflate data"
    export.put(client, name)
    result = sync(tmp_path / "w.duckdb", env)
    assert result.status == "partial" and broken in (result.error or "")
    assert set(files_table(tmp_path / "w.duckdb")) == set(export.files) - {broken}


def test_a_missing_bucket_is_a_configuration_error_naming_the_variable(
    tmp_path: Path, bucket: tuple[Any, str, dict[str, str]]
) -> None:
    _, _, env = bucket
    with pytest.raises(ConfigurationError, match="SEGMENT_S3_BUCKET"):
        sync(tmp_path / "w.duckdb", {**env, "SEGMENT_S3_BUCKET": "no-such-bucket-here"})


def test_the_aws_secrets_are_never_shown(tmp_path: Path, bucket: tuple[Any, str, dict[str, str]]) -> None:
    client, name, env = bucket
    make_export(days=1, files_per_day=1).put(client, name)
    with connector_from_env("segment", env) as conn:
        shown = effective_settings(conn, [env[v] for v in SOURCES["segment"].secrets if v in env])
        assert SECRET not in repr(conn.config)
    assert SECRET not in str(shown) and "AKIAMOTOTESTING0000" not in str(shown)
    assert shown["s3_bucket"] == name and shown["s3_endpoint_url"] == env["SEGMENT_S3_ENDPOINT_URL"]
    assert set(SOURCES["segment"].secrets) == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
