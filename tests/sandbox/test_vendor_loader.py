"""The direct loader writes exactly what the real connectors store after a full sync against the sandbox servers."""

from __future__ import annotations

import json

import duckdb
import pytest

from connectors.google_ads import GoogleAdsConfig, GoogleAdsConnector
from connectors.hubspot import HubSpotConfig, HubSpotConnector
from connectors.mailchimp import MailchimpConfig, MailchimpConnector
from connectors.meta import MetaAdsConnector, MetaConfig, SocialConnector
from connectors.raw.store import RawStore
from connectors.segment import SegmentConfig, SegmentConnector
from sandbox.loader import VENDOR_SOURCES, load_world
from sandbox.server.hubspot import RateLimits
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


def test_loader_web_rows_equal_the_web_connectors_sync(tmp_path):
    """raw_segment.events and raw_hubspot.web_events: the loader writes what the Segment connector stores from the
    export files and what the HubSpot connector's web_events stream stores from the Events API."""
    world = World(CFG)
    world.advance(hours=13)
    load_world(tmp_path / "loader.duckdb", world, vendors=("hubspot_web", "segment"))
    with run_sandbox(world, vendors=("hubspot",), rate_limits=RateLimits(per_interval=100_000)) as sb:
        env = sb.env()
        with (
            RawStore(tmp_path / "connector.duckdb", "segment") as store,
            SegmentConnector(SegmentConfig.from_env(env)) as conn,
        ):
            conn.sync(store, mode="full_refresh", progress=lambda _: None)
        hub = HubSpotConnector(HubSpotConfig.from_env(env, backoff_base_s=0.01))
        with RawStore(tmp_path / "connector.duckdb", "hubspot") as store, hub:
            hub.sync(store, streams=["web_events"], mode="full_refresh", progress=lambda _: None)
    for source, stream in (("segment", "events"), ("hubspot", "web_events")):
        want = _rows(tmp_path / "loader.duckdb", source, stream)
        got = _rows(tmp_path / "connector.duckdb", source, stream)
        assert want, f"{source}.{stream} is empty"
        assert set(want) == set(got), (stream, sorted(set(want) ^ set(got))[:5])
        diff = [k for k in want if want[k] != got[k]]
        assert not diff, (stream, diff[0], want[diff[0]], got[diff[0]])
