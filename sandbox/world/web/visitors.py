"""The site's anonymous visitors: people of the world who browse and never identify (about
``WorldConfig.visitors_per_person`` of them per person). Each is a pure function of ``(seed, k)`` with an RNG of its
own (``"{seed}:visitor:{k}"``), so a world of N people holds the visitors of a world of N - 1 people and more.

Profiles (persona-like behaviour; weights in :data:`PROFILES`):

* ``blog_reader``: lands on a blog post from a search engine, reads one to three posts, often comes back.
* ``bouncer``: one page (home or a post), direct, from a search engine or a referring site; seldom returns.
* ``comparison_shopper``: search or review sites (G2, Capterra) to pricing and product pages, maybe the demo page
  without filling it in; half come back.
* ``social_scroller``: a link on Facebook, Instagram, LinkedIn or X, mostly on the phone, one or two pages.

Their journeys stop at awareness (a first view) or engagement (a third view, docs/sandbox.md "Stages").
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sandbox.world import names
from sandbox.world.config import WorldConfig
from sandbox.world.timeutil import DAY_MS, HOUR_MS
from sandbox.world.web import site
from sandbox.world.web.browsing import Browser, browse_paths, make_device
from sandbox.world.web.model import WebActivity

PROFILES: tuple[tuple[str, float], ...] = (
    ("blog_reader", 0.35),
    ("bouncer", 0.30),
    ("comparison_shopper", 0.15),
    ("social_scroller", 0.20),
)


@dataclass(slots=True)
class Visitor:
    index: int
    visitor_id: str  # V0000001
    profile: str
    city: str
    country: str
    start_ms: int
    web: WebActivity


def visitor_id(k: int) -> str:
    return f"V{k + 1:07d}"


def visitor_count(config: WorldConfig) -> int:
    return round(config.people * config.visitors_per_person) if config.website else 0


def _profile(rng: random.Random) -> str:
    r = rng.random()
    acc = 0.0
    for name, w in PROFILES:
        acc += w
        if r < acc:
            return name
    return PROFILES[-1][0]


def _landing(rng: random.Random, profile: str) -> tuple[str, str, list[str]]:
    """(landing path, referrer, pages after it) of one visit."""
    post = "/blog/" + rng.choice(site.BLOG_POSTS)[0]
    if profile == "blog_reader":
        ref = rng.choice(site.SEARCH_REFERRERS) if rng.random() < 0.8 else ""
        return post, ref, browse_paths(rng, "blog", rng.randrange(0, 3))
    if profile == "bouncer":
        ref = rng.choice(("", rng.choice(site.SEARCH_REFERRERS), rng.choice(site.REFERRAL_SITES)))
        return rng.choice(("/", post)), ref, []
    if profile == "comparison_shopper":
        ref = rng.choice((rng.choice(site.SEARCH_REFERRERS), rng.choice(site.REFERRAL_SITES), ""))
        then = browse_paths(rng, "product", rng.randrange(1, 4))
        if rng.random() < 0.2:
            then.append("/demo")  # looks at the demo form, does not fill it in
        return rng.choice(("/pricing", "/product/" + rng.choice(site.PRODUCTS)[0])), ref, then
    ref = site.SOCIAL_REFERRERS[rng.choice(("facebook", "instagram", "linkedin", "twitter"))]
    return rng.choice(("/", post)), ref, browse_paths(rng, "shop", rng.randrange(0, 2))


_RETURNS = {"blog_reader": (0.45, 4), "bouncer": (0.10, 1), "comparison_shopper": (0.5, 2), "social_scroller": (0.2, 1)}


def generate_visitor(config: WorldConfig, k: int) -> Visitor:
    rng = random.Random(f"{config.seed}:visitor:{k}")
    vid = visitor_id(k)
    profile = _profile(rng)
    city, country, _ = rng.choice(names.CITIES)
    start = config.start_ms + rng.randrange(config.days * DAY_MS)
    act = WebActivity(vid)
    mobile = 0.8 if profile == "social_scroller" else 0.35
    r = rng.random()
    kind = "mobile" if r < mobile else "tablet" if r < mobile + 0.05 else "desktop"
    act.devices.append(make_device(config.seed, vid, "primary", kind, city, country, rng))
    if rng.random() < 0.002:  # a second browser nobody can tie to the first (rare: 1 visitor in 500)
        other = "desktop" if kind != "desktop" else "mobile"
        act.devices.append(make_device(config.seed, vid, "extra", other, city, country, rng))
    b = Browser(act, rng, config.horizon_ms)
    t = start
    landing, ref, then = _landing(rng, profile)
    b.visit(t, 0, landing, "", ref, then)
    p_return, most = _RETURNS[profile]
    for _ in range(most):
        if rng.random() >= p_return:
            break
        t += rng.randrange(2 * HOUR_MS, 21 * DAY_MS)
        landing, ref, then = _landing(rng, profile)
        b.visit(t, rng.randrange(len(act.devices)), landing, "", ref if rng.random() < 0.5 else "", then)
    act.hits.sort(key=lambda h: h.ts)
    return Visitor(k, vid, profile, city, country, start, act)
