"""The journey map: a self-contained HTML report of customer journeys drawn from the published serving copy.

queries (SQL on the serving copy) -> chart_data (the JSON data island) -> render (one HTML file, no network), plus
images (PNG versions of the key charts for places that cannot run the report, such as the Dagster UI). No Dagster
import here: the asset in pipelines/report wraps it.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from journey_map.chart_data import build_chart_data
from journey_map.designed import DesignedJourneys, DesignError, load_designed_journeys
from journey_map.render import read_island, render_html

__all__ = [
    "DEFAULT_DESIGN_PATH",
    "DesignError",
    "DesignedJourneys",
    "ReportResult",
    "build_report",
    "load_designed_journeys",
    "read_island",
]

DEFAULT_DESIGN_PATH = Path(__file__).resolve().parents[1] / "config" / "designed_journeys.yaml"


@dataclass
class ReportResult:
    path: Path
    bytes: int
    chart_data: dict[str, Any] = field(repr=False)


def build_report(serving: Path, out: Path, design_path: Path | None = DEFAULT_DESIGN_PATH) -> ReportResult:
    """Read ``serving``, write the report to ``out`` (atomically: a reader never sees half a file)."""
    designs = load_designed_journeys(design_path) if design_path is not None else DesignedJourneys(personas={})
    chart_data = build_chart_data(serving, designs)
    text = render_html(chart_data)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return ReportResult(path=out, bytes=len(text.encode()), chart_data=chart_data)
