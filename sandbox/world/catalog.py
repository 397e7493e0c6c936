"""Fixed marketing catalog of the synthetic business: site, forms, ad campaigns, page posts, email campaigns.

Everything here is vendor-neutral and independent of the seed, so every projection (HubSpot now; Mailchimp, Meta
Ads, Google Ads, Facebook/Instagram pages later) sees the same campaigns and forms.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

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
    FormDef("newsletter", "Newsletter signup", "/newsletter", ("email", "firstname"), False, ("phone",)),
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

# Organic page posts on Facebook and Instagram (social followers react and comment on them).
SOCIAL_POSTS: dict[str, tuple[str, ...]] = {
    "facebook": tuple(f"104000000000001_{900000000000 + i}" for i in range(24)),
    "instagram": tuple(str(17900000000000000 + i * 7) for i in range(24)),
}

# Email campaigns (Mailchimp): a weekly newsletter on Tuesdays 10:00 UTC and a promo on Fridays 15:00 UTC.
# 2025-12-02 is a Tuesday; sends start four weeks before the default start date and run forever.
_EMAIL_EPOCH_MS = 1764669600000  # 2025-12-02T10:00:00Z
WEEK_MS = 7 * DAY_MS
NEWSLETTER_OFFSET_MS = 0
PROMO_OFFSET_MS = 3 * DAY_MS + 5 * HOUR_MS  # Friday 15:00


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
