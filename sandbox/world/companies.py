"""The companies B2B persons work for: a pure function of ``(seed, company index)``, shared by every person who
picks the same index."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from sandbox.world import names


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
