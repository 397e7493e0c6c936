from __future__ import annotations

import copy
import json
import os
from functools import cache
from pathlib import Path

import pytest
import requests
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from sandbox.server.hubspot import RateLimits
from sandbox.testing import run_sandbox
from sandbox.world import World, WorldConfig

REPO_ROOT = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    """The project's shared folder: ``JOURNEYHUB_SHARED_DIR`` when set, else ``../shared`` beside the checkout (where
    CI puts it). Nothing else is looked at, so no machine path can creep back in."""
    configured = os.environ.get("JOURNEYHUB_SHARED_DIR")
    return Path(configured) if configured else REPO_ROOT.parent / "shared"


SPECS = shared_dir() / "specs" / "hubspot"
SPECS_MISSING = (
    f"HubSpot OpenAPI specs not found at {SPECS}: put the shared folder beside the checkout (../shared) "
    "or point JOURNEYHUB_SHARED_DIR at it"
)

SMALL = WorldConfig(people=150)


def _spec(name: str) -> dict:
    if not SPECS.is_dir():
        pytest.skip(SPECS_MISSING)
    return _loaded_spec(name)


@cache
def _loaded_spec(name: str) -> dict:
    spec = json.loads((SPECS / name).read_text())
    spec = copy.deepcopy(spec)
    schemas = spec["components"]["schemas"]
    # The published OpenAPI 3.0 schemas forget `nullable`: HubSpot sends null for requested-but-empty property
    # values and for unlabeled association types. Those two spots are relaxed; everything else is strict.
    for name_ in ("SimplePublicObject", "SimplePublicObjectWithAssociations"):
        if name_ in schemas:
            schemas[name_]["properties"]["properties"]["additionalProperties"]["nullable"] = True
    if "AssociationSpecWithLabel" in schemas:
        schemas["AssociationSpecWithLabel"]["properties"]["label"]["nullable"] = True
    return spec


def validate(spec_file: str, schema_name: str, instance: object) -> None:
    spec = _spec(spec_file)
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec["components"]}
    errors = list(OAS30Validator(schema, format_checker=oas30_format_checker).iter_errors(instance))
    assert not errors, f"{schema_name}: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


@pytest.fixture(scope="session")
def small_world() -> World:
    return World(SMALL)


@pytest.fixture(scope="module")
def sandbox():
    # search limit raised so functional tests need not pace themselves; limits have their own tests
    with run_sandbox(World(SMALL), rate_limits=RateLimits(search_per_second=1000, per_interval=100_000)) as sb:
        yield sb


@pytest.fixture()
def hs_session(sandbox):
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {sandbox.hubspot.token}"
    yield s
    s.close()
