"""Data-quality suites (Great Expectations 1.x) over the raw streams and the published tables.

No Dagster here: :mod:`quality.suites` declares what each table must satisfy, :mod:`quality.runner` validates a suite
against a DuckDB connection (pandas batches: GX's SQL data source does not work on DuckDB) and builds Data Docs.
``pipelines/quality`` turns the outcomes into Dagster asset checks.
"""

from quality.runner import ExpectationOutcome, GxRunner, SuiteOutcome
from quality.suites import ERROR, WARN, Suite, published_suites, raw_suite, raw_suites

__all__ = [
    "ERROR",
    "WARN",
    "ExpectationOutcome",
    "GxRunner",
    "Suite",
    "SuiteOutcome",
    "published_suites",
    "raw_suite",
    "raw_suites",
]
