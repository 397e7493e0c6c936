"""The five personas' journeys, and what happens to any person afterwards (a second contact, a shared mailbox,
archiving). :class:`Journey` is the whole journey: every part as one object over one state."""

from __future__ import annotations

from sandbox.world import catalog, names
from sandbox.world.companies import company_info
from sandbox.world.identifiers import digits, instagram_username, messy_email, messy_phone, typed_handle
from sandbox.world.journey.conversions import Conversions
from sandbox.world.journey.email import EmailCampaigns
from sandbox.world.journey.sales import business_time
from sandbox.world.journey.touches import ChannelTouches
from sandbox.world.person import Event
from sandbox.world.timeutil import DAY_MS, HOUR_MS, MINUTE_MS


class Journey(ChannelTouches, EmailCampaigns, Conversions):
    """One person's journey: :meth:`build` runs the persona and the aftermath, :meth:`finish` adds the email
    campaigns (their own RNG stream, so last) and sorts the events."""

    def finish(self) -> list[Event]:
        self.email_campaigns()
        self.events.sort(key=lambda e: e.ts)
        return self.events

    # -- personas ------------------------------------------------------------------------------------------

    def build(self) -> None:
        getattr(self, f"_{self.p.persona}")()
        self._maybe_second_contact()
        self._maybe_shared_address()
        self._maybe_archive()

    def _maybe_second_contact(self) -> None:
        p = self.p
        if len(p.emails) < 2 or 1 in p.contact_emails:
            return
        t = p.start_ms + self.rng.randrange(2 * DAY_MS, 40 * DAY_MS)
        self.form(t, "newsletter", 1, utm={"utm_source": "newsletter", "utm_medium": "email"})
        self.lifecycle(t, "subscriber", 1, cause="FORM")
        self.subscribe(t, 1, promo=False)

    def _maybe_shared_address(self) -> None:
        p = self.p
        if p.company is None or p.is_anonymous or self.rng.random() >= self.cfg.shared_address_rate:
            return
        crm = [e.ts for e in self.events if e.type == "form_submission"]
        if not crm:
            return
        domain = company_info(self.cfg.seed, p.company, self.cfg.owners).domain
        t = min(crm) + self.rng.randrange(HOUR_MS, 20 * DAY_MS)
        self.form(t, self.rng.choice(("ebook", "contact_us")), None, email=f"info@{domain}")

    def _maybe_archive(self) -> None:
        p = self.p
        if not p.contact_emails or self.rng.random() >= self.cfg.archived_rate:
            return
        key = min(p.contact_emails)
        last = max(e.ts for e in self.events if e.attrs.get("contact") == key)
        p.archived_contact_at[key] = last + self.rng.randrange(10 * DAY_MS, 40 * DAY_MS)

    def _bargain_hunter(self) -> None:
        rng, p = self.rng, self.p
        t = p.start_ms
        click = self.ad_click(t, "meta")
        if p.is_anonymous:
            if rng.random() < 0.3:
                self.ad_click(t + rng.randrange(DAY_MS, 20 * DAY_MS), "meta")
            return
        t += rng.randrange(MINUTE_MS, 12 * MINUTE_MS)
        if rng.random() < 0.2:
            p.contact_emails.setdefault(0, p.emails[0])
            p.contact_phones.setdefault(0, messy_phone(rng, p.phone_e164))
            self.add(
                t,
                "lead_ad_submission",
                platform="meta",
                lead_id=digits(rng, 16, "1"),
                campaign_id=click["campaign_id"],
                ad_id=click["ad_id"],
                contact=0,
                email=messy_email(rng, p.emails[0]),
                phone=messy_phone(rng, p.phone_e164),
                full_name=f"{p.first_name} {p.last_name}",
            )
            self.lifecycle(t, "lead", 0, cause="INTEGRATION")
        else:
            self.form(t, "discount_code", 0, utm=click["utm"], click=click)
            self.lifecycle(t, "subscriber", 0, cause="FORM")
        self.subscribe(t, 0, newsletter=False)
        r = rng.random()
        if r < 0.55:
            t_buy = t + rng.randrange(10 * MINUTE_MS, 5 * DAY_MS)
            bought = self.ecommerce(t_buy, 0, round(rng.uniform(19, 160), 2))
            if bought is None:
                return
            if rng.random() < 0.25:
                self.ecommerce(bought + rng.randrange(10 * DAY_MS, 60 * DAY_MS), 0, round(rng.uniform(19, 160), 2))
            if rng.random() < 0.3:
                self.nps(bought + rng.randrange(7 * DAY_MS, 14 * DAY_MS), 0, 0.3)
            if rng.random() < 0.05:
                self.referral(bought + rng.randrange(5 * DAY_MS, 30 * DAY_MS))
        elif r < 0.70:
            self.ecommerce(t + rng.randrange(10 * MINUTE_MS, 3 * DAY_MS), 0, round(rng.uniform(19, 160), 2), True)

    def _researcher(self) -> None:
        rng, p = self.rng, self.p
        t = p.start_ms
        key_nl = 1 if len(p.emails) > 1 else 0
        if rng.random() < 0.5:
            utm: dict[str, str] = {}
        else:
            utm = {"utm_source": "linkedin", "utm_medium": "social", "utm_campaign": "newsletter_push"}
        self.form(t, "newsletter", key_nl, utm=utm)
        self.lifecycle(t, "subscriber", key_nl, cause="FORM")
        self.subscribe(t, key_nl, promo=False)
        if rng.random() >= 0.7:
            return
        t = t + rng.randrange(5 * DAY_MS, 30 * DAY_MS)
        self.form(t, "ebook", 0, utm={"utm_source": "newsletter", "utm_medium": "email", "utm_campaign": "ebook"})
        self.lifecycle(t, "lead", 0, cause="FORM")
        t_mql = t + rng.randrange(DAY_MS, 10 * DAY_MS)
        self.lifecycle(t_mql, "marketingqualifiedlead", 0, cause="AUTOMATION_PLATFORM")
        if rng.random() < 0.4:
            self.task(business_time(t_mql), 0)
        if rng.random() >= 0.55:
            return
        t = t_mql + rng.randrange(7 * DAY_MS, 35 * DAY_MS)
        self.form(t, "demo_request", 0, utm={"utm_source": "website", "utm_medium": "organic"})
        self.lifecycle(t, "salesqualifiedlead", 0)
        resp = self.inquiry_response(t, 0, 4 * HOUR_MS, 0.10)
        if resp is None:
            if rng.random() < 0.3:
                t2 = t + rng.randrange(3 * DAY_MS, 7 * DAY_MS)
                self.add(t2, "inbound_email", contact=0, subject="Following up on my demo request")
                resp = self.inquiry_response(t2, 0, 2 * HOUR_MS, 0.3)
            if resp is None:
                return
        t_meet = business_time(resp + rng.randrange(2 * DAY_MS, 7 * DAY_MS))
        self.meeting(resp + rng.randrange(MINUTE_MS, HOUR_MS), t_meet, 0, "Discovery call")
        self.note(t_meet + HOUR_MS, 0)
        won = self.sales_deal(t_meet + 2 * HOUR_MS, 0, round(rng.uniform(10_000, 80_000), -2), 0.3, 1.5, "newbusiness")
        if won is None:
            return
        if rng.random() < 0.5:
            self.nps(won + rng.randrange(14 * DAY_MS, 30 * DAY_MS), 0, 0.35)
        if rng.random() < 0.2:
            t3 = business_time(won + rng.randrange(20 * DAY_MS, 60 * DAY_MS))
            self.sales_deal(t3, 0, round(rng.uniform(5_000, 30_000), -2), 0.7, 0.6, "existingbusiness")
        if rng.random() < 0.15:
            self.referral(won + rng.randrange(10 * DAY_MS, 40 * DAY_MS))

    def _referral(self) -> None:
        rng, p = self.rng, self.p
        # Who referred this person: an earlier person who gave a referral inside the start window.
        referrer_idx = None
        t0 = p.start_ms
        cfg = self.cfg
        if p.index > 0:
            for _ in range(12):
                j = rng.randrange(max(0, p.index - 2000), p.index)
                refs = [ts for ts, _ in self.gen.referral_events(j) if cfg.start_ms <= ts < cfg.end_ms]
                refs = [ts for ts in refs if ts < cfg.end_ms - 4 * DAY_MS]
                if refs:
                    referrer_idx = j
                    t0 = refs[0] + rng.randrange(HOUR_MS, 4 * DAY_MS)
                    break
        if referrer_idx is not None:
            ref = self.gen.generate_cached(referrer_idx)
            p.referred_by = referrer_idx
            p.referrer_email = ref.emails[0]
        else:
            p.referrer_email = f"{rng.choice(names.FIRST_NAMES).lower()}@{rng.choice(('gmail.com', 'outlook.com'))}"
        p.start_ms = t0
        t = t0
        utm = {"utm_source": "referral", "utm_medium": "referral", "utm_campaign": "customer_referral"}
        self.form(t, "partner_referral", 0, utm=utm, referrer=p.referrer_email)
        self.lifecycle(t, "lead", 0, cause="FORM")
        t = t + rng.randrange(2 * HOUR_MS, 4 * DAY_MS)
        self.form(t, "demo_request", 0, utm=utm)
        self.lifecycle(t, "salesqualifiedlead", 0)
        resp = self.inquiry_response(t, 0, HOUR_MS, 0.05)
        if resp is None:
            return
        t_meet = business_time(resp + rng.randrange(DAY_MS, 5 * DAY_MS))
        self.meeting(resp + rng.randrange(MINUTE_MS, HOUR_MS), t_meet, 0, "Demo")
        won = self.sales_deal(t_meet + HOUR_MS, 0, round(rng.uniform(8_000, 40_000), -2), 0.75, 0.5, "newbusiness")
        if won is None:
            return
        if rng.random() < 0.6:
            self.nps(won + rng.randrange(7 * DAY_MS, 21 * DAY_MS), 0, 0.8)
        if rng.random() < 0.4:
            t_ref = won + rng.randrange(5 * DAY_MS, 40 * DAY_MS)
            self.referral(t_ref)
            if rng.random() < 0.3:
                self.referral(t_ref + rng.randrange(5 * DAY_MS, 30 * DAY_MS))
        if rng.random() < 0.15:
            t3 = business_time(won + rng.randrange(20 * DAY_MS, 50 * DAY_MS))
            self.sales_deal(t3, 0, round(rng.uniform(3_000, 15_000), -2), 0.8, 0.5, "existingbusiness")

    def _paid_search_shopper(self) -> None:
        rng, p = self.rng, self.p
        t = p.start_ms
        click = self.ad_click(t, "google")
        if p.is_anonymous:
            if rng.random() < 0.3:
                self.ad_click(t + rng.randrange(HOUR_MS, 10 * DAY_MS), "google")
            return
        if rng.random() < 0.75:
            t += rng.randrange(MINUTE_MS, 15 * MINUTE_MS)
            self.form(t, "contact_us", 0, utm=click["utm"], click=click)
        else:
            t += rng.randrange(HOUR_MS, 48 * HOUR_MS)
            self.contact(0)
            self.add(t, "inbound_email", contact=0, subject="Question about pricing", click=click)
        self.lifecycle(t, "lead", 0, cause="FORM")
        resp = self.inquiry_response(t, 0, 2 * HOUR_MS, 0.12, channel="any")
        if resp is None:
            return
        t_call = business_time(resp + rng.randrange(HOUR_MS, 3 * DAY_MS))
        self.add(t_call, "call", contact=0, owner=p.owner, direction="OUTBOUND", **self.call_outcome())
        if rng.random() < 0.5:
            self.task(t_call + 10 * MINUTE_MS, 0)
        self.lifecycle(t_call, "salesqualifiedlead", 0)
        won = self.sales_deal(t_call + HOUR_MS, 0, round(rng.uniform(3_000, 20_000), -2), 0.45, 0.8, "newbusiness")
        if won is None:
            return
        if rng.random() < 0.35:
            self.nps(won + rng.randrange(10 * DAY_MS, 25 * DAY_MS), 0, 0.4)
        if rng.random() < 0.1:
            t3 = business_time(won + rng.randrange(20 * DAY_MS, 60 * DAY_MS))
            self.sales_deal(t3, 0, round(rng.uniform(2_000, 10_000), -2), 0.7, 0.6, "existingbusiness")
        if rng.random() < 0.1:
            self.referral(won + rng.randrange(10 * DAY_MS, 40 * DAY_MS))

    def _social_follower(self) -> None:
        rng, p = self.rng, self.p
        platform = "facebook" if rng.random() < 0.6 else "instagram"
        if platform == "facebook":
            p.facebook_user_id = digits(rng, 17, "2")
        else:
            p.instagram_user_id = digits(rng, 17, "1")
            p.instagram_username = instagram_username(self.cfg.seed, p)
        user_id = p.facebook_user_id or p.instagram_user_id
        t = p.start_ms
        for i in range(rng.randrange(1, 6)):
            if i:
                t += rng.randrange(HOUR_MS, 12 * DAY_MS)
            _, post = catalog.post_for_pick(platform, t, rng.randrange(24))
            if rng.random() < 0.7:
                kinds = catalog.FACEBOOK_REACTIONS
                reaction = kinds[catalog.stable_int(self.cfg.seed, p.index, i, mod=len(kinds))]
                self.add(t, "social_reaction", platform=platform, post_id=post, user_id=user_id, reaction=reaction)
            else:
                text = rng.choice(("Love this!", "How much is it?", "Great tips", "Does it work with Shopify?"))
                self.add(t, "social_comment", platform=platform, post_id=post, user_id=user_id, text=text)
        if p.is_anonymous:
            return
        t += rng.randrange(HOUR_MS, 20 * DAY_MS)
        # Identity link (see docs/sandbox.md, "Linking social profiles"): 60 % of the followers who sign up leave a
        # platform identifier a pipeline can join on. Decided by a hash, so the journey's RNG is untouched.
        linked = catalog.stable_unit(self.cfg.seed, p.index, "social-link") < 0.6
        extra = None
        if linked and platform == "instagram":
            extra = {"instagram_handle": typed_handle(self.cfg.seed, p)}
        utm = {"utm_source": platform, "utm_medium": "social", "utm_campaign": "organic"}
        self.form(t, "newsletter", 0, utm=utm, extra=extra)
        self.lifecycle(t, "subscriber", 0, cause="FORM")
        self.subscribe(t, 0)
        if linked and platform == "facebook":
            # asks the Page a question on Messenger; HubSpot's inbox matches the thread to the contact
            t_msg = t + HOUR_MS + catalog.stable_int(self.cfg.seed, p.index, "messenger", mod=10 * DAY_MS)
            self.add(t_msg, "social_message", platform="facebook", user_id=user_id, page_id=catalog.META_PAGE_ID)
        if rng.random() < 0.06:
            self.ecommerce(t + rng.randrange(10 * DAY_MS, 60 * DAY_MS), 0, round(rng.uniform(19, 120), 2))
