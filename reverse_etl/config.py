"""Sync definitions: YAML files validated by pydantic, so a typo fails at load time with the file and field named.

A sync reads one warehouse model (``segment_membership`` filtered to a segment, or columns of a model keyed by
``person_key``) and writes either HubSpot contact properties or the members of one HubSpot list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

SYNCS_DIR = Path(__file__).resolve().parent / "syncs"
# Names end up in SQL (schema, table, column) and in Dagster asset keys: keep them plain identifiers.
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# HubSpot's own rule for custom property names (and no reserved hs_ prefix for ones we create).
_PROPERTY = re.compile(r"^[a-z][a-z0-9_]{0,99}$")

PropertyType = Literal["string", "number", "bool", "date", "datetime", "enumeration"]
Mode = Literal["upsert", "update_only", "create_only", "mirror"]


class SyncConfigError(ValueError):
    """A sync definition file is missing, unreadable or invalid; the message names the file and the fields."""


def _ident(value: str, what: str) -> str:
    if not _IDENT.match(value):
        raise ValueError(f"{what} {value!r} must be a plain identifier (letters, digits, _)")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldMapping(_Strict):
    """One warehouse column written to one HubSpot contact property."""

    column: str
    property: str
    type: PropertyType = "string"
    label: str | None = None
    # Enumeration options; values outside them are invalid rows, never sent.
    options: tuple[str, ...] = ()
    # Create the property in HubSpot when the portal lacks it (custom properties only).
    create: bool = True

    @field_validator("column")
    @classmethod
    def _column(cls, v: str) -> str:
        return _ident(v, "column")

    @field_validator("property")
    @classmethod
    def _property(cls, v: str) -> str:
        if not _PROPERTY.match(v):
            raise ValueError(f"HubSpot property {v!r} must match {_PROPERTY.pattern}")
        return v

    @model_validator(mode="after")
    def _enum_options(self) -> FieldMapping:
        if self.type == "enumeration" and not self.options:
            raise ValueError(f"mapping {self.column} -> {self.property}: an enumeration needs options")
        if self.type != "enumeration" and self.options:
            raise ValueError(f"mapping {self.column} -> {self.property}: options are only for enumerations")
        return self


class Source(_Strict):
    """Where the rows come from. ``segment`` filters ``segment_membership`` to one segment."""

    model: str
    schema_: str = Field("marts", alias="schema")
    key: str = "person_key"
    segment: str | None = None
    # Email and HubSpot contact id are taken from this identity table (joined on the key) when the model lacks them.
    identity_model: str = "dim_persons"
    email_column: str = "email"
    object_id_column: str = "primary_contact_id"
    # A person whose HubSpot contact is archived (deleted by someone in HubSpot) is not pushed: updating it by id
    # fails, and upserting it by email would re-create what a person deleted. Null: no such column.
    archived_column: str | None = "is_archived"
    # Anonymous website visitors (persons with no contact and no email) are counted, not pushed. Null: no such column.
    anonymous_column: str | None = "is_anonymous"

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator(
        "model",
        "schema_",
        "key",
        "identity_model",
        "email_column",
        "object_id_column",
        "archived_column",
        "anonymous_column",
    )
    @classmethod
    def _idents(cls, v: str | None) -> str | None:
        return v if v is None else _ident(v, "source name")

    @model_validator(mode="after")
    def _segment_needs_membership(self) -> Source:
        if self.model == "segment_membership" and not self.segment:
            raise ValueError("a segment_membership source needs `segment:` (one list per segment)")
        return self


class ContactPropertiesDestination(_Strict):
    kind: Literal["contact_properties"]
    object_type: Literal["contacts"] = "contacts"
    # Group the created custom properties live in (HubSpot's default contact group).
    property_group: str = "contactinformation"


class ListDestination(_Strict):
    kind: Literal["list"]
    list_name: str = Field(min_length=1, max_length=200)


class Thresholds(_Strict):
    """Circuit breaker: shares of the rows this sync currently has in HubSpot (its last delivered snapshot)."""

    max_delete_share: float = Field(0.25, ge=0, le=1)
    max_change_share: float = Field(0.5, ge=0, le=1)
    # Additions (new contacts created, new list members) as a share of the synced rows: a model that suddenly
    # holds far more people (a join that fans out, a filter that stopped filtering) would otherwise create them all
    # in HubSpot unchecked. May exceed 1 (doubling the set is 1.0).
    max_add_share: float = Field(0.5, ge=0)
    # Additions in one run, whatever the share, the first run included: a first delivery larger than this is a
    # deliberate act (raise the limit, or run once with allow_large_changes).
    max_add_rows: int = Field(1000, ge=0)
    # Share of the queried rows that fail validation (null or duplicate key, no match key, a value that does not fit
    # its type). Invalid rows are neither sent nor removed, so a broken model would otherwise leave HubSpot quietly
    # stale for everyone it broke: above this share the run is refused.
    max_invalid_share: float = Field(0.2, ge=0, le=1)
    # Share of the rows sent in a run that HubSpot rejected; above it, the sync asset's reject-rate check fails.
    # Rejected rows stay out of the snapshot and are sent again next run either way.
    max_reject_share: float = Field(0.05, ge=0, le=1)
    # Below this many synced (or queried) rows a share is noise (2 of 3 rows is 67%): only the empty-source rule
    # applies.
    min_rows: int = Field(20, ge=0)


class SyncDefinition(_Strict):
    name: str
    description: str = ""
    source: Source
    destination: ContactPropertiesDestination | ListDestination = Field(discriminator="kind")
    mode: Mode = "upsert"
    mappings: tuple[FieldMapping, ...] = ()
    thresholds: Thresholds = Thresholds()
    dry_run: bool = False
    batch_size: int = Field(100, ge=1, le=100)
    # How long reverse_etl._changes keeps this sync's per-record outcomes. Every run adds a row per change and per
    # invalid row; _sync_runs (one row per run, with the counts) and the snapshot are kept whatever this says.
    changes_retention_days: int = Field(90, ge=1)
    # A row HubSpot rejected this many runs in a row with the same values is held back (planned as invalid, with
    # HubSpot's last message) until its values change, instead of costing a failing call on every run.
    hold_after_rejections: int = Field(5, ge=1)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _ident(v, "sync name")

    @model_validator(mode="after")
    def _consistent(self) -> SyncDefinition:
        if isinstance(self.destination, ContactPropertiesDestination):
            if not self.mappings:
                raise ValueError("a contact_properties destination needs at least one mapping")
            props = [m.property for m in self.mappings]
            dup = sorted({p for p in props if props.count(p) > 1})
            if dup:
                raise ValueError(f"properties mapped twice: {', '.join(dup)}")
            if "email" in props or "hs_object_id" in props:
                raise ValueError("email and hs_object_id are match keys, not mappable properties")
        else:
            if self.mode not in ("upsert", "mirror"):
                raise ValueError(f"a list destination supports modes upsert (add only) and mirror, not {self.mode}")
        return self

    @property
    def is_list(self) -> bool:
        return isinstance(self.destination, ListDestination)


def _errors(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        lines.append(f"  {where}: {err['msg']}")
    return "\n".join(lines)


def parse_sync(data: object, *, origin: str = "<dict>") -> SyncDefinition:
    try:
        return SyncDefinition.model_validate(data)
    except ValidationError as exc:
        raise SyncConfigError(f"invalid sync definition in {origin}:\n{_errors(exc)}") from None


def load_sync_file(path: Path) -> list[SyncDefinition]:
    """A file holds one sync (a mapping) or several (``syncs: [...]``)."""
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise SyncConfigError(f"cannot read sync definitions from {path}: {exc}") from None
    items = data.get("syncs") if isinstance(data, dict) and "syncs" in data else [data]
    if not isinstance(items, list):
        raise SyncConfigError(f"{path}: `syncs` must be a list")
    return [parse_sync(item, origin=f"{path} (sync #{i + 1})") for i, item in enumerate(items)]


def load_syncs(paths: Iterable[Path] | Path | None = None) -> dict[str, SyncDefinition]:
    """Every sync of a folder (``*.yaml``) or of the given files, by name; duplicate names are an error."""
    if paths is None:
        paths = SYNCS_DIR
    if isinstance(paths, Path):
        paths = sorted(paths.glob("*.yaml")) if paths.is_dir() else [paths]
    out: dict[str, SyncDefinition] = {}
    for path in paths:
        for sync in load_sync_file(path):
            if sync.name in out:
                raise SyncConfigError(f"sync {sync.name!r} is defined twice (second time in {path})")
            out[sync.name] = sync
    return out
