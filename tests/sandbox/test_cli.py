from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import requests

ROOT = Path(__file__).resolve().parents[2]


def test_serve_writes_env_file_and_stops_on_sigterm(tmp_path):
    env_file = tmp_path / "sandbox.env"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "serve", "--people", "30", "--env-file", str(env_file)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.time() + 30
        while not env_file.exists():
            assert proc.poll() is None, proc.stderr.read()
            assert time.time() < deadline
            time.sleep(0.05)
        env = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
        assert env["HUBSPOT_ACCESS_TOKEN"] == "sandbox-hubspot-token"
        r = requests.get(
            f"{env['HUBSPOT_BASE_URL']}/crm/v3/owners",
            headers={"Authorization": f"Bearer {env['HUBSPOT_ACCESS_TOKEN']}"},
            timeout=5,
        )
        assert r.status_code == 200 and len(r.json()["results"]) == 8
        line = proc.stdout.readline()
        assert line.startswith("hubspot http://127.0.0.1:")
        for var in (
            "MAILCHIMP_API_KEY",
            "MAILCHIMP_BASE_URL",
            "META_ACCESS_TOKEN",
            "META_BASE_URL",
            "META_AD_ACCOUNT_ID",
            "META_PAGE_ID",
            "META_IG_USER_ID",
            "GOOGLE_ADS_ACCESS_TOKEN",
            "GOOGLE_ADS_DEVELOPER_TOKEN",
            "GOOGLE_ADS_CUSTOMER_ID",
            "GOOGLE_ADS_BASE_URL",
        ):
            assert env[var], var
        assert env["JOURNEYHUB_START_DATE"] == "2026-01-01" and env["JOURNEYHUB_TODAY"] == "2026-04-01"
        assert env["MAILCHIMP_API_KEY"].endswith("-sb1") and env["MAILCHIMP_BASE_URL"].endswith("/3.0")
        r = requests.get(f"{env['MAILCHIMP_BASE_URL']}/lists", auth=("x", env["MAILCHIMP_API_KEY"]), timeout=5)
        assert r.status_code == 200 and r.json()["total_items"] == 1
        r = requests.get(
            f"{env['META_BASE_URL']}/v25.0/{env['META_AD_ACCOUNT_ID']}/campaigns",
            params={"access_token": env["META_ACCESS_TOKEN"]},
            timeout=5,
        )
        assert r.status_code == 200 and len(r.json()["data"]) == 3
        names = {proc.stdout.readline().split()[0] for _ in range(3)}
        assert names == {"mailchimp", "meta", "google_ads"}
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_load_and_manifest_commands(tmp_path):
    wh = tmp_path / "x.duckdb"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "sandbox",
            "load",
            "--warehouse",
            str(wh),
            "--people",
            "30",
            "--manifest",
            str(tmp_path / "m"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
    )
    assert out.returncode == 0, out.stderr
    con = duckdb.connect(str(wh), read_only=True)
    assert con.execute("select count(*) from raw_hubspot.owners").fetchone()[0] == 8
    for table in (
        "raw_mailchimp.list_members",
        "raw_meta_ads.ads_insights",
        "raw_social.facebook_posts",
        "raw_google_ads.ad_group_daily_metrics",
    ):
        assert con.execute(f"select count(*) from {table}").fetchone()[0] > 0, table
    con.close()
    assert (tmp_path / "m" / "persons.csv").exists()
    out = subprocess.run(
        [sys.executable, "-m", "sandbox", "manifest", "--out", str(tmp_path / "m2"), "--people", "30"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "m2" / "persons.csv").read_text() == (tmp_path / "m" / "persons.csv").read_text()
