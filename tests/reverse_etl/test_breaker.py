"""The circuit breaker's rules on plans built by hand: removal and change shares, the empty source, invalid rows."""

from __future__ import annotations

from reverse_etl.breaker import check
from reverse_etl.config import Thresholds
from reverse_etl.models import Change, InvalidRow, Plan, PreparedRow


def _plan(*, queried: int, invalid: int, removed: int = 0, synced: int = 100) -> Plan:
    valid = [PreparedRow(f"k{i}", None, str(i), {"p": "v"}, "h") for i in range(queried - invalid)]
    return Plan(
        sync_name="s",
        queried=queried,
        valid=valid,
        invalid=[InvalidRow(f"bad{i}", "value does not fit") for i in range(invalid)],
        changes=[Change(f"gone{i}", "remove") for i in range(removed)],
        unchanged=len(valid),
        synced_rows=synced,
    )


def test_invalid_share_above_the_limit_refuses_the_run() -> None:
    limits = Thresholds(max_invalid_share=0.2)
    assert check(_plan(queried=100, invalid=20), limits).allowed  # 20 % is the limit, not over it
    verdict = check(_plan(queried=100, invalid=21), limits)
    assert not verdict.allowed
    assert "21 of 100 queried rows are invalid" in verdict.reason and "allow_large_changes" in verdict.reason
    overridden = check(_plan(queried=100, invalid=21), limits, allow_large_changes=True)
    assert overridden.allowed and overridden.overridden


def test_invalid_share_is_noise_below_min_rows() -> None:
    assert check(_plan(queried=10, invalid=9, synced=0), Thresholds(min_rows=20)).allowed
    assert not check(_plan(queried=10, invalid=9, synced=0), Thresholds(min_rows=5)).allowed


def test_rules_add_up_in_one_reason() -> None:
    verdict = check(_plan(queried=100, invalid=50, removed=30), Thresholds())
    assert not verdict.allowed
    assert "would be removed" in verdict.reason and "invalid" in verdict.reason


def _growth(*, synced: int, added: int) -> Plan:
    valid = [PreparedRow(f"k{i}", None, str(i), {"p": "v"}, "h") for i in range(synced + added)]
    return Plan(
        sync_name="s",
        queried=synced + added,
        valid=valid,
        invalid=[],
        changes=[Change(f"new{i}", "add") for i in range(added)],
        unchanged=synced,
        synced_rows=synced,
    )


def test_additions_above_the_share_refuse_the_run() -> None:
    limits = Thresholds(max_add_share=0.5, max_add_rows=10_000)
    assert check(_growth(synced=100, added=50), limits).allowed  # the limit, not over it
    verdict = check(_growth(synced=100, added=51), limits)
    assert not verdict.allowed and "51 rows would be added to the 100 synced" in verdict.reason
    assert check(_growth(synced=100, added=51), limits, allow_large_changes=True).overridden


def test_additions_above_the_absolute_limit_refuse_any_run_the_first_included() -> None:
    limits = Thresholds(max_add_share=10.0, max_add_rows=1000)
    assert check(_growth(synced=0, added=1000), limits).allowed  # a first delivery within the limit
    first = check(_growth(synced=0, added=1001), limits)
    assert not first.allowed and "1001 rows would be added in one run" in first.reason
    # 5 % growth of a large sync is fine by share, not by count
    assert not check(_growth(synced=30_000, added=1500), limits).allowed


def test_the_share_is_noise_below_min_rows() -> None:
    assert check(_growth(synced=10, added=30), Thresholds(min_rows=20)).allowed
