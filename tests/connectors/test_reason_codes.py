"""The reason codes in code and in docs/quarantine.md stay in step (the module says so; this checks it)."""

from __future__ import annotations

import re
from pathlib import Path

from connectors.raw.contracts import REASON_DESCRIPTIONS, Reason

DOC = Path(__file__).resolve().parents[2] / "docs" / "quarantine.md"


def test_every_reason_code_is_described_in_code_and_in_the_docs_table() -> None:
    assert set(REASON_DESCRIPTIONS) == set(Reason)
    table = DOC.read_text().split("## Reason codes", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE))
    assert documented == {str(r) for r in Reason}
