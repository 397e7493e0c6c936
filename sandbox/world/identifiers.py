"""Identifiers as people and systems type them (case, whitespace and phone formats vary; the truth does not),
and the random tokens click and platform ids are made of."""

from __future__ import annotations

import base64
import random

from sandbox.world import catalog
from sandbox.world.person import Person


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


def token(rng: random.Random, nbytes: int) -> str:
    return base64.urlsafe_b64encode(rng.getrandbits(nbytes * 8).to_bytes(nbytes, "big")).decode().rstrip("=")


def digits(rng: random.Random, n: int, first: str = "") -> str:
    return first + str(rng.randrange(10 ** (n - len(first) - 1), 10 ** (n - len(first))))


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
