"""A sync killed mid-run leaves its ``_sync_runs`` row ``running``; the next sync of the stream closes it as ``failed``
with the reason, so no row claims to be running once a later sync is done."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb

from connectors.hubspot import HubSpotConfig, HubSpotConnector
from connectors.raw.store import RawStore
from connectors.raw.sync import run_stream_sync
from tests.connectors.scripted_server import Step, scripted_server

REPO = Path(__file__).resolve().parents[2]
T = "2026-01-02T00:00:00.000Z"
PAGES = 8


def owners(request: dict) -> Step:
    """Eight pages of two owners (``after`` is the page number), each a little slow so a kill lands mid-stream."""
    if request["query"].get("archived") == ["true"]:
        return Step(200, {"results": []})
    page = int((request["query"].get("after") or ["0"])[0])
    body: dict = {"results": [{"id": str(page * 2 + i), "email": "o@x.com", "updatedAt": T} for i in (1, 2)]}
    if page + 1 < PAGES:
        body["paging"] = {"next": {"after": str(page + 1)}}
    return Step(200, body, delay_s=0.2)


def runs(db: Path) -> list[tuple[str, str, str | None]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "select sync_id, status, error from raw_hubspot._sync_runs where stream = 'owners' order by started_at"
        ).fetchall()


def test_a_sync_killed_with_sigkill_is_marked_failed_by_the_sync_that_resumes_it(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with scripted_server(owners) as (url, _):
        env = {**os.environ, "HUBSPOT_ACCESS_TOKEN": "pat-na1-secret-0000", "HUBSPOT_BASE_URL": url}
        cmd = [
            *(sys.executable, "-m", "connectors", "sync", "hubspot", "--streams", "owners"),
            *("--warehouse", str(db), "--mode", "full_refresh", "--verbose"),
        ]
        proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if line.startswith("hubspot.owners: 2 pages"):
                break
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL, "".join(seen)
        [(killed_id, status, _)] = runs(db)
        assert status == "running"  # what a killed sync leaves behind

        cfg = HubSpotConfig(access_token="pat-na1-secret-0000", base_url=url, backoff_base_s=0.01)
        with RawStore(db, "hubspot") as store:
            result = run_stream_sync(store, HubSpotConnector(cfg).reader("owners"), mode="incremental")
            assert store.count("owners") == PAGES * 2
    assert result.resumed and result.status == "complete"
    assert runs(db) == [
        (killed_id, "failed", f"interrupted: resumed by sync {result.sync_id}"),
        (result.sync_id, "complete", None),
    ]


def test_a_run_that_died_before_its_first_page_is_marked_superseded(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with RawStore(db, "hubspot") as store:
        store.start_run("died-early", "owners", "full_refresh")  # as a sync killed before any page committed does
    with scripted_server(owners) as (url, _):
        cfg = HubSpotConfig(access_token="pat-na1-secret-0000", base_url=url, backoff_base_s=0.01)
        with RawStore(db, "hubspot") as store:
            result = run_stream_sync(store, HubSpotConnector(cfg).reader("owners"), mode="full_refresh")
    assert not result.resumed
    assert runs(db) == [
        ("died-early", "failed", f"interrupted: superseded by sync {result.sync_id}"),
        (result.sync_id, "complete", None),
    ]
