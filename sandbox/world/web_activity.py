"""A person's website and app activity, derived from their journey: a pure function of the person, drawn from an
RNG stream of its own (``"{seed}:{index}:web"``), so the journey and every vendor projection stay as they were.

What the journey's events become on the site:

* ``ad_click``: a session landing on ``/`` with the ad's UTM parameters and the click id the ad platform holds
  (``gclid`` / ``fbclid``), referred by Google or Facebook. A Lead Ads click opens Meta's instant form, not the site.
* ``form_submission`` / ``referral_given``: the form page view (landing on it when its URL carries campaign
  parameters, else clicked to from the open session), an ``identify`` with the typed values and a ``Form Submitted``
  track carrying the device's HubSpot cookie (the submission's ``hutk``). The first form is on the primary device.
* ``email_click``: a session landing on the campaign link (Mailchimp's UTMs), often on the phone.
* e-commerce: the checkout (signing up first: ``Signed Up``, ``identify`` with the new user id, ``alias``), then
  ``Order Completed`` at the purchase; a sales deal's prospect signs up for a trial.
* social reactions and comments: sometimes a visit from the platform.

Around them: researchers read the blog before they sign up (organic search or LinkedIn), contacts come back now
and then, and account holders log in (web app, the office computer of their company, the mobile app).
"""

from __future__ import annotations

import random

from sandbox.world.companies import company_info
from sandbox.world.config import WorldConfig
from sandbox.world.person import Event, Person
from sandbox.world.timeutil import DAY_MS, HOUR_MS, MINUTE_MS
from sandbox.world.web import site
from sandbox.world.web.browsing import Browser, browse_paths, make_device, stable_hex
from sandbox.world.web.model import SHARED_MAILBOX, WebActivity

B2B = frozenset({"researcher", "referral", "paid_search_shopper"})
_CRM_START = frozenset({"form_submission", "lead_ad_submission", "inbound_email"})
# (desktop, mobile) thresholds of the primary device's kind; the rest is a tablet
_PRIMARY_KIND = {"bargain_hunter": (0.30, 0.95), "social_follower": (0.25, 0.95)}


def account_id(seed: int, index: int) -> str:
    """The app's user id of a person (the Segment ``userId`` after they sign up)."""
    return "usr_" + stable_hex(seed, index, "account", n=16)


def _referrer_for(query: str) -> str:
    """What sent someone to a URL with these campaign parameters."""
    q = site.parse_query(query)
    medium, source = q.get("utm_medium", ""), q.get("utm_source", "")
    if "gclid" in q or medium == "cpc":
        return "https://www.google.com/"
    if "fbclid" in q or medium == "paid_social":
        return site.SOCIAL_REFERRERS["facebook"]
    if medium == "social":
        return site.SOCIAL_REFERRERS.get(source, "https://www.linkedin.com/")
    return ""  # email links, shared referral links: no referrer


class PersonWeb:
    """Builds one person's :class:`WebActivity`."""

    def __init__(self, person: Person, config: WorldConfig) -> None:
        self.p, self.cfg = person, config
        self.rng = random.Random(f"{config.seed}:{person.index}:web")
        self.a = WebActivity(person.person_id)
        self.b = Browser(self.a, self.rng, config.horizon_ms)
        self.lead_ads = any(e.type == "lead_ad_submission" for e in person.events)
        self.customer = any(e.type in ("deal_won", "purchase") for e in person.events)
        self.forms_seen = 0
        self.app: int | None = None
        self.office: int | None = None
        self.logged_in: set[int] = set()
        self.identified: dict[int, int] = {}  # device -> the time of its first identify call
        self.logins_started = False
        self._devices()

    def _devices(self) -> None:
        p, rng, seed = self.p, self.rng, self.cfg.seed
        desk, mob = _PRIMARY_KIND.get(p.persona, (0.85, 0.97))
        r = rng.random()
        kind = "desktop" if r < desk else "mobile" if r < mob else "tablet"
        self.a.devices.append(make_device(seed, p.person_id, "primary", kind, p.city, p.country, rng))
        self.second: int | None = None
        if not p.is_anonymous and rng.random() < 0.3:  # switches devices: the second is used once identified
            other = "mobile" if kind == "desktop" else "desktop"
            self.a.devices.append(make_device(seed, p.person_id, "second", other, p.city, p.country, rng))
            self.second = 1

    def pick(self, ts: int, p_second: float) -> int:
        """The device of a visit at ``ts``: sometimes the second one, once a form or a login identified the person
        on it before then (someone who switches devices is someone the site knows on both, and the identify is in
        any export that holds the visit; a browser that never identifies is a visitor's, see ``visitors.py``)."""
        known = self.identified.get(self.second) if self.second is not None else None
        if known is None or known + MINUTE_MS > ts:
            return 0
        return self.second if self.rng.random() < p_second else 0

    def pick_to_identify(self, ts: int, p_second: float) -> int:
        """The device of a form fill or a login at ``ts``, which identifies the person on it."""
        dev = self.second if self.second is not None and self.rng.random() < p_second else 0
        self.identified[dev] = min(ts, self.identified.get(dev, ts))
        return dev

    # -- the journey -------------------------------------------------------------------------------------------

    def build(self) -> WebActivity:
        events = self.p.events
        if not events:
            return self.a
        if self.p.persona == "researcher":
            self._blog_before(events[0])
        handlers = {
            "ad_click": self._ad_click,
            "form_submission": self._form,
            "referral_given": self._form,
            "email_click": self._email_click,
            "deal_created": self._deal_created,
            "purchase": self._purchase,
            "social_reaction": self._social,
            "social_comment": self._social,
        }
        for ev in events:
            h = handlers.get(ev.type)
            if h is not None:
                h(ev)
        crm = [e.ts for e in events if e.type in _CRM_START]
        if crm:
            # after they became a contact: so the first visit HubSpot ties stays the one of their original source
            self._return_visits(crm[0], events[-1].ts + 20 * DAY_MS)
        elif self.rng.random() < 0.3:
            self._return_visits(events[0].ts, events[0].ts + 30 * DAY_MS, mean_days=20, limit=1)
        self.a.hits.sort(key=lambda h: h.ts)
        return self.a

    def _blog_before(self, first: Event) -> None:
        """60 % of researchers read the blog before they sign up, from search or from the newsletter push on
        LinkedIn (the campaign of their sign-up form)."""
        rng = self.rng
        if rng.random() >= 0.6:
            return
        query = first.attrs.get("page_url", "").partition("?")[2] if first.type == "form_submission" else ""
        t = first.ts - rng.randrange(HOUR_MS, 20 * DAY_MS)
        for _ in range(rng.randrange(1, 4)):
            if t >= self.cfg.start_ms:
                dev = self.pick(t, 0.3)
                # Google, as the contact's original source says (ORGANIC_SEARCH, drill-down "google")
                ref = _referrer_for(query) if query else "https://www.google.com/"
                post = "/blog/" + rng.choice(site.BLOG_POSTS)[0]
                self.b.visit(t, dev, post, query, ref, browse_paths(rng, "blog", rng.randrange(0, 3)))
            t += rng.randrange(6 * HOUR_MS, 4 * DAY_MS)
            if t >= first.ts - HOUR_MS:
                break

    def _ad_click(self, ev: Event) -> None:
        a = ev.attrs
        if a["platform"] == "meta" and self.lead_ads:
            return  # the Lead Ads click opens Meta's instant form, not the site
        # the landing URL HubSpot keeps as hs_analytics_first_url (projections/hubspot_timeline_contacts.py)
        query = "&".join(f"{k}={v}" for k, v in a["utm"].items()) + f"&{a['click_param']}={a['click_id']}"
        ref = site.SOCIAL_REFERRERS["facebook"] if a["platform"] == "meta" else "https://www.google.com/"
        nxt = [e for e in self.p.events if ev.ts < e.ts <= ev.ts + 20 * MINUTE_MS and e.type == "form_submission"]
        then = [] if nxt else browse_paths(self.rng, "shop" if a["platform"] == "meta" else "product", 2)
        self.b.visit(ev.ts + self.rng.randrange(800, 3500), 0, "/", query, ref, then[: self.rng.randrange(0, 3)])

    def _form(self, ev: Event) -> None:
        a, rng, b = ev.attrs, self.rng, self.b
        path, _, query = a["page_url"][len(site.SITE) :].partition("?")
        key = a["contact"]
        dev = 0 if self.forms_seen == 0 or key is None else self.pick_to_identify(ev.ts, 0.3)
        self.identified.setdefault(dev, ev.ts)
        self.forms_seen += 1
        t_page = min(b.not_before_last(dev, ev.ts - rng.randrange(40_000, 5 * MINUTE_MS)), ev.ts - 2000)
        open_url = b.open_session(dev, t_page)
        if open_url is not None and (not query or open_url.partition("?")[2] == query):
            b.view(t_page, dev, path, query)  # clicked to from the page they are on
        elif site.parse_query(query).get("utm_medium") == "organic":
            # the site's own links tagged utm_medium=organic: a campaign in mid-visit, so a new session starts
            b.view(t_page - rng.randrange(MINUTE_MS, 8 * MINUTE_MS), dev, rng.choice(("/", "/pricing")), "", "")
            b.view(t_page, dev, path, query)
        else:
            ref = _referrer_for(query) if query else "https://www.google.com/"
            b.view(t_page, dev, path, query, ref)
        b.form(ev.ts, dev, a["values"], a["form"], SHARED_MAILBOX if key is None else key)
        if rng.random() < 0.4:
            b.view(ev.ts + rng.randrange(20_000, 2 * MINUTE_MS), dev, browse_paths(rng, "product", 1)[0])

    def _email_click(self, ev: Event) -> None:
        url = ev.attrs["url"]
        path, _, query = url[len(site.SITE) :].partition("?")
        dev = self.pick(ev.ts, 0.5)
        then = browse_paths(self.rng, "blog", self.rng.randrange(0, 3))
        self.b.visit(ev.ts + self.rng.randrange(1000, 4000), dev, path, query, "", then)

    def _deal_created(self, ev: Event) -> None:
        a, rng, b = ev.attrs, self.rng, self.b
        if a["pipeline"] == "ecommerce":
            t = min(b.not_before_last(0, ev.ts - rng.randrange(12 * MINUTE_MS, 20 * MINUTE_MS)), ev.ts - 6 * MINUTE_MS)
            if b.open_session(0, t) is None:
                landing = rng.choice(("/pricing", "/product/" + rng.choice(site.PRODUCTS)[0]))
                b.view(t, 0, landing, "", rng.choice(("", "https://www.google.com/")))
            if self.a.account is None:
                self._sign_up(t + rng.randrange(MINUTE_MS, 2 * MINUTE_MS), 0, "customer")
            b.view(ev.ts, 0, "/checkout")
            return
        if self.a.account is None:  # a sales prospect gets a trial workspace
            t = ev.ts + rng.randrange(HOUR_MS, 48 * HOUR_MS)
            b.view(t, 0, "/", "", "")
            self._sign_up(t + rng.randrange(MINUTE_MS, 4 * MINUTE_MS), 0, "trial")
            b.view(t + 6 * MINUTE_MS, 0, "/app/onboarding")
            self._logins(t + DAY_MS)

    def _sign_up(self, ts: int, dev: int, kind: str) -> None:
        p, seed = self.p, self.cfg.seed
        user = account_id(seed, p.index)
        self.a.account = user
        t = self.b.signup(ts, dev, user, p.emails[0], kind)
        self.logged_in.add(dev)
        self.identified[dev] = min(ts, self.identified.get(dev, ts))
        if p.company is not None:
            c = company_info(seed, p.company, self.cfg.owners)
            self.b.group(
                t + 2000,
                dev,
                "org_" + stable_hex(seed, "company", p.company, n=12),
                {"name": c.name, "domain": c.domain},
            )

    def _purchase(self, ev: Event) -> None:
        a = ev.attrs
        self.b.order(ev.ts, 0, str(a.get("order_id", "")), float(a.get("amount", 0.0)))
        if not self.logins_started and self.p.persona not in B2B:
            self._logins(ev.ts + DAY_MS, mean_days=15)

    def _social(self, ev: Event) -> None:
        rng = self.rng
        if rng.random() >= 0.2:
            return
        ref = site.SOCIAL_REFERRERS[ev.attrs["platform"]]
        landing = rng.choice(("/", "/blog/" + rng.choice(site.BLOG_POSTS)[0]))
        then = browse_paths(rng, "shop", rng.randrange(0, 2))
        self.b.visit(ev.ts + rng.randrange(MINUTE_MS, 3 * HOUR_MS), 0, landing, "", ref, then)

    # -- around the journey ------------------------------------------------------------------------------------

    def _return_visits(self, start: int, until: int, mean_days: float = 12, limit: int = 20) -> None:
        rng = self.rng
        t = start
        for _ in range(limit):
            t += int(rng.expovariate(1 / (mean_days * DAY_MS)))
            if t >= min(until, self.cfg.horizon_ms):
                return
            dev = self.pick(t, 0.4)
            if rng.random() < 0.5:
                landing, ref = rng.choice(("/", "/pricing", "/product/" + rng.choice(site.PRODUCTS)[0])), ""
            else:
                landing, ref = "/blog/" + rng.choice(site.BLOG_POSTS)[0], rng.choice(site.SEARCH_REFERRERS)
            self.b.visit(t, dev, landing, "", ref, browse_paths(rng, "product", rng.randrange(0, 4)))

    def _logins(self, start: int, mean_days: float = 6) -> None:
        """An account holder's logins until the horizon (customers) or three weeks (a trial that did not buy)."""
        rng, p, seed = self.rng, self.p, self.cfg.seed
        user = self.a.account
        if user is None or self.logins_started:
            return
        self.logins_started = True
        if rng.random() < 0.35:
            self.app = len(self.a.devices)
            self.a.devices.append(make_device(seed, p.person_id, "app", "app", p.city, p.country, rng))
        if p.company is not None and rng.random() < 0.6:
            # the office computer several people of the company use (docs/sandbox.md, "Shared devices")
            self.office = len(self.a.devices)
            office = make_device(seed, p.person_id, "office", "desktop", p.city, p.country, rng, shared_key=p.company)
            self.a.devices.append(office)
        until = self.cfg.horizon_ms if self.customer else start + 21 * DAY_MS
        t = start
        while True:
            t += int(rng.expovariate(1 / (mean_days * DAY_MS)))
            if t >= until:
                return
            r = rng.random()
            if self.app is not None and r < 0.4:
                first = self.app not in self.logged_in
                self.logged_in.add(self.app)
                self.b.app_session(t, self.app, user, first, rng.randrange(1, 4))
            elif self.office is not None and r < 0.7:
                self.b.login(t, self.office, user, rng.randrange(1, 4))
            else:
                self.b.login(t, self.pick_to_identify(t, 0.3), user, rng.randrange(1, 4))


def person_web(person: Person, config: WorldConfig) -> WebActivity:
    """The person's website and app activity (clock independent, like every projection's timeline)."""
    return PersonWeb(person, config).build()
