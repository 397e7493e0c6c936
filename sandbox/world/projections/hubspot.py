"""HubSpot projection of the world.

Two steps, so that moving the clock is cheap:

1. :func:`build_timeline` turns one person's full journey into HubSpot *timelines*: every record the person will ever
   have in HubSpot, with its creation instant, its property changes (instant, property, value, source) and its
   associations. It does not depend on the clock and is computed once per person.
2. :func:`snapshot` folds a timeline at an instant ``now``: records created after ``now`` are absent, property values
   are the latest change ``<= now``, ``updatedAt``/``lastmodifieddate`` is the latest visible change, history lists
   only visible changes. It also says when the person's HubSpot view will next change, so a world that advances its
   clock only re-snapshots the people whose view changed.

Companies and shared-mailbox contacts (``info@<company>``) depend on several people; :class:`Aggregates` collects
each person's contribution and snapshots them.

This module re-exports the projection's public names from the modules that hold them (sandbox/loader.py imports
them from here; the rest of the sandbox imports each from its own module): ``hubspot_records`` (timelines and
records), ``hubspot_timeline`` (step 1, by object type in ``hubspot_timeline_contacts``, ``_engagements`` and
``_deals``), ``hubspot_snapshot`` (step 2), ``hubspot_aggregates`` and ``hubspot_payloads`` (the JSON shapes).
Property definitions are in ``hubspot_schema``.
"""

from __future__ import annotations

from sandbox.world.projections.hubspot_aggregates import Aggregates
from sandbox.world.projections.hubspot_payloads import object_json, raw_payload, submission_object, v4_items
from sandbox.world.projections.hubspot_records import (
    Change,
    HSRecord,
    PersonSnapshot,
    PersonTimeline,
    RecordTimeline,
    SubmissionTimeline,
)
from sandbox.world.projections.hubspot_snapshot import history_for, snapshot
from sandbox.world.projections.hubspot_timeline import build_timeline

__all__ = [
    "Aggregates",
    "Change",
    "HSRecord",
    "PersonSnapshot",
    "PersonTimeline",
    "RecordTimeline",
    "SubmissionTimeline",
    "build_timeline",
    "history_for",
    "object_json",
    "raw_payload",
    "snapshot",
    "submission_object",
    "v4_items",
]
