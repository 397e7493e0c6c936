"""The Dagster side of the quality gates: the quarantine-rate check and how GX outcomes become check results."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.ingest.factory import _quarantine_check
from pipelines.quality.checks import check_result
from quality import GxRunner, raw_suite


@dataclass
class _Result:
    records: int
    quarantined: int
    quarantined_by_reason: dict[str, int] = field(default_factory=dict)


def test_quarantine_rate_check_fails_above_the_threshold() -> None:
    key = dg.AssetKey(["raw_hubspot", "contacts"])
    ok = _quarantine_check(key, _Result(records=95, quarantined=5), max_rate=0.05)
    bad = _quarantine_check(key, _Result(records=94, quarantined=6), max_rate=0.05)
    empty = _quarantine_check(key, _Result(records=0, quarantined=0), max_rate=0.05)
    assert ok.passed and not bad.passed and empty.passed
    assert bad.severity == dg.AssetCheckSeverity.ERROR
    assert bad.metadata["quarantine_rate"].value == 0.06


def _raw_table(path: Path, rows: list[tuple[str, str]]) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw_meta_ads")
        con.execute(
            "create table raw_meta_ads.ads_insights (record_id varchar, payload json, record_updated_at timestamptz,"
            " is_archived boolean, _extracted_at timestamptz, _sync_id varchar)"
        )
        for record_id, payload in rows:
            con.execute(
                "insert into raw_meta_ads.ads_insights values (?, ?, now() - interval 1 day, false, now(), 's1')",
                [record_id, payload],
            )


def test_raw_gx_contract_blocks_on_errors_and_only_warns_on_formats(tmp_path: Path) -> None:
    good = '{"spend": "10.5", "impressions": "100", "clicks": "3", "date_start": "2026-03-01"}'
    negative = '{"spend": "-1.0", "impressions": "100", "clicks": "3", "date_start": "2026-03-01"}'
    warehouse = tmp_path / "w.duckdb"
    _raw_table(warehouse, [("a", good), ("b", good), ("c", negative)])
    suite = raw_suite("meta_ads", "ads_insights")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        outcome = GxRunner(tmp_path / "quality").validate(suite, con)
    result = check_result(suite, outcome)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.ERROR
    assert [(o.column, o.unexpected_count) for o in outcome.failed] == [("spend", 1)]
    assert Path(result.metadata["data_docs_path"].value).is_file()


def test_raw_gx_contract_passes_clean_data_and_catches_future_timestamps(tmp_path: Path) -> None:
    good = '{"spend": "10.5", "impressions": "100", "clicks": "3", "date_start": "2026-03-01"}'
    warehouse = tmp_path / "w.duckdb"
    _raw_table(warehouse, [("a", good), ("b", good)])
    suite = raw_suite("meta_ads", "ads_insights")
    runner = GxRunner(tmp_path / "quality", build_docs=False)
    with duckdb.connect(str(warehouse)) as con:
        assert runner.validate(suite, con).passed
        con.execute(
            "update raw_meta_ads.ads_insights set record_updated_at = now() + interval 3 day where record_id = 'b'"
        )
        late = runner.validate(suite, con)
    assert [(o.column, o.unexpected_count) for o in late.failed] == [("updated_seconds_ahead", 1)]
