"""The Segment connector on a local export folder: every call type lands, reruns load nothing twice, late files are
picked up, duplicates merge, bad lines are quarantined with their reason, a corrupt gzip fails only its file, and a
killed sync resumes to exactly what a clean load stores.

The bucket case (moto's S3 server) is in test_segment_bucket.py; the fixtures come from segment_files.py.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import signal
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from connectors.core.clock import parse_present
from connectors.core.errors import ConfigurationError
from connectors.raw.store import RawStore
from connectors.registry import connector_from_env
from connectors.segment import day_folder
from tests.connectors.segment_files import (
    SOURCE_ID,
    START,
    Export,
    Visitors,
    files_table,
    gz,
    iso,
    key,
    line,
    make_export,
    quarantine_rows,
)
from tests.support.warehouse import describe_differences, raw_snapshot

REPO = Path(__file__).resolve().parents[2]


def env_for(root: Path, **extra: str) -> dict[str, str]:
    return {"SEGMENT_EXPORT_PATH": str(root), **extra}


def sync(db: Path, env: dict[str, str], *, mode: str = "incremental", days=None):
    with connector_from_env("segment", env, date_range=days) as conn, RawStore(db, "segment") as store:
        [result] = conn.sync(store, mode=mode)
    return result


def events(db: Path) -> dict[str, Any]:
    return raw_snapshot(db, "segment")["events"]


def expected_rows(export: Export) -> dict[str, Any]:
    return {mid: (call, parse_present(call["timestamp"]), False) for mid, call in export.calls.items()}


def assert_rows(db: Path, export: Export) -> None:
    problems = describe_differences({"events": expected_rows(export)}, {"events": events(db)})
    assert not problems, "\n".join(problems)


def test_a_sync_loads_every_call_of_every_file_and_records_the_files(tmp_path: Path) -> None:
    export = make_export()
    root = export.write(tmp_path / "export")
    db = tmp_path / "w.duckdb"
    result = sync(db, env_for(root))
    assert result.status == "complete" and result.quarantined == 0
    assert_rows(db, export)
    assert {c["type"] for c in export.calls.values()} == {"page", "screen", "identify", "track", "alias", "group"}
    # a call delivered twice is one row (both copies are good: no quarantine), and every file is recorded
    lines = sum(len(gzip_lines(data)) for data in export.files.values())
    assert result.records == lines > len(export.calls)
    files = files_table(db)
    assert set(files) == set(export.files)
    for k, data in export.files.items():
        source, day, size, etag, n_lines, n_events, quarantined = files[k]
        assert (source, size, etag) == (SOURCE_ID, len(data), hashlib.md5(data).hexdigest())
        assert k.split("/")[2] == str(day_folder(day))
        assert n_lines == n_events == len(gzip_lines(data)) and quarantined == 0
    assert {row[1] for row in files.values()} == {START + timedelta(days=d) for d in range(4)}
    assert result.details["files_seen"] == result.details["files_loaded"] == len(export.files)
    assert result.details["late_files"] == 0
    assert result.cursor == {SOURCE_ID: max(int(k.split("/")[2]) for k in export.files)}


def gzip_lines(data: bytes) -> list[bytes]:
    return [x for x in gzip.decompress(data).split(b"\n") if x]


def test_a_rerun_loads_nothing_twice(tmp_path: Path) -> None:
    export = make_export()
    root = export.write(tmp_path / "export")
    db = tmp_path / "w.duckdb"
    first = sync(db, env_for(root))
    before = raw_rows_with_metadata(db)
    again = sync(db, env_for(root))
    assert again.records == 0 and again.pages == 0 and again.quarantined == 0
    assert again.details["files_already_loaded"] == again.details["files_seen"] == len(export.files)
    assert again.details["files_loaded"] == 0
    assert raw_rows_with_metadata(db) == before  # not even the load metadata moved
    assert again.cursor == first.cursor


def raw_rows_with_metadata(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select record_id, _sync_id, _extracted_at from raw_segment.events order by 1").fetchall()


def test_a_late_file_for_an_old_day_is_picked_up_and_counted(tmp_path: Path) -> None:
    export = make_export(days=5)
    root = export.write(tmp_path / "export")
    db = tmp_path / "w.duckdb"
    sync(db, env_for(root))
    old_day = START + timedelta(days=1)
    visitors = Visitors(99)
    at = parse_present(f"{old_day.isoformat()}T23:10:00Z")
    late = [visitors.call(at, at + timedelta(seconds=2)) for _ in range(12)]
    export.add(key(old_day, "099-replayed.gz"), [line(c) for c in late], late)
    export.write(root)
    result = sync(db, env_for(root))
    assert result.records == 12 and result.details["files_loaded"] == 1 and result.details["late_files"] == 1
    assert_rows(db, export)


def test_a_partition_range_reads_exactly_its_day_folders_and_an_unpartitioned_sync_the_rest(tmp_path: Path) -> None:
    export = make_export(days=6)
    root = export.write(tmp_path / "export")
    db = tmp_path / "w.duckdb"
    days = (START + timedelta(days=2), START + timedelta(days=3))
    ranged = sync(db, env_for(root), days=days)
    folders = {str(day_folder(d)) for d in _days(days)}
    assert {k.split("/")[2] for k in files_table(db)} == folders
    assert ranged.details["files_seen"] == ranged.details["files_loaded"] == 6
    rest = sync(db, env_for(root))
    assert rest.details["files_loaded"] == len(export.files) - 6
    assert rest.details["late_files"] == 6  # days 0 and 1 are older than the newest day the range loaded
    assert_rows(db, export)


def _days(days: tuple[date, date]) -> list[date]:
    return [days[0] + timedelta(days=n) for n in range((days[1] - days[0]).days + 1)]


def test_duplicate_message_ids_merge_across_files_and_are_quarantined_inside_a_page(tmp_path: Path) -> None:
    visitors = Visitors(3)
    at = parse_present("2026-03-02T10:00:00Z")
    calls = [visitors.call(at + timedelta(minutes=i), at + timedelta(minutes=i, seconds=1)) for i in range(6)]
    export = Export()
    export.add(key(START, "000.gz"), [line(c) for c in calls[:4]], calls[:4])
    # a later file redelivers call 1; within it, call 4 appears twice (the second copy differs)
    twice = {**calls[4], "properties": {"copy": "second"}}
    export.add(key(START + timedelta(days=1), "000.gz"), [line(calls[1]), line(calls[4]), line(twice), line(calls[5])])
    export.calls.update({c["messageId"]: c for c in calls[4:]})
    root = export.write(tmp_path / "export")
    db = tmp_path / "w.duckdb"
    result = sync(db, env_for(root))
    assert result.quarantined_by_reason == {"duplicate_primary_key": 1}
    assert_rows(db, export)  # six calls, the first copy of call 4 kept
    [(_, rid, detail, _)] = quarantine_rows(db)
    assert rid == calls[4]["messageId"] and "line 3" in detail and key(START + timedelta(days=1), "000.gz") in detail


def test_a_duplicate_across_pages_of_one_file_merges(tmp_path: Path) -> None:
    visitors = Visitors(4)
    at = parse_present("2026-03-02T10:00:00Z")
    calls = [visitors.call(at + timedelta(minutes=i), at + timedelta(minutes=i)) for i in range(5)]
    export = Export()
    export.add(key(START, "000.gz"), [line(c) for c in [*calls, calls[0]]], calls)
    root = export.write(tmp_path / "export")
    db = tmp_path / "w.duckdb"
    result = sync(db, env_for(root, SEGMENT_PAGE_SIZE="2"))
    assert result.pages == 3 and result.quarantined == 0
    assert_rows(db, export)


def bad_lines() -> dict[str, bytes]:
    visitors = Visitors(8)
    at = parse_present("2026-03-02T12:00:00Z")
    good = visitors.call(at, at)

    def variant(**changes: Any) -> bytes:
        call = {**good, "messageId": f"bad-{'-'.join(f'{k}={v}'[:40] for k, v in sorted(changes.items()))}"}
        for k, v in changes.items():
            if v is None:
                call.pop(k, None)
            else:
                call[k] = v
        return line(call)

    return {
        "invalid_json": b'{"type":"page","messageId":"x1",',
        "not_an_object": b'["page","x2"]',
        "missing_primary_key": variant(messageId=None),
        "missing_identity": variant(anonymousId=None, userId=None),
        "unknown_event_type": variant(type="pageview"),
        "missing_timestamp": variant(timestamp=None),
        "unparseable_timestamp": variant(timestamp="last tuesday"),
        "timestamp_in_future": variant(timestamp="2999-01-01T00:00:00.000Z"),
        "timestamp_too_old": variant(timestamp="1970-01-01T00:00:00.000Z"),
        "oversized_event": variant(properties={"blob": "x" * (33 * 1024)}),
        "invalid_encoding": line(good).replace(b'"locale":"en-US"', b'"locale":"en-\xff"').replace(b"ajs-", b"enc-"),
        "non_finite_number": line(good).replace(b'"version":2', b'"version":NaN').replace(b"ajs-", b"nan-"),
    }


def test_every_bad_line_is_quarantined_with_its_reason_file_and_line(tmp_path: Path) -> None:
    visitors = Visitors(9)
    at = parse_present("2026-03-02T12:00:00Z")
    good = [visitors.call(at + timedelta(seconds=i), at + timedelta(seconds=i)) for i in range(4)]
    bad = bad_lines()
    unknown_type = json.loads(bad["unknown_event_type"])
    assert unknown_type["type"] not in {"page", "track"}
    lines = [line(good[0]), *bad.values(), b"", b"   ", line(good[1]), line(good[2]), line(good[3])]
    export = Export()
    file_key = key(START, "000.gz")
    export.add(file_key, lines, good)
    root = export.write(tmp_path / "export")
    db = tmp_path / "w.duckdb"
    result = sync(db, env_for(root))
    assert result.quarantined_by_reason == {reason: 1 for reason in bad}
    assert result.records == 4 and result.details["blank_lines"] == 2
    assert_rows(db, export)
    rows = {r[0]: r for r in quarantine_rows(db)}
    for n, reason in enumerate(bad, start=2):
        detail = rows[reason][2]
        assert detail.startswith(f"{file_key} line {n}: "), (reason, detail)
    # the raw text of a line that is not JSON is kept as it came
    assert rows["invalid_json"][3] == bad["invalid_json"].decode()
    assert "over Segment's limit of 32768" in rows["oversized_event"][2]
    assert files_table(db)[file_key][4:] == (len(lines), 4, len(bad))


def test_a_corrupt_gzip_fails_that_file_by_name_and_the_next_sync_retries_it(tmp_path: Path) -> None:
    export = make_export(days=3, files_per_day=2)
    keys = sorted(export.files)
    broken = keys[2]
    good_bytes = export.files[broken]
    root = export.write(tmp_path / "export")
    (root / broken).write_bytes(good_bytes[: len(good_bytes) // 2])  # a truncated upload
    db = tmp_path / "w.duckdb"
    result = sync(db, env_for(root))
    assert result.status == "partial" and broken in result.error
    assert result.quarantined_by_reason == {"corrupt_file": 1}
    assert set(files_table(db)) == set(keys) - {broken}  # before it and after it: in
    [(_, rid, detail, payload)] = quarantine_rows(db)
    assert rid == broken and broken in detail and json.loads(payload)["size_bytes"] == len(good_bytes) // 2
    # still corrupt: the next sync retries it, and says so again
    again = sync(db, env_for(root))
    assert again.status == "partial" and again.resumed and again.records == 0
    # repaired (re-uploaded whole): the next sync loads it and the warehouse is a clean load's
    (root / broken).write_bytes(good_bytes)
    fixed = sync(db, env_for(root))
    assert fixed.status == "complete" and fixed.details["files_loaded"] == 1
    assert_rows(db, export)
    clean = tmp_path / "clean.duckdb"
    sync(clean, env_for(root))
    assert files_table(db) == files_table(clean)


def test_a_file_rewritten_under_the_same_name_is_loaded_again(tmp_path: Path) -> None:
    export = make_export(days=1, files_per_day=1)
    root = export.write(tmp_path / "export")
    db = tmp_path / "w.duckdb"
    sync(db, env_for(root))
    [(file_key, data)] = export.files.items()
    extra = Visitors(77).call(parse_present("2026-03-02T20:00:00Z"), parse_present("2026-03-02T20:00:01Z"))
    (root / file_key).write_bytes(gz([*gzip_lines(data), line(extra)]))
    result = sync(db, env_for(root))
    assert result.details["files_changed"] == 1 and result.records == len(gzip_lines(data)) + 1
    assert extra["messageId"] in events(db)


def test_a_full_refresh_reads_every_file_again(tmp_path: Path) -> None:
    export = make_export(days=2)
    root = export.write(tmp_path / "export")
    db = tmp_path / "w.duckdb"
    first = sync(db, env_for(root))
    full = sync(db, env_for(root), mode="full_refresh")
    assert full.mode == "full_refresh" and full.records == first.records
    assert full.details["files_loaded"] == len(export.files)
    assert_rows(db, export)


def test_files_outside_the_layout_are_reported_not_read(tmp_path: Path) -> None:
    export = make_export(days=1, files_per_day=1)
    root = export.write(tmp_path / "export")
    (root / "segment-logs" / SOURCE_ID / "README.txt").write_text("not an event file")
    (root / "segment-logs" / SOURCE_ID / "not-a-day").mkdir()
    (root / "segment-logs" / SOURCE_ID / "not-a-day" / "x.gz").write_bytes(b"")
    result = sync(tmp_path / "w.duckdb", env_for(root))
    assert result.status == "complete" and result.details["files_ignored"] == 2
    assert_rows(tmp_path / "w.duckdb", export)


def test_only_the_configured_source_is_read(tmp_path: Path) -> None:
    web = make_export(days=1, files_per_day=1, seed=1)
    app = make_export(days=1, files_per_day=1, seed=2, source_id="app_source_2")
    root = web.write(tmp_path / "export")
    app.write(root)
    both = sync(tmp_path / "both.duckdb", env_for(root))
    assert both.details["files_loaded"] == 2
    only = sync(tmp_path / "web.duckdb", env_for(root, SEGMENT_SOURCE_ID=SOURCE_ID))
    assert only.details["files_loaded"] == 1
    assert_rows(tmp_path / "web.duckdb", web)


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({}, "neither is set"),
        ({"SEGMENT_EXPORT_PATH": "/x", "SEGMENT_S3_BUCKET": "b"}, "both are set"),
        ({"SEGMENT_EXPORT_PATH": "/nonexistent/segment-export"}, "is not a folder"),
    ],
)
def test_configuration_errors_name_the_variables(env: dict[str, str], says: str) -> None:
    with pytest.raises(ConfigurationError, match="SEGMENT_EXPORT_PATH") as exc:
        connector_from_env("segment", env)
    assert says in str(exc.value)


def test_an_export_folder_without_the_prefix_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "export").mkdir()
    with pytest.raises(ConfigurationError, match="has no segment-logs/ folder"):
        connector_from_env("segment", env_for(tmp_path / "export"))


class CrashAfter:
    """A raw store whose n-th page commit dies like a process killed mid-sync (nothing of that page is written)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __call__(self, original: Any) -> Any:
        calls = {"n": 0}

        def commit_page(store: RawStore, *args: Any, **kwargs: Any) -> int:
            calls["n"] += 1
            if calls["n"] == self.n:
                raise KeyboardInterrupt("killed")
            return original(store, *args, **kwargs)

        return commit_page


@pytest.mark.parametrize("crash_at", [2, 3, 5, 8])
def test_a_sync_that_dies_between_pages_resumes_inside_the_file_without_reading_a_line_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crash_at: int
) -> None:
    export = make_export(days=2, files_per_day=2, calls_per_file=9)
    file_key = key(START, "777-bad-lines.gz")
    export.add(file_key, [*bad_lines().values(), *[line(c) for c in list(export.calls.values())[:3]]])
    root = export.write(tmp_path / "export")
    env = env_for(root, SEGMENT_PAGE_SIZE="4")
    clean = tmp_path / "clean.duckdb"
    sync(clean, env)
    db = tmp_path / "w.duckdb"
    original = RawStore.commit_page
    monkeypatch.setattr(RawStore, "commit_page", CrashAfter(crash_at)(original))
    with pytest.raises(KeyboardInterrupt):
        sync(db, env)
    monkeypatch.setattr(RawStore, "commit_page", original)
    resumed = sync(db, env)
    assert resumed.resumed and resumed.status == "complete"
    assert_same_load(clean, db)


def assert_same_load(clean: Path, db: Path) -> None:
    """The raw rows, the files recorded and the quarantine rows (as a multiset) equal a clean load's."""
    assert not describe_differences(raw_snapshot(clean, "segment"), raw_snapshot(db, "segment"))
    assert files_table(db) == files_table(clean)
    assert quarantine_rows(db) == quarantine_rows(clean)


def test_a_sync_killed_with_sigkill_mid_load_resumes_to_a_clean_load(tmp_path: Path) -> None:
    export = make_export(days=6, files_per_day=4, calls_per_file=60)
    export.add(key(START, "999-bad.gz"), list(bad_lines().values()))
    root = export.write(tmp_path / "export")
    env = env_for(root, SEGMENT_PAGE_SIZE="7")
    clean = tmp_path / "clean.duckdb"
    sync(clean, env)
    # The kill races the child: on a loaded machine it may finish before the signal lands. Try again until a run
    # was really cut short (its state holds an unfinished run).
    for attempt in range(5):
        db = tmp_path / f"w{attempt}.duckdb"
        kill_mid_sync(db, {**os.environ, **env, "PYTHONPATH": str(REPO)})
        if unfinished(db):
            break
    else:
        pytest.fail("five kills in a row landed after the sync finished")
    resumed = sync(db, env)
    assert resumed.resumed and resumed.status == "complete"
    assert not unfinished(db)
    assert_same_load(clean, db)


def kill_mid_sync(db: Path, env: dict[str, str]) -> None:
    cmd = [sys.executable, "-m", "connectors", "sync", "segment", "--warehouse", str(db), "--verbose"]
    proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    seen = []
    for out in proc.stdout:
        seen.append(out)
        if out.startswith("segment.events: 3 pages"):
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def unfinished(db: Path) -> bool:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select state from raw_segment._sync_state where stream = 'events'").fetchall()
    return bool(rows) and bool(json.loads(rows[0][0]).get("run"))


def test_progress_lines_and_the_summary_name_files_and_late_files(tmp_path: Path) -> None:
    export = make_export(days=2, files_per_day=2)
    root = export.write(tmp_path / "export")
    lines: list[str] = []
    with connector_from_env("segment", env_for(root)) as conn, RawStore(tmp_path / "w.duckdb", "segment") as store:
        conn.sync(store, progress=lines.append, progress_every_s=0.0)
    assert any("files seen 4" in x and "files loaded" in x for x in lines[:-1]), lines
    assert "late files 0" in lines[-1] and "events" in lines[-1] and "done" in lines[-1]
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        [(details,)] = con.execute("select details from raw_segment._sync_runs").fetchall()
    assert json.loads(details)["files_loaded"] == 4


def test_calls_keep_their_timestamp_as_the_record_time(tmp_path: Path) -> None:
    visitors = Visitors(5)
    at = parse_present("2026-03-02T10:00:00.250Z")
    call = visitors.call(at, at + timedelta(days=2))  # received two days later: lands in a later folder
    export = Export()
    export.add(key(START + timedelta(days=2), "000.gz"), [line(call)], [call])
    root = export.write(tmp_path / "export")
    sync(tmp_path / "w.duckdb", env_for(root))
    [(payload, updated, archived)] = events(tmp_path / "w.duckdb").values()
    assert payload == call and iso(updated) == "2026-03-02T10:00:00.250Z" and archived is False
