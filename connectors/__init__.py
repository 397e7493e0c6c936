"""Vendor connectors without Dagster: ``core`` (HTTP, errors, redaction, paging, clocks, settings), ``raw`` (the DuckDB
raw layer, the sync engine, record contracts), one package per vendor with the same modules, and ``registry`` (every
source built from environment variables). docs/architecture.md, "Connectors", describes the layout and how to add a
vendor."""
