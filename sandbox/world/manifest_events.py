"""The marketing events' ground truth (docs/sandbox.md, "Ground-truth manifest"): ``records.csv`` gains
``hubspot.marketing_event_participations`` (participation id -> the person behind its contact) for every
participation the Marketing Events API shows at the clock. Events themselves belong to no one."""

from __future__ import annotations

from typing import Any, Protocol

from sandbox.world.events import Participation


class EventsView(Protocol):
    """What the events truth reads of a world (``World`` provides it)."""

    def visible_participations(self) -> list[tuple[Participation, str]]: ...


def event_records(world: EventsView) -> list[dict[str, Any]]:
    return [
        {
            "source": "hubspot",
            "stream": "marketing_event_participations",
            "record_id": part.id,
            "person_id": owner,
            "relation": "primary" if part.contact_key == 0 else "secondary",
            "archived": False,
        }
        for part, owner in world.visible_participations()
    ]
