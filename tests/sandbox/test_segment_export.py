"""The Segment export files: Segment's object-store layout, gzip NDJSON of whole calls, immutability as the clock
moves, late and duplicated deliveries, every call type, bad lines behind their switch, determinism, the bucket
writer, and the raw rows the direct loader writes from them."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import duckdb
import pytest

from sandbox.cli import main as cli_main
from sandbox.loader import load_world
from sandbox.testing import run_sandbox
from sandbox.world import World, WorldConfig
from sandbox.world.projections.segment import WINDOW_MS
from sandbox.world.projections.segment_files import BAD_KINDS, MAX_EVENT_BYTES, read_export
from sandbox.world.timeutil import DAY_MS, parse_time_ms
from sandbox.world.web import site

CFG = WorldConfig(people=120)
KEY = re.compile(
    r"^segment-logs/(?P<source>[\w-]+)/(?P<day>\d{13})/(?P<window>\d{13})\.(?P<part>\d{3})\.[0-9a-f]{12}\.gz$"
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[World, Path, list[tuple[str, list[str]]]]:
    world = World(CFG)
    root = tmp_path_factory.mktemp("seg")
    world.segment_export(root)
    return world, root, read_export(root)


def _calls(files):
    return [(key, json.loads(line)) for key, lines in files for line in lines]


def test_layout_and_gzip_ndjson(exported):
    world, root, files = exported
    assert files
    per_day = Counter()
    for key, lines in files:
        m = KEY.match(key)
        assert m, key
        assert m["source"] == site.SEGMENT_SOURCE_ID
        day, window = int(m["day"]), int(m["window"])
        assert day % DAY_MS == 0 and window // DAY_MS * DAY_MS == day and window % WINDOW_MS == 0
        assert window + WINDOW_MS <= world.now_ms, "only complete windows are written"
        per_day[day] += 1
        raw = (root / key).read_bytes()
        assert raw[:2] == b"\x1f\x8b" and gzip.decompress(raw).endswith(b"\n")
        received = [parse_time_ms(json.loads(line)["receivedAt"]) for line in lines]
        assert received == sorted(received)
        for r in received:
            assert day <= r < day + DAY_MS and window <= r < window + WINDOW_MS  # the folder is the receive day
    assert max(per_day.values()) >= 3, "several files per day"


def test_whole_calls(exported):
    _, _, files = exported
    types = Counter()
    for _, call in _calls(files):
        types[call["type"]] += 1
        assert call["messageId"] and (call["anonymousId"] or call["userId"])
        for f in ("timestamp", "sentAt", "receivedAt"):
            parse_time_ms(call[f])
        assert call["timestamp"] <= call["sentAt"] < call["receivedAt"]
        assert len(json.dumps(call)) < MAX_EVENT_BYTES
        ctx = call["context"]
        assert {"ip", "library", "locale", "device"} <= set(ctx)
        if call["channel"] == "mobile":
            assert ctx["app"]["name"] == site.APP_NAME and ctx["device"]["type"] in ("ios", "android")
        else:
            assert set(ctx["page"]) == {"path", "referrer", "search", "title", "url"} and ctx["userAgent"]
            assert ctx["device"]["type"] in ("desktop", "mobile", "tablet") and " " not in ctx["page"]["url"]
        if call["type"] == "alias":
            assert call["previousId"] == call["anonymousId"] and call["userId"].startswith("usr_")
        if call["type"] == "identify":
            assert call["traits"] or call["userId"]
        if call["type"] == "group":
            assert call["groupId"].startswith("org_") and call["traits"]["domain"]
    assert set(types) == {"page", "screen", "identify", "track", "alias", "group"}, types
    events = Counter(c["event"] for _, c in _calls(files) if c["type"] == "track")
    assert {"Form Submitted", "Signed Up", "Order Completed", "Experiment Viewed"} <= set(events)
    campaigns = [c["context"]["campaign"] for _, c in _calls(files) if "campaign" in c["context"]]
    assert {"mailchimp", "google", "facebook"} <= {c["source"] for c in campaigns}


def test_late_and_duplicated_deliveries(exported):
    _, _, files = exported
    late = 0
    where = defaultdict(list)
    for key, call in _calls(files):
        day = int(KEY.match(key)["day"])
        if parse_time_ms(call["timestamp"]) < day:
            late += 1  # received days after it happened: in a later day's folder
        where[call["messageId"]].append((key, call))
    assert late > 0
    dups = {m: copies for m, copies in where.items() if len(copies) > 1}
    assert dups
    for copies in dups.values():
        assert len(copies) == 2 and copies[0][0] != copies[1][0], "the copies are in two files"
        a, b = (dict(c, sentAt=None, receivedAt=None) for _, c in copies)
        assert a == b and copies[0][1]["receivedAt"] < copies[1][1]["receivedAt"]


def _window(root: Path, path: Path) -> tuple[int, int]:
    m = KEY.match(path.relative_to(root).as_posix())
    assert m, path
    return int(m["day"]), int(m["window"])


def test_files_are_immutable_and_advance_adds_the_new_windows(tmp_path):
    steps, fresh = tmp_path / "steps", tmp_path / "fresh"
    world = World(WorldConfig(people=60))
    world.segment_export(steps)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in steps.rglob("*.gz")}
    old_now = world.now_ms
    world.advance(days=2, hours=3)
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in steps.rglob("*.gz")}
    assert {p: after[p] for p in before} == before, "no file was rewritten"
    new = set(after) - set(before)
    assert new
    assert all(old_now <= _window(steps, p)[1] < world.now_ms for p in new), "only the windows the clock completed"
    assert max(_window(steps, p)[0] for p in new) > max(_window(steps, p)[0] for p in before)
    # the folder written in two steps is the folder written at once at the later clock
    World(WorldConfig(people=60), now=world.now).segment_export(fresh)
    assert read_export(fresh) == read_export(steps)
    # writing again finds every file there; a file with other bytes is an error, never overwritten
    World(WorldConfig(people=60), now=world.now).segment_export(fresh)
    victim = next(fresh.rglob("*.gz"))
    victim.write_bytes(gzip.compress(b"{}\n"))
    with pytest.raises(FileExistsError, match="another export"):
        World(WorldConfig(people=60), now=world.now).segment_export(fresh)
    assert gzip.decompress(victim.read_bytes()) == b"{}\n"


def test_same_seed_same_bytes(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    World(WorldConfig(people=40)).segment_export(a)
    World(WorldConfig(people=40)).segment_export(b)
    World(WorldConfig(people=40, seed=7)).segment_export(c)
    files_a = {p.relative_to(a): p.read_bytes() for p in a.rglob("*.gz")}
    assert files_a == {p.relative_to(b): p.read_bytes() for p in b.rglob("*.gz")}
    assert files_a != {p.relative_to(c): p.read_bytes() for p in c.rglob("*.gz")}


class _FakeBucket:
    """The only thing the bucket writer may use: ``put_object(Bucket=, Key=, Body=)``."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}

    def put_object(self, *, Bucket: str, Key: str, Body: bytes) -> dict:
        self.objects[(Bucket, Key)] = Body
        return {"ETag": '"x"'}


def test_bucket_writer_writes_the_same_objects(tmp_path):
    world = World(WorldConfig(people=40))
    bucket = _FakeBucket()
    world.segment_bucket_export(bucket, "raw-events", prefix="exports/")
    world.segment_export(tmp_path)
    assert bucket.objects
    assert bucket.objects == {
        ("raw-events", f"exports/{p.relative_to(tmp_path).as_posix()}"): p.read_bytes() for p in tmp_path.rglob("*.gz")
    }
    n = len(bucket.objects)
    world.advance(days=1)
    assert len(bucket.objects) > n, "advance writes the new windows into the bucket too"


def test_bad_lines_are_extra_lines_behind_their_switch(tmp_path):
    world = World(WorldConfig(people=60))
    clean = world.segment_export(tmp_path / "clean")
    assert clean.bad_lines == []
    export = world.segment_export(tmp_path / "bad", bad_line_rate=0.01)
    kinds = Counter(b["kind"] for b in export.bad_lines)
    assert set(kinds) == set(BAD_KINDS)
    bad_files = dict(read_export(tmp_path / "bad"))
    for b in export.bad_lines:
        line = bad_files[b["key"]][b["line"] - 1]
        if b["kind"] == "not_json":
            with pytest.raises(json.JSONDecodeError):
                json.loads(line)
            continue
        call = json.loads(line)
        assert call["messageId"] == b["messageId"]
        if b["kind"] == "no_identity":
            assert "anonymousId" not in call and "userId" not in call
        elif b["kind"] == "bad_timestamp":
            with pytest.raises(ValueError):
                parse_time_ms(call["timestamp"])
        elif b["kind"] == "absurd_timestamp":
            assert call["timestamp"][:4] in ("1970", "2199")
        else:
            assert len(line.encode()) > MAX_EVENT_BYTES
    # every real call is still there, unchanged
    good = [line for _, lines in read_export(tmp_path / "clean") for line in lines]
    kept = [line for _, lines in read_export(tmp_path / "bad") for line in lines]
    assert Counter(good) - Counter(kept) == Counter()
    assert len(kept) - len(good) == len(export.bad_lines)


def test_loader_rows_are_the_files_deduplicated(tmp_path):
    world = World(CFG)
    world.segment_export(tmp_path / "files")
    load_world(tmp_path / "w.duckdb", world, vendors=("segment",))
    want: dict[str, dict] = {}
    for _, lines in read_export(tmp_path / "files"):  # key order; a later copy replaces the earlier
        for line in lines:
            call = json.loads(line)
            want[call["messageId"]] = call
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        rows = con.execute("select record_id, payload, record_updated_at from raw_segment.events").fetchall()
    got = {rid: json.loads(p) for rid, p, _ in rows}
    assert got == want
    for rid, _, updated in rows:
        assert updated.isoformat(timespec="milliseconds") + "Z" == got[rid]["timestamp"]


def test_sandbox_env_names_the_export(tmp_path):
    world = World(WorldConfig(people=30))
    with run_sandbox(world, segment_export=tmp_path / "seg") as sb:
        env = sb.env()
        assert (
            env["SEGMENT_EXPORT_PATH"] == str(tmp_path / "seg") and env["SEGMENT_SOURCE_ID"] == site.SEGMENT_SOURCE_ID
        )
        n = len(list((tmp_path / "seg").rglob("*.gz")))
        assert n > 0
        sb.advance(days=1)
        assert len(list((tmp_path / "seg").rglob("*.gz"))) > n
    with run_sandbox(world, vendors=("mailchimp",)) as sb:  # a folder of its own, removed afterwards
        own = Path(sb.env()["SEGMENT_EXPORT_PATH"])
        assert list(own.rglob("*.gz"))
    assert not own.exists()
    world.advance(days=1)  # a closed sandbox's folder is not written any more


def test_cli_web_export(tmp_path, capsys):
    assert cli_main(["web-export", "--people", "30", "--out", str(tmp_path), "--now", "2026-02-01T00:00:00"]) == 0
    files = read_export(tmp_path)
    assert files and all(KEY.match(k) for k, _ in files)
    assert max(int(KEY.match(k)["day"]) for k, _ in files) < parse_time_ms("2026-02-01T00:00:00Z")
    assert "wrote" in capsys.readouterr().out
