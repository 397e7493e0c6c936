"""Deterministic synthetic customer world (see docs/sandbox.md)."""

from sandbox.world.config import DEFAULT_PERSONA_WEIGHTS, PERSONAS, WorldConfig
from sandbox.world.manifest import Manifest, build_manifest, write_manifest
from sandbox.world.people import PersonGenerator, generate_person
from sandbox.world.person import EVENT_TYPES, Event, Person
from sandbox.world.stages import STAGES, stage_entries, true_stage
from sandbox.world.world import World, iter_persons

__all__ = [
    "DEFAULT_PERSONA_WEIGHTS",
    "EVENT_TYPES",
    "PERSONAS",
    "STAGES",
    "Event",
    "Manifest",
    "Person",
    "PersonGenerator",
    "World",
    "WorldConfig",
    "build_manifest",
    "generate_person",
    "iter_persons",
    "stage_entries",
    "true_stage",
    "write_manifest",
]
