"""The Mailchimp streams this project syncs (schema ``raw_mailchimp``), how each is keyed, and its record contract.

Record contracts (quarantined otherwise, see docs/quarantine.md): every record has its key parts; a list member has
an ``email_address`` shaped like an address (a bad one is quarantined, not kept: Mailchimp validates addresses on
entry, so one without an ``@`` is corrupt, and identity resolution would turn it into a phantom person) and a plausible
``last_changed``; an email activity event has an ``action`` and a plausible ``timestamp``. A page without its
collection key (``members``, ``emails`` …) is a malformed page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connectors.raw.contracts import Check, ContractLimits, Reason, Violation, check_email, required_text


@dataclass(frozen=True)
class MailchimpStream:
    name: str
    description: str
    cursor_field: str | None
    record_id: Callable[[dict[str, Any]], Any]
    # The fields the record id is built from, checked for presence and type before it is built.
    key_paths: tuple[str, ...] = ("id",)
    # Stream contract checks run before the cursor (see connectors.raw.contracts for the order).
    required: tuple[Check, ...] = ()


def _member_email(payload: dict[str, Any], _limits: ContractLimits) -> Violation | None:
    return check_email(payload.get("email_address"))


def activity_record_id(p: dict[str, Any]) -> str | None:
    if not (p.get("campaign_id") and p.get("email_id") and p.get("action") and p.get("timestamp")):
        return None
    url_hash = hashlib.sha1((p.get("url") or "").encode()).hexdigest()[:12]
    return f"{p['campaign_id']}:{p['email_id']}:{p['action']}:{p['timestamp']}:{url_hash}"


STREAMS: tuple[MailchimpStream, ...] = (
    MailchimpStream("lists", "Audiences (lists) and their settings.", None, lambda p: p.get("id")),
    MailchimpStream(
        "list_members",
        "Audience members: email, status, merge fields, tags; incremental on last_changed.",
        "last_changed",
        lambda p: f"{p['list_id']}:{p['id']}" if p.get("list_id") and p.get("id") else None,
        key_paths=("list_id", "id"),
        required=(_member_email,),
    ),
    MailchimpStream(
        "campaigns", "Campaigns with settings, recipients and report summary.", None, lambda p: p.get("id")
    ),
    MailchimpStream(
        "campaign_recipients",
        "Who each sent campaign went to (reports sent-to): one row per recipient.",
        None,
        lambda p: f"{p['campaign_id']}:{p['email_id']}" if p.get("campaign_id") and p.get("email_id") else None,
        key_paths=("campaign_id", "email_id"),
    ),
    MailchimpStream(
        "email_activity",
        "Opens, clicks, bounces and unsubscribes: one row per event (the connector flattens activity[]).",
        "timestamp",
        activity_record_id,
        # action and timestamp are part of the id too, but their absence has its own reason.
        key_paths=("campaign_id", "email_id"),
        required=(required_text("action", Reason.MISSING_ACTION),),
    ),
)
STREAMS_BY_NAME: dict[str, MailchimpStream] = {s.name: s for s in STREAMS}
