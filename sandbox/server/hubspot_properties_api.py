"""HubSpot custom properties: create one (``POST /crm/v3/properties/{type}``, a ``PropertyCreate`` body) and read
one back. https://developers.hubspot.com/docs/api/crm/properties"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from sandbox.server.base import Request, Response
from sandbox.server.hubspot_errors import error, validation
from sandbox.server.hubspot_params import Handlers
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.timeutil import iso_ms

_PROPERTY_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
PROPERTY_TYPES = ("bool", "date", "datetime", "enumeration", "number", "phone_number", "string")
FIELD_TYPES = (
    "booleancheckbox",
    "calculation_equation",
    "checkbox",
    "date",
    "file",
    "html",
    "number",
    "phonenumber",
    "radio",
    "select",
    "text",
    "textarea",
)


class PropertyWrites(Handlers):
    def create_property(self, req: Request) -> Response:
        """``PropertyCreate`` -> 201 ``Property``; an existing name is a 409 CONFLICT."""
        raw = req.params["objectType"]
        otype = hs.OBJECT_TYPE_ALIASES.get(raw.lower())
        if otype is None:
            return validation(f"Unable to infer object type from: {raw}")
        body = req.json()
        problem = _property_create_problem(body)
        if problem:
            return validation(problem)
        with self.store.lock:
            if self.store.property_definition(otype, body["name"]) is not None:
                return error(409, "CONFLICT", f"A property named '{body['name']}' already exists.")
            definition = _property(body, len(self.store.properties[otype]), self.store.now_ms)
            self.store.add_property(otype, definition)
        return Response.json(201, definition, records=1)

    def get_property(self, req: Request) -> Response:
        raw = req.params["objectType"]
        otype = hs.OBJECT_TYPE_ALIASES.get(raw.lower())
        if otype is None:
            return validation(f"Unable to infer object type from: {raw}")
        name = unquote(req.params["propertyName"])
        defn = self.store.property_definition(otype, name)
        if defn is None:
            return error(404, "OBJECT_NOT_FOUND", f"Unable to find property {name} for object type {otype}")
        return Response.json(200, defn, records=1)


def _property_create_problem(body: Any) -> str | None:
    """Why a ``PropertyCreate`` body is invalid, or None."""
    if not isinstance(body, dict):
        return "Invalid input JSON: a PropertyCreate object is required"
    missing = [k for k in ("name", "label", "type", "fieldType", "groupName") if not body.get(k)]
    if missing:
        return f"Missing required fields: {', '.join(missing)}"
    name = str(body["name"])
    if not _PROPERTY_NAME.match(name):
        return f"Property name '{name}' must start with a lower-case letter and use only a-z, 0-9 and _"
    if name.startswith("hs_"):
        return f"Property name '{name}' uses the reserved prefix hs_"
    if body["type"] not in PROPERTY_TYPES:
        return f"type must be one of {', '.join(PROPERTY_TYPES)}"
    if body["fieldType"] not in FIELD_TYPES:
        return f"fieldType must be one of {', '.join(FIELD_TYPES)}"
    options = body.get("options") or []
    if body["type"] == "enumeration" and not options:
        return "options are required for enumeration properties"
    if not isinstance(options, list) or not all(isinstance(o, dict) and o.get("value") is not None for o in options):
        return "options must be a list of {label, value, hidden} objects"
    return None


def _property(body: dict[str, Any], display_order: int, now_ms: int) -> dict[str, Any]:
    """The ``Property`` object HubSpot answers for a created custom property."""
    options = [
        {
            "label": str(o.get("label", o["value"])),
            "value": str(o["value"]),
            "displayOrder": int(o.get("displayOrder", i)),
            "hidden": bool(o.get("hidden", False)),
            **({"description": str(o["description"])} if o.get("description") else {}),
        }
        for i, o in enumerate(body.get("options") or [])
    ]
    return {
        "name": str(body["name"]),
        "label": str(body["label"]),
        "type": body["type"],
        "fieldType": body["fieldType"],
        "groupName": str(body["groupName"]),
        "description": str(body.get("description", "")),
        "options": options,
        "displayOrder": int(body.get("displayOrder", display_order)),
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": bool(body.get("hasUniqueValue", False)),
        "hidden": bool(body.get("hidden", False)),
        "hubspotDefined": False,
        "formField": bool(body.get("formField", False)),
        "archived": False,
        "createdAt": iso_ms(now_ms),
        "updatedAt": iso_ms(now_ms),
        "modificationMetadata": {"archivable": True, "readOnlyDefinition": False, "readOnlyValue": False},
        "dataSensitivity": "non_sensitive",
    }
