"""The Dagster asset publish/journey_map: writes the report and attaches its key charts as PNG images."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import dagster as dg
import pytest
from PIL import Image

from pipelines.report.assets import journey_map

pytestmark = [pytest.mark.slow]


def test_the_asset_writes_the_report_and_attaches_chart_images(
    serving_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNEYHUB_SERVING_DIR", str(serving_copy.parent))
    monkeypatch.setenv("JOURNEYHUB_REPORT_DIR", str(tmp_path / "report"))
    assert journey_map.key == dg.AssetKey(["publish", "journey_map"])
    assert dg.AssetKey(["publish", "serving_copy"]) in journey_map.dependency_keys
    result = dg.materialize([journey_map])
    assert result.success
    (materialization,) = result.asset_materializations_for_node(journey_map.op.name)
    metadata = materialization.metadata
    assert Path(metadata["path"].value) == tmp_path / "report" / "journey_map.html"
    assert (tmp_path / "report" / "journey_map.html").stat().st_size > 10_000
    assert metadata["persons"].value > 0 and metadata["compared_with_design"].value > 0
    images = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", metadata["key_charts"].value)
    assert len(images) == 3
    for encoded in images:
        image = Image.open(io.BytesIO(base64.b64decode(encoded)))
        assert image.format == "PNG" and image.width > 300


def test_a_bad_design_file_fails_the_asset_with_its_message(
    serving_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "designed.yaml"
    bad.write_text("personas:\n  researcher:\n    steps:\n      - stage: awarenes\n")
    monkeypatch.setenv("JOURNEYHUB_SERVING_DIR", str(serving_copy.parent))
    monkeypatch.setenv("JOURNEYHUB_REPORT_DIR", str(tmp_path / "report"))
    monkeypatch.setenv("JOURNEYHUB_DESIGNED_JOURNEYS", str(bad))
    result = dg.materialize([journey_map], raise_on_error=False)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert "personas.researcher.steps.0.stage" in str(failure.step_failure_data.error)
