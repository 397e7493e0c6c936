"""Per-person generation: identity, persona and the full journey of vendor-neutral touch events.

:func:`generate_person` is a pure function of ``(config, index)``: a person's RNG is seeded by ``(seed, index)`` so a
world of N people is a prefix of a world of N+1 people, and persons can be generated in any order or in parallel.
The only look-up across persons is a referral persona choosing who referred it among *earlier* persons, which is
itself a pure function of those persons (see :class:`PersonGenerator`).
"""

from __future__ import annotations

import random

from sandbox.world import names
from sandbox.world.companies import company_info, company_pool_size
from sandbox.world.config import PERSONAS, WorldConfig
from sandbox.world.journey.personas import Journey
from sandbox.world.person import Person
from sandbox.world.timeutil import DAY_MS
from sandbox.world.web.activity import person_web

# sandbox/loader.py imports Person from here; it lives in sandbox/world/person.py since the split of this module.
__all__ = ["B2B_PERSONAS", "Person", "PersonGenerator", "generate_person"]

B2B_PERSONAS = frozenset({"researcher", "referral", "paid_search_shopper"})


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
        j = Journey(self, person, rng)
        j.build()
        person.events = j.finish()
        if cfg.website:  # after the journey and from a stream of its own: nothing above depends on it
            person.web = person_web(person, cfg)
        self._referrals[index] = [(e.ts, e.attrs.get("code", "")) for e in person.events if e.type == "referral_given"]
        return person


def generate_person(config: WorldConfig, index: int) -> Person:
    """Generate one person (pure function of ``config`` and ``index``)."""
    return PersonGenerator(config).generate(index)
