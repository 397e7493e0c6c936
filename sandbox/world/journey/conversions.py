"""Conversions and what follows them: e-commerce orders (completed or abandoned), NPS answers and referrals
given."""

from __future__ import annotations

import random

from sandbox.world import catalog
from sandbox.world.identifiers import messy_email
from sandbox.world.journey.sales import SalesActivity
from sandbox.world.timeutil import HOUR_MS, MINUTE_MS


class Conversions(SalesActivity):
    def ecommerce(self, ts: int, key: int, amount: float, abandoned: bool = False) -> int | None:
        d = self.new_deal(
            ts, "ecommerce", "checkout_pending", amount, "newbusiness", f"Order {self.p.index}-{self.deals}"
        )
        if abandoned:
            self.add(ts + HOUR_MS, "deal_lost", deal=d, stage="checkout_abandoned", reason="abandoned")
            return None
        t = ts + self.rng.randrange(MINUTE_MS, 30 * MINUTE_MS)
        self.add(t, "purchase", deal=d, stage="checkout_completed", amount=amount, order_id=f"{self.p.index}-{d}")
        self.lifecycle(t, "customer", key, cause="INTEGRATION")
        return t

    def nps(self, ts: int, key: int, promoter_bias: float) -> None:
        rng = self.rng
        r = rng.random()
        score = rng.choice((9, 10)) if r < promoter_bias else rng.choice((7, 8)) if r < 0.8 else rng.randrange(0, 7)
        self.add(ts, "survey_response", contact=key, score=score, survey="Customer NPS")
        if score >= 9:
            self.lifecycle(ts + MINUTE_MS, "evangelist", key, cause="AUTOMATION_PLATFORM")

    def referral(self, ts: int) -> None:
        """The person refers someone: they submit the refer-a-colleague form (HubSpot sees a form submission of
        their contact), whoever the shared link later brings in. The typed values come from an RNG of their own,
        so the rest of the journey does not depend on them."""
        p = self.p
        code = f"REF-{p.index}-{sum(e.type == 'referral_given' for e in self.events)}"
        fd = catalog.FORMS_BY_KEY["refer_colleague"]
        typed = random.Random(f"{self.cfg.seed}:{p.index}:{code}")
        values = {"email": messy_email(typed, self.email_for(0)), "firstname": p.first_name, "lastname": p.last_name}
        self.add(
            ts,
            "referral_given",
            code=code,
            form=fd.key,
            contact=0,
            page_url=catalog.SITE + fd.path,
            utm={},
            values=values,
            referrer=None,
        )
