"""Assemble the single self-contained HTML file: template, inline CSS and JavaScript, and the JSON data island."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

STATIC = Path(__file__).resolve().parent / "static"


def _island(data: dict[str, Any]) -> str:
    """JSON safe inside a <script> element: "</" and HTML comment openers cannot end or confuse the element."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def render_html(chart_data: dict[str, Any]) -> str:
    meta = chart_data["meta"]
    summary = meta["summary"]
    template = (STATIC / "template.html").read_text()
    values = {
        "__TITLE__": html.escape(meta["title"]),
        "__AS_OF__": html.escape((summary.get("as_of") or "unknown")[:10]),
        "__GENERATED_AT__": html.escape(meta["generated_at"]),
        "__PERSONS__": f"{summary['persons']:,}",
        "__ANONYMOUS__": f"{summary['anonymous_visitors']:,}",
        "__CONVERTED__": f"{summary['converted']:,}",
        "__DROPPED__": f"{summary['dropped_off']:,}",
        "__SOURCE__": html.escape(meta["source"]),
        "__CSS__": (STATIC / "report.css").read_text(),
        "__JS__": (STATIC / "report.js").read_text(),
        "__DATA__": _island(chart_data),
    }
    # One pass, so a placeholder-like string inside the data or the script is never substituted.
    out, rest = [], template
    while True:
        hits = [(rest.find(k), k) for k in values if k in rest]
        if not hits:
            out.append(rest)
            break
        pos, key = min(hits)
        out.append(rest[:pos])
        out.append(values[key])
        rest = rest[pos + len(key) :]
    return "".join(out)


def read_island(html_text: str) -> dict[str, Any]:
    """The data island of a rendered report (tests and tools read the numbers back from it)."""
    start = html_text.index('<script type="application/json" id="journey-data">')
    start = html_text.index(">", start) + 1
    end = html_text.index("</script>", start)
    return json.loads(html_text[start:end].replace("<\\/", "</").replace("<\\!--", "<!--"))
