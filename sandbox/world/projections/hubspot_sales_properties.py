"""The properties that say how sales happen: the call outcome GUIDs, the meeting location type and location, and the
deals' custom ``purchase_channel`` enumeration (sandbox/world/sales_channels.py derives their values). Kept apart
from ``hubspot_schema.py``, which lists them among each object type's properties."""

from sandbox.world.sales_channels import MEETING_LOCATION_TYPES, PURCHASE_CHANNELS

# HubSpot's default call outcomes: hs_call_disposition holds the outcome's GUID, not its label
CALL_DISPOSITIONS = {
    "busy": "9d9162e7-6cf3-4944-bf63-4dff82258764",
    "connected": "f240bbac-87c9-4f6e-bf70-924b57d47db7",
    "left_live_message": "a4c4c377-d246-4b32-a13b-75a56a4cd0ff",
    "left_voicemail": "b2cf5968-551e-4856-9783-52b3da59a7d0",
    "no_answer": "73a0d17f-1163-4015-bdd5-ec830791da20",
    "wrong_number": "17b47fee-58de-441e-a44c-c6300d46f273",
}

# (name, label, type, fieldType, group, options) per object type
SALES_CHANNEL_PROPERTIES: dict[str, tuple[tuple[str, str, str, str, str, tuple[str, ...]], ...]] = {
    "meetings": (
        ("hs_meeting_location_type", "Location type", "enumeration", "select", "meeting", MEETING_LOCATION_TYPES),
        ("hs_meeting_location", "Location", "string", "text", "meeting", ()),
    ),
    "deals": (("purchase_channel", "Purchase channel", "enumeration", "select", "dealinformation", PURCHASE_CHANNELS),),
}

# defined by the portal, not by HubSpot: the properties API says so (hubspotDefined false)
CUSTOM_PROPERTIES = frozenset({"purchase_channel"})
