"""The circuit breaker: refuse a run whose blast radius is out of proportion with what the sync owns in HubSpot.

A truncated model, a broken join or a renamed segment looks like "delete everyone"; a join that fans out or a filter
that stopped filtering looks like "create everyone"; Hightouch and Census only alert on such runs, drt only guards the
empty source. A model that breaks a column for many rows makes them invalid, which
leaves them stale in HubSpot without a sound. Here the run is refused before any call, and recorded as ``refused``.
"""

from __future__ import annotations

from dataclasses import dataclass

from reverse_etl.config import Thresholds
from reverse_etl.models import Plan


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""
    overridden: bool = False


def check(plan: Plan, thresholds: Thresholds, *, allow_large_changes: bool = False) -> Verdict:
    synced = plan.synced_rows
    problems: list[str] = []
    valid_rows = len(plan.valid)
    if synced > 0 and valid_rows == 0:
        problems.append(
            f"the source has no valid rows ({plan.queried} queried) while {synced} rows are synced: "
            "an empty source would remove everything"
        )
    elif synced >= thresholds.min_rows:
        added = plan.count("add")
        if added / synced > thresholds.max_add_share:
            problems.append(
                f"{added} rows would be added to the {synced} synced ({added / synced:.0%} > "
                f"max_add_share {thresholds.max_add_share:.0%})"
            )
        removed = plan.count("remove")
        changed = plan.count("change") + removed
        if removed / synced > thresholds.max_delete_share:
            problems.append(
                f"{removed} of {synced} synced rows would be removed ({removed / synced:.0%} > "
                f"max_delete_share {thresholds.max_delete_share:.0%})"
            )
        if changed / synced > thresholds.max_change_share:
            problems.append(
                f"{changed} of {synced} synced rows would change or be removed ({changed / synced:.0%} > "
                f"max_change_share {thresholds.max_change_share:.0%})"
            )
    added = plan.count("add")
    if added > thresholds.max_add_rows:
        problems.append(f"{added} rows would be added in one run (more than max_add_rows {thresholds.max_add_rows})")
    invalid = len(plan.invalid)
    if plan.queried >= thresholds.min_rows and plan.queried and invalid / plan.queried > thresholds.max_invalid_share:
        problems.append(
            f"{invalid} of {plan.queried} queried rows are invalid ({invalid / plan.queried:.0%} > "
            f"max_invalid_share {thresholds.max_invalid_share:.0%}; a dry run lists them with their reasons)"
        )
    if not problems:
        return Verdict(True)
    reason = "; ".join(problems)
    if allow_large_changes:
        return Verdict(True, reason, overridden=True)
    return Verdict(False, reason + ". Re-run with allow_large_changes=true if this is intended.")
