"""The HubSpot streams this project syncs, how each one is keyed, paged and made incremental, and its record contract.

The catalog is the single place that says what a raw_hubspot row looks like. The connector and the sandbox's direct
raw loader read it, and the dbt sources are documented from it, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from connectors.core.clock import parse_timestamp
from connectors.raw.contracts import (
    Check,
    ContractLimits,
    Reason,
    Violation,
    any_identifier,
    check_timestamp,
    list_of_named_objects,
    one_of,
)
from connectors.raw.records import CursorCheck, timestamp_at

StreamKind = Literal[
    "crm_object",
    "owners",
    "forms",
    "form_submissions",
    "web_events",
    "marketing_events",
    "marketing_event_participations",
]


def has_properties(obj: dict[str, Any], _limits: ContractLimits) -> Violation | None:
    """A CRM object carries its properties in a ``properties`` object."""
    return (
        None
        if isinstance(obj.get("properties"), dict)
        else Violation(Reason.MISSING_PROPERTIES, "no 'properties' object")
    )


def crm_cursor(obj: dict[str, Any], limits: ContractLimits) -> tuple[datetime | None, Violation | None]:
    """A plausible ``updatedAt`` (and ``archivedAt`` when present); the later of the two is the version's time."""
    updated, problem = check_timestamp(obj.get("updatedAt"), "updatedAt", limits)
    if problem:
        return None, problem
    archived_at, problem = check_timestamp(obj.get("archivedAt"), "archivedAt", limits, required=False)
    if problem:
        return None, problem
    if archived_at is not None and updated is not None:
        # Archiving is a change too: the archived version must win over the last active one.
        updated = max(updated, archived_at)
    return updated, None


# A web analytics event belongs to the contact named by objectId; without it the page view joins no one.
has_object_id = any_identifier(("objectId",), Reason.MISSING_OBJECT_ID)

# A v1 submission's answers: the submitted email lives there.
check_form_values = list_of_named_objects("values", Reason.INVALID_FORM_VALUES)


def submitted_at(sub: dict[str, Any], limits: ContractLimits) -> tuple[datetime | None, Violation | None]:
    """``submittedAt`` as plausible epoch milliseconds."""
    ms = sub.get("submittedAt")
    if ms is not None and (isinstance(ms, bool) or not isinstance(ms, int | float)):
        # The v1 API sends epoch milliseconds as a number; a string here is not the contract, whatever it holds.
        return None, Violation(Reason.UNPARSEABLE_TIMESTAMP, f"submittedAt is not epoch milliseconds: {ms!r}"[:120])
    return check_timestamp(ms, "submittedAt", limits)


def has_event_dates(event: dict[str, Any], _limits: ContractLimits) -> Violation | None:
    """A marketing event has a parseable ``startDateTime`` and ``endDateTime``. Not checked for plausibility: an
    upcoming event's dates are in the future, and that is no fault."""
    for name in ("startDateTime", "endDateTime"):
        value = event.get(name)
        try:
            parsed = parse_timestamp(value)
        except (ValueError, OverflowError, OSError):
            parsed = None
        if parsed is None:
            shown = "missing" if value in (None, "") else f"not a date-time: {str(value)[:60]!r}"
            return Violation(Reason.MISSING_EVENT_DATES, f"{name} is {shown}")
    return None


# The spec's ParticipationProperties.attendanceState values (EMPTY included: it is HubSpot's, not garbage).
ATTENDANCE_STATES = frozenset(("REGISTERED", "ATTENDED", "CANCELLED", "NO_SHOW", "EMPTY"))
has_attendance_state = one_of("properties.attendanceState", ATTENDANCE_STATES, Reason.UNKNOWN_ATTENDANCE_STATE)
# A participation joins a person only through its contact.
has_contact = any_identifier(("associations.contact.contactId",), Reason.MISSING_CONTACT)


@dataclass(frozen=True)
class HubSpotStream:
    """One raw table in schema ``raw_hubspot``.

    ``cursor_field`` names the value (inside the stored payload) that says which version of a record is newer.
    For CRM objects it is also the property the search API filters on for incremental syncs.
    """

    name: str
    kind: StreamKind
    primary_key: str
    cursor_field: str | None
    description: str
    # CRM object type in the API path (``/crm/v3/objects/{object_type}``).
    object_type: str | None = None
    # Properties whose change history is requested (``propertiesWithHistory``); stage changes come from these.
    history_properties: tuple[str, ...] = ()
    # Object types whose associations are stored inside the payload, in the v3 list shape.
    associations: tuple[str, ...] = ()
    # Property the search API filters on (contacts use ``lastmodifieddate``, everything else the hs_ one).
    search_cursor_property: str | None = None
    tags: tuple[str, ...] = field(default=())
    # The record contract (connectors.raw.contracts): ids of ASCII digits only (CRM ids), the checks before the
    # cursor, and how the cursor is read and checked.
    digit_keys: bool = False
    required: tuple[Check, ...] = ()
    cursor: CursorCheck | None = None


def _crm(
    name: str,
    description: str,
    *,
    history: tuple[str, ...] = (),
    associations: tuple[str, ...] = (),
    cursor_property: str = "hs_lastmodifieddate",
) -> HubSpotStream:
    return HubSpotStream(
        name=name,
        kind="crm_object",
        primary_key="id",
        # Stored payloads always carry ``updatedAt``; it equals the last-modified property.
        cursor_field="updatedAt",
        description=description,
        object_type=name,
        history_properties=history,
        associations=associations,
        search_cursor_property=cursor_property,
        digit_keys=True,
        required=(has_properties,),
        cursor=crm_cursor,
    )


ENGAGEMENT_ASSOCIATIONS = ("contacts", "deals", "companies")

STREAMS: tuple[HubSpotStream, ...] = (
    _crm(
        "contacts",
        "CRM contacts: lifecycle stage (with history), analytics source, UTM fields and ad click ids.",
        history=("lifecyclestage",),
        associations=("companies",),
        cursor_property="lastmodifieddate",
    ),
    _crm("companies", "CRM companies (accounts) that contacts and deals belong to."),
    _crm(
        "deals",
        "Deals in the sales and e-commerce pipelines, with stage and amount history.",
        history=("dealstage", "amount"),
        associations=("contacts", "companies"),
    ),
    _crm(
        "emails",
        "Logged one-to-one emails, inbound inquiries and sales replies.",
        associations=ENGAGEMENT_ASSOCIATIONS,
    ),
    _crm("calls", "Logged sales calls.", associations=ENGAGEMENT_ASSOCIATIONS),
    _crm("meetings", "Logged meetings (demos, discovery calls).", associations=ENGAGEMENT_ASSOCIATIONS),
    _crm("notes", "Notes sales reps left on records.", associations=ENGAGEMENT_ASSOCIATIONS),
    _crm("tasks", "Sales tasks (follow-ups) with status and owner.", associations=ENGAGEMENT_ASSOCIATIONS),
    _crm(
        "feedback_submissions",
        "Survey answers (NPS, CSAT) tied to contacts.",
        associations=("contacts",),
    ),
    HubSpotStream(
        name="owners",
        kind="owners",
        primary_key="id",
        cursor_field="updatedAt",
        description="HubSpot users who own records (sales reps).",
        cursor=timestamp_at("updatedAt"),
    ),
    HubSpotStream(
        name="forms",
        kind="forms",
        primary_key="id",
        cursor_field="updatedAt",
        description="Marketing form definitions.",
        cursor=timestamp_at("updatedAt"),
    ),
    HubSpotStream(
        name="form_submissions",
        kind="form_submissions",
        primary_key="conversionId",
        cursor_field="submittedAt",
        description="Form submissions (legacy v1 API); the connector adds the form's GUID as ``formGuid``.",
        required=(check_form_values,),
        cursor=submitted_at,
    ),
    HubSpotStream(
        name="web_events",
        kind="web_events",
        primary_key="id",
        cursor_field="occurredAt",
        description=(
            "Website page views of contacts (Events API, e_visited_page: url, title, referrer, session), stored as "
            "the API returns them. Enterprise portals only; elsewhere the stream ends unavailable and the contacts' "
            "hs_analytics_* properties are the web analytics there is."
        ),
        required=(has_object_id,),
        cursor=timestamp_at("occurredAt"),
    ),
    HubSpotStream(
        name="marketing_events",
        kind="marketing_events",
        primary_key="objectId",
        cursor_field="updatedAt",
        description=(
            "Marketing events (webinars, trade shows, workshops, meetups) from GET /marketing/v3/marketing-events: "
            "name, type, start and end, organizer, url, cancelled/completed flags, external app ids and the "
            "registrant/attendee/cancellation/no-show counters. Fully re-read every sync (the API has no modified "
            "filter)."
        ),
        digit_keys=True,
        required=(has_event_dates,),
        cursor=timestamp_at("updatedAt"),
    ),
    HubSpotStream(
        name="marketing_event_participations",
        kind="marketing_event_participations",
        primary_key="id",
        cursor_field="properties.occurredAt",
        description=(
            "One row per attendance state a contact reached for a marketing event (REGISTERED, ATTENDED, "
            "CANCELLED, NO_SHOW), from each event's participations breakdown: the contact (id, email), the event "
            "(internal and external ids), occurredAt (epoch ms), attendance duration and percentage. Fully re-read "
            "every sync (the breakdown has no time filter)."
        ),
        required=(has_attendance_state, has_contact),
        cursor=timestamp_at("properties.occurredAt"),
    ),
)

STREAMS_BY_NAME: dict[str, HubSpotStream] = {s.name: s for s in STREAMS}
CRM_STREAMS: tuple[HubSpotStream, ...] = tuple(s for s in STREAMS if s.kind == "crm_object")


def get_stream(name: str) -> HubSpotStream:
    try:
        return STREAMS_BY_NAME[name]
    except KeyError:
        known = ", ".join(STREAMS_BY_NAME)
        raise KeyError(f"unknown HubSpot stream {name!r}; known streams: {known}") from None
