"""Per-person generation: identity, persona and the full journey of vendor-neutral touch events.

:func:`generate_person` is a pure function of ``(config, index)``: a person's RNG is seeded by ``(seed, index)`` so a
world of N people is a prefix of a world of N+1 people, and persons can be generated in any order or in parallel.
The only look-up across persons is a referral persona choosing who referred it among *earlier* persons, which is
itself a pure function of those persons (see :class:`PersonGenerator`).
"""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from sandbox.world import catalog, names
from sandbox.world.config import PERSONAS, WorldConfig
from sandbox.world.timeutil import DAY_MS, HOUR_MS, MINUTE_MS

B2B_PERSONAS = frozenset({"researcher", "referral", "paid_search_shopper"})

# Touch event types (vendor neutral).
EVENT_TYPES: tuple[str, ...] = (
    "ad_click",
    "form_submission",
    "email_subscribe",
    "email_send",
    "email_open",
    "email_click",
    "email_bounce",
    "email_unsubscribe",
    "lead_ad_submission",
    "social_comment",
    "social_reaction",
    "social_message",
    "inbound_email",
    "sales_email",
    "call",
    "meeting",
    "note",
    "task",
    "deal_created",
    "deal_stage_changed",
    "deal_won",
    "deal_lost",
    "purchase",
    "lifecycle_changed",
    "survey_response",
    "referral_given",
)


class Event(NamedTuple):
    """One touch event. ``ts`` is UTC epoch milliseconds; ``attrs`` holds the type's fields."""

    ts: int
    type: str
    attrs: dict[str, Any]


@dataclass(frozen=True)
class Company:
    index: int
    name: str
    domain: str
    industry: str
    numberofemployees: int
    annualrevenue: int
    city: str
    country: str
    owner: int


@dataclass(slots=True)
class Person:
    """Ground truth about one person. ``events`` is the full journey sorted by time (it may end after ``now``)."""

    index: int
    person_id: str
    persona: str
    first_name: str
    last_name: str
    emails: tuple[str, ...]  # canonical lower-case addresses; [0] is the primary one
    phone_e164: str
    area_code: str
    city: str
    country: str
    job_title: str
    company: int | None  # company index (B2B personas)
    owner: int  # owner index of the sales rep who handles this person
    is_anonymous: bool
    start_ms: int
    hs_persona: str | None  # value of the HubSpot hs_persona property (None = not set)
    facebook_user_id: str | None = None
    instagram_user_id: str | None = None
    instagram_username: str | None = None
    referred_by: int | None = None  # index of the person who referred this one
    referrer_email: str | None = None
    contact_emails: dict[int, str] = field(default_factory=dict)  # HubSpot contact key -> email as stored
    contact_phones: dict[int, str] = field(default_factory=dict)  # HubSpot contact key -> messy phone
    archived_contact_at: dict[int, int] = field(default_factory=dict)  # contact key -> archive time (ms)
    events: list[Event] = field(default_factory=list)

    # -- identifiers the ad / email / social projections reuse ----------------------------------------------

    @property
    def gclids(self) -> list[str]:
        return [e.attrs["click_id"] for e in self.events if e.type == "ad_click" and e.attrs["platform"] == "google"]

    @property
    def fbclids(self) -> list[str]:
        return [e.attrs["click_id"] for e in self.events if e.type == "ad_click" and e.attrs["platform"] == "meta"]

    @property
    def meta_lead_ids(self) -> list[str]:
        return [e.attrs["lead_id"] for e in self.events if e.type == "lead_ad_submission"]

    @property
    def mailchimp_member_ids(self) -> list[str]:
        """Mailchimp subscriber hash: md5 of the lower-case address, for each address that got a campaign."""
        seen: list[str] = []
        for e in self.events:
            if e.type == "email_send" and e.attrs["email"] not in seen:
                seen.append(e.attrs["email"])
        return [mailchimp_member_id(a) for a in seen]

    def events_until(self, now_ms: int) -> list[Event]:
        ev = self.events
        # events are sorted by ts: bisect by hand (NamedTuple compare would touch attrs)
        lo, hi = 0, len(ev)
        while lo < hi:
            mid = (lo + hi) // 2
            if ev[mid].ts <= now_ms:
                lo = mid + 1
            else:
                hi = mid
        return ev[:lo]


def mailchimp_member_id(email: str) -> str:
    return hashlib.md5(email.strip().lower().encode()).hexdigest()


# -- companies -------------------------------------------------------------------------------------------------

_COMBOS = len(names.COMPANY_PREFIXES) * len(names.COMPANY_SUFFIXES)


@lru_cache(maxsize=65536)
def company_info(seed: int, k: int, owners: int = 8) -> Company:
    rng = random.Random(f"{seed}:company:{k}")
    combo = (k * 7919) % _COMBOS
    prefix = names.COMPANY_PREFIXES[combo % len(names.COMPANY_PREFIXES)]
    suffix = names.COMPANY_SUFFIXES[combo // len(names.COMPANY_PREFIXES)]
    block = k // _COMBOS
    form = rng.choice(names.COMPANY_FORMS)
    name = f"{prefix} {suffix}" + (f" {form}" if form else "")
    domain = (
        f"{prefix}{suffix}".lower() + (str(block + 1) if block else "") + rng.choice((".com", ".com", ".io", ".co"))
    )
    city, country, _ = rng.choice(names.CITIES)
    employees = int(rng.lognormvariate(4.0, 1.3)) + 2
    revenue = employees * rng.randrange(60_000, 250_000, 1000)
    return Company(
        index=k,
        name=name,
        domain=domain,
        industry=rng.choice(names.INDUSTRIES),
        numberofemployees=employees,
        annualrevenue=revenue,
        city=city,
        country=country,
        owner=rng.randrange(owners),
    )


def company_pool_size(index: int) -> int:
    """People with index i pick their employer among the first ``company_pool_size(i)`` companies."""
    return 40 + index // 3


# -- messy identifiers -----------------------------------------------------------------------------------------


def messy_email(rng: random.Random, email: str) -> str:
    """The address as someone typed it: case and whitespace vary, the address is the same."""
    r = rng.random()
    if r < 0.55:
        return email
    local, _, domain = email.partition("@")
    if r < 0.70:
        return local[:1].upper() + local[1:] + "@" + domain
    if r < 0.80:
        return ".".join(p.capitalize() for p in local.split(".")) + "@" + domain.capitalize()
    if r < 0.88:
        return email.upper()
    if r < 0.95:
        return " " + email
    return email + " "


def messy_phone(rng: random.Random, e164: str) -> str:
    a, x, n = e164[2:5], e164[5:8], e164[8:12]
    return rng.choice(
        (
            f"({a}) {x}-{n}",
            f"{a}.{x}.{n}",
            f"+1 {a} {x} {n}",
            f"{a}-{x}-{n}",
            f"{a}{x}{n}",
            f"+1{a}{x}{n}",
            f"1-{a}-{x}-{n}",
        )
    )


def _token(rng: random.Random, nbytes: int) -> str:
    return base64.urlsafe_b64encode(rng.getrandbits(nbytes * 8).to_bytes(nbytes, "big")).decode().rstrip("=")


def _digits(rng: random.Random, n: int, first: str = "") -> str:
    return first + str(rng.randrange(10 ** (n - len(first) - 1), 10 ** (n - len(first))))


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


# -- the generator ----------------------------------------------------------------------------------------------


class PersonGenerator:
    """Generates persons of one world. Pure per ``(config, index)``; keeps a small cache of earlier persons'
    referral events so that referral personas can find who referred them."""

    def __init__(self, config: WorldConfig) -> None:
        self.config = config
        weights = [max(0.0, config.persona_weights.get(p, 0.0)) for p in PERSONAS]
        total = sum(weights)
        acc = 0.0
        self._cum: list[float] = []
        for w in weights:
            acc += w / total
            self._cum.append(acc)
        self._referrals: dict[int, list[tuple[int, str]]] = {}  # index -> [(ts, code)] of referral_given
        self._cache: dict[int, Person] = {}

    def persona_of(self, rng: random.Random) -> str:
        r = rng.random()
        for p, c in zip(PERSONAS, self._cum, strict=True):
            if r < c:
                return p
        return PERSONAS[-1]

    def generate_cached(self, index: int) -> Person:
        got = self._cache.get(index)
        if got is None:
            got = self.generate(index)
            if len(self._cache) > 4096:
                self._cache.clear()
            self._cache[index] = got
        return got

    def referral_events(self, index: int) -> list[tuple[int, str]]:
        got = self._referrals.get(index)
        if got is None:
            self.generate(index)
            got = self._referrals[index]
        return got

    def generate(self, index: int) -> Person:
        cfg = self.config
        rng = random.Random(f"{cfg.seed}:{index}")
        persona = self.persona_of(rng)
        first = rng.choice(names.FIRST_NAMES)
        last = rng.choice(names.LAST_NAMES)
        city, country, area = rng.choice(names.CITIES)
        n = (index * 7919 + cfg.seed * 104729) % 8_000_000
        e164 = f"+1{area}{200 + n // 10000:03d}{n % 10000:04d}"
        b2b = persona in B2B_PERSONAS
        company = rng.randrange(company_pool_size(index)) if b2b else None
        personal = f"{first}.{last}{index}@{rng.choice(names.PERSONAL_EMAIL_DOMAINS)}".lower()
        if company is not None:
            domain = company_info(cfg.seed, company, cfg.owners).domain
            primary = f"{first[0]}{last}{index}@{domain}".lower()
            second = personal
        else:
            primary = personal
            second = f"{first[0]}{last}.{index}@{rng.choice(names.PERSONAL_EMAIL_DOMAINS)}".lower()
        is_anon = rng.random() < cfg.anonymous_share.get(persona, 0.0)
        dup = (not is_anon) and rng.random() < cfg.duplicate_contact_rate
        emails = (primary, second) if dup else (primary,)
        start = cfg.start_ms + rng.randrange(cfg.days * DAY_MS)
        hs_persona = None if rng.random() < cfg.missing_persona_rate else f"persona_{PERSONAS.index(persona) + 1}"
        person = Person(
            index=index,
            person_id=f"P{index + 1:06d}",
            persona=persona,
            first_name=first,
            last_name=last,
            emails=emails,
            phone_e164=e164,
            area_code=area,
            city=city,
            country=country,
            job_title=rng.choice(names.JOB_TITLES_B2B if b2b else names.JOB_TITLES_B2C),
            company=company,
            owner=rng.randrange(cfg.owners),
            is_anonymous=is_anon,
            start_ms=start,
            hs_persona=hs_persona,
        )
        j = _Journey(self, person, rng)
        j.build()
        person.events = j.finish()
        self._referrals[index] = [(e.ts, e.attrs.get("code", "")) for e in person.events if e.type == "referral_given"]
        return person


class _Journey:
    """Builds one person's journey. Methods append events; ``finish`` sorts them (stable on equal times)."""

    def __init__(self, gen: PersonGenerator, person: Person, rng: random.Random) -> None:
        self.gen = gen
        self.cfg = gen.config
        self.p = person
        self.rng = rng
        self.events: list[Event] = []
        self.horizon = self.cfg.horizon_ms
        self.deals = 0
        self.contact_stage: dict[int, int] = {}  # contact key -> lifecycle rank reached
        self.subscriptions: list[tuple[str, int, int]] = []  # (email, from_ms, contact key)

    # -- primitives --------------------------------------------------------------------------------------

    def add(self, ts: int, type_: str, **attrs: Any) -> int:
        if ts < self.horizon:
            self.events.append(Event(ts, type_, attrs))
        return ts

    def finish(self) -> list[Event]:
        self._emails()
        self.events.sort(key=lambda e: e.ts)
        return self.events

    def email_for(self, key: int) -> str:
        return self.p.emails[key] if key < len(self.p.emails) else self.p.emails[0]

    def contact(self, key: int) -> None:
        """Make sure a contact key is known (its typed email / phone are fixed on first use)."""
        p = self.p
        if key not in p.contact_emails:
            addr = self.email_for(key)
            # HubSpot lower-cases most addresses, but contacts created by imports or integrations keep case.
            p.contact_emails[key] = addr if self.rng.random() < 0.8 else messy_email(self.rng, addr).strip()
            p.contact_phones[key] = messy_phone(self.rng, p.phone_e164)

    LIFECYCLE = (
        "subscriber",
        "lead",
        "marketingqualifiedlead",
        "salesqualifiedlead",
        "opportunity",
        "customer",
        "evangelist",
    )

    def lifecycle(self, ts: int, stage: str, key: int = 0, cause: str = "CRM_UI") -> None:
        rank = self.LIFECYCLE.index(stage)
        if self.contact_stage.get(key, -1) >= rank:
            return
        self.contact_stage[key] = rank
        self.add(ts, "lifecycle_changed", contact=key, stage=stage, cause=cause)

    def ad_click(self, ts: int, platform: str) -> dict[str, Any]:
        rng = self.rng
        camps = catalog.META_CAMPAIGNS if platform == "meta" else catalog.GOOGLE_CAMPAIGNS
        camp = camps[rng.randrange(len(camps))]
        ad_id, ad_name = camp.ads[rng.randrange(len(camp.ads))]
        if platform == "meta":
            click_id = "IwAR" + _token(rng, 42)
            utm = {"utm_source": "facebook", "utm_medium": "paid_social", "utm_campaign": camp.name}
            utm["utm_content"] = ad_name
            click_param = "fbclid"
        else:
            click_id = "EAIaIQobChMI" + _token(rng, 45)
            kw = camp.keywords[rng.randrange(len(camp.keywords))]
            utm = {"utm_source": "google", "utm_medium": "cpc", "utm_campaign": camp.name, "utm_content": ad_name}
            utm["utm_term"] = kw
            click_param = "gclid"
        attrs = {
            "platform": platform,
            "campaign_id": camp.campaign_id,
            "campaign": camp.name,
            "ad_id": ad_id,
            "ad": ad_name,
            "click_id": click_id,
            "click_param": click_param,
            "utm": utm,
        }
        self.add(ts, "ad_click", **attrs)
        return attrs

    def form(
        self,
        ts: int,
        form_key: str,
        key: int | None = 0,
        *,
        utm: dict[str, str] | None = None,
        click: dict[str, Any] | None = None,
        referrer: str | None = None,
        email: str | None = None,
        extra: dict[str, str] | None = None,
    ) -> int:
        p = self.p
        fd = catalog.FORMS_BY_KEY[form_key]
        params = dict(utm or {})
        if click is not None:
            params[click["click_param"]] = click["click_id"]
        url = catalog.SITE + fd.path
        if params:
            url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
        if key is not None:
            self.contact(key)
            typed = messy_email(self.rng, self.email_for(key))
        else:
            typed = email or ""
        values: dict[str, str] = {}
        for f in fd.fields:
            if f == "email":
                values["email"] = typed
            elif f == "firstname":
                values["firstname"] = p.first_name
            elif f == "lastname":
                values["lastname"] = p.last_name
            elif f == "phone":
                values["phone"] = messy_phone(self.rng, p.phone_e164)
            elif f == "company" and p.company is not None:
                values["company"] = company_info(self.cfg.seed, p.company, self.cfg.owners).name
            elif f == "jobtitle":
                values["jobtitle"] = p.job_title
            elif f == "message":
                values["message"] = self.rng.choice(
                    ("Please call me back.", "Do you have a pricing sheet?", "Interested in a trial.")
                )
            elif f == "referrer_email" and referrer:
                values["referrer_email"] = referrer
        if fd.key == "newsletter" and (key == 1 or self.rng.random() < 0.3):
            values["phone"] = messy_phone(self.rng, p.phone_e164)  # optional "SMS updates" field
        if extra:
            values.update(extra)
        self.add(
            ts,
            "form_submission",
            form=form_key,
            contact=key,
            page_url=url,
            utm=params,
            values=values,
            referrer=referrer or ("https://www.google.com/" if not params else None),
        )
        return ts

    def subscribe(self, ts: int, key: int, promo: bool = True, newsletter: bool = True) -> None:
        """The address joins the Mailchimp audience (synced from the form) in the chosen interest groups."""
        email = self.email_for(key)
        for kind, wanted in ((0, newsletter), (1, promo)):
            if wanted:
                self.subscriptions.append((email, ts, kind))
                sub_ts = ts - ts % 1000 + 1000  # Mailchimp keeps seconds; the sync lands just after the form
                name = "newsletter" if kind == 0 else "promo"
                self.add(sub_ts, "email_subscribe", email=email, list=name)

    # Mailchimp engagement per persona: (open probability, click probability, unsubscribe hazard per send).
    EMAIL_BEHAVIOUR = {
        "bargain_hunter": (0.35, 0.08, 0.08),
        "researcher": (0.55, 0.18, 0.008),
        "referral": (0.45, 0.10, 0.02),
        "paid_search_shopper": (0.35, 0.07, 0.03),
        "social_follower": (0.30, 0.06, 0.012),
    }

    def _emails(self) -> None:
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
            self.add(t, "call", contact=key, owner=self.p.owner, direction="OUTBOUND", **self._call_outcome())
        return t

    def _call_outcome(self) -> dict[str, Any]:
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

    def inquiry(self, ts: int, key: int) -> None:
        self.lifecycle(ts, "lead", key, cause="FORM")

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
                lead_id=_digits(rng, 16, "1"),
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
        self.add(t_call, "call", contact=0, owner=p.owner, direction="OUTBOUND", **self._call_outcome())
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
            p.facebook_user_id = _digits(rng, 17, "2")
        else:
            p.instagram_user_id = _digits(rng, 17, "1")
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


def instagram_username(seed: int, p: Person) -> str:
    """The person's Instagram handle (lower case, as Instagram stores it)."""
    style = catalog.stable_int(seed, p.index, "ig-handle", mod=4)
    first, last = p.first_name.lower(), p.last_name.lower()
    n = p.index % 1000
    return (f"{first}.{last}{n}", f"{first}_{last[0]}{n}", f"{first}{last}.{n}", f"the.{first}.{n}")[style]


def typed_handle(seed: int, p: Person) -> str:
    """The handle as typed into a form: sometimes with ``@``, sometimes capitalised."""
    h = p.instagram_username or ""
    style = catalog.stable_int(seed, p.index, "ig-typed", mod=4)
    return (h, "@" + h, h.capitalize(), "@" + h.capitalize())[style]


def generate_person(config: WorldConfig, index: int) -> Person:
    """Generate one person (pure function of ``config`` and ``index``)."""
    return PersonGenerator(config).generate(index)
