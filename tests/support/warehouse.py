"""Read a warehouse's raw layer into plain Python, and say how two of them differ."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

RawSnapshot = dict[str, dict[str, tuple[Any, Any, bool]]]


def raw_snapshot(path: str | Path, source: str = "hubspot") -> RawSnapshot:
    """``{stream: {record_id: (payload, record_updated_at, is_archived)}}`` for every raw table of a source."""
    schema = f"raw_{source}"
    with duckdb.connect(str(path), read_only=True) as con:
        streams = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? and table_name not like '\\_%' escape '\\' order by 1",
                [schema],
            ).fetchall()
        ]
        snap: RawSnapshot = {}
        for stream in streams:
            rows = con.execute(
                f"select record_id, payload, record_updated_at, is_archived from {schema}.{stream}"
            ).fetchall()
            snap[stream] = {rid: (json.loads(payload), updated, archived) for rid, payload, updated, archived in rows}
    return snap


def describe_differences(expected: RawSnapshot, actual: RawSnapshot, limit: int = 5) -> list[str]:
    """Human-readable differences; empty when the two raw layers hold the same records."""
    problems: list[str] = []
    for stream in sorted(set(expected) | set(actual)):
        want, got = expected.get(stream, {}), actual.get(stream, {})
        missing = sorted(set(want) - set(got))
        extra = sorted(set(got) - set(want))
        changed = sorted(k for k in set(want) & set(got) if want[k] != got[k])
        if missing:
            problems.append(f"{stream}: {len(missing)} records missing, e.g. {missing[:limit]}")
        if extra:
            problems.append(f"{stream}: {len(extra)} unexpected records, e.g. {extra[:limit]}")
        for rid in changed[:limit]:
            problems.append(f"{stream}/{rid}: expected {want[rid]!r}\n    got {got[rid]!r}")
        if len(changed) > limit:
            problems.append(f"{stream}: {len(changed)} records differ in all")
    return problems
