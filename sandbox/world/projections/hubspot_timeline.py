"""A person's HubSpot timeline: every record they will ever have in HubSpot, with its creation instant, its timed
property changes and its associations, independent of the clock (:func:`build_timeline`).

The journey is walked once in time order; each event type has one handler, grouped by the object type it writes:
contacts, form and feedback submissions (``hubspot_timeline_contacts``), engagements (``_engagements``) and deals
(``_deals``). Event types HubSpot never sees (the Mailchimp sign-ups and campaign activity) have none."""

from __future__ import annotations

from collections.abc import Callable

from sandbox.world.config import WorldConfig
from sandbox.world.person import Event, Person
from sandbox.world.projections.hubspot_records import PersonTimeline
from sandbox.world.projections.hubspot_timeline_deals import DealTimeline
from sandbox.world.projections.hubspot_timeline_engagements import EngagementTimeline


class TimelineBuilder(EngagementTimeline, DealTimeline):
    """Builds one person's :class:`PersonTimeline`."""

    def handlers(self) -> dict[str, Callable[[Event], None]]:
        return {
            "ad_click": self.on_ad_click,
            "social_reaction": self.on_social_touch,
            "social_comment": self.on_social_touch,
            "form_submission": self.on_form_submission,
            "referral_given": self.on_form_submission,
            "social_message": self.on_social_message,
            "lead_ad_submission": self.on_lead_ad,
            "inbound_email": self.on_inbound_email,
            "sales_email": self.on_sales_email,
            "call": self.on_call,
            "meeting": self.on_meeting,
            "note": self.on_note,
            "task": self.on_task,
            "deal_created": self.on_deal_created,
            "deal_stage_changed": self.on_deal_change,
            "deal_won": self.on_deal_change,
            "deal_lost": self.on_deal_change,
            "purchase": self.on_deal_change,
            "lifecycle_changed": self.on_lifecycle,
            "survey_response": self.on_survey_response,
        }

    def build(self) -> PersonTimeline:
        handlers = self.handlers()
        for ev in self.person.events:
            handler = handlers.get(ev.type)
            if handler is not None:
                handler(ev)
        self.web_analytics()
        return self.finish()

    def finish(self) -> PersonTimeline:
        # Associations to an archived contact disappear when it is archived: handled at snapshot time.
        instants: set[int] = set()
        for rec in self.records:
            rec.changes.sort(key=lambda c: c.ts)
            instants.add(rec.created)
            instants.update(c.ts for c in rec.changes)
            if rec.archived_at is not None:
                instants.add(rec.archived_at)
        instants.update(s.ts for s in self.submissions)
        c0 = self.contacts.get(0)
        return PersonTimeline(
            index=self.idx,
            person_id=self.person.person_id,
            company=self.person.company,
            records=self.records,
            submissions=self.submissions,
            contact0_created=c0.created if c0 is not None else None,
            lifecycle0=self.lifecycle0,
            shared=self.shared,
            instants=sorted(instants),
        )


def build_timeline(person: Person, config: WorldConfig) -> PersonTimeline:
    """Every HubSpot record the person will ever have, with timed changes (independent of the clock)."""
    return TimelineBuilder(person, config).build()
