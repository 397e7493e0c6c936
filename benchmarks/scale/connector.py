"""Connector overhead: a full sync of Mailchimp streams through the connector (HTTP client with retries and rate
limits, contract checks, shaping, the raw store's merge) against a bare ``requests`` + ``json`` loop that fetches
and parses the same pages and keeps nothing.

The sandbox runs in its own process (``python -m sandbox serve``), as a vendor would, so its page rendering does
not share the client's interpreter lock. Both sides see the same server time; the difference is the connector's.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests

from journeyhub.launch import sandbox_process

REPEATS = 3
STREAMS = ("list_members", "campaign_recipients")


def _pages(s: requests.Session, url: str, key: str, params: dict[str, Any], count: int) -> Iterator[list[Any]]:
    offset = 0
    while True:
        body = s.get(url, params={**params, "count": count, "offset": offset}, timeout=60).json()
        items = body[key]
        yield items
        offset += len(items)
        if len(items) < count or offset >= body.get("total_items", offset):
            return


def bare_loop(env: dict[str, str], stream: str, count: int = 1000) -> int:
    """The same requests the connector makes for ``stream``, each page fetched and parsed, nothing kept."""
    base = env["MAILCHIMP_BASE_URL"].rstrip("/")
    n = 0
    with requests.Session() as s:
        s.auth = ("journeyhub", env["MAILCHIMP_API_KEY"])
        if stream == "list_members":
            lists = s.get(f"{base}/lists", params={"fields": "lists.id,total_items"}, timeout=60).json()["lists"]
            for lst in lists:
                params = {"sort_field": "last_changed", "sort_dir": "ASC"}
                for items in _pages(s, f"{base}/lists/{lst['id']}/members", "members", params, count):
                    n += len(items)
        else:
            params = {"status": "sent", "sort_field": "send_time", "sort_dir": "ASC"}
            params["fields"] = "campaigns.id,campaigns.send_time"
            campaigns = [c for items in _pages(s, f"{base}/campaigns", "campaigns", params, count) for c in items]
            for c in campaigns:
                for items in _pages(s, f"{base}/reports/{c['id']}/sent-to", "sent_to", {}, count):
                    n += len(items)
    return n


def connector_sync(env: dict[str, str], stream: str, warehouse: Path) -> int:
    from connectors.raw.store import RawStore
    from connectors.registry import connector_from_env

    with connector_from_env("mailchimp", env) as conn, RawStore(warehouse, "mailchimp") as store:
        (result,) = conn.sync(store, [stream], mode="full_refresh")
    return int(result.records)


def run_connector_benchmark(people: int) -> dict[str, Any]:
    out: dict[str, Any] = {"people": people, "streams": {}}
    # the sandbox's default 90-day world; generating 20,000 people takes a few minutes
    with (
        tempfile.TemporaryDirectory(prefix="bench-connector-") as tmp,
        sandbox_process(Path(tmp) / "sandbox.env", people=people, days=90, timeout_s=900.0) as sandbox_env,
    ):
        env = {**os.environ, **sandbox_env}
        for stream in STREAMS:
            bare, conn = [], []
            records = 0
            # alternate the two, best of REPEATS each: the machine is shared, the best run is the least disturbed
            for i in range(REPEATS):
                t = time.perf_counter()
                records = bare_loop(env, stream)
                bare.append(time.perf_counter() - t)
                t = time.perf_counter()
                written = connector_sync(env, stream, Path(tmp) / f"wh{i}_{stream}.duckdb")
                conn.append(time.perf_counter() - t)
            out["streams"][stream] = {
                "records": records,
                "written": written,
                "bare_s": min(bare),
                "connector_s": min(conn),
                "bare_runs": bare,
                "connector_runs": conn,
            }
    return out
