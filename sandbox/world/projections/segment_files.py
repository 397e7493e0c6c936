"""Segment's object-store export of the world's calls, as its S3 destination lays it out
(https://segment.com/docs/connections/storage/catalog/aws-s3/): ``segment-logs/<source-id>/<received day>/<file>.gz``
where the day folder is the UTC midnight of ``receivedAt`` in epoch milliseconds, and each file is gzipped
newline-delimited JSON of whole calls.

* One batch of files per 4-hour window of ``receivedAt``, at most 2,000 lines a file (``{window start ms}.{part}.
  {hash}.gz``, so key order is time order), lines in ``receivedAt`` order. A window's files are written once the
  clock has passed its end and never again: files are immutable, and ``advance`` only adds the windows it completes.
  A late call lands in the folder of the day it was received; a duplicate delivery in a later window's file.
* Files are byte-for-byte deterministic (gzip without a name or a time stamp), so two exports of one world are
  equal and a rerun into the same folder finds every file already there.
* ``bad_line_rate`` (off in the standard world) adds corrupt lines beside the real ones, one kind after the other:
  ``not_json`` (a line cut in half), ``no_identity`` (neither ``anonymousId`` nor ``userId``), ``bad_timestamp``
  (unparseable), ``absurd_timestamp`` (1970 or 2199), ``oversized`` (a line over 32 KB, Segment's per-event limit).
  They carry message ids of their own, so the real calls stay complete; :attr:`SegmentExport.bad_lines` lists them.

Targets: a local folder (:class:`FolderTarget`) or any S3-compatible client with ``put_object(Bucket=, Key=,
Body=)`` (:class:`BucketTarget`; boto3's, moto's, MinIO's).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sandbox.world.projections.segment import WINDOW_MS, Call, export_cutoff
from sandbox.world.timeutil import DAY_MS
from sandbox.world.web.browsing import stable_hex

LINES_PER_FILE = 2000
MAX_EVENT_BYTES = 32 * 1024
BAD_KINDS = ("not_json", "no_identity", "bad_timestamp", "absurd_timestamp", "oversized")


class Target(Protocol):
    def put(self, key: str, body: bytes) -> None: ...


class FolderTarget:
    """Files under a local folder. A file that exists already with the same bytes is left alone; one with other
    bytes is an error (the folder holds another world's export), never overwritten."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def put(self, key: str, body: bytes) -> None:
        path = self.root / key
        if path.exists():
            if path.read_bytes() == body:
                return
            raise FileExistsError(f"{path} exists with other content: the folder holds another export")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(body)
        os.replace(tmp, path)


class PutObjectClient(Protocol):
    def put_object(self, *, Bucket: str, Key: str, Body: bytes) -> Any: ...


class BucketTarget:
    """Objects in an S3-compatible bucket through any client with boto3's ``put_object``."""

    def __init__(self, client: PutObjectClient, bucket: str, prefix: str = "") -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def put(self, key: str, body: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=body)


@dataclass
class SegmentExport:
    """Writes the world's calls as Segment export files into ``target``; :meth:`sync` adds the windows completed
    since the last call (the world calls it after every ``advance``)."""

    calls: Callable[[], list[Call]]
    target: Target
    source_id: str
    seed: int
    bad_line_rate: float = 0.0
    written: list[str] = field(default_factory=list)  # keys, in the order they were written
    bad_lines: list[dict[str, Any]] = field(default_factory=list)  # {"key", "line", "kind", "messageId"}
    _done_until: int | None = None  # windows before this one are written
    _index: dict[int, list[tuple[int, str, Call, int]]] | None = None

    def _windows(self) -> dict[int, list[tuple[int, str, Call, int]]]:
        if self._index is None:
            idx: dict[int, list[tuple[int, str, Call, int]]] = {}
            for c in self.calls():
                for i, (_, received) in enumerate(c.deliveries):
                    idx.setdefault(received // WINDOW_MS, []).append((received, c.message_id, c, i))
            for rows in idx.values():
                rows.sort(key=lambda r: (r[0], r[1], r[3]))
            self._index = idx
        return self._index

    def sync(self, now_ms: int) -> list[str]:
        """Write every complete window not written yet; returns the keys written."""
        idx = self._windows()
        end = export_cutoff(now_ms) // WINDOW_MS
        start = self._done_until if self._done_until is not None else min(idx, default=end)
        keys: list[str] = []
        for w in range(start, end):
            rows = idx.get(w)
            if rows:
                keys.extend(self._write_window(w, rows))
        self._done_until = max(start, end)
        return keys

    def _write_window(self, w: int, rows: list[tuple[int, str, Call, int]]) -> list[str]:
        window_ms = w * WINDOW_MS
        day = window_ms // DAY_MS * DAY_MS
        keys = []
        for part, lo in enumerate(range(0, len(rows), LINES_PER_FILE)):
            name = f"{window_ms}.{part:03d}.{stable_hex(self.source_id, window_ms, part, n=12)}.gz"
            key = f"segment-logs/{self.source_id}/{day}/{name}"
            chunk = rows[lo : lo + LINES_PER_FILE]
            lines = [json.dumps(c.line(i), separators=(",", ":"), ensure_ascii=False) for _, _, c, i in chunk]
            if self.bad_line_rate > 0:
                lines = self._with_bad_lines(key, lines)
            self.target.put(key, gzipped("".join(line + "\n" for line in lines)))
            self.written.append(key)
            keys.append(key)
        return keys

    def _with_bad_lines(self, key: str, lines: list[str]) -> list[str]:
        rng = random.Random(f"{self.seed}:{key}:bad-lines")
        out: list[str] = []
        for line in lines:
            out.append(line)
            if rng.random() < self.bad_line_rate:
                kind = BAD_KINDS[len(self.bad_lines) % len(BAD_KINDS)]
                bad, mid = corrupt(line, kind, rng)
                out.append(bad)
                self.bad_lines.append({"key": key, "line": len(out), "kind": kind, "messageId": mid})
        return out


def corrupt(line: str, kind: str, rng: random.Random) -> tuple[str, str | None]:
    """A bad line made from a good one (with a message id of its own, when it is JSON at all)."""
    if kind == "not_json":
        return line[: len(line) // 2], None
    call = json.loads(line)
    mid = "bad-" + stable_hex(line, kind, rng.random(), n=24)
    call["messageId"] = mid
    if kind == "no_identity":
        call.pop("anonymousId", None)
        call.pop("userId", None)
    elif kind == "bad_timestamp":
        call["timestamp"] = "2026-13-45T25:61:00Z"
    elif kind == "absurd_timestamp":
        call["timestamp"] = rng.choice(("1970-01-01T00:00:00.000Z", "2199-12-31T23:59:59.000Z"))
    elif kind == "oversized":
        call.setdefault("properties", {})["notes"] = "x" * (MAX_EVENT_BYTES + 512)
    return json.dumps(call, separators=(",", ":"), ensure_ascii=False), mid


def gzipped(text: str) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=6) as f:
        f.write(text.encode("utf-8"))
    return buf.getvalue()


def read_export(root: str | Path) -> list[tuple[str, list[str]]]:
    """Every file of a local export as (key, lines), in key order (for tests and scripts)."""
    base = Path(root)
    out = []
    for path in sorted(base.rglob("*.gz")):
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
        out.append((path.relative_to(base).as_posix(), text.splitlines()))
    return out
