"""Erasure: people in ``reverse_etl.erasure_requests`` (by email or person_key) are deleted from HubSpot through
``gdpr-delete``, excluded from every push from then on, and forgotten by the ledger (snapshots, learned ids, change
logs). What is kept is ``reverse_etl._erasures``: a sha256 of the identifier, when, and the result — proof that the
request was handled, without the identifier itself. The request row is deleted once handled.

Suppression after the request row is gone works on the hashes: every sync drops source rows whose person_key or
email hashes to an erased identifier (see :func:`reverse_etl.plan.is_erased`), so a person still present in the marts
is never pushed (and re-created) again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from connectors.core.errors import AuthenticationError, ConnectorError
from reverse_etl.hubspot import HubSpotWriter
from reverse_etl.ledger import Ledger, erasure_requests, erasures, id_map, identifier_hash, now, snapshots

log = logging.getLogger(__name__)


@dataclass
class ErasureOutcome:
    identifier_hash: str  # of the email when known, else of the person key
    result: str  # erased | not_in_crm | failed
    detail: str = ""
    # Every identifier of the person, hashed: each stays suppressed once the request row is gone.
    all_hashes: tuple[str, ...] = ()


def _identity_sql(schema: str, table: str) -> sa.TextClause:
    return sa.text(f"select person_key, email, primary_contact_id from {schema}.{table}")


def process_erasures(
    ledger: Ledger, writer: HubSpotWriter, *, identity_schema: str = "marts", identity_table: str = "dim_persons"
) -> list[ErasureOutcome]:
    """Handle every queued request. A failed HubSpot call leaves the request queued (retried next time)."""
    with ledger.transaction() as conn:
        requests = [dict(r._mapping) for r in conn.execute(sa.select(erasure_requests))]
        if not requests:
            return []
        try:
            people = [dict(r._mapping) for r in conn.execute(_identity_sql(identity_schema, identity_table))]
        except sa.exc.DBAPIError:
            people = []  # no marts yet: erase by what the request and the ledger know
        known_ids = {
            r.person_key: r.hubspot_id for r in conn.execute(sa.select(id_map.c.person_key, id_map.c.hubspot_id))
        }
        snap_ids: dict[str, set[str]] = {}
        for r in conn.execute(sa.select(snapshots.c.record_key, snapshots.c.destination_id)):
            if r.destination_id:
                snap_ids.setdefault(r.record_key, set()).add(r.destination_id)

    by_email = {str(p["email"]).strip().lower(): p for p in people if p.get("email")}
    by_key = {str(p["person_key"]): p for p in people if p.get("person_key")}
    outcomes: list[tuple[dict[str, Any], ErasureOutcome, set[str]]] = []
    for req in requests:
        email = (req.get("email") or "").strip().lower() or None
        key = (req.get("person_key") or "").strip() or None
        person = (by_key.get(key) if key else None) or (by_email.get(email) if email else None)
        if person is not None:
            key = key or str(person["person_key"])
            email = email or (str(person["email"]).strip().lower() if person.get("email") else None)
        hashes = tuple(
            h
            for h in (
                identifier_hash("email", email) if email else None,
                identifier_hash("person_key", key) if key else None,
            )
            if h
        )
        ident = hashes[0]
        contact_ids: set[str] = set()
        if person is not None and person.get("primary_contact_id"):
            contact_ids.add(str(person["primary_contact_id"]))
        if key:
            contact_ids |= snap_ids.get(key, set())
            if key in known_ids:
                contact_ids.add(known_ids[key])
        results: list[str] = []
        try:
            for cid in sorted(contact_ids):
                results.append(writer.gdpr_delete(object_id=cid))
            if email:
                # By address too: catches a contact we never knew the id of, and blocklists the address.
                results.append(writer.gdpr_delete(email=email))
        except AuthenticationError:
            raise
        except ConnectorError as exc:
            outcomes.append((req, ErasureOutcome(ident, "failed", writer._clean(str(exc))), set()))
            continue
        result = "erased" if "deleted" in results else "not_in_crm"
        detail = f"{results.count('deleted')} gdpr-delete call(s) answered 204"
        purge = {k for k in (key,) if k}
        outcomes.append((req, ErasureOutcome(ident, result, detail, hashes), purge))

    with ledger.transaction() as conn:
        for req, outcome, purge in outcomes:
            if outcome.result == "failed":
                continue  # stays queued
            for person_key in purge:
                ledger.purge_person(conn, person_key)
            for h in outcome.all_hashes:
                conn.execute(erasures.delete().where(erasures.c.identifier_hash == h))
                conn.execute(
                    erasures.insert().values(
                        identifier_hash=h,
                        requested_at=req.get("requested_at"),
                        processed_at=now(),
                        result=outcome.result,
                        detail=outcome.detail,
                    )
                )
            cond = []
            if req.get("email") is not None:
                cond.append(erasure_requests.c.email == req["email"])
            if req.get("person_key") is not None:
                cond.append(erasure_requests.c.person_key == req["person_key"])
            if cond:
                conn.execute(erasure_requests.delete().where(sa.and_(*cond)))
    return [o for _, o, _ in outcomes]
