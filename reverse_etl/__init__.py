"""Reverse ETL: push segments and journey fields from the warehouse back to the HubSpot CRM, once and safely.

No Dagster import here: ``pipelines/reverse_etl`` wraps this package in assets. Usage::

    from reverse_etl import Ledger, RunOptions, load_syncs, run_sync, writer_from_env

    syncs = load_syncs()
    with writer_from_env() as writer:
        result = run_sync(syncs["list_advocates"], Ledger.for_duckdb(path), writer, RunOptions(dry_run=True))
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from connectors.hubspot import HubSpotConfig
from reverse_etl.config import SyncConfigError, SyncDefinition, load_syncs, parse_sync
from reverse_etl.engine import RunOptions, SyncRefused, run_sync
from reverse_etl.erasure import process_erasures
from reverse_etl.hubspot import HubSpotWriter
from reverse_etl.ledger import Ledger
from reverse_etl.models import RunResult

__all__ = [
    "HubSpotWriter",
    "Ledger",
    "RunOptions",
    "RunResult",
    "SyncConfigError",
    "SyncDefinition",
    "SyncRefused",
    "load_syncs",
    "parse_sync",
    "process_erasures",
    "run_sync",
    "writer_from_env",
]


@contextlib.contextmanager
def writer_from_env(env: Mapping[str, str] | None = None, **overrides: Any) -> Iterator[HubSpotWriter]:
    """A writer for the portal in ``HUBSPOT_ACCESS_TOKEN`` / ``HUBSPOT_BASE_URL``."""
    writer = HubSpotWriter(HubSpotConfig.from_env(env, **overrides))
    try:
        yield writer
    finally:
        writer.close()
