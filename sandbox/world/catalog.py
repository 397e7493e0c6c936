"""Fixed marketing catalog of the synthetic business: site, forms, ad campaigns, page posts, email campaigns.

Everything here is vendor-neutral and independent of the seed, so every projection (HubSpot, Mailchimp, Meta Ads,
Google Ads, the Facebook Page and Instagram) sees the same campaigns, forms, posts and accounts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from sandbox.world.timeutil import DAY_MS, HOUR_MS

SITE = "https://www.lumenstack.com"


@dataclass(frozen=True)
class FormDef:
    key: str
    name: str
    path: str
    fields: tuple[str, ...]  # contact property names asked for, in order
    inquiry: bool  # a submission asks sales to get in touch (speed to lead starts)
    optional: tuple[str, ...] = ()  # optional fields, filled in by some submitters only


FORMS: tuple[FormDef, ...] = (
    FormDef(
        "newsletter", "Newsletter signup", "/newsletter", ("email", "firstname"), False, ("phone", "instagram_handle")
    ),
    FormDef(
        "ebook",
        "Ebook download: The customer journey playbook",
        "/resources/customer-journey-playbook",
        ("email", "firstname", "lastname", "company", "jobtitle"),
        False,
    ),
    FormDef(
        "demo_request",
        "Demo request",
        "/demo",
        ("email", "firstname", "lastname", "company", "jobtitle", "phone"),
        True,
    ),
    FormDef("contact_us", "Contact us", "/contact", ("email", "firstname", "lastname", "phone", "message"), True),
    FormDef("discount_code", "Discount code", "/offers/discount", ("email", "firstname"), False),
    FormDef(
        "partner_referral",
        "Partner referral",
        "/referral",
        ("email", "firstname", "lastname", "company", "phone", "referrer_email"),
        False,
    ),
    # the customer referral programme: a customer asks for a referral link to share (a `referral_given` event);
    # whoever the link brings in lands on the partner referral form above
    FormDef("refer_colleague", "Refer a colleague", "/refer-a-colleague", ("email", "firstname", "lastname"), False),
)
FORMS_BY_KEY: dict[str, FormDef] = {f.key: f for f in FORMS}


@dataclass(frozen=True)
class AdCampaign:
    platform: str  # meta | google
    campaign_id: str
    name: str
    ads: tuple[tuple[str, str], ...]  # (ad_id, ad_name)
    keywords: tuple[str, ...] = ()


META_CAMPAIGNS: tuple[AdCampaign, ...] = (
    AdCampaign(
        "meta",
        "120210000000101",
        "winter_sale_2026",
        (("120210000001011", "carousel_20off"), ("120210000001012", "video_15s")),
    ),
    AdCampaign(
        "meta", "120210000000102", "flash_deals", (("120210000001021", "story_flash"), ("120210000001022", "feed_a"))
    ),
    AdCampaign("meta", "120210000000103", "retargeting_q1", (("120210000001031", "dynamic_product"),)),
)
GOOGLE_CAMPAIGNS: tuple[AdCampaign, ...] = (
    AdCampaign(
        "google",
        "21000000101",
        "brand_search",
        (("690000000101", "rsa_brand_1"), ("690000000102", "rsa_brand_2")),
        ("lumenstack", "lumenstack crm"),
    ),
    AdCampaign(
        "google",
        "21000000102",
        "generic_crm_search",
        (("690000000201", "rsa_generic_1"), ("690000000202", "rsa_generic_2")),
        ("customer journey software", "crm for small business", "marketing attribution tool"),
    ),
    AdCampaign(
        "google",
        "21000000103",
        "competitor_terms",
        (("690000000301", "rsa_competitor"),),
        ("hubspot alternative", "salesforce alternative"),
    ),
)

# Email campaigns (Mailchimp): a weekly newsletter on Tuesdays 10:00 UTC and a promo on Fridays 15:00 UTC.
# 2025-12-02 is a Tuesday; sends start four weeks before the default start date and run forever.
_EMAIL_EPOCH_MS = 1764669600000  # 2025-12-02T10:00:00Z
WEEK_MS = 7 * DAY_MS
NEWSLETTER_OFFSET_MS = 0
PROMO_OFFSET_MS = 3 * DAY_MS + 5 * HOUR_MS  # Friday 15:00


@lru_cache(maxsize=8192)
def campaign_key(kind: str, n: int) -> str:
    """Stable id of the n-th campaign of a kind (``newsletter`` or ``promo``)."""
    return hashlib.md5(f"{kind}:{n}".encode()).hexdigest()[:10]


def sends_between(kind: str, after_ms: int, until_ms: int) -> list[tuple[int, int]]:
    """``(n, send_ms)`` of campaigns of ``kind`` sent in ``(after_ms, until_ms)``."""
    offset = NEWSLETTER_OFFSET_MS if kind == "newsletter" else PROMO_OFFSET_MS
    base = _EMAIL_EPOCH_MS + offset
    n = max(0, (after_ms - base) // WEEK_MS + 1)
    out = []
    t = base + n * WEEK_MS
    while t < until_ms:
        if t > after_ms:
            out.append((n, t))
        n += 1
        t += WEEK_MS
    return out


def form_guid(key: str) -> str:
    h = hashlib.md5(f"lumenstack-form:{key}".encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


@lru_cache(maxsize=8192)
def campaign_slug(kind: str, n: int) -> str:
    """The campaign's slug (``utm_campaign`` of its links): ``newsletter-2026-01-06``."""
    offset = NEWSLETTER_OFFSET_MS if kind == "newsletter" else PROMO_OFFSET_MS
    return f"{kind}-{iso_day(_EMAIL_EPOCH_MS + offset + n * WEEK_MS)}"


def send_time(kind: str, n: int) -> int:
    offset = NEWSLETTER_OFFSET_MS if kind == "newsletter" else PROMO_OFFSET_MS
    return _EMAIL_EPOCH_MS + offset + n * WEEK_MS


def iso_day(ms: int) -> str:
    import time as _time

    t = _time.gmtime(ms // 1000)
    return "%04d-%02d-%02d" % (t.tm_year, t.tm_mon, t.tm_mday)  # noqa: UP031


def stable_int(*parts: object, mod: int = 2**63) -> int:
    """A deterministic integer from the parts (md5), for ids and seeded choices that must not touch any RNG."""
    return int.from_bytes(hashlib.md5(":".join(map(str, parts)).encode()).digest()[:8], "big") % mod


def stable_unit(*parts: object) -> float:
    """A deterministic float in [0, 1) from the parts."""
    return stable_int(*parts, mod=2**53) / 2**53


# -- Mailchimp account ------------------------------------------------------------------------------------------

MAILCHIMP_DC = "sb1"
MAILCHIMP_LIST_ID = "5f2b7c1e9a"
MAILCHIMP_LIST_NAME = "Lumenstack customers & subscribers"
# Audience groups ("interests") a subscriber opts into; campaigns go to the members of one group.
MAILCHIMP_INTEREST_CATEGORY_ID = "c4e1a2b3d5"
MAILCHIMP_INTERESTS: dict[str, tuple[str, str]] = {  # campaign kind -> (interest id, interest name)
    "newsletter": ("9143cf3bd1", "Weekly newsletter"),
    "promo": ("a7e2d1c0b4", "Offers and promotions"),
}
NEWSLETTER_SUBJECTS = (
    "This week: mapping the customer journey",
    "5 attribution mistakes we keep seeing",
    "From first click to closed deal",
    "What your lifecycle stages are telling you",
    "Speed to lead: the numbers",
    "Dashboards that sales actually read",
)
PROMO_SUBJECTS = (
    "20% off this weekend only",
    "Flash deal: bundles for small teams",
    "Your discount code is waiting",
    "Last chance: winter pricing ends Sunday",
)


# -- Meta (one business: an ad account, a Facebook Page and its Instagram business account) ----------------------

META_AD_ACCOUNT_ID = "1015550000000001"
META_PAGE_ID = "104000000000001"
META_PAGE_NAME = "Lumenstack"
META_IG_USER_ID = "17841400000000001"
META_IG_USERNAME = "lumenstack"
META_CURRENCY = "USD"


@dataclass(frozen=True)
class MetaCampaignDef:
    campaign_id: str
    objective: str
    daily_budget_cents: int
    created_ms: int


META_CAMPAIGN_DEFS: dict[str, MetaCampaignDef] = {
    "120210000000101": MetaCampaignDef("120210000000101", "OUTCOME_SALES", 15000, 1764576000000),  # 2025-12-01
    "120210000000102": MetaCampaignDef("120210000000102", "OUTCOME_LEADS", 8000, 1765180800000),  # 2025-12-08
    "120210000000103": MetaCampaignDef("120210000000103", "OUTCOME_SALES", 5000, 1765785600000),  # 2025-12-15
}
# ad id -> (ad set id, ad set name, optimization goal)
META_ADSETS: dict[str, tuple[str, str, str]] = {
    "120210000001011": ("120210000000201", "winter_sale_broad_us", "OFFSITE_CONVERSIONS"),
    "120210000001012": ("120210000000202", "winter_sale_lookalike_1pct", "OFFSITE_CONVERSIONS"),
    "120210000001021": ("120210000000203", "flash_deals_instant_form", "LEAD_GENERATION"),
    "120210000001022": ("120210000000203", "flash_deals_instant_form", "LEAD_GENERATION"),
    "120210000001031": ("120210000000204", "retargeting_site_visitors_30d", "OFFSITE_CONVERSIONS"),
}
# Lead Ads forms of the Page: (form id, name, created) and which campaign's ads open which form.
META_LEAD_FORMS: tuple[tuple[str, str, int], ...] = (
    ("2290000000000011", "Winter sale - get 20% off", 1764576000000),
    ("2290000000000012", "Flash deals - early access", 1765180800000),
)
META_LEAD_FORM_OF_CAMPAIGN: dict[str, str] = {
    "120210000000101": "2290000000000011",
    "120210000000102": "2290000000000012",
    "120210000000103": "2290000000000011",
}
FACEBOOK_REACTIONS = ("LIKE", "LIKE", "LIKE", "LOVE", "LOVE", "WOW", "HAHA", "CARE")

# Organic posts: the Facebook Page posts every 2 days at 16:00 UTC, Instagram every 3 days at 12:00 UTC, from
# 2025-12-01 on (seed independent, like the email schedule).
_POST_EPOCH_MS = 1764547200000  # 2025-12-01T00:00:00Z
POST_SCHEDULE: dict[str, tuple[int, int]] = {  # platform -> (first post offset, period)
    "facebook": (16 * HOUR_MS, 2 * DAY_MS),
    "instagram": (12 * HOUR_MS, 3 * DAY_MS),
}


def post_time(platform: str, n: int) -> int:
    first, period = POST_SCHEDULE[platform]
    return _POST_EPOCH_MS + first + n * period


def post_id(platform: str, n: int) -> str:
    if platform == "facebook":
        return f"{META_PAGE_ID}_{900000000000 + n}"
    return str(17900000000000000 + n * 7)


def posts_until(platform: str, until_ms: int) -> int:
    """Number of posts published at or before ``until_ms``."""
    first, period = POST_SCHEDULE[platform]
    if until_ms < _POST_EPOCH_MS + first:
        return 0
    return (until_ms - _POST_EPOCH_MS - first) // period + 1


def post_for_pick(platform: str, ts: int, pick: int) -> tuple[int, str]:
    """The post a person engages with at ``ts``: one of the 8 latest published at least an hour before."""
    latest = posts_until(platform, ts - HOUR_MS) - 1
    n = max(0, latest - pick // 3)
    return n, post_id(platform, n)


# -- Google Ads ---------------------------------------------------------------------------------------------------

GOOGLE_CUSTOMER_ID = "4815162342"
GOOGLE_CURRENCY = "USD"
# ad id -> (ad group id, ad group name, keyword match type)
GOOGLE_AD_GROUPS: dict[str, tuple[str, str, str]] = {
    "690000000101": ("151000000101", "brand - exact", "EXACT"),
    "690000000102": ("151000000102", "brand - phrase", "PHRASE"),
    "690000000201": ("151000000201", "generic crm - phrase", "PHRASE"),
    "690000000202": ("151000000202", "generic crm - broad", "BROAD"),
    "690000000301": ("151000000301", "competitors - exact", "EXACT"),
}
GOOGLE_CAMPAIGN_START: dict[str, str] = {
    "21000000101": "2025-11-20",
    "21000000102": "2025-11-20",
    "21000000103": "2025-12-10",
}


def to_day_ms(iso: str) -> int:
    """``2026-01-05`` -> epoch ms of its midnight UTC."""
    import calendar

    y, m, d = (int(x) for x in iso.split("-"))
    return calendar.timegm((y, m, d, 0, 0, 0)) * 1000
