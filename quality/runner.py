"""Validate suites with Great Expectations 1.x on pandas batches read from DuckDB, and keep Data Docs up to date.

One file-backed GX context lives under the quality directory (``<dir>/gx``); its Data Docs site is
``<dir>/gx/uncommitted/data_docs/local_site/index.html``. Validations of different Dagster steps may run at the same
time, so every use of the context holds a file lock (GX's JSON stores are not safe for concurrent writers).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock

from quality.suites import ERROR, Suite

# GX reports usage to its analytics service by default; these machines are offline and the data is private.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

log = logging.getLogger(__name__)

SAMPLE_SIZE = 5


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's result in plain values (safe to put in Dagster metadata)."""

    expectation: str
    column: str | None
    severity: str
    success: bool
    unexpected_count: int | None
    unexpected_percent: float | None
    sample: list[Any]
    observed: Any = None
    error: str | None = None


@dataclass
class SuiteOutcome:
    """A suite's validation: per-expectation outcomes, the row count and where the Data Docs page is."""

    suite: str
    rows: int
    outcomes: list[ExpectationOutcome] = field(default_factory=list)
    docs_index: Path | None = None
    seconds: float = 0.0

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def passed(self) -> bool:
        return not self.failed

    @property
    def blocking_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.failed if o.severity == ERROR]

    def summary_markdown(self) -> str:
        lines = ["| expectation | column | severity | result | unexpected | sample |", "|---|---|---|---|---|---|"]
        for o in self.outcomes:
            result = "pass" if o.success else ("**fail**" if o.severity == ERROR else "warn")
            sample = ", ".join(str(v) for v in o.sample[:SAMPLE_SIZE]) if o.sample else ""
            if o.error:
                sample = f"error: {o.error}"
            count = "" if o.unexpected_count is None else str(o.unexpected_count)
            lines.append(f"| {o.expectation} | {o.column or ''} | {o.severity} | {result} | {count} | {sample} |")
        return "\n".join(lines)


class GxRunner:
    """Runs suites against DuckDB connections; one instance per quality directory."""

    def __init__(self, directory: Path, *, build_docs: bool = True) -> None:
        self.directory = Path(directory)
        self.build_docs = build_docs
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(self.directory / ".gx.lock"))

    @property
    def docs_index(self) -> Path:
        return self.directory / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"

    def _context(self) -> Any:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="file", project_root_dir=str(self.directory))
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        context.variables.analytics_enabled = False
        return context

    def validate(self, suite: Suite, con: Any) -> SuiteOutcome:
        """Read the suite's batch with ``con`` (a DuckDB connection) and validate it."""
        return self.validate_all([suite], con)[0]

    def validate_all(self, suites: list[Suite], con: Any) -> list[SuiteOutcome]:
        """Validate several suites, then rebuild the Data Docs once."""
        outcomes: list[SuiteOutcome] = []
        with self._lock:
            context = self._context()
            for suite in suites:
                started = time.perf_counter()
                frame = con.execute(suite.query()).df()
                outcome = self._validate_frame(context, suite, frame)
                outcome.seconds = time.perf_counter() - started
                outcomes.append(outcome)
            if self.build_docs and suites:
                context.build_data_docs()
        return outcomes

    def _validate_frame(self, context: Any, suite: Suite, frame: Any) -> SuiteOutcome:
        import great_expectations as gx

        source = context.data_sources.add_or_update_pandas("warehouse")
        try:
            asset = source.get_asset(suite.name)
        except LookupError:
            asset = source.add_dataframe_asset(suite.name)
        try:
            batch = asset.get_batch_definition("whole_table")
        except KeyError:
            batch = asset.add_batch_definition_whole_dataframe("whole_table")
        gx_suite = context.suites.add_or_update(
            gx.ExpectationSuite(name=suite.name, expectations=[c.build() for c in suite.checks])
        )
        definition = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite)
        )
        checkpoint = context.checkpoints.add_or_update(
            gx.Checkpoint(
                name=suite.name,
                validation_definitions=[definition],
                result_format={"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE},
            )
        )
        result = checkpoint.run(batch_parameters={"dataframe": frame})
        outcome = SuiteOutcome(
            suite=suite.name, rows=len(frame), docs_index=self.docs_index if self.build_docs else None
        )
        for run_result in result.run_results.values():
            for r in run_result.results:
                config = r.expectation_config
                info = r.result or {}
                exception = (r.exception_info or {}).get("exception_message") if r.exception_info else None
                outcome.outcomes.append(
                    ExpectationOutcome(
                        expectation=config.type,
                        column=config.kwargs.get("column"),
                        severity=(config.meta or {}).get("severity", ERROR),
                        success=bool(r.success),
                        unexpected_count=info.get("unexpected_count"),
                        unexpected_percent=info.get("unexpected_percent"),
                        sample=[_plain(v) for v in info.get("partial_unexpected_list") or []],
                        observed=_plain(info.get("observed_value")),
                        error=exception if exception and not r.success else None,
                    )
                )
        return outcome


def _plain(value: Any) -> Any:
    """Numpy / pandas scalars to plain Python for metadata."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    item = getattr(value, "item", None)
    if callable(item):
        try:
            return item()
        except (TypeError, ValueError):
            pass
    return str(value)
