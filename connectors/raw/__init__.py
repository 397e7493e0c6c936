"""The raw layer: the DuckDB writer (``raw_<source>`` tables, sync state, runs, quarantine), the warehouse lock, the
per-stream sync engine, and the record contracts applied to every page before it is stored."""
