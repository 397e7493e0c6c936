"""Record contract edges a hostile server found: ids made of non-ASCII digits, a numeric id in two spellings, text
that is not UTF-8, and NaN / Infinity, which Python's JSON parser accepts and the raw store would write as null.
Each is quarantined with its own reason code, never stored changed."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from connectors.core.jsonbody import decode_json, taint_of
from connectors.hubspot import HubSpotConfig, HubSpotConnector
from connectors.mailchimp import MailchimpConfig, MailchimpConnector
from connectors.raw.contracts import check_key_part
from connectors.raw.store import RawStore
from connectors.raw.sync import run_stream_sync
from tests.connectors.scripted_server import Step, scripted_server

T = "2026-01-02T00:00:00.000Z"


def company(rid: str, **props: object) -> dict:
    return {"id": rid, "properties": {"name": f"c{rid}", **props}, "createdAt": T, "updatedAt": T, "archived": False}


def with_raw_values(body: dict, raw: dict[str, bytes]) -> bytes:
    """``body`` as JSON with each placeholder string ``"<name>"`` replaced by raw bytes (bad UTF-8, NaN …)."""
    text = json.dumps(body, ensure_ascii=False).encode()
    for name, value in raw.items():
        placeholder = json.dumps(name).encode()
        assert placeholder in text, name
        text = text.replace(placeholder, value)
    return text


def quarantined(db: Path, source: str) -> dict[str, tuple[str, str, str]]:
    """``{probe or record id: (reason, detail, payload text)}``."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(f"select record_id, reason, detail, payload from raw_{source}._quarantine").fetchall()
    out = {}
    for rid, reason, detail, payload in rows:
        out[rid] = (reason, detail, payload)
    return out


def stored(db: Path, source: str, stream: str) -> dict[str, dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(f"select record_id, payload from raw_{source}.{stream}").fetchall()
    return {rid: json.loads(payload) for rid, payload in rows}


def test_hubspot_ids_values_and_text_a_hostile_server_sends(tmp_path: Path) -> None:
    body = {
        "results": [
            company("42"),
            company("042"),  # the same record id spelled with a leading zero
            company("\u0661\u0662\u0663"),  # Arabic-Indic digits: str.isdigit() says yes
            company("\u00b2\u00b3"),  # superscript two and three: also isdigit()
            company("7", note="BAD_BYTES"),
            company("8", hs_score="NAN"),
            company("9", hs_score="INFINITY"),
            company("10", hs_score="HUGE"),
            company("11", note="LONE_SURROGATE"),
            company("12", note="Zo\u00eb \U0001f600"),  # real non-ASCII text, an emoji as a surrogate pair too
            company("13", note="EMOJI_ESCAPED"),
        ]
    }
    raw = with_raw_values(
        body,
        {
            "BAD_BYTES": b'"caf\xe9 cr\xe8me"',  # latin-1, not UTF-8
            "NAN": b"NaN",
            "INFINITY": b"-Infinity",
            "HUGE": b"1e400",
            "LONE_SURROGATE": b'"\\ud800x"',
            "EMOJI_ESCAPED": b'"\\ud83d\\ude00"',
        },
    )

    def answer(request: dict) -> Step:
        if request["route"] == "/crm/v3/properties/companies":
            return Step(200, {"results": [{"name": "name"}, {"name": "note"}, {"name": "hs_score"}]})
        if request["query"].get("archived") == ["true"]:
            return Step(200, {"results": []})
        return Step(200, raw)

    db = tmp_path / "w.duckdb"
    with scripted_server(answer) as (url, _):
        cfg = HubSpotConfig(access_token="pat-na1-secret-0000", base_url=url, backoff_base_s=0.01)
        with RawStore(db, "hubspot") as store:
            result = run_stream_sync(store, HubSpotConnector(cfg).reader("companies"), mode="full_refresh")
    q = quarantined(db, "hubspot")
    assert {rid: reason for rid, (reason, _, _) in q.items()} == {
        "042": "non_canonical_primary_key",
        "\u0661\u0662\u0663": "invalid_primary_key",
        "\u00b2\u00b3": "invalid_primary_key",
        "7": "invalid_encoding",
        "8": "non_finite_number",
        "9": "non_finite_number",
        "10": "non_finite_number",
        "11": "invalid_encoding",
    }
    assert result.quarantined_by_reason == {
        "invalid_encoding": 2,
        "invalid_primary_key": 2,
        "non_canonical_primary_key": 1,
        "non_finite_number": 3,
    }
    assert "42" in q["042"][1]  # the detail names the canonical id it collides with
    assert "properties.note" in q["7"][1] and "properties.hs_score" in q["8"][1]
    # The quarantine copy keeps the bad bytes recoverable (as surrogate escapes), not replaced by U+FFFD.
    assert "\\udce9" in q["7"][2] and "\ufffd" not in q["7"][2]
    assert "NaN" in q["8"][2]
    good = stored(db, "hubspot", "companies")
    assert set(good) == {"42", "12", "13"}
    assert good["12"]["properties"]["note"] == "Zo\u00eb \U0001f600"
    assert good["13"]["properties"]["note"] == "\U0001f600"


def test_mailchimp_records_and_activity_events_with_unstorable_values(tmp_path: Path) -> None:
    lists = {
        "lists": [{"id": "l1", "stats": {"avg_open_rate": "NAN"}}, {"id": "l2", "name": "BAD"}, {"id": "l3"}],
        "total_items": 3,
    }
    campaigns = {"campaigns": [{"id": "c1", "send_time": "2026-01-01T10:00:00+00:00"}], "total_items": 1}
    activity = {
        "emails": [
            {
                "email_id": "e1",
                "activity": [
                    {"action": "open", "timestamp": "2026-01-01T11:00:00+00:00"},
                    {"action": "click", "timestamp": "2026-01-01T11:05:00+00:00", "url": "BAD_URL"},
                    {"action": "click", "timestamp": "2026-01-01T11:06:00+00:00", "score": "INF"},
                ],
            },
            {
                "email_id": "e2",
                "email_address": "BAD_ADDR",
                "activity": [{"action": "open", "timestamp": "2026-01-01T12:00:00+00:00"}],
            },
        ],
        "total_items": 2,
    }
    answers = {
        "/lists": with_raw_values(lists, {"NAN": b"NaN", "BAD": b'"Gr\xfc\xdfe"'}),
        "/campaigns": json.dumps(campaigns).encode(),
        "/reports/c1/email-activity": with_raw_values(
            activity, {"BAD_URL": b'"https://x.test/\xff"', "INF": b"Infinity", "BAD_ADDR": b'"\xe9@x.test"'}
        ),
    }
    db = tmp_path / "w.duckdb"
    with scripted_server(lambda r: Step(200, answers[r["route"]])) as (url, _):
        conn = MailchimpConnector(MailchimpConfig(api_key="key-us6", base_url=url, backoff_base_s=0.01))
        with RawStore(db, "mailchimp") as store:
            lists_result = run_stream_sync(store, conn.reader("lists"), mode="full_refresh")
            activity_result = run_stream_sync(store, conn.reader("email_activity"), mode="full_refresh")
    assert lists_result.quarantined_by_reason == {"invalid_encoding": 1, "non_finite_number": 1}
    assert set(stored(db, "mailchimp", "lists")) == {"l3"}
    # Only the events that hold a bad value are quarantined; the recipient's other events are stored. A bad value in
    # the recipient's own fields taints every event flattened from it.
    assert activity_result.quarantined_by_reason == {"invalid_encoding": 2, "non_finite_number": 1}
    events = stored(db, "mailchimp", "email_activity")
    assert [(e["email_id"], e["action"]) for e in events.values()] == [("e1", "open")]


def test_numeric_key_parts_must_be_canonical_ascii_digits() -> None:
    assert check_key_part("id", "42", digits=True) is None
    assert check_key_part("id", 42, digits=True) is None
    assert check_key_part("id", "0", digits=True) is None
    for bad in ("\u0661\u0662\u0663", "\u00b2\u00b3", "\uff14\uff12", "4 2", "-42", "+42", -42):
        problem = check_key_part("id", bad, digits=True)
        assert problem is not None and problem.reason == "invalid_primary_key", bad
    for spelled in ("042", "00", "0042"):
        problem = check_key_part("id", spelled, digits=True)
        assert problem is not None and problem.reason == "non_canonical_primary_key", spelled


@pytest.mark.parametrize(
    ("body", "reason", "path"),
    [
        (b'{"a": {"b": "caf\xe9"}}', "invalid_encoding", "b"),  # bytes that are not UTF-8, alone
        (b'{"a": {"b": "\\ud800"}}', "invalid_encoding", "b"),  # an unpaired surrogate escape, alone
        (b'{"a": {"\\udfff": 1}}', "invalid_encoding", ""),  # in a key
        (b'{"a": {"b": NaN}}', "non_finite_number", "b"),
        (b'{"a": {"b": [1, -Infinity]}}', "non_finite_number", "b.1"),
        (b'{"a": {"b": 1e400}}', "non_finite_number", "b"),  # beyond the float range: parses as inf
    ],
)
def test_each_unstorable_value_alone_marks_the_objects_that_hold_it(body: bytes, reason: str, path: str) -> None:
    value = decode_json(body)
    inner = value["a"]
    assert taint_of(inner) is not None and taint_of(inner).reason == reason
    assert taint_of(inner).path == path
    assert taint_of(value).path == f"a.{path}".rstrip(".")  # and every object around it, with the longer path


@pytest.mark.parametrize(
    "body",
    [
        '{"a": "Zo\u00eb \U0001f600", "b": "\\ud83d\\ude00", "c": null, "d": "null", "e": 1.5}',
        '{"big": 123456789012345678901234567890, "neg": -0, "tiny": 1e-400}',  # beyond 64 bits: kept exactly
        '{"n": [null, null, "nul\\u006c"]}',  # a JSON escape that reads "null": flagged, walked, found clean
    ],
)
def test_clean_bodies_decode_exactly_as_the_standard_library_does(body: str) -> None:
    value = decode_json(body.encode())
    assert value == json.loads(body) and taint_of(value) is None
