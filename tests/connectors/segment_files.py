"""Segment-spec export files for the connector tests, until the sandbox writes its own: a small generator of
realistic calls (a website and a mobile app: page, screen, identify, track, alias, group), gzipped NDJSON in
Segment's layout ``segment-logs/<source id>/<received day, epoch ms>/<name>.gz``, written to a folder or put into a
bucket through any client with ``put_object(Bucket=, Key=, Body=)``.

Deterministic for a seed: the same export, byte for byte (gzip without a timestamp), every time.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from connectors.segment import DEFAULT_PREFIX, day_folder

SOURCE_ID = "wk3Hs9xKq2web"
START = date(2026, 3, 2)
PAGES = [
    ("/", "Journeyhub: know every journey", ""),
    ("/pricing", "Pricing", "?plan=team"),
    ("/product/attribution", "Attribution", ""),
    ("/blog/markov-attribution", "Markov attribution, explained", ""),
    ("/demo", "Book a demo", ""),
    ("/signup", "Start free", ""),
    ("/checkout", "Checkout", ""),
]
CAMPAIGNS = [
    None,
    {"name": "spring_launch", "source": "google", "medium": "cpc", "term": "journey analytics", "content": "ad_a"},
    {"name": "march_newsletter", "source": "mailchimp", "medium": "email"},
    {"name": "retarget_q1", "source": "facebook", "medium": "paid_social", "content": "carousel"},
]
AGENTS = [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
]


def iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def line(call: Any) -> bytes:
    return json.dumps(call, separators=(",", ":")).encode()


def gz(lines: list[bytes]) -> bytes:
    return gzip.compress(b"".join(x + b"\n" for x in lines), mtime=0)


def key(day: date, name: str, *, source_id: str = SOURCE_ID, prefix: str = DEFAULT_PREFIX) -> str:
    return f"{prefix}/{source_id}/{day_folder(day)}/{name}"


@dataclass
class Export:
    """The files (key -> gzipped bytes) and every good call by messageId (what ``raw_segment.events`` must hold)."""

    files: dict[str, bytes] = field(default_factory=dict)
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, file_key: str, lines: list[bytes], good: list[dict[str, Any]] | None = None) -> None:
        assert file_key not in self.files, "export files are immutable"
        self.files[file_key] = gz(lines)
        for call in good or []:
            self.calls[call["messageId"]] = call

    def write(self, root: Path) -> Path:
        for k, data in self.files.items():
            path = root / k
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        return root

    def put(self, client: Any, bucket: str) -> None:
        for k, data in self.files.items():
            client.put_object(Bucket=bucket, Key=k, Body=data)


class Visitors:
    """People on the site and in the app: an anonymous id each, a user id once they sign up."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.people: list[dict[str, Any]] = []

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def person(self) -> dict[str, Any]:
        if not self.people or self.rng.random() < 0.3:
            n = len(self.people)
            self.people.append({"anonymousId": self.uid(), "userId": None, "email": f"visitor{n}@example.com", "n": n})
        return self.rng.choice(self.people)

    def call(self, at: datetime, received: datetime) -> dict[str, Any]:
        p = self.person()
        kind = self.rng.choices(
            ["page", "screen", "identify", "track", "alias", "group"], weights=[60, 8, 10, 15, 3, 4]
        )[0]
        ids: dict[str, Any] = {"anonymousId": p["anonymousId"]}
        if p["userId"]:
            ids["userId"] = p["userId"]
        path, title, search = self.rng.choice(PAGES)
        context: dict[str, Any] = {
            "ip": f"203.0.113.{p['n'] % 250}",
            "locale": "en-US",
            "userAgent": AGENTS[p["n"] % 3],
            "library": {"name": "analytics.js", "version": "4.1.0"},
            "page": {
                "path": path,
                "referrer": "https://www.google.com/" if self.rng.random() < 0.3 else "",
                "search": search,
                "title": title,
                "url": f"https://www.journeyhub.example{path}{search}",
            },
        }
        campaign = self.rng.choice(CAMPAIGNS)
        if campaign:
            context["campaign"] = campaign
        call: dict[str, Any] = {"type": kind, "messageId": f"ajs-next-{self.uid()}", **ids}
        if kind == "page":
            call.update(name=title, properties={"path": path, "title": title, "url": context["page"]["url"]})
        elif kind == "screen":
            context = {**context, "app": {"name": "Journeyhub", "version": "3.2.0", "build": "320"}}
            context["device"] = {"type": "ios", "model": "iPhone15,2"}
            context["library"] = {"name": "analytics-ios", "version": "4.1.8"}
            call.update(name="Dashboard", properties={"tab": "journeys"})
        elif kind == "identify":
            p["userId"] = p["userId"] or f"user_{p['n']:05d}"
            call.update(userId=p["userId"], traits={"email": p["email"], "plan": "team"})
        elif kind == "track":
            event = self.rng.choice(["Form Submitted", "Signed Up", "Order Completed", "Experiment Viewed"])
            props = {
                "Form Submitted": {"form_id": "demo-request", "form_name": "Book a demo"},
                "Signed Up": {"method": "email"},
                "Order Completed": {"order_id": f"ord_{self.rng.randrange(10**6)}", "revenue": 49.0, "currency": "USD"},
                "Experiment Viewed": {"experiment_id": "pricing_v2", "variation_id": "b"},
            }[event]
            call.update(event=event, properties=props)
        elif kind == "alias":
            p["userId"] = p["userId"] or f"user_{p['n']:05d}"
            call.update(previousId=p["anonymousId"], userId=p["userId"])
        else:
            call.update(groupId=f"company_{p['n'] % 7}", traits={"name": f"Company {p['n'] % 7}"})
        sent = at + timedelta(milliseconds=self.rng.randrange(50, 900))
        call.update(
            timestamp=iso(at),
            sentAt=iso(sent),
            receivedAt=iso(received),
            originalTimestamp=iso(at),
            context=context,
            integrations={},
            version=2,
        )
        return call


def make_export(
    *,
    days: int = 4,
    files_per_day: int = 3,
    calls_per_file: int = 30,
    seed: int = 1,
    start: date = START,
    source_id: str = SOURCE_ID,
    late_calls: int = 3,
    redeliveries: int = 2,
) -> Export:
    """An export of ``days`` received days. Some calls are late (their timestamp days before the folder they land
    in, as Segment files by receive day) and some are delivered twice (the same call in a later file)."""
    visitors = Visitors(seed)
    export = Export()
    delivered: list[dict[str, Any]] = []
    for d in range(days):
        day = start + timedelta(days=d)
        midnight = datetime(day.year, day.month, day.day)
        for f in range(files_per_day):
            calls = []
            for c in range(calls_per_file):
                received = midnight + timedelta(hours=f * 8, minutes=c * 7, seconds=visitors.rng.randrange(60))
                at = received - timedelta(milliseconds=visitors.rng.randrange(80, 4000))
                if c < late_calls and d > 0 and f == 0:
                    at -= timedelta(days=d, hours=3)  # an app that was offline: it arrives days later
                calls.append(visitors.call(at, received))
            if d > 0 and f == 1:
                calls += delivered[-redeliveries:]  # redelivered: the same calls, byte for byte, in a later file
            export.add(key(day, f"{f:03d}-{seed}.gz", source_id=source_id), [line(c) for c in calls], calls)
            delivered = calls[:calls_per_file]
    return export


# -- reading a warehouse back ------------------------------------------------------------------------------------


def files_table(db: Path) -> dict[str, tuple]:
    """``raw_segment._files`` without the load metadata: key -> (source, day, size, etag, lines, events,
    quarantined)."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select file_key, source_id, received_day, size_bytes, etag, lines, events, quarantined "
            "from raw_segment._files"
        ).fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def quarantine_rows(db: Path) -> list[tuple]:
    """Every quarantine row of the source (reason, record id, detail, payload), sorted: a multiset to compare. The
    wall-clock instant a future timestamp was judged against is left out of the detail."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select reason, record_id, detail, payload from raw_segment._quarantine").fetchall()
    rows = [(r, i, re.sub(r"is after \S+Z \(now", "is after <now>Z (now", d or ""), p) for r, i, d, p in rows]
    return sorted(rows, key=lambda r: tuple("" if v is None else str(v) for v in r))
