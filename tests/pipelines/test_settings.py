"""Every documented setting reaches a Dagster run (docs/configuration.md).

The CLI, the Dagster resources and the tests build connectors through one function
(``connectors.registry.connector_from_env``). This test sets every variable that docs/configuration.md documents for
a source to a value other than its default, runs one stream of every source through Dagster with the default
resources, and reads each value back from the run's ``connector_settings`` metadata.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from connectors.registry import SOURCES
from sandbox.testing import run_sandbox
from sandbox.world import World, WorldConfig

pytestmark = pytest.mark.e2e

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
SOURCE_SECTIONS = ("HubSpot", "Mailchimp", "Meta", "Google Ads", "Every source")

# One cheap, unpartitioned stream per source.
STREAMS = {
    "hubspot": "owners",
    "mailchimp": "lists",
    "meta_ads": "campaigns",
    "social": "facebook_posts",
    "google_ads": "campaigns",
}

# variable -> (value to set, connector setting it must become, that setting's value). None as the value: the
# sandbox's own (URLs, ids), which the run must use for the stream to sync at all.
NUMBERS: dict[str, tuple[str, str, Any]] = {
    "HUBSPOT_REQUESTS_PER_10S": ("150", "requests_per_10s", 150),
    "HUBSPOT_SEARCH_PER_SECOND": ("3", "search_per_second", 3),
    "HUBSPOT_TIMEOUT_S": ("21", "timeout_s", 21.0),
    "HUBSPOT_LOOKBACK_MINUTES": ("45", "lookback_minutes", 45.0),
    "MAILCHIMP_LOOKBACK_MINUTES": ("33", "lookback_minutes", 33.0),
    "MAILCHIMP_PAGE_SIZE": ("77", "page_size", 77),
    "MAILCHIMP_TIMEOUT_S": ("22", "timeout_s", 22.0),
    "MAILCHIMP_ACTIVITY_WINDOW_DAYS": ("21", "activity_window_days", 21),
    "META_API_VERSION": ("v24.0", "api_version", "v24.0"),
    "META_RESTATEMENT_DAYS": ("20", "restatement_days", 20),
    "META_REQUESTS_PER_MINUTE": ("100000", "requests_per_minute", 100000),
    "META_TIMEOUT_S": ("23", "timeout_s", 23.0),
    "META_COMMENTS_REREAD_DAYS": ("9", "comments_reread_days", 9),
    "META_PAGE_SIZE": ("50", "page_size", 50),
    "META_INSIGHTS_PAGE_SIZE": ("250", "insights_page_size", 250),
    "GOOGLE_ADS_API_VERSION": ("v23", "api_version", "v23"),
    "GOOGLE_ADS_RESTATEMENT_DAYS": ("10", "restatement_days", 10),
    "JOURNEYHUB_MAX_FUTURE_SKEW_HOURS": ("30", "max_future_skew_hours", 30.0),
}
FROM_SANDBOX = {
    "HUBSPOT_BASE_URL": "base_url",
    "MAILCHIMP_BASE_URL": "base_url",
    "META_BASE_URL": "base_url",
    "META_AD_ACCOUNT_ID": "ad_account_id",
    "META_PAGE_ID": "page_id",
    "META_IG_USER_ID": "ig_user_id",
    "GOOGLE_ADS_BASE_URL": "base_url",
    "GOOGLE_ADS_CUSTOMER_ID": "customer_id",
}
# set below from the sandbox's world: the history start, the pinned clock and the manager login
OTHERS = ("JOURNEYHUB_START_DATE", "JOURNEYHUB_TODAY", "GOOGLE_ADS_LOGIN_CUSTOMER_ID")


def documented_variables() -> dict[str, set[str]]:
    """``{section: {variable}}`` from the tables of docs/configuration.md."""
    sections: dict[str, set[str]] = {}
    current = None
    for line in DOC.read_text().splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
        elif current and line.startswith("| `"):
            sections.setdefault(current, set()).update(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1]))
    return sections


def source_variables() -> set[str]:
    docs = documented_variables()
    return set().union(*(v for k, v in docs.items() if k.split(" (")[0] in SOURCE_SECTIONS))


def test_every_documented_source_variable_is_covered() -> None:
    secrets = {s for spec in SOURCES.values() for s in spec.secrets}
    covered = set(NUMBERS) | set(FROM_SANDBOX) | set(OTHERS) | secrets
    assert source_variables() == covered, "docs/configuration.md and this test disagree"
    # and every documented source variable belongs to a source (its prefix or the shared list)
    orphans = {v for v in source_variables() if not any(v in spec.settings({v: "x"}) for spec in SOURCES.values())}
    assert not orphans


def test_every_documented_variable_reaches_a_dagster_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_world: WorldConfig
) -> None:
    monkeypatch.setenv("JOURNEYHUB_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    with run_sandbox(World(small_world)) as sb, dg.instance_for_test() as instance:
        env = sb.env()
        start = date.fromisoformat(env["JOURNEYHUB_START_DATE"]) + timedelta(days=3)
        values = {
            **{var: setting for var, (setting, _, _) in NUMBERS.items()},
            "JOURNEYHUB_START_DATE": start.isoformat(),
            "GOOGLE_ADS_LOGIN_CUSTOMER_ID": env["GOOGLE_ADS_CUSTOMER_ID"],
        }
        for key, value in {**env, **values}.items():
            monkeypatch.setenv(key, value)
        from pipelines.definitions import INGEST_ASSETS, default_resources

        selection = [dg.AssetKey([f"raw_{source}", stream]) for source, stream in STREAMS.items()]
        result = dg.materialize(INGEST_ASSETS, selection=selection, resources=default_resources(), instance=instance)
    assert result.success
    seen = {
        e.asset_key.path[0].removeprefix("raw_"): e.materialization.metadata["connector_settings"].value
        for e in result.get_asset_materialization_events()
    }
    assert set(seen) == set(STREAMS)

    problems = []
    for source, settings in seen.items():
        spec = SOURCES[source]
        for var, (_, field, want) in NUMBERS.items():
            if var in spec.settings({var: "x"}) and settings.get(field) != want:
                problems.append(f"{source}: {var} -> {field} = {settings.get(field)!r}, want {want!r}")
        for var, field in FROM_SANDBOX.items():
            if var in spec.settings({var: "x"}):
                want = env[var].replace("-", "") if var == "GOOGLE_ADS_CUSTOMER_ID" else env[var]
                if settings.get(field) != want:
                    problems.append(f"{source}: {var} -> {field} = {settings.get(field)!r}, want {want!r}")
        # no secret, under any name
        leaked = [k for k, v in settings.items() if isinstance(v, str) and v in {env[s] for s in spec.secrets}]
        if leaked:
            problems.append(f"{source}: secrets shown as {leaked}")
    for source in ("meta_ads", "google_ads"):
        if seen[source].get("start_date") != start.isoformat():
            problems.append(f"{source}: JOURNEYHUB_START_DATE not used: {seen[source].get('start_date')!r}")
        if seen[source].get("today") != env["JOURNEYHUB_TODAY"]:
            problems.append(f"{source}: JOURNEYHUB_TODAY not used: {seen[source].get('today')!r}")
    if seen["google_ads"].get("login_customer_id") != env["GOOGLE_ADS_CUSTOMER_ID"]:
        problems.append("google_ads: GOOGLE_ADS_LOGIN_CUSTOMER_ID not used")
    print(f"\n{sum(len(s) for s in seen.values())} settings read back from {len(seen)} Dagster materializations")
    assert not problems, "\n".join(problems)
