"""What the sandbox HubSpot portal defines: properties per object type, owners, forms, association types, ids.

Everything here is static (a function of the config at most), so the server, the direct raw loader and the tests
agree on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.world import catalog
from sandbox.world.config import PERSONAS, WorldConfig
from sandbox.world.projections.hubspot_sales_properties import (
    CALL_DISPOSITIONS,
    CUSTOM_PROPERTIES,
    SALES_CHANNEL_PROPERTIES,
)
from sandbox.world.projections.hubspot_web_properties import WEB_ANALYTICS_PROPERTIES
from sandbox.world.timeutil import DAY_MS, iso_ms

CRM_OBJECT_TYPES: tuple[str, ...] = (
    "contacts",
    "companies",
    "deals",
    "emails",
    "calls",
    "meetings",
    "notes",
    "tasks",
    "feedback_submissions",
)
ENGAGEMENT_TYPES: tuple[str, ...] = ("emails", "calls", "meetings", "notes", "tasks")

OBJECT_TYPE_IDS: dict[str, str] = {
    "contacts": "0-1",
    "companies": "0-2",
    "deals": "0-3",
    "tasks": "0-27",
    "notes": "0-46",
    "meetings": "0-47",
    "calls": "0-48",
    "emails": "0-49",
    "feedback_submissions": "0-19",
}
# Accept object type ids and singular names in paths, as HubSpot does.
OBJECT_TYPE_ALIASES: dict[str, str] = {
    **{v: k for k, v in OBJECT_TYPE_IDS.items()},
    **{k: k for k in OBJECT_TYPE_IDS},
    "contact": "contacts",
    "company": "companies",
    "deal": "deals",
    "email": "emails",
    "call": "calls",
    "meeting": "meetings",
    "note": "notes",
    "task": "tasks",
    "feedback_submission": "feedback_submissions",
}
SINGULAR: dict[str, str] = {
    "contacts": "contact",
    "companies": "company",
    "deals": "deal",
    "emails": "email",
    "calls": "call",
    "meetings": "meeting",
    "notes": "note",
    "tasks": "task",
    "feedback_submissions": "feedback_submission",
}

# Record ids: numeric strings ``base + person_index * 1000 + k`` (k = the person's k-th record of that type, in
# event order), so a record keeps its id however far the clock moves.
ID_BASE: dict[str, int] = {
    "contacts": 1 * 10**12,
    "companies": 2 * 10**12,
    "deals": 3 * 10**12,
    "emails": 4 * 10**12,
    "calls": 5 * 10**12,
    "meetings": 6 * 10**12,
    "notes": 7 * 10**12,
    "tasks": 8 * 10**12,
    "feedback_submissions": 9 * 10**12,
}
PER_PERSON = 1000
# Shared-mailbox contacts (info@<company>) live in their own id range: base + 900e9 + company index.
SHARED_CONTACT_OFFSET = 900 * 10**9


def record_id(otype: str, person_index: int, k: int) -> str:
    return str(ID_BASE[otype] + person_index * PER_PERSON + k)


def company_id(k: int) -> str:
    return str(ID_BASE["companies"] + k)


def shared_contact_id(k: int) -> str:
    return str(ID_BASE["contacts"] + SHARED_CONTACT_OFFSET + k)


LAST_MODIFIED_PROPERTY: dict[str, str] = {
    t: ("lastmodifieddate" if t == "contacts" else "hs_lastmodifieddate") for t in CRM_OBJECT_TYPES
}
CREATED_PROPERTY: dict[str, str] = {
    t: ("createdate" if t in ("contacts", "companies", "deals") else "hs_createdate") for t in CRM_OBJECT_TYPES
}

# -- association types (v4 typeIds, HUBSPOT_DEFINED) ----------------------------------------------------------
# (from, to) -> [(typeId, label, v3 name)]; the first entry is the one shown when a single type is expected.
_PAIRS: dict[tuple[str, str], list[tuple[int, str | None, str]]] = {
    ("contacts", "companies"): [(1, "Primary", "contact_to_company"), (279, None, "contact_to_company_unlabeled")],
    ("companies", "contacts"): [(2, "Primary", "company_to_contact"), (280, None, "company_to_contact_unlabeled")],
    ("deals", "contacts"): [(3, None, "deal_to_contact")],
    ("contacts", "deals"): [(4, None, "contact_to_deal")],
    ("deals", "companies"): [(5, "Primary", "deal_to_company"), (341, None, "deal_to_company_unlabeled")],
    ("companies", "deals"): [(6, "Primary", "company_to_deal"), (342, None, "company_to_deal_unlabeled")],
    ("feedback_submissions", "contacts"): [(97, None, "feedback_submission_to_contact")],
    ("contacts", "feedback_submissions"): [(96, None, "contact_to_feedback_submission")],
}
# engagement <-> contact / company / deal
for _eng, (_to_c, _from_c, _to_co, _from_co, _to_d, _from_d) in {
    "calls": (194, 193, 182, 181, 206, 205),
    "emails": (198, 197, 186, 185, 210, 209),
    "meetings": (200, 199, 188, 187, 212, 211),
    "notes": (202, 201, 190, 189, 214, 213),
    "tasks": (204, 203, 192, 191, 216, 215),
}.items():
    _s = SINGULAR[_eng]
    _PAIRS[(_eng, "contacts")] = [(_to_c, None, f"{_s}_to_contact")]
    _PAIRS[("contacts", _eng)] = [(_from_c, None, f"contact_to_{_s}")]
    _PAIRS[(_eng, "companies")] = [(_to_co, None, f"{_s}_to_company")]
    _PAIRS[("companies", _eng)] = [(_from_co, None, f"company_to_{_s}")]
    _PAIRS[(_eng, "deals")] = [(_to_d, None, f"{_s}_to_deal")]
    _PAIRS[("deals", _eng)] = [(_from_d, None, f"deal_to_{_s}")]
ASSOCIATION_TYPES = _PAIRS


def association_types(from_type: str, to_type: str) -> list[dict[str, Any]]:
    """v4 ``associationTypes`` for an association between two object types."""
    return [
        {"category": "HUBSPOT_DEFINED", "typeId": tid, "label": label}
        for tid, label, _ in _PAIRS.get((from_type, to_type), ())
    ]


def v3_association_names(from_type: str, to_type: str) -> list[str]:
    return [name for _, _, name in _PAIRS.get((from_type, to_type), ())]


# -- properties -----------------------------------------------------------------------------------------------

LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
LEAD_STATUSES = (
    "NEW",
    "OPEN",
    "IN_PROGRESS",
    "OPEN_DEAL",
    "UNQUALIFIED",
    "ATTEMPTED_TO_CONTACT",
    "CONNECTED",
    "BAD_TIMING",
)
ANALYTICS_SOURCES = (
    "ORGANIC_SEARCH",
    "PAID_SEARCH",
    "EMAIL_MARKETING",
    "SOCIAL_MEDIA",
    "REFERRALS",
    "OTHER_CAMPAIGNS",
    "DIRECT_TRAFFIC",
    "OFFLINE",
    "PAID_SOCIAL",
)
DEFAULT_PIPELINE_STAGES = (
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
)
ECOMMERCE_STAGES = ("checkout_pending", "checkout_completed", "checkout_abandoned")


@dataclass(frozen=True)
class PropDef:
    name: str
    label: str
    type: str  # string | number | datetime | date | enumeration | bool | phone_number
    field_type: str  # text | textarea | number | date | select | radio | checkbox | booleancheckbox | phonenumber
    group: str
    options: tuple[str, ...] = ()
    calculated: bool = False
    read_only: bool = False


def _s(name: str, label: str, group: str, field_type: str = "text") -> PropDef:
    return PropDef(name, label, "string", field_type, group)


def _dt(name: str, label: str, group: str, read_only: bool = True) -> PropDef:
    return PropDef(name, label, "datetime", "date", group, read_only=read_only)


def _num(name: str, label: str, group: str) -> PropDef:
    return PropDef(name, label, "number", "number", group)


def _enum(name: str, label: str, group: str, options: tuple[str, ...], field_type: str = "select") -> PropDef:
    return PropDef(name, label, "enumeration", field_type, group, options)


def _common(otype: str, group: str) -> list[PropDef]:
    out = [
        _dt(CREATED_PROPERTY[otype], "Create date", group),
        _dt(LAST_MODIFIED_PROPERTY[otype], "Last modified date", group),
        PropDef("hs_object_id", "Record ID", "number", "number", group, read_only=True),
    ]
    return out


_OWNER = _enum("hubspot_owner_id", "Owner", "sales_properties", (), "select")

PROPERTIES: dict[str, tuple[PropDef, ...]] = {
    "contacts": (
        _s("email", "Email", "contactinformation"),
        _s("firstname", "First name", "contactinformation"),
        _s("lastname", "Last name", "contactinformation"),
        PropDef("phone", "Phone number", "string", "phonenumber", "contactinformation"),
        PropDef("mobilephone", "Mobile phone number", "string", "phonenumber", "contactinformation"),
        _s("company", "Company name", "contactinformation"),
        _s("jobtitle", "Job title", "contactinformation"),
        _s("city", "City", "contactinformation"),
        _s("country", "Country/Region", "contactinformation"),
        _enum("lifecyclestage", "Lifecycle stage", "contactinformation", LIFECYCLE_STAGES, "radio"),
        _enum("hs_lead_status", "Lead status", "sales_properties", LEAD_STATUSES, "radio"),
        _enum("hs_persona", "Persona", "contactinformation", tuple(f"persona_{i + 1}" for i in range(len(PERSONAS)))),
        _enum("hs_analytics_source", "Original traffic source", "analyticsinformation", ANALYTICS_SOURCES),
        _s("hs_analytics_source_data_1", "Original traffic source drill-down 1", "analyticsinformation"),
        _s("hs_analytics_source_data_2", "Original traffic source drill-down 2", "analyticsinformation"),
        _s("hs_analytics_first_url", "First page seen", "analyticsinformation"),
        _s("hs_analytics_first_referrer", "First referring site", "analyticsinformation"),
        *(
            PropDef(
                n, lb, t, ft, "analyticsinformation", ANALYTICS_SOURCES if t == "enumeration" else (), read_only=True
            )
            for n, lb, t, ft in WEB_ANALYTICS_PROPERTIES
        ),
        _s("utm_source", "UTM source", "analyticsinformation"),
        _s("utm_medium", "UTM medium", "analyticsinformation"),
        _s("utm_campaign", "UTM campaign", "analyticsinformation"),
        _s("utm_content", "UTM content", "analyticsinformation"),
        _s("utm_term", "UTM term", "analyticsinformation"),
        _s("hs_google_click_id", "Google ad click id", "analyticsinformation"),
        _s("hs_facebook_click_id", "Facebook click id", "analyticsinformation"),
        _s("referrer_email", "Referrer email", "contactinformation"),
        _s("instagram_handle", "Instagram handle", "socialmediainformation"),
        _s("facebook_page_scoped_id", "Facebook page-scoped ID (Messenger)", "socialmediainformation"),
        _OWNER,
        _dt("recent_conversion_date", "Recent conversion date", "conversioninformation"),
        _s("recent_conversion_event_name", "Recent conversion", "conversioninformation"),
        _num("num_conversion_events", "Number of form submissions", "conversioninformation"),
        *_common("contacts", "contactinformation"),
    ),
    "companies": (
        _s("name", "Company name", "companyinformation"),
        _s("domain", "Company domain name", "companyinformation"),
        _enum(
            "industry",
            "Industry",
            "companyinformation",
            (
                "COMPUTER_SOFTWARE",
                "RETAIL",
                "HOSPITAL_HEALTH_CARE",
                "FINANCIAL_SERVICES",
                "MARKETING_AND_ADVERTISING",
                "LOGISTICS_AND_SUPPLY_CHAIN",
                "CONSUMER_GOODS",
                "EDUCATION_MANAGEMENT",
                "REAL_ESTATE",
                "MANAGEMENT_CONSULTING",
            ),
        ),
        _num("numberofemployees", "Number of employees", "companyinformation"),
        _num("annualrevenue", "Annual revenue", "companyinformation"),
        _s("city", "City", "companyinformation"),
        _s("country", "Country/Region", "companyinformation"),
        _enum("lifecyclestage", "Lifecycle stage", "companyinformation", LIFECYCLE_STAGES, "radio"),
        _OWNER,
        *_common("companies", "companyinformation"),
    ),
    "deals": (
        _s("dealname", "Deal name", "dealinformation"),
        _num("amount", "Amount", "dealinformation"),
        _enum("deal_currency_code", "Currency", "dealinformation", ("USD", "EUR", "GBP", "CAD")),
        _enum("pipeline", "Pipeline", "dealinformation", ("default", "ecommerce")),
        _enum("dealstage", "Deal stage", "dealinformation", DEFAULT_PIPELINE_STAGES + ECOMMERCE_STAGES, "radio"),
        _enum("dealtype", "Deal type", "dealinformation", ("newbusiness", "existingbusiness"), "radio"),
        _dt("closedate", "Close date", "dealinformation", read_only=False),
        *(PropDef(*sp) for sp in SALES_CHANNEL_PROPERTIES["deals"]),
        _OWNER,
        *_common("deals", "dealinformation"),
    ),
    "emails": (
        _dt("hs_timestamp", "Activity date", "email", read_only=False),
        _OWNER,
        _s("hs_email_subject", "Email subject", "email"),
        _s("hs_email_text", "Email body", "email", "textarea"),
        _enum("hs_email_direction", "Email direction", "email", ("EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL")),
        _enum("hs_email_status", "Email send status", "email", ("BOUNCED", "FAILED", "SCHEDULED", "SENDING", "SENT")),
        _s("hs_email_from_email", "From email", "email"),
        _s("hs_email_to_email", "To email", "email"),
        *_common("emails", "email"),
    ),
    "calls": (
        _dt("hs_timestamp", "Activity date", "call", read_only=False),
        _OWNER,
        _s("hs_call_title", "Call title", "call"),
        _s("hs_call_body", "Call notes", "call", "textarea"),
        _num("hs_call_duration", "Call duration", "call"),
        _enum("hs_call_direction", "Call direction", "call", ("INBOUND", "OUTBOUND")),
        _enum(
            "hs_call_status",
            "Call status",
            "call",
            ("BUSY", "CALLING_CRM_USER", "CANCELED", "COMPLETED", "CONNECTING", "FAILED", "IN_PROGRESS", "NO_ANSWER"),
        ),
        _enum("hs_call_disposition", "Call outcome", "call", tuple(CALL_DISPOSITIONS.values())),
        PropDef("hs_call_to_number", "To number", "string", "phonenumber", "call"),
        *_common("calls", "call"),
    ),
    "meetings": (
        _dt("hs_timestamp", "Activity date", "meeting", read_only=False),
        _OWNER,
        _s("hs_meeting_title", "Meeting name", "meeting"),
        _s("hs_meeting_body", "Meeting description", "meeting", "textarea"),
        _dt("hs_meeting_start_time", "Start time", "meeting", read_only=False),
        _dt("hs_meeting_end_time", "End time", "meeting", read_only=False),
        _enum(
            "hs_meeting_outcome",
            "Meeting outcome",
            "meeting",
            ("SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED"),
        ),
        *(PropDef(*sp) for sp in SALES_CHANNEL_PROPERTIES["meetings"]),
        *_common("meetings", "meeting"),
    ),
    "notes": (
        _dt("hs_timestamp", "Activity date", "note", read_only=False),
        _OWNER,
        _s("hs_note_body", "Note body", "note", "textarea"),
        *_common("notes", "note"),
    ),
    "tasks": (
        _dt("hs_timestamp", "Due date", "task", read_only=False),
        _OWNER,
        _s("hs_task_subject", "Task title", "task"),
        _s("hs_task_body", "Task notes", "task", "textarea"),
        _enum(
            "hs_task_status", "Task status", "task", ("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED")
        ),
        _enum("hs_task_priority", "Priority", "task", ("NONE", "LOW", "MEDIUM", "HIGH")),
        _enum("hs_task_type", "Task type", "task", ("EMAIL", "CALL", "TODO")),
        _dt("hs_task_completion_date", "Completed at", "task"),
        *_common("tasks", "task"),
    ),
    "feedback_submissions": (
        _enum("hs_survey_type", "Survey type", "feedback_submission_information", ("NPS", "CSAT", "CES", "CUSTOM")),
        _s("hs_survey_name", "Survey name", "feedback_submission_information"),
        _enum("hs_survey_channel", "Survey channel", "feedback_submission_information", ("EMAIL", "WEB")),
        _num("hs_response_value", "Response value", "feedback_submission_information"),
        _s("hs_content", "Response comment", "feedback_submission_information", "textarea"),
        _dt("hs_submission_timestamp", "Submission date", "feedback_submission_information"),
        *_common("feedback_submissions", "feedback_submission_information"),
    ),
}
PROPERTY_NAMES: dict[str, tuple[str, ...]] = {t: tuple(p.name for p in defs) for t, defs in PROPERTIES.items()}
PROPERTY_TYPES: dict[str, dict[str, str]] = {t: {p.name: p.type for p in defs} for t, defs in PROPERTIES.items()}
HISTORY_PROPERTIES: dict[str, tuple[str, ...]] = {
    "contacts": ("lifecyclestage",),
    "deals": ("dealstage", "amount"),
}
DEFAULT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "contacts": ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
    "companies": ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
    "deals": (
        "amount",
        "closedate",
        "createdate",
        "dealname",
        "dealstage",
        "hs_lastmodifieddate",
        "hs_object_id",
        "pipeline",
    ),
}
for _t in CRM_OBJECT_TYPES:
    DEFAULT_PROPERTIES.setdefault(_t, ("hs_createdate", "hs_lastmodifieddate", "hs_object_id"))

_PORTAL_CREATED_MS = 1704067200000  # 2024-01-01T00:00:00Z


def property_definitions(otype: str, owners: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The ``Property`` objects ``GET /crm/v3/properties/{objectType}`` returns."""
    out = []
    for i, p in enumerate(PROPERTIES[otype]):
        if p.name == "hubspot_owner_id" and owners is not None:
            opts = [(o["id"], f"{o['firstName']} {o['lastName']}") for o in owners]
        else:
            opts = [(o, o.replace("_", " ").capitalize()) for o in p.options]
        out.append(
            {
                "name": p.name,
                "label": p.label,
                "type": p.type,
                "fieldType": p.field_type,
                "groupName": p.group,
                "description": "",
                "options": [
                    {"label": label, "value": value, "displayOrder": j, "hidden": False}
                    for j, (value, label) in enumerate(opts)
                ],
                "displayOrder": i,
                "calculated": p.calculated,
                "externalOptions": p.name == "hubspot_owner_id",
                "hasUniqueValue": p.name == "hs_object_id",
                "hidden": False,
                "hubspotDefined": p.name not in CUSTOM_PROPERTIES,
                "formField": not p.read_only,
                "createdAt": iso_ms(_PORTAL_CREATED_MS),
                "updatedAt": iso_ms(_PORTAL_CREATED_MS + 30 * DAY_MS),
                "modificationMetadata": {
                    "archivable": False,
                    "readOnlyDefinition": True,
                    "readOnlyValue": p.read_only,
                },
                "dataSensitivity": "non_sensitive",
            }
        )
    return out


# -- owners ---------------------------------------------------------------------------------------------------

_OWNER_NAMES = (
    ("Alex", "Morgan"),
    ("Priya", "Shah"),
    ("Tom", "Becker"),
    ("Grace", "Liu"),
    ("Marcus", "Reed"),
    ("Sofia", "Alvarez"),
    ("Ben", "Carter"),
    ("Hannah", "Okoye"),
    ("Luca", "Romano"),
    ("Nina", "Petrova"),
    ("Omar", "Farouk"),
    ("Julia", "Weber"),
)


def owner_id(i: int) -> str:
    return str(70_000_001 + i)


def owner_user_id(i: int) -> int:
    return 9_100_001 + i


def owners(config: WorldConfig) -> list[dict[str, Any]]:
    out = []
    for i in range(config.owners):
        first, last = _OWNER_NAMES[i % len(_OWNER_NAMES)]
        created = config.start_ms - 400 * DAY_MS + i * 7 * DAY_MS
        team = ("Inside Sales", "921001") if i % 2 == 0 else ("Account Executives", "921002")
        out.append(
            {
                "id": owner_id(i),
                "email": f"{first}.{last}{'' if i < len(_OWNER_NAMES) else i}@lumenstack.com".lower(),
                "type": "PERSON",
                "firstName": first,
                "lastName": last,
                "userId": owner_user_id(i),
                "userIdIncludingInactive": owner_user_id(i),
                "createdAt": iso_ms(created),
                "updatedAt": iso_ms(config.start_ms - 20 * DAY_MS + i * 3_600_000),
                "archived": False,
                "teams": [{"id": team[1], "name": team[0], "primary": True}],
            }
        )
    return out


# -- forms ----------------------------------------------------------------------------------------------------

_FIELD_LABELS = {
    "email": "Email",
    "firstname": "First name",
    "lastname": "Last name",
    "company": "Company name",
    "jobtitle": "Job title",
    "phone": "Phone number",
    "message": "Message",
    "referrer_email": "Who referred you? (email)",
    "instagram_handle": "Your Instagram handle (optional)",
}


def _form_field(name: str) -> dict[str, Any]:
    base: dict[str, Any] = {
        "objectTypeId": "0-1",
        "name": name,
        "label": _FIELD_LABELS[name],
        "required": name == "email",
        "hidden": False,
        "dependentFields": [],
    }
    if name == "email":
        base.update(fieldType="email", validation={"blockedEmailDomains": [], "useDefaultBlockList": False})
    elif name == "phone":
        base.update(
            fieldType="phone",
            useCountryCodeSelect=False,
            validation={"minAllowedDigits": 7, "maxAllowedDigits": 20},
        )
    elif name == "message":
        base.update(fieldType="multi_line_text")
    else:
        base.update(fieldType="single_line_text")
    return base


def forms(config: WorldConfig) -> list[dict[str, Any]]:
    out = []
    for i, fd in enumerate(catalog.FORMS):
        created = config.start_ms - 200 * DAY_MS + i * 11 * DAY_MS
        out.append(
            {
                "id": catalog.form_guid(fd.key),
                "name": fd.name,
                "formType": "hubspot",
                "createdAt": iso_ms(created),
                "updatedAt": iso_ms(created + 45 * DAY_MS),
                "archived": False,
                "fieldGroups": [
                    {"groupType": "default_group", "richTextType": "text", "fields": [_form_field(f)]}
                    for f in fd.fields + fd.optional
                ],
                "configuration": {
                    "language": "en",
                    "cloneable": True,
                    "postSubmitAction": {"type": "thank_you", "value": "Thanks for submitting the form."},
                    "editable": True,
                    "archivable": True,
                    "recaptchaEnabled": False,
                    "notifyContactOwner": fd.inquiry,
                    "notifyRecipients": [],
                    "createNewContactForNewEmail": True,
                    "prePopulateKnownValues": True,
                    "allowLinkToResetKnownValues": False,
                    "lifecycleStages": [],
                },
                "displayOptions": {
                    "renderRawHtml": False,
                    "theme": "default_style",
                    "submitButtonText": "Submit",
                    "style": {
                        "fontFamily": "arial, helvetica, sans-serif",
                        "backgroundWidth": "100%",
                        "labelTextColor": "#33475b",
                        "labelTextSize": "14px",
                        "helpTextColor": "#7C98B6",
                        "helpTextSize": "11px",
                        "legalConsentTextColor": "#33475b",
                        "legalConsentTextSize": "14px",
                        "submitColor": "#ff7a59",
                        "submitAlignment": "left",
                        "submitFontColor": "#ffffff",
                        "submitSize": "12px",
                    },
                },
                "legalConsentOptions": {"type": "none"},
            }
        )
    return out
