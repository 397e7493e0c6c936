"""The journey map: a static HTML report drawn from the published serving copy, with its key charts as images in the
asset's metadata so they show in the Dagster UI without opening the file."""

import base64
import os
from pathlib import Path

import dagster as dg

from journey_map import DEFAULT_DESIGN_PATH, build_report
from journey_map.images import key_chart_images
from pipelines.ingest.factory import OWNERS
from pipelines.settings import VAR_DIR, serving_paths

REPORT_ENV = "JOURNEYHUB_REPORT_DIR"
DESIGN_ENV = "JOURNEYHUB_DESIGNED_JOURNEYS"


def report_path() -> Path:
    """Where the report is written: ``JOURNEYHUB_REPORT_DIR`` (default var/report) / journey_map.html."""
    root = Path(os.environ.get(REPORT_ENV) or VAR_DIR / "report").expanduser().resolve()
    return root / "journey_map.html"


def design_path() -> Path:
    """The designed-journey configuration: ``JOURNEYHUB_DESIGNED_JOURNEYS``, default config/designed_journeys.yaml."""
    return Path(os.environ.get(DESIGN_ENV) or DEFAULT_DESIGN_PATH).expanduser().resolve()


def images_markdown(images: dict[str, bytes]) -> str:
    # Data URIs: the Dagster UI renders Markdown images inline, and nothing has to be served from elsewhere.
    return "\n\n".join(
        f"**{title}**\n\n![{title}](data:image/png;base64,{base64.b64encode(png).decode()})"
        for title, png in images.items()
    )


@dg.asset(
    name="journey_map",
    key_prefix=["publish"],
    group_name="publish",
    kinds={"html"},
    owners=OWNERS,
    deps=[dg.AssetKey(["publish", "serving_copy"])],
    description=(
        "The customer journey map: one self-contained HTML file (var/report/journey_map.html) with stage and channel "
        "flows, funnels by persona and entry channel, time in stage, speed to lead, attributed revenue next to spend "
        "and the designed journey compared with real ones. Read from the serving copy, never the warehouse."
    ),
)
def journey_map(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    serving, _ = serving_paths()
    result = build_report(serving, report_path(), design_path())
    summary = result.chart_data["meta"]["summary"]
    design_rows = result.chart_data["data"]["design"]["rows"]
    followed = sum(r[-1] for r in design_rows if r[2] == "completed")
    compared = sum(r[-1] for r in design_rows)
    context.log.info(f"wrote the journey map to {result.path} ({result.bytes / 1024:.0f} KiB)")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(result.path)),
            "size_kib": round(result.bytes / 1024, 1),
            "persons": summary["persons"],
            "anonymous_visitors": summary["anonymous_visitors"],
            "converted": summary["converted"],
            "dropped_off": summary["dropped_off"],
            "followed_designed_journey": followed,
            "compared_with_design": compared,
            "key_charts": dg.MetadataValue.md(images_markdown(key_chart_images(result.chart_data))),
        }
    )
