"""Reading the sandbox CRM back through its HTTP API, and the warehouse through DuckDB."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from sandbox.testing import SandboxHandle


def session(sb: SandboxHandle) -> requests.Session:
    """Reads for assertions retry the injected faults (every call the helpers make is a read or idempotent)."""
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {sb.hubspot.token}"
    retry = Retry(total=20, status_forcelist=(429, 500, 502, 503), allowed_methods=None, backoff_factor=0)
    s.mount("http://", HTTPAdapter(max_retries=retry))
    return s


def list_id(sb: SandboxHandle, name: str) -> str | None:
    r = session(sb).get(f"{sb.hubspot.base_url}/crm/v3/lists/object-type-id/0-1/name/{quote(name, safe='')}")
    if r.status_code == 404:
        return None
    assert r.status_code == 200, r.text
    return str(r.json()["list"]["listId"])


def list_members(sb: SandboxHandle, name: str) -> set[str]:
    lid = list_id(sb, name)
    assert lid is not None, f"list {name} does not exist"
    s, out, after = session(sb), set(), None
    while True:
        params: dict[str, Any] = {"limit": 250, **({"after": after} if after else {})}
        body = s.get(f"{sb.hubspot.base_url}/crm/v3/lists/{lid}/memberships", params=params).json()
        out |= {str(r["recordId"]) for r in body["results"]}
        after = (body.get("paging") or {}).get("next", {}).get("after")
        if not after:
            return out


def contacts(sb: SandboxHandle, properties: list[str]) -> list[dict[str, Any]]:
    """Every live contact with the given properties, paging the list endpoint."""
    s, out, after = session(sb), [], None
    while True:
        params: list[tuple[str, Any]] = [("limit", 100), *(("properties", p) for p in properties)]
        if after:
            params.append(("after", after))
        r = s.get(f"{sb.hubspot.base_url}/crm/v3/objects/contacts", params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        out += body["results"]
        after = (body.get("paging") or {}).get("next", {}).get("after")
        if not after:
            return out


def emails_count(sb: SandboxHandle) -> Counter[str]:
    return Counter((c["properties"].get("email") or "").strip().lower() for c in contacts(sb, ["email"]))


def read_contacts(sb: SandboxHandle, ids: list[str], properties: list[str]) -> dict[str, dict[str, Any]]:
    s, out = session(sb), {}
    for i in range(0, len(ids), 100):
        body = {"inputs": [{"id": x} for x in ids[i : i + 100]], "properties": properties}
        r = s.post(f"{sb.hubspot.base_url}/crm/v3/objects/contacts/batch/read", json=body)
        assert r.status_code in (200, 207), r.text
        out.update({str(o["id"]): o["properties"] for o in r.json()["results"]})
    return out


def query(path: Path, sql: str, params: list[Any] | None = None) -> list[tuple]:
    con = duckdb.connect(str(path))
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def execute(path: Path, *statements: str) -> None:
    con = duckdb.connect(str(path))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()


def segment_contact_ids(path: Path, segment: str) -> set[str]:
    rows = query(
        path,
        "select p.primary_contact_id from marts.segment_membership s join marts.dim_persons p using (person_key) "
        "where s.segment_name = ? and p.primary_contact_id is not null and not p.is_archived",
        [segment],
    )
    return {str(r[0]) for r in rows}


def ledger_rows(path: Path, table: str, where: str = "true") -> list[tuple]:
    return query(path, f"select * from reverse_etl.{table} where {where}")
