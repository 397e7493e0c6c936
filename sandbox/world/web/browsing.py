"""Browsing primitives shared by people and visitors: devices, visits (a landing view and the pages clicked through
after it), form fills, sign-ups, logins, app sessions and checkouts, each appended as :class:`Hit` calls.

Every draw comes from the RNG handed in (a stream of the web's own), so nothing else in the world moves."""

from __future__ import annotations

import hashlib
import random
from typing import Any

from sandbox.world import catalog
from sandbox.world.web import site
from sandbox.world.web.model import Device, Hit, WebActivity

SECOND_MS = 1000
MINUTE_MS = 60_000


def stable_uuid(*parts: object, upper: bool = False) -> str:
    h = hashlib.md5(":".join(map(str, parts)).encode()).hexdigest()
    u = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:32]}"
    return u.upper() if upper else u


def stable_hex(*parts: object, n: int = 32) -> str:
    return hashlib.sha1(":".join(map(str, parts)).encode()).hexdigest()[:n]


def ip_of(*parts: object) -> str:
    """A stable public-looking IPv4 address."""
    h = hashlib.md5(":".join(map(str, parts)).encode()).digest()
    return f"{(h[0] % 180) + 24}.{h[1]}.{h[2]}.{(h[3] % 250) + 2}"


def make_device(
    seed: int,
    owner: str,
    key: str,
    kind: str,
    city: str,
    country: str,
    rng: random.Random,
    *,
    shared_key: object = None,
) -> Device:
    """A device of ``owner``; a shared device's identifiers come from ``shared_key`` (every user gets the same)."""
    ident = ("shared", shared_key) if shared_key is not None else (owner, key)
    agents = site.USER_AGENTS[kind]
    agent = agents[int(stable_hex(seed, *ident, "ua", n=4), 16) % len(agents)] if shared_key else rng.choice(agents)
    os_name = None
    if kind == "app":
        os_name = "iOS" if "iPhone" in agent else "Android"
    return Device(
        key=key,
        anonymous_id=stable_uuid(seed, *ident, "anonymous-id", upper=kind == "app"),
        hutk=None if kind == "app" else stable_hex(seed, *ident, "hubspotutk"),
        kind=kind,
        user_agent=agent,
        ip=ip_of(seed, *ident, "ip"),
        city=city,
        region=site.REGIONS.get(city, ""),
        country=country,
        locale=site.LOCALES.get(country, "en-US"),
        os=os_name,
        shared=shared_key is not None,
    )


def browse_paths(rng: random.Random, interest: str, n: int) -> list[str]:
    """``n`` pages a visitor clicks through: ``interest`` is blog | product | shop."""
    out: list[str] = []
    for _ in range(n):
        r = rng.random()
        if interest == "blog" and r < 0.6:
            out.append("/blog/" + rng.choice(site.BLOG_POSTS)[0])
        elif r < 0.45:
            out.append("/product/" + rng.choice(site.PRODUCTS)[0])
        elif r < 0.8:
            out.append("/pricing")
        else:
            out.append(rng.choice(("/", "/blog/" + rng.choice(site.BLOG_POSTS)[0])))
    return out


class Browser:
    """Appends the hits of one activity. ``last_view[d]`` is the device's latest view (ts, url): a visit that
    starts within the session idle time continues from it (its referrer is that page)."""

    def __init__(self, activity: WebActivity, rng: random.Random, horizon_ms: int) -> None:
        self.a = activity
        self.rng = rng
        self.horizon = horizon_ms
        self.last_view: dict[int, tuple[int, str]] = {}

    def add(self, hit: Hit) -> int:
        if hit.ts < self.horizon:
            self.a.hits.append(hit)
            if hit.is_view:
                prev = self.last_view.get(hit.device)
                if prev is None or hit.ts >= prev[0]:
                    self.last_view[hit.device] = (hit.ts, hit.url)
        return hit.ts

    def gap(self) -> int:
        return self.rng.randrange(15 * SECOND_MS, 4 * MINUTE_MS)

    def not_before_last(self, device: int, ts: int) -> int:
        """``ts``, or just after the device's latest view when that is later (a page shown before the event it
        leads to must not come before what the journey already showed on the device)."""
        prev = self.last_view.get(device)
        return max(ts, prev[0] + 5 * SECOND_MS) if prev is not None else ts

    def open_session(self, device: int, ts: int) -> str | None:
        """The URL of the device's latest view when it is less than 25 minutes before ``ts``."""
        prev = self.last_view.get(device)
        if prev is not None and 0 <= ts - prev[0] < 25 * MINUTE_MS:
            return prev[1]
        return None

    def view(self, ts: int, device: int, path: str, query: str = "", referrer: str | None = None) -> int:
        """A page view; ``referrer`` None means the device's previous page (an internal click)."""
        if referrer is None:
            prev = self.last_view.get(device)
            referrer = prev[1] if prev is not None else ""
        t = self.add(Hit(ts, "page", device, path, query, referrer))
        if path == "/pricing":
            self.experiment(ts, device)
        return t

    def visit(self, ts: int, device: int, path: str, query: str, referrer: str | None, then: list[str]) -> int:
        """A landing view and the pages clicked through after it; returns the last view's time."""
        t = self.view(ts, device, path, query, referrer)
        for p in then:
            t = self.view(t + self.gap(), device, p)
        return t

    def form(self, ts: int, device: int, values: dict[str, str], form_key: str, contact: int) -> None:
        """A form fill at ``ts`` (the page view comes before): identify with what was typed, then Form Submitted
        carrying the device's HubSpot cookie (``hutk``), as the site sends the submission to HubSpot."""
        fd = catalog.FORMS_BY_KEY[form_key]
        traits: dict[str, Any] = {"email": values.get("email", "")}
        for k, t in (("firstname", "firstName"), ("lastname", "lastName"), ("phone", "phone"), ("company", "company")):
            if values.get(k):
                traits[t] = values[k]
        dev = self.a.devices[device]
        page = self.a.hits[-1] if self.a.hits and self.a.hits[-1].device == device else None
        path = page.path if page is not None and page.is_view else fd.path
        query = page.query if page is not None and page.is_view else ""
        self.add(Hit(ts - 400, "identify", device, path, query, data=traits))
        props = {"form_id": catalog.form_guid(form_key), "form_name": fd.name, "hutk": dev.hutk}
        self.add(Hit(ts, "track", device, path, query, name="Form Submitted", data=props, contact=contact))

    def signup(self, ts: int, device: int, user_id: str, email: str, kind: str) -> int:
        """Creating an account: /signup, Signed Up, identify with the new user id, alias of the anonymous id."""
        t = self.view(ts, device, "/signup")
        t += self.rng.randrange(40 * SECOND_MS, 3 * MINUTE_MS)
        self.add(Hit(t, "track", device, "/signup", name="Signed Up", data={"type": kind, "method": "email"}))
        self.add(Hit(t + 300, "identify", device, "/signup", data={"email": email}, user_id=user_id))
        self.add(Hit(t + 600, "alias", device, "/signup", user_id=user_id))
        return t + 600

    def group(self, ts: int, device: int, group_id: str, traits: dict[str, Any]) -> None:
        """The account's workspace belongs to a company (a B2B sign-up)."""
        self.add(Hit(ts, "group", device, "/app/onboarding", name=group_id, data=traits))

    def login(self, ts: int, device: int, user_id: str, pages: int) -> int:
        """A login on the web (/login, identify) and a few pages of the web app."""
        t = self.view(ts, device, "/login", referrer="")
        t += self.rng.randrange(5 * SECOND_MS, 40 * SECOND_MS)
        self.add(Hit(t, "identify", device, "/login", user_id=user_id))
        for path, _ in self.rng.sample(site.APP_SCREENS, min(pages, len(site.APP_SCREENS))):
            t = self.view(t + self.gap(), device, path)
        return t

    def app_session(self, ts: int, device: int, user_id: str, first: bool, screens: int) -> int:
        """An app session: screen calls (an identify when the user logs in on the install)."""
        t = ts
        if first:
            self.add(Hit(t, "screen", device, "/app/login", name="Login"))
            t += self.rng.randrange(10 * SECOND_MS, 60 * SECOND_MS)
            self.add(Hit(t, "identify", device, "/app/login", user_id=user_id))
        for path, name in self.rng.sample(site.APP_SCREENS, min(screens, len(site.APP_SCREENS))):
            t += self.gap()
            self.add(Hit(t, "screen", device, path, name=name))
        return t

    def order(self, ts: int, device: int, order_id: str, amount: float) -> None:
        self.view(ts - 2 * SECOND_MS, device, "/checkout/complete")
        props = {
            "order_id": order_id,
            "total": amount,
            "revenue": amount,
            "currency": "USD",
            "products": [{"product_id": "starter-bundle", "name": "Starter bundle", "price": amount, "quantity": 1}],
        }
        self.add(Hit(ts, "track", device, "/checkout/complete", name="Order Completed", data=props))

    def experiment(self, ts: int, device: int) -> None:
        """The pricing page's A/B test: the variation is a function of the device (one per browser)."""
        dev = self.a.devices[device]
        arm = int(stable_hex(dev.anonymous_id, "pricing-test", n=2), 16) % 2
        props = {
            "experiment_id": "exp_pricing_layout",
            "experiment_name": "Pricing page layout",
            "variation_id": ("control", "annual_first")[arm],
            "variation_name": ("Monthly first", "Annual first")[arm],
        }
        self.add(Hit(ts + 200, "track", device, "/pricing", name="Experiment Viewed", data=props))
