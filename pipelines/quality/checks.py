"""Great Expectations suites (quality/) as Dagster asset checks.

Raw streams: one check ``gx_contract`` per stream, grouped in one multi-asset check per source so a sync of several
streams validates them with one GX context. Published tables: one blocking check per table. A check fails with
severity ERROR when an ``error`` expectation fails, which blocks everything downstream in the run (the serving copy,
reverse ETL); ``warn`` expectations only fail it with severity WARN. Each result links the Data Docs site.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb

from connectors.raw.locking import connect_warehouse, warehouse_lock
from connectors.registry import stream_names
from pipelines.settings import quality_dir, warehouse_path
from quality import GxRunner, Suite, SuiteOutcome, published_suites, raw_suite

GX_CHECK = "gx_contract"


@contextmanager
def _warehouse_reader() -> Iterator[duckdb.DuckDBPyConnection]:
    # readers wait for writers (DuckDB has one writing process; a reader would fail on its lock)
    with warehouse_lock(warehouse_path()), connect_warehouse(warehouse_path(), read_only=True) as con:
        yield con


def check_result(suite: Suite, outcome: SuiteOutcome) -> dg.AssetCheckResult:
    blocking = outcome.blocking_failures
    metadata: dict[str, dg.MetadataValue] = {
        "rows_validated": dg.MetadataValue.int(outcome.rows),
        "expectations": dg.MetadataValue.int(len(outcome.outcomes)),
        "failed_expectations": dg.MetadataValue.int(len(outcome.failed)),
        "results": dg.MetadataValue.md(outcome.summary_markdown()),
        "duration_s": dg.MetadataValue.float(round(outcome.seconds, 2)),
    }
    if outcome.docs_index is not None:
        metadata["data_docs"] = dg.MetadataValue.url(outcome.docs_index.as_uri())
        metadata["data_docs_path"] = dg.MetadataValue.path(str(outcome.docs_index))
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(list(suite.asset)),
        check_name=GX_CHECK,
        passed=outcome.passed,
        severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
        description=suite.description,
        metadata=metadata,
    )


def _raw_source_check(source: str, streams: tuple[str, ...]) -> dg.AssetChecksDefinition:
    suites = {dg.AssetKey([f"raw_{source}", s]): raw_suite(source, s) for s in streams}

    @dg.multi_asset_check(
        name=f"raw_{source}_contracts",
        specs=[
            dg.AssetCheckSpec(
                GX_CHECK,
                asset=key,
                blocking=True,
                description=(
                    f"Great Expectations contract of {suite.name}: record ids present and unique, timestamps not in "
                    "the future beyond clock skew, and the stream's own fields (formats, non-negative metrics)."
                ),
            )
            for key, suite in suites.items()
        ],
        can_subset=True,
    )
    def _check(context: dg.AssetCheckExecutionContext) -> Iterator[dg.AssetCheckResult]:
        selected = [suites[k.asset_key] for k in context.selected_asset_check_keys if k.asset_key in suites]
        with _warehouse_reader() as con:
            outcomes = GxRunner(quality_dir()).validate_all(selected, con)
        for suite, outcome in zip(selected, outcomes, strict=True):
            yield check_result(suite, outcome)

    return _check


def _published_check(suite: Suite) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(list(suite.asset)),
        name=GX_CHECK,
        blocking=True,
        description=f"Great Expectations: {suite.description}. Blocks publishing and reverse ETL when it fails.",
    )
    def _check() -> dg.AssetCheckResult:
        with _warehouse_reader() as con:
            outcome = GxRunner(quality_dir()).validate(suite, con)
        return check_result(suite, outcome)

    return _check


def build_quality_checks() -> list[dg.AssetChecksDefinition]:
    raw = [_raw_source_check(source, streams) for source, streams in stream_names().items()]
    return [*raw, *(_published_check(s) for s in published_suites())]
