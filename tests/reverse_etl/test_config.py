"""Sync definitions and pre-flight validation, without a server."""

from __future__ import annotations

from pathlib import Path

import pytest

from reverse_etl.config import SyncConfigError, load_sync_file, load_syncs, parse_sync
from reverse_etl.ledger import LedgerState
from reverse_etl.models import SnapshotEntry, SourceRow
from reverse_etl.plan import build_plan

EMPTY_STATE = LedgerState({}, {}, frozenset(), frozenset())


def _props_sync(**extra):
    base = {
        "name": "t",
        "source": {"model": "customer_journeys"},
        "destination": {"kind": "contact_properties"},
        "mappings": [
            {"column": "days", "property": "journeyhub_days", "type": "number"},
            {"column": "stage", "property": "journeyhub_stage", "type": "enumeration", "options": ["a", "b"]},
        ],
    }
    return parse_sync({**base, **extra})


def test_shipped_definitions_load():
    syncs = load_syncs()
    assert {"journey_fields_to_contacts", "list_stalled_in_consideration", "list_advocates"} <= set(syncs)
    assert syncs["list_advocates"].mode == "mirror" and syncs["list_advocates"].is_list
    assert not syncs["journey_fields_to_contacts"].dry_run


def test_invalid_definition_names_file_and_field(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: x\nsource: {model: segment_membership}\ndestination: {kind: list, list_name: L}\nmode: create_only\n"
        "thresholds: {max_delete_share: 2}\n"
    )
    with pytest.raises(SyncConfigError) as err:
        load_sync_file(bad)
    text = str(err.value)
    assert "bad.yaml" in text and "max_delete_share" in text and "segment" in text
    with pytest.raises(SyncConfigError, match="options"):
        parse_sync(
            {
                "name": "y",
                "source": {"model": "m"},
                "destination": {"kind": "contact_properties"},
                "mappings": [{"column": "c", "property": "p", "type": "enumeration"}],
            }
        )
    with pytest.raises(SyncConfigError, match="plain identifier"):
        _props_sync(source={"model": "m; drop table x"})


def test_invalid_rows_are_recorded_with_reasons_and_never_planned():
    sync = _props_sync()
    rows = [
        SourceRow("k1", "ok@example.org", None, {"days": 3, "stage": "a"}),
        SourceRow(None, "null@example.org", None, {"days": 1, "stage": "a"}),
        SourceRow("dup", "d1@example.org", None, {"days": 1, "stage": "a"}),
        SourceRow("dup", "d2@example.org", None, {"days": 1, "stage": "a"}),
        SourceRow("bad_email", "not an email", None, {"days": 1, "stage": "a"}),
        SourceRow("bad_number", "n@example.org", None, {"days": "three", "stage": "a"}),
        SourceRow("bad_option", "o@example.org", None, {"days": 1, "stage": "zzz"}),
        SourceRow("same_contact_1", None, "51", {"days": 1, "stage": "b"}),
        SourceRow("same_contact_2", None, "51", {"days": 2, "stage": "b"}),
        SourceRow("archived", "a@example.org", "52", {"days": 1, "stage": "b"}, archived=True),
    ]
    plan = build_plan(sync, rows, EMPTY_STATE)
    assert [c.key for c in plan.changes] == ["k1"]
    reasons = {i.key: i.reason for i in plan.invalid}
    assert reasons[None] == "null key"
    assert reasons["dup"].startswith("duplicate key")
    assert "malformed email" in reasons["bad_email"]
    assert "not a number" in reasons["bad_number"]
    assert "not one of the options" in reasons["bad_option"]
    assert "duplicate match key" in reasons["same_contact_1"] and "duplicate match key" in reasons["same_contact_2"]
    assert "archived" in reasons["archived"]
    assert plan.counts()["invalid"] == 9
    assert plan.valid[0].payload == {"journeyhub_days": "3", "journeyhub_stage": "a"}


def test_anonymous_visitors_are_counted_not_sent_and_not_invalid():
    """A website visitor who never identified has no contact and no email: the CRM has nothing of theirs to update.
    They are counted apart, so a warehouse of mostly visitors does not trip the invalid-share breaker."""
    sync = _props_sync()
    rows = [SourceRow("k1", "ok@example.org", None, {"days": 3, "stage": "a"})] + [
        SourceRow(f"v{i}", None, None, {"days": None, "stage": "a"}, anonymous=True) for i in range(50)
    ]
    plan = build_plan(sync, rows, EMPTY_STATE)
    assert [c.key for c in plan.changes] == ["k1"] and not plan.invalid
    assert plan.counts()["anonymous_visitors"] == 50 and plan.counts()["queried"] == 1
    # a person delivered before who now reads as a visitor (an identity split) is left alone, not removed
    delivered = LedgerState({"v0": SnapshotEntry("v0", "h", "9", True)}, {}, frozenset(), frozenset())
    assert [(c.key, c.operation) for c in build_plan(sync, rows, delivered).changes] == [("k1", "add")]
    gone = build_plan(sync, rows[:1], delivered)
    assert [(c.key, c.operation) for c in gone.changes] == [("k1", "add"), ("v0", "remove")]
