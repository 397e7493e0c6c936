"""The website of the synthetic business, fixed and seed independent like the rest of the catalog: its pages and
their titles, where visitors come from (referrers, search engines, partner sites), the browsers and apps they use,
and the two trackers on it (HubSpot's tracking code on the marketing pages, Segment everywhere).

Paths mean something, so a journey can be read from them: ``/`` (home), ``/pricing``, ``/product/<x>``,
``/blog/<slug>``, the form pages of ``catalog.FORMS`` (``/demo``, ``/contact``, ``/newsletter``, …), ``/signup``,
``/login``, ``/checkout`` and ``/checkout/complete``, and the web app under ``/app/…``. HubSpot's tracking code runs
on the marketing pages only (not on ``/app/…`` nor in the mobile app), which is why HubSpot sees fewer page views than
Segment does.
"""

from __future__ import annotations

from sandbox.world import catalog

SITE = catalog.SITE
SEGMENT_SOURCE_ID = "lumenstack-web"  # the Segment source of the website, the web app and the mobile app
SEGMENT_SOURCE_NAME = "Lumenstack website and apps"
APP_NAME = "Lumenstack"
APP_VERSION, APP_BUILD = "3.4.1", "3410"
APP_NAMESPACE = "com.lumenstack.app"

PRODUCTS: tuple[tuple[str, str], ...] = (
    ("journeys", "Journey maps"),
    ("attribution", "Attribution"),
    ("segments", "Segments"),
    ("integrations", "Integrations"),
)
# Evergreen posts: what organic search and social links land on (newsletter posts are /blog/<campaign slug>).
BLOG_POSTS: tuple[tuple[str, str], ...] = (
    ("what-is-a-customer-journey", "What is a customer journey?"),
    ("multi-touch-attribution-explained", "Multi-touch attribution, explained"),
    ("utm-parameters-guide", "The UTM parameter guide"),
    ("lifecycle-stages-that-work", "Lifecycle stages that work"),
    ("speed-to-lead-benchmarks", "Speed to lead: 2026 benchmarks"),
    ("identity-resolution-basics", "Identity resolution basics"),
    ("markov-attribution-in-practice", "Markov attribution in practice"),
    ("b2b-funnel-metrics", "B2B funnel metrics that matter"),
)
APP_SCREENS: tuple[tuple[str, str], ...] = (
    ("/app/dashboard", "Dashboard"),
    ("/app/journeys", "Journeys"),
    ("/app/reports", "Reports"),
    ("/app/segments", "Segments"),
    ("/app/settings", "Settings"),
)

_FIXED_TITLES = {
    "/": "Lumenstack | Customer journeys, end to end",
    "/pricing": "Pricing | Lumenstack",
    "/signup": "Create your account | Lumenstack",
    "/login": "Log in | Lumenstack",
    "/checkout": "Checkout | Lumenstack",
    "/checkout/complete": "Thank you for your order | Lumenstack",
    "/app/onboarding": "Welcome | Lumenstack",
}


def title(path: str) -> str:
    """The page's ``<title>``."""
    got = _FIXED_TITLES.get(path)
    if got is not None:
        return got
    for fd in catalog.FORMS:
        if fd.path == path:
            return f"{fd.name} | Lumenstack"
    if path.startswith("/product/"):
        name = dict(PRODUCTS).get(path[9:], path[9:])
        return f"{name} | Lumenstack"
    if path.startswith("/blog/"):
        slug = path[6:]
        name = dict(BLOG_POSTS).get(slug) or slug.replace("-", " ").capitalize()
        return f"{name} | Lumenstack blog"
    if path.startswith("/app/"):
        return f"{dict(APP_SCREENS).get(path, 'App')} | Lumenstack"
    return "Lumenstack"


def hubspot_tracked(path: str) -> bool:
    """HubSpot's tracking code is on the marketing site, not in the web app."""
    return not path.startswith("/app/")


# -- where visitors come from ------------------------------------------------------------------------------------

SEARCH_REFERRERS = (
    "https://www.google.com/",
    "https://www.google.com/",
    "https://www.bing.com/",
    "https://duckduckgo.com/",
)
SOCIAL_REFERRERS = {
    "facebook": "https://l.facebook.com/",
    "instagram": "https://l.instagram.com/",
    "linkedin": "https://www.linkedin.com/",
    "twitter": "https://t.co/",
}
REFERRAL_SITES = (
    "https://www.g2.com/products/lumenstack/reviews",
    "https://www.capterra.com/p/lumenstack/",
    "https://martech.example.org/best-journey-tools",
    "https://www.producthunt.com/products/lumenstack",
)
_SEARCH_HOSTS = ("google.", "bing.com", "duckduckgo.com", "yahoo.com")
_SOCIAL_HOSTS = ("facebook.com", "instagram.com", "linkedin.com", "t.co", "twitter.com", "x.com")

# Channels, in the vocabulary of the journey models; HubSpot's source names for the same sessions.
CHANNELS = ("paid_search", "paid_social", "email", "organic_social", "referral", "organic_search", "direct")
HUBSPOT_SOURCE = {
    "paid_search": "PAID_SEARCH",
    "paid_social": "PAID_SOCIAL",
    "email": "EMAIL_MARKETING",
    "organic_social": "SOCIAL_MEDIA",
    "referral": "REFERRALS",
    "organic_search": "ORGANIC_SEARCH",
    "direct": "DIRECT_TRAFFIC",
}
CAMPAIGN_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid", "fbclid")


def parse_query(query: str) -> dict[str, str]:
    """``a=1&b=2`` -> ``{"a": "1", "b": "2"}`` (the sandbox's URLs carry raw values, as its forms always did)."""
    out: dict[str, str] = {}
    for part in query.split("&") if query else ():
        k, _, v = part.partition("=")
        if k:
            out[k] = v
    return out


def campaign_of(query: str) -> tuple[str, ...] | None:
    """The campaign a URL carries (utm parameters and click ids), None when it carries none."""
    q = parse_query(query)
    values = tuple(q.get(k, "") for k in CAMPAIGN_KEYS)
    return values if any(values) else None


def channel(query: str, referrer: str) -> str:
    """The channel of a session from its landing view: campaign parameters first, then the referring host."""
    q = parse_query(query)
    medium = q.get("utm_medium", "")
    if q.get("gclid") or medium in ("cpc", "ppc", "paid_search"):
        return "paid_search"
    if q.get("fbclid") or medium == "paid_social":
        return "paid_social"
    if medium == "email":
        return "email"
    if medium == "social":
        return "organic_social"
    if medium == "referral":
        return "referral"
    if medium == "organic":  # the site's own links tagged utm_medium=organic: HubSpot files them as direct traffic
        return "direct"
    host = referrer.split("/")[2] if referrer.count("/") >= 2 else ""
    if not host or host.endswith("lumenstack.com"):
        return "direct"
    if any(h in host for h in _SEARCH_HOSTS):
        return "organic_search"
    if any(host == h or host.endswith("." + h) for h in _SOCIAL_HOSTS):
        return "organic_social"
    return "referral"


# -- devices -----------------------------------------------------------------------------------------------------

USER_AGENTS = {
    "desktop": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
        "Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 "
        "Safari/605.1.15",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    ),
    "mobile": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 "
        "Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile "
        "Safari/537.36",
    ),
    "tablet": (
        "Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 "
        "Mobile/15E148 Safari/604.1",
    ),
    "app": (
        f"{APP_NAME}/{APP_VERSION} (iPhone; iOS 18.1; Scale/3.00)",
        f"{APP_NAME}/{APP_VERSION} (Android 14; Pixel 8)",
    ),
}
REGIONS = {
    "San Francisco": "California",
    "Los Angeles": "California",
    "New York": "New York",
    "Chicago": "Illinois",
    "Austin": "Texas",
    "Seattle": "Washington",
    "Boston": "Massachusetts",
    "Denver": "Colorado",
    "Atlanta": "Georgia",
    "Miami": "Florida",
    "Portland": "Oregon",
    "Minneapolis": "Minnesota",
    "Toronto": "Ontario",
    "Vancouver": "British Columbia",
}
LOCALES = {"United States": "en-US", "Canada": "en-CA"}
