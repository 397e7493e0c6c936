"""Email campaigns: what every subscribed address receives and does with it (sends, opens, clicks, bounces,
unsubscribes), from an RNG stream of its own."""

from __future__ import annotations

import random

from sandbox.world import catalog
from sandbox.world.journey.core import JourneyCore
from sandbox.world.person import Event
from sandbox.world.timeutil import HOUR_MS


class EmailCampaigns(JourneyCore):
    # Mailchimp engagement per persona: (open probability, click probability, unsubscribe hazard per send).
    EMAIL_BEHAVIOUR = {
        "bargain_hunter": (0.35, 0.08, 0.08),
        "researcher": (0.55, 0.18, 0.008),
        "referral": (0.45, 0.10, 0.02),
        "paid_search_shopper": (0.35, 0.07, 0.03),
        "social_follower": (0.30, 0.06, 0.012),
    }

    def email_campaigns(self) -> None:
        """Campaign sends, opens, clicks, bounces and unsubscribes for every subscribed address.

        One Mailchimp audience: an address gets every campaign of the interest groups it joined, in time order,
        until it unsubscribes (from any campaign: that leaves the audience) or hard-bounces (Mailchimp cleans it).
        Uses its own RNG so the rest of the journey does not depend on it. Times are whole seconds (Mailchimp's
        resolution) and strictly increase within a recipient's activity.
        """
        if not self.subscriptions:
            return
        rng = random.Random(f"{self.cfg.seed}:{self.p.index}:email")
        p_open, p_click, hazard = self.EMAIL_BEHAVIOUR[self.p.persona]
        add = self.events.append
        horizon = self.horizon
        joined: dict[str, dict[str, int]] = {}
        for email, since, kind in self.subscriptions:
            kinds = joined.setdefault(email, {})
            name = "newsletter" if kind == 0 else "promo"
            kinds[name] = min(kinds.get(name, since), since)
        for email, kinds in joined.items():
            sends = [
                (t, name, n) for name, since in kinds.items() for n, t in catalog.sends_between(name, since, horizon)
            ]
            if len(kinds) > 1:
                sends.sort()
            hard_at = rng.randrange(max(1, len(sends))) if rng.random() < 0.012 else -1
            for i, (t, name, n) in enumerate(sends):
                camp = catalog.campaign_key(name, n)
                base = {"email": email, "campaign": camp, "list": name}
                add(Event(t, "email_send", base))
                if i == hard_at:
                    add(Event(t + 2000, "email_bounce", {**base, "bounce_type": "hard"}))
                    break
                if rng.random() < 0.015:
                    add(Event(t + 3000, "email_bounce", {**base, "bounce_type": "soft"}))
                    continue
                last = t
                if rng.random() < p_open:
                    last = t + (int(rng.expovariate(1 / (6 * HOUR_MS))) // 1000 + 1) * 1000
                    if last < horizon:
                        add(Event(last, "email_open", base))
                    if rng.random() < p_click / p_open:
                        last += rng.randrange(5, 600) * 1000
                        if last < horizon:
                            slug = catalog.campaign_slug(name, n)
                            url = (
                                f"{catalog.SITE}/blog/{slug}?utm_source=mailchimp&utm_medium=email&utm_campaign={slug}"
                            )
                            add(Event(last, "email_click", {**base, "url": url}))
                    if rng.random() < 0.3:  # opened again later
                        last += rng.randrange(600, 2 * 86400) * 1000
                        if last < horizon:
                            add(Event(last, "email_open", base))
                if rng.random() < hazard:
                    t_u = max(last, t) + rng.randrange(60, 2 * 86400) * 1000
                    if i + 1 < len(sends):  # leaves before the next campaign reaches it
                        t_u = max(t + 60_000, min(t_u, sends[i + 1][0] - 60_000))
                    if t_u < horizon:
                        add(Event(t_u, "email_unsubscribe", base))
                    break
