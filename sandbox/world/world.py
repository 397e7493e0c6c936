"""The world: persons with full journeys, a clock, and vendor views as of that clock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from sandbox.world.config import WorldConfig
from sandbox.world.manifest import Manifest, build_manifest, write_manifest
from sandbox.world.people import PersonGenerator
from sandbox.world.person import Event, Person
from sandbox.world.projections import ads as ads_projection
from sandbox.world.projections import mailchimp as mailchimp_projection
from sandbox.world.projections import social as social_projection
from sandbox.world.projections.hubspot_aggregates import Aggregates
from sandbox.world.projections.hubspot_records import PersonSnapshot, PersonTimeline
from sandbox.world.projections.hubspot_snapshot import snapshot
from sandbox.world.projections.hubspot_store import HubSpotStore
from sandbox.world.projections.hubspot_timeline import build_timeline
from sandbox.world.stages import stage_entries, true_stage
from sandbox.world.timeutil import from_ms, to_ms
from sandbox.world.voice.stage_touches import participation_touches, review_touches, survey_touches, with_voice
from sandbox.world.voice.surveys import SurveyWorld
from sandbox.world.world_events import EventsWorld
from sandbox.world.world_web import WebWorld


def iter_persons(config: WorldConfig, start: int = 0, stop: int | None = None) -> Iterator[Person]:
    """Generate persons ``start..stop`` in order without keeping them (for large streaming loads)."""
    gen = PersonGenerator(config)
    for i in range(start, config.people if stop is None else stop):
        yield gen.generate(i)


class World(WebWorld, EventsWorld, SurveyWorld):
    """A generated world and its clock.

    Every person's journey is generated up front; vendors show the state as of ``now`` (default: end of the start
    window). :meth:`advance` moves the clock, revealing new events, contacts and stage changes, and refreshes the
    vendor stores (only people whose view changed are re-projected).
    """

    def __init__(self, config: WorldConfig | None = None, *, now: datetime | None = None) -> None:
        self.config = config or WorldConfig()
        self.lock = threading.RLock()
        gen = PersonGenerator(self.config)
        self.persons: list[Person] = [gen.generate(i) for i in range(self.config.people)]
        self._now = to_ms(now) if now is not None else self.config.end_ms
        self._hs_timelines: list[PersonTimeline] = [build_timeline(p, self.config) for p in self.persons]
        self._hs_snaps: list[PersonSnapshot] = [snapshot(tl, self._now) for tl in self._hs_timelines]
        self._aggregates = Aggregates(self.config)
        for tl in self._hs_timelines:
            self._aggregates.add(tl)
        self.hubspot = HubSpotStore(self.config)
        self._refresh_hubspot()
        # Email, ads and social: clock-independent person timelines; snapshots are folded lazily per clock value.
        # sandbox/loader.py reads these lists (and _hs_timelines) directly; the manifest uses the accessors below.
        self._mc_timelines = [mailchimp_projection.person_timeline(p, self.config) for p in self.persons]
        self._ads_timelines = [ads_projection.person_timeline(p, self.config) for p in self.persons]
        self._social_timelines = [social_projection.person_timeline(p, self.config) for p in self.persons]
        self._snapshots: dict[str, tuple[int, object]] = {}
        self._init_web()  # the anonymous visitors, Segment's calls, HubSpot's web events (world_web.py)
        self._init_events()  # marketing events and their participations (world_events.py), computed lazily

    # -- clock -------------------------------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        """The world's clock (aware UTC datetime)."""
        return from_ms(self._now)

    @property
    def now_ms(self) -> int:
        return self._now

    def advance(
        self, delta: timedelta | None = None, *, days: float = 0, hours: float = 0, minutes: float = 0
    ) -> list[int]:
        """Move the clock forward; returns the indexes of persons whose HubSpot view changed."""
        step = (delta or timedelta()) + timedelta(days=days, hours=hours, minutes=minutes)
        return self.set_now(self.now + step)

    def set_now(self, when: datetime) -> list[int]:
        new = to_ms(when)
        with self.lock:
            old = self._now
            if new >= old:
                changed = [
                    i for i, s in enumerate(self._hs_snaps) if s.next_change is not None and s.next_change <= new
                ]
            else:
                changed = list(range(len(self.persons)))
            self._now = new
            for i in changed:
                self._hs_snaps[i] = snapshot(self._hs_timelines[i], new)
            self._refresh_hubspot()
            self._sync_exports()  # the Segment export files of the windows the clock completed
            return changed

    def _refresh_hubspot(self) -> None:
        records = [r for s in self._hs_snaps for r in s.records]
        records.extend(self._aggregates.snapshot(self._now))
        subs = [sub for s in self._hs_snaps for sub in s.submissions]
        self.hubspot.load(records, subs, now_ms=self._now)

    # -- email, ads and social views -----------------------------------------------------------------------

    def _snapshot(self, name: str, build):
        with self.lock:
            got = self._snapshots.get(name)
            if got is not None and got[0] == self._now:
                return got[1]
            snap = build(self._now)
            self._snapshots[name] = (self._now, snap)
            return snap

    def mailchimp_snapshot(self) -> mailchimp_projection.MailchimpSnapshot:
        """Mailchimp as of the clock (members, recipients, activity, campaigns, the audience)."""

        def build(now: int) -> mailchimp_projection.MailchimpSnapshot:
            snap = mailchimp_projection.MailchimpSnapshot(self.config, now)
            for tl in self._mc_timelines:
                snap.add(tl)
            return snap

        return self._snapshot("mailchimp", build)

    def ads_snapshot(self) -> ads_projection.AdsSnapshot:
        """Meta Ads and Google Ads as of the clock (leads, clicks, daily totals)."""

        def build(now: int) -> ads_projection.AdsSnapshot:
            snap = ads_projection.AdsSnapshot(self.config, now)
            for tl in self._ads_timelines:
                snap.add(tl)
            return snap

        return self._snapshot("ads", build)

    def social_snapshot(self) -> social_projection.SocialSnapshot:
        """The Facebook Page and the Instagram account as of the clock."""

        def build(now: int) -> social_projection.SocialSnapshot:
            snap = social_projection.SocialSnapshot(self.config, now)
            for tl in self._social_timelines:
                snap.add(tl)
            snap.crowd_items()
            return snap

        return self._snapshot("social", build)

    # -- truth -------------------------------------------------------------------------------------------------

    def visible_events(self, person: Person | int) -> list[Event]:
        p = self.persons[person] if isinstance(person, int) else person
        return p.events_until(self._now)

    def view_times(self, person: Person | int) -> list[int]:
        """When the person viewed a page or an app screen, up to the clock (their web activity)."""
        p = self.persons[person] if isinstance(person, int) else person
        return [h.ts for h in p.web.hits_until(self._now) if h.is_view] if p.web is not None else []

    def stage_events(self, person: Person | int) -> list[Event]:
        """The events the stage truth counts: the visible journey events, and the Typeform answers, marketing event
        participations and Trustpilot reviews the vendors show at the clock (voice/stage_touches.py), in time order."""
        p = self.persons[person] if isinstance(person, int) else person
        voice = survey_touches(self.config, p, self._now)
        voice += participation_touches(p, self.person_participations(p.index), self._now)
        voice += review_touches(self.config, p, self._now)
        return with_voice(self.visible_events(p), voice)

    def stage_entries(self, person: Person | int) -> dict[str, int]:
        return stage_entries(self.stage_events(person), views=self.view_times(person))

    def true_stage(self, person: Person | int) -> str | None:
        return true_stage(self.stage_events(person), views=self.view_times(person))

    def first_touch_ms(self, person: Person) -> int | None:
        """The person's first touch: their first event or their first view on the site, whichever came first."""
        times = [person.events[0].ts] if person.events else []
        first_view = person.web.first_view_ms() if person.web is not None else None
        if first_view is not None:
            times.append(first_view)
        return min(times) if times else None

    def visible_persons(self) -> list[Person]:
        """Persons whose first touch is visible (a person exists in the world from their first touch, a visit
        to the site included)."""
        out = []
        for p in self.persons:
            first = self.first_touch_ms(p)
            if first is not None and first <= self._now:
                out.append(p)
        return out

    def hubspot_snapshot(self, person: Person | int) -> PersonSnapshot:
        i = person if isinstance(person, int) else person.index
        return self._hs_snaps[i]

    @property
    def hubspot_aggregates(self) -> Aggregates:
        return self._aggregates

    # Clock-independent per-person timelines of the other vendors (the manifest folds them itself).

    def mailchimp_timeline(self, index: int) -> mailchimp_projection.MailchimpPerson:
        return self._mc_timelines[index]

    def ads_timeline(self, index: int) -> ads_projection.AdsPerson:
        return self._ads_timelines[index]

    def social_timeline(self, index: int) -> social_projection.SocialPerson:
        return self._social_timelines[index]

    # -- manifest ----------------------------------------------------------------------------------------------

    def manifest(self) -> Manifest:
        return build_manifest(self)

    def write_manifest(self, directory: str | Path) -> Manifest:
        return write_manifest(self, directory)
