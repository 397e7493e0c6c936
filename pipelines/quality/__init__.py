"""Quality gates as Dagster asset checks: GX contracts on raw streams and published tables, quarantine rates."""
