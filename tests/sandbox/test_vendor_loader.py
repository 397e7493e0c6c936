"""The direct loader writes exactly what the real connectors store after a full sync against the sandbox servers."""

from __future__ import annotations

import json

import duckdb
import pytest

from connectors.google_ads import GoogleAdsConfig, GoogleAdsConnector
from connectors.mailchimp import MailchimpConfig, MailchimpConnector
from connectors.meta import MetaAdsConnector, MetaConfig, SocialConnector
from connectors.raw.store import RawStore
from sandbox.loader import VENDOR_SOURCES, load_world
from sandbox.testing import run_sandbox
from sandbox.world import World, WorldConfig

CFG = WorldConfig(people=90, days=40)


def _rows(path, source: str, stream: str) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            rid: (json.loads(p), upd, arch)
            for rid, p, upd, arch in con.execute(
                f"select record_id, payload::varchar, record_updated_at, is_archived from raw_{source}.{stream}"
            ).fetchall()
        }
    finally:
        con.close()


def _connectors(env: dict[str, str], today):
    meta = MetaConfig.from_env(env, report_poll_s=0.01, backoff_base_s=0.01, requests_per_minute=100_000)
    return {
        "mailchimp": MailchimpConnector(MailchimpConfig.from_env(env, page_size=40, backoff_base_s=0.01)),
        "meta_ads": MetaAdsConnector(meta, start_date=CFG.start_date, today=lambda: today),
        "social": SocialConnector(meta),
        "google_ads": GoogleAdsConnector(
            GoogleAdsConfig.from_env(env, backoff_base_s=0.01, requests_per_minute=100_000),
            start_date=CFG.start_date,
            today=lambda: today,
        ),
    }


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    d = tmp_path_factory.mktemp("vl")
    world = World(CFG)
    world.advance(hours=13)  # mid-day: partial-day totals and today's clicks are part of the comparison
    loaded = load_world(d / "loader.duckdb", world)
    with run_sandbox(world, vendors=("mailchimp", "meta", "google_ads")) as sb:
        env = sb.env()
        for source, conn in _connectors(env, sb.today()).items():
            with RawStore(d / "connector.duckdb", source) as store, conn:
                conn.sync(store, mode="full_refresh", progress=lambda _: None)
    return d, loaded


@pytest.mark.parametrize("source", [s for s in VENDOR_SOURCES if s != "hubspot"])
def test_loader_equals_connector_full_sync(synced, source):
    d, loaded = synced
    streams = list(loaded[source].rows)
    assert streams
    for stream in streams:
        want = _rows(d / "loader.duckdb", source, stream)
        got = _rows(d / "connector.duckdb", source, stream)
        assert want, f"{source}.{stream} is empty"
        assert set(want) == set(got), (stream, sorted(set(want) ^ set(got))[:5])
        diff = [k for k in want if want[k] != got[k]]
        assert not diff, (stream, diff[0], want[diff[0]], got[diff[0]])


def test_loader_is_page_size_independent(tmp_path):
    a = load_world(tmp_path / "a.duckdb", CFG, vendors=("mailchimp", "social"))
    b = load_world(tmp_path / "b.duckdb", CFG, vendors=("mailchimp", "social"), page_size=17)
    for source in ("mailchimp", "social"):
        assert a[source].rows == b[source].rows
        for stream in a[source].rows:
            assert _rows(tmp_path / "a.duckdb", source, stream) == _rows(tmp_path / "b.duckdb", source, stream)
