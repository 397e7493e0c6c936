"""Sales activity: the first response to an inquiry (speed to lead, in working hours), calls, notes, tasks,
meetings and deals in the default sales pipeline."""

from __future__ import annotations

from typing import Any

from sandbox.world.companies import company_info
from sandbox.world.journey.core import JourneyCore
from sandbox.world.timeutil import DAY_MS, HOUR_MS, MINUTE_MS


def business_time(ts: int) -> int:
    """Move an instant into the sales team's working hours (Mon-Fri 08:00-18:00 UTC)."""
    day = ts // DAY_MS
    tod = ts - day * DAY_MS
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    if weekday < 5 and 8 * HOUR_MS <= tod < 18 * HOUR_MS:
        return ts
    if weekday < 5 and tod < 8 * HOUR_MS:
        return day * DAY_MS + 8 * HOUR_MS + tod % (47 * MINUTE_MS)
    day += 1
    weekday = (weekday + 1) % 7
    while weekday >= 5:
        day += 1
        weekday = (weekday + 1) % 7
    return day * DAY_MS + 8 * HOUR_MS + tod % (97 * MINUTE_MS)


# Responsiveness of the sales reps: a multiplier on the response delay (owner index -> factor).
OWNER_SPEED = (0.4, 0.7, 1.0, 1.0, 1.3, 1.8, 2.6, 4.0)


def owner_speed(owner: int) -> float:
    return OWNER_SPEED[owner % len(OWNER_SPEED)]


class SalesActivity(JourneyCore):
    def lognorm_delay(self, median_ms: float, sigma: float = 1.0) -> int:
        return int(median_ms * self.rng.lognormvariate(0.0, sigma))

    def inquiry_response(
        self, t_inquiry: int, key: int, median_ms: float, p_none: float, channel: str = "email"
    ) -> int | None:
        """The first sales reply to an inquiry (speed to lead). Returns its time or None when nobody answered."""
        rng = self.rng
        if rng.random() < p_none:
            return None
        delay = self.lognorm_delay(median_ms * owner_speed(self.p.owner), 1.1)
        t = business_time(t_inquiry + max(delay, 2 * MINUTE_MS))
        if channel == "email" or rng.random() < 0.6:
            self.add(t, "sales_email", contact=key, owner=self.p.owner, subject="Re: your request", reply_to=t_inquiry)
        else:
            self.add(t, "call", contact=key, owner=self.p.owner, direction="OUTBOUND", **self.call_outcome())
        return t

    def call_outcome(self) -> dict[str, Any]:
        r = self.rng.random()
        if r < 0.6:
            return {"disposition": "connected", "duration_ms": self.rng.randrange(120_000, 1_800_000)}
        if r < 0.85:
            return {"disposition": "no_answer", "duration_ms": 0}
        return {"disposition": "left_voicemail", "duration_ms": self.rng.randrange(20_000, 60_000)}

    def note(self, ts: int, key: int, deal: int | None = None) -> None:
        body = self.rng.choice(
            (
                "Discussed requirements and timeline.",
                "Budget confirmed for this quarter.",
                "Needs sign-off from finance.",
                "Asked for a security questionnaire.",
                "Champion is the marketing lead.",
            )
        )
        self.add(ts, "note", contact=key, owner=self.p.owner, body=body, deal=deal)

    def task(self, ts: int, key: int, deal: int | None = None) -> None:
        rng = self.rng
        due = ts + rng.randrange(1, 6) * DAY_MS
        completed = business_time(due - rng.randrange(0, 2 * DAY_MS)) if rng.random() < 0.75 else None
        if completed is not None and completed <= ts:
            completed = ts + HOUR_MS
        self.add(
            ts,
            "task",
            contact=key,
            owner=self.p.owner,
            subject=rng.choice(("Follow up", "Send proposal", "Schedule demo", "Check in after trial")),
            task_type=rng.choice(("CALL", "EMAIL", "TODO")),
            priority=rng.choice(("LOW", "MEDIUM", "HIGH")),
            due=due,
            completed_at=completed,
            deal=deal,
        )

    def meeting(self, t_booked: int, t_start: int, key: int, title: str, deal: int | None = None) -> int:
        rng = self.rng
        outcome = "COMPLETED" if rng.random() < 0.88 else "NO_SHOW"
        duration = rng.choice((30, 30, 45, 60)) * MINUTE_MS
        self.add(
            t_start,
            "meeting",
            contact=key,
            owner=self.p.owner,
            title=title,
            booked_at=t_booked,
            end=t_start + duration,
            outcome=outcome,
            deal=deal,
        )
        return t_start

    def new_deal(
        self, ts: int, pipeline: str, stage: str, amount: float, dealtype: str, name: str, key: int = 0
    ) -> int:
        d = self.deals
        self.deals += 1
        self.add(
            ts,
            "deal_created",
            deal=d,
            pipeline=pipeline,
            stage=stage,
            amount=amount,
            dealtype=dealtype,
            name=name,
            owner=self.p.owner,
            contact=key,
        )
        return d

    def sales_deal(self, t: int, key: int, amount: float, p_win: float, speed: float, dealtype: str) -> int | None:
        """A deal in the default sales pipeline from ``t``: stage progression, meetings, notes, tasks, outcome.

        Returns the time it was won, or None (lost or still open at the horizon)."""
        rng = self.rng
        p = self.p
        cname = company_info(self.cfg.seed, p.company, self.cfg.owners).name if p.company is not None else p.last_name
        product = rng.choice(("Platform annual", "Growth plan", "Enterprise pilot", "Team licences"))
        d = self.new_deal(t, "default", "appointmentscheduled", amount, dealtype, f"{cname} - {product}", key)
        self.lifecycle(t, "opportunity", key)
        won = rng.random() < p_win
        stages = ["qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin", "contractsent"]
        lost_at = len(stages) if won else rng.randrange(1, len(stages) + 1)
        cur = t
        for i, st in enumerate(stages):
            if i >= lost_at:
                break
            cur = business_time(cur + int(rng.uniform(2, 9) * DAY_MS * speed))
            new_amount = None
            if st in ("presentationscheduled", "contractsent") and rng.random() < 0.35:
                amount = round(amount * rng.uniform(0.8, 1.25), -2)
                new_amount = amount
            self.add(cur, "deal_stage_changed", deal=d, stage=st, amount=new_amount)
            if st == "presentationscheduled":
                booked = business_time(cur - rng.randrange(HOUR_MS, 2 * DAY_MS))
                self.meeting(min(booked, cur), cur, key, "Product presentation", deal=d)
                self.note(cur + HOUR_MS, key, deal=d)
            elif rng.random() < 0.5:
                self.task(cur, key, deal=d)
        cur = business_time(cur + int(rng.uniform(2, 10) * DAY_MS * speed))
        if won:
            self.add(cur, "deal_won", deal=d, stage="closedwon", amount=amount)
            self.lifecycle(cur, "customer", key)
            return cur
        self.add(cur, "deal_lost", deal=d, stage="closedlost", reason=rng.choice(("price", "timing", "competitor")))
        return None

    def inquiry(self, ts: int, key: int) -> None:
        self.lifecycle(ts, "lead", key, cause="FORM")
