"""The HubSpot streams this project syncs, and how each one is keyed, paged and made incremental.

The catalog is the single place that says what a raw_hubspot row looks like. The connector, the sandbox's
direct raw loader and the dbt sources all read it, so the three cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

StreamKind = Literal["crm_object", "owners", "forms", "form_submissions"]


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
    ),
    HubSpotStream(
        name="forms",
        kind="forms",
        primary_key="id",
        cursor_field="updatedAt",
        description="Marketing form definitions.",
    ),
    HubSpotStream(
        name="form_submissions",
        kind="form_submissions",
        primary_key="conversionId",
        cursor_field="submittedAt",
        description="Form submissions (legacy v1 API); the connector adds the form's GUID as ``formGuid``.",
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
