"""The journey map opened in headless Chromium: every chart draws with data, nothing errors, nothing is fetched, and
the persona and cohort-month filters change what the charts show."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from PIL import Image

from journey_map import ReportResult
from tests.report.browser import Browser, find_chromium

pytestmark = [pytest.mark.slow]

# Chart -> the SVG elements that carry its data (each must be present, drawn with a positive size).
CHART_ELEMENTS = {
    "stage-flow": "path.sankey-link",
    "stage-feedback": "tr.feedback-row",
    "paths-conversion": "path.sankey-link",
    "paths-drop-off": "path.sankey-link",
    "funnel-persona": "rect.funnel-bar",
    "funnel-channel": "rect.funnel-bar",
    "time-in-stage": "rect.stage-time-bar",
    "speed-to-lead": "rect.speed-bar",
    "landing-pages": "tr.web-row",
    "devices": "tr.web-row",
    "visitor-exits": "tr.exit-row",
    "revenue-spend": "rect.revenue-bar",
    "designed-journey": "rect.design-bar",
}


@pytest.fixture(scope="module")
def page(report: ReportResult) -> Iterator[Browser]:
    executable = find_chromium()
    if executable is None:
        pytest.fail("no Chromium at /usr/bin/chromium: `make install` installs Debian's chromium package (as root)")
    with Browser(executable) as browser:
        browser.open(report.path.as_uri())
        assert browser.evaluate("document.body.dataset.ready") == "true"
        yield browser


def chart_state(page: Browser) -> dict[str, dict[str, Any]]:
    script = f"""JSON.stringify(Object.fromEntries(Object.entries({json.dumps(CHART_ELEMENTS)}).map(([id, sel]) => {{
        const section = document.querySelector(`[data-chart="${{id}}"]`);
        const plot = section.querySelector('.plot');
        const drawn = [...section.querySelectorAll(sel)].filter(e => {{
            const box = e.getBoundingClientRect(); return box.width > 0 && box.height > 0; }});
        const r = section.getBoundingClientRect();
        return [id, {{total: Number(plot.dataset.total), elements: drawn.length, empty: !!plot.querySelector('.empty'),
                     box: {{x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height}}}}];
    }})))"""
    return json.loads(page.evaluate(script))


def pixel_spread(png: bytes) -> float:
    image = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    return float(image.std())


def select(page: Browser, control: str, value: str) -> None:
    page.evaluate(
        f"""(() => {{ const s = document.getElementById({json.dumps(control)}); s.value = {json.dumps(value)};
        s.dispatchEvent(new Event('change')); }})()"""
    )


def test_every_chart_renders_with_data_and_no_errors(page: Browser) -> None:
    charts = chart_state(page)
    assert set(charts) == set(CHART_ELEMENTS)
    for chart, found in charts.items():
        assert not found["empty"], chart
        assert found["elements"] > 0 and found["total"] > 0, (chart, found)
        # Each chart's own area is drawn, not blank: pixel values vary well beyond a plain background.
        shot = page.screenshot({k: found["box"][k] for k in ("x", "y", "width", "height")})
        assert pixel_spread(shot) > 20, chart
    assert charts["stage-flow"]["elements"] >= 5
    assert pixel_spread(page.screenshot()) > 20
    assert page.events.console_errors == [] and page.events.page_errors == []


def test_nothing_is_fetched_from_the_network(page: Browser) -> None:
    assert page.events.requests and all(url.startswith(("file:", "data:")) for url in page.events.requests)


def test_the_stage_flow_shows_the_numbers_of_the_data_island(page: Browser, report: ReportResult) -> None:
    flows = report.chart_data["data"]["stage_flow"]["rows"]
    charts = chart_state(page)
    assert charts["stage-flow"]["total"] == sum(r[-1] for r in flows)
    drawn = page.evaluate(
        """[...document.querySelectorAll('[data-chart="stage-flow"] path.sankey-link')]
           .reduce((s, p) => s + Number(p.dataset.value), 0)"""
    )
    assert drawn == sum(r[-1] for r in flows)


def test_the_persona_and_cohort_filters_change_the_charts(page: Browser, report: ReportResult) -> None:
    flows = report.chart_data["data"]["stage_flow"]["rows"]  # persona, cohort, source, target, persons
    everyone = chart_state(page)
    persona = max({r[0] for r in flows}, key=lambda p: sum(r[-1] for r in flows if r[0] == p))
    try:
        select(page, "filter-persona", persona)
        filtered = chart_state(page)
        assert filtered["stage-flow"]["total"] == sum(r[-1] for r in flows if r[0] == persona)
        assert filtered["stage-flow"]["total"] < everyone["stage-flow"]["total"]
        assert filtered["funnel-channel"]["total"] < everyone["funnel-channel"]["total"]
        assert filtered["landing-pages"]["total"] < everyone["landing-pages"]["total"]
        assert page.evaluate("location.hash").startswith(f"#persona={persona}")
        cohort = sorted({r[1] for r in flows if r[0] == persona})[0]
        select(page, "filter-cohort", cohort)
        both = chart_state(page)
        assert both["stage-flow"]["total"] == sum(r[-1] for r in flows if r[0] == persona and r[1] == cohort)
        assert page.evaluate("document.getElementById('filter-summary').textContent").startswith("Showing persona")
    finally:
        select(page, "filter-persona", "all")
        select(page, "filter-cohort", "all")
    assert chart_state(page)["stage-flow"]["total"] == everyone["stage-flow"]["total"]
    assert page.events.console_errors == [] and page.events.page_errors == []


def test_the_model_choice_changes_the_revenue_chart(page: Browser, report: ReportResult) -> None:
    revenue = report.chart_data["data"]["revenue"]["rows"]  # model, channel, persona, cohort, revenue, credit
    models = report.chart_data["meta"]["models"]
    shown = {}
    for model in models[:3]:
        select(page, "model-select", model)
        shown[model] = chart_state(page)["revenue-spend"]["total"]
        assert shown[model] == round(sum(r[4] for r in revenue if r[0] == model))
    select(page, "model-select", report.chart_data["meta"]["default_model"])


def test_standard_markov_shows_everyone_and_says_why(page: Browser, report: ReportResult) -> None:
    whole = report.chart_data["data"]["revenue_whole"]["rows"]  # model, channel, revenue, conversions
    per_person = report.chart_data["data"]["revenue"]["rows"]  # model, channel, persona, cohort, revenue, credit
    note = "document.getElementById('model-note').textContent"
    try:
        select(page, "model-select", "markov_1")
        assert chart_state(page)["revenue-spend"]["total"] == round(sum(r[2] for r in whole if r[0] == "markov_1"))
        assert "removal effect" in page.evaluate(note)
        # The standard allocation has no per-person split: under a persona filter the chart keeps showing everyone.
        persona = max({r[2] for r in per_person}, key=lambda p: sum(r[4] for r in per_person if r[2] == p))
        select(page, "filter-persona", persona)
        assert chart_state(page)["revenue-spend"]["total"] == round(sum(r[2] for r in whole if r[0] == "markov_1"))
        notes = page.evaluate("""[...document.querySelectorAll('[data-chart="revenue-spend"] .note')]
                                 .map(n => n.textContent).join(' ')""")
        assert "cannot be split by persona or cohort" in notes
        # The path-level variant follows the filter.
        select(page, "model-select", "markov_path_1")
        expected = round(sum(r[4] for r in per_person if r[0] == "markov_path_1" and r[2] == persona))
        assert chart_state(page)["revenue-spend"]["total"] == expected
        assert "own path" in page.evaluate(note)
    finally:
        select(page, "filter-persona", "all")
        select(page, "model-select", report.chart_data["meta"]["default_model"])
    assert page.events.console_errors == [] and page.events.page_errors == []
