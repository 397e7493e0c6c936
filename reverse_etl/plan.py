"""Pre-flight validation ("invalid" before anything is sent) and the diff against the last delivered snapshot."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

from reverse_etl.config import ListDestination, SyncDefinition
from reverse_etl.ledger import LedgerState, identifier_hash
from reverse_etl.models import Change, InvalidRow, Plan, PreparedRow, SourceRow
from reverse_etl.values import ValueProblem, normalise_email, to_hubspot


def payload_hash(sync: SyncDefinition, payload: dict[str, str]) -> str:
    """Hash of the destination-facing payload only (Hightouch diffs mapped columns): a mapping change is a change,
    a warehouse column nobody maps is not. The destination is part of it, so renaming a list re-adds everyone."""
    dest = sync.destination.list_name if isinstance(sync.destination, ListDestination) else "contacts"
    blob = json.dumps({"dest": dest, "payload": payload}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def is_erased(row: SourceRow, erased: frozenset[str]) -> bool:
    if not erased:
        return False
    if row.key is not None and identifier_hash("person_key", str(row.key)) in erased:
        return True
    return row.email is not None and identifier_hash("email", str(row.email)) in erased


def prepare(
    sync: SyncDefinition, rows: list[SourceRow], state: LedgerState
) -> tuple[list[PreparedRow], list[InvalidRow]]:
    """Valid rows with their payloads, and invalid rows with a reason. Duplicates are invalid on every copy: which
    one is right is the model's problem to fix, not ours to guess."""
    invalid: list[InvalidRow] = []
    key_counts = Counter(str(r.key) for r in rows if r.key is not None and str(r.key).strip())
    candidates: list[PreparedRow] = []
    for r in rows:
        key = None if r.key is None or not str(r.key).strip() else str(r.key)
        if key is None:
            invalid.append(InvalidRow(None, "null key"))
            continue
        if key_counts[key] > 1:
            invalid.append(InvalidRow(key, f"duplicate key ({key_counts[key]} rows)"))
            continue
        if r.archived:
            invalid.append(InvalidRow(key, "the HubSpot contact is archived (deleted in HubSpot): not pushed"))
            continue
        object_id = state.id_map.get(key) or (str(r.object_id).strip() if r.object_id not in (None, "") else None)
        try:
            email = normalise_email(r.email)
        except ValueProblem:
            if object_id is None:
                invalid.append(InvalidRow(key, "malformed email and no HubSpot contact id to match on"))
                continue
            email = None  # matched by id; the malformed address is never sent
        if object_id is None and email is None:
            invalid.append(InvalidRow(key, "no match key: neither a HubSpot contact id nor an email"))
            continue
        payload: dict[str, str] = {}
        problem = None
        for m in sync.mappings:
            try:
                payload[m.property] = to_hubspot(r.values.get(m.column), m.type, m.options)
            except ValueProblem as exc:
                problem = f"{m.column} -> {m.property} ({m.type}): {exc}"
                break
        if problem:
            invalid.append(InvalidRow(key, problem))
            continue
        candidates.append(PreparedRow(key, email, object_id, payload, payload_hash(sync, payload)))
    # Two persons matching one HubSpot contact would overwrite each other on every run.
    match_counts = Counter(c.match for c in candidates)
    valid: list[PreparedRow] = []
    for c in candidates:
        if match_counts[c.match] > 1:
            invalid.append(InvalidRow(c.key, f"duplicate match key {c.match[0]} ({match_counts[c.match]} rows)"))
        else:
            valid.append(c)
    return valid, invalid


def build_plan(sync: SyncDefinition, rows: list[SourceRow], state: LedgerState) -> Plan:
    """Erased people leave the source first, anonymous website visitors next (a person the CRM does not know has
    nothing to update there: counted, never invalid); then validation; then the diff by record key."""
    visitors = {str(r.key) for r in rows if r.anonymous and r.key is not None}
    rows = [r for r in rows if not (r.anonymous and r.key is not None)]
    kept = [r for r in rows if not is_erased(r, state.erased_hashes)]
    erased_keys = {str(r.key) for r in rows if r.key is not None and is_erased(r, state.erased_hashes)}
    valid, invalid = prepare(sync, kept, state)
    changes: list[Change] = []
    unchanged = 0
    seen: set[str] = set()
    for row in valid:
        seen.add(row.key)
        prev = state.snapshot.get(row.key)
        rejected = state.rejections.get(row.key)
        if (
            rejected is not None
            and rejected.payload_hash == row.payload_hash
            and rejected.count >= sync.hold_after_rejections
        ):
            invalid.append(
                InvalidRow(
                    row.key,
                    f"held: HubSpot rejected these values {rejected.count} runs in a row (last: "
                    f"{rejected.last_error or 'no message'}); sent again when they change",
                )
            )
            continue
        if prev is None:
            changes.append(Change(row.key, "add", row=row))
        elif prev.payload_hash != row.payload_hash or (
            row.object_id is not None and prev.destination_id is not None and row.object_id != prev.destination_id
        ):
            changes.append(Change(row.key, "change", row=row, previous=prev))
        else:
            unchanged += 1
    # Rows that turned invalid are neither sent nor removed: a data bug must not delete what was delivered.
    invalid_keys = {i.key for i in invalid if i.key is not None}
    for key, prev in sorted(state.snapshot.items()):
        # Erased people are deleted from the CRM and purged from the ledger by the erasure step, not "removed".
        gone = key in erased_keys or identifier_hash("person_key", key) in state.erased_hashes
        if key not in seen and key not in invalid_keys and key not in visitors and not gone:
            changes.append(Change(key, "remove", previous=prev))
    return Plan(
        sync_name=sync.name,
        queried=len(rows),
        valid=valid,
        invalid=invalid,
        changes=changes,
        unchanged=unchanged,
        synced_rows=len(state.snapshot),
        anonymous=len(visitors),
    )
