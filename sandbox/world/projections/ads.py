"""Paid media projections of the world: Meta Ads (campaigns, ad sets, ads, daily ad insights, Lead Ads forms and
leads) and Google Ads (campaigns, ad groups, daily ad-group metrics, click views).

Person-level facts come from the journeys: every ``ad_click`` (with its fbclid / gclid), every Lead Ads
submission, and the conversions that followed a click (site leads, purchases). Platform totals per ad (ad group) and
day are those person-level facts **plus** a deterministic anonymous volume (a hash of seed, ad and day), revealed
in proportion to the elapsed part of the day, so that platform clicks are always >= the clicks of known people and
the numbers only grow as the clock moves. Conversions are reported on the day of the click (as both platforms do by
default), so a day's numbers keep changing for a while after it: the restatement the connectors re-read for.

:func:`person_timeline` is a pure function of a person; :class:`AdsSnapshot` folds persons at ``now``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sandbox.world import catalog
from sandbox.world.config import WorldConfig
from sandbox.world.person import Person
from sandbox.world.projections.graph import graph_time
from sandbox.world.timeutil import DAY_MS, iso_date

META_CAMPAIGNS = {c.campaign_id: c for c in catalog.META_CAMPAIGNS}
META_AD_CAMPAIGN = {ad: c for c in catalog.META_CAMPAIGNS for ad, _ in c.ads}
META_AD_NAME = {ad: name for c in catalog.META_CAMPAIGNS for ad, name in c.ads}
GOOGLE_CAMPAIGNS = {c.campaign_id: c for c in catalog.GOOGLE_CAMPAIGNS}
GOOGLE_AD_CAMPAIGN = {ad: c for c in catalog.GOOGLE_CAMPAIGNS for ad, _ in c.ads}
# ad group id -> (campaign, ad id, ad group name, match type)
GOOGLE_AD_GROUPS = {
    ag: (GOOGLE_AD_CAMPAIGN[ad], ad, name, mt) for ad, (ag, name, mt) in catalog.GOOGLE_AD_GROUPS.items()
}
META_PURCHASE_WINDOW_MS = 7 * DAY_MS
META_SITE_LEAD_WINDOW_MS = DAY_MS
GOOGLE_CONVERSION_WINDOW_MS = 30 * DAY_MS
GOOGLE_LEAD_VALUE = 100.0


def day_of(ms: int) -> int:
    return ms - ms % DAY_MS


# -- per person ----------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class LeadTL:
    ts: int
    lead_id: str
    ad_id: str
    campaign_id: str
    form_id: str
    platform: str  # fb | ig
    email: str
    phone: str
    full_name: str


@dataclass(slots=True)
class GoogleClick:
    ts: int
    gclid: str
    ad_group_id: str
    ad_id: str
    campaign_id: str
    keyword: str
    match_type: str


@dataclass(slots=True)
class AdsPerson:
    person_index: int
    person_id: str
    is_anonymous: bool
    # (ad id, click day, visible at, action type, value)
    meta: list[tuple[str, int, int, str, float]] = field(default_factory=list)
    leads: list[LeadTL] = field(default_factory=list)
    google: list[GoogleClick] = field(default_factory=list)
    # (ad group id, click day, visible at, conversions, value)
    google_conv: list[tuple[str, int, int, float, float]] = field(default_factory=list)


def person_timeline(person: Person, config: WorldConfig) -> AdsPerson:
    out = AdsPerson(person.index, person.person_id, person.is_anonymous)
    last_meta: tuple[int, str] | None = None
    last_google: GoogleClick | None = None
    google_converted = False
    for ev in person.events:
        t, a, ts = ev.type, ev.attrs, ev.ts
        if t == "ad_click":
            if a["platform"] == "meta":
                last_meta = (ts, a["ad_id"])
                out.meta.append((a["ad_id"], day_of(ts), ts, "link_click", 1))
            else:
                ag, _, mt = catalog.GOOGLE_AD_GROUPS[a["ad_id"]]
                last_google = GoogleClick(
                    ts, a["click_id"], ag, a["ad_id"], a["campaign_id"], a["utm"].get("utm_term", ""), mt
                )
                google_converted = False
                out.google.append(last_google)
        elif t == "lead_ad_submission":
            form_id = catalog.META_LEAD_FORM_OF_CAMPAIGN[a["campaign_id"]]
            platform = "ig" if catalog.stable_int(config.seed, a["lead_id"], "lead-platform", mod=4) == 0 else "fb"
            out.leads.append(
                LeadTL(
                    ts,
                    a["lead_id"],
                    a["ad_id"],
                    a["campaign_id"],
                    form_id,
                    platform,
                    a["email"],
                    a["phone"],
                    a["full_name"],
                )
            )
            click_day = day_of(last_meta[0]) if last_meta and last_meta[1] == a["ad_id"] else day_of(ts)
            out.meta.append((a["ad_id"], click_day, ts, "lead", 1))
        elif t == "form_submission":
            if last_meta is not None and ts - last_meta[0] <= META_SITE_LEAD_WINDOW_MS and a["form"] == "discount_code":
                out.meta.append((last_meta[1], day_of(last_meta[0]), ts, "offsite_conversion.fb_pixel_lead", 1))
            if (
                last_google is not None
                and not google_converted
                and ts - last_google.ts <= GOOGLE_CONVERSION_WINDOW_MS
                and a["form"] in ("contact_us", "demo_request")
            ):
                google_converted = True
                out.google_conv.append((last_google.ad_group_id, day_of(last_google.ts), ts, 1.0, GOOGLE_LEAD_VALUE))
        elif t == "inbound_email":
            if last_google is not None and not google_converted and ts - last_google.ts <= GOOGLE_CONVERSION_WINDOW_MS:
                google_converted = True
                out.google_conv.append((last_google.ad_group_id, day_of(last_google.ts), ts, 1.0, GOOGLE_LEAD_VALUE))
        elif t == "purchase" and last_meta is not None and ts - last_meta[0] <= META_PURCHASE_WINDOW_MS:
            out.meta.append(
                (last_meta[1], day_of(last_meta[0]), ts, "offsite_conversion.fb_pixel_purchase", float(a["amount"]))
            )
    return out


# -- Meta objects --------------------------------------------------------------------------------------------------


def meta_campaigns() -> list[dict[str, Any]]:
    out = []
    for c in catalog.META_CAMPAIGNS:
        d = catalog.META_CAMPAIGN_DEFS[c.campaign_id]
        out.append(
            {
                "id": c.campaign_id,
                "account_id": catalog.META_AD_ACCOUNT_ID,
                "name": c.name,
                "objective": d.objective,
                "status": "ACTIVE",
                "effective_status": "ACTIVE",
                "daily_budget": str(d.daily_budget_cents),
                "buying_type": "AUCTION",
                "created_time": graph_time(d.created_ms),
                "updated_time": graph_time(d.created_ms + 2 * DAY_MS + 3_600_000),
                "start_time": graph_time(d.created_ms + 3_600_000),
            }
        )
    return out


def meta_adsets() -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for ad, (adset_id, name, goal) in catalog.META_ADSETS.items():
        c = META_AD_CAMPAIGN[ad]
        d = catalog.META_CAMPAIGN_DEFS[c.campaign_id]
        out.setdefault(
            adset_id,
            {
                "id": adset_id,
                "account_id": catalog.META_AD_ACCOUNT_ID,
                "name": name,
                "campaign_id": c.campaign_id,
                "status": "ACTIVE",
                "effective_status": "ACTIVE",
                "optimization_goal": goal,
                "billing_event": "IMPRESSIONS",
                "created_time": graph_time(d.created_ms + 600_000),
                "updated_time": graph_time(d.created_ms + 2 * DAY_MS + 3_600_000),
                "start_time": graph_time(d.created_ms + 3_600_000),
            },
        )
    return list(out.values())


def meta_ads() -> list[dict[str, Any]]:
    out = []
    for ad, (adset_id, _, _) in catalog.META_ADSETS.items():
        c = META_AD_CAMPAIGN[ad]
        d = catalog.META_CAMPAIGN_DEFS[c.campaign_id]
        out.append(
            {
                "id": ad,
                "account_id": catalog.META_AD_ACCOUNT_ID,
                "name": META_AD_NAME[ad],
                "adset_id": adset_id,
                "campaign_id": c.campaign_id,
                "status": "ACTIVE",
                "effective_status": "ACTIVE",
                "created_time": graph_time(d.created_ms + 1_200_000),
                "updated_time": graph_time(d.created_ms + 2 * DAY_MS + 3_600_000),
            }
        )
    return out


def lead_forms() -> list[dict[str, Any]]:
    return [
        {
            "id": fid,
            "name": name,
            "status": "ACTIVE",
            "locale": "en_US",
            "created_time": graph_time(created),
            "page_id": catalog.META_PAGE_ID,
            "follow_up_action_url": f"{catalog.SITE}/thanks",
        }
        for fid, name, created in catalog.META_LEAD_FORMS
    ]


def lead_json(lead: LeadTL) -> dict[str, Any]:
    c = META_CAMPAIGNS[lead.campaign_id]
    adset_id, adset_name, _ = catalog.META_ADSETS[lead.ad_id]
    return {
        "id": lead.lead_id,
        "created_time": graph_time(lead.ts),
        "ad_id": lead.ad_id,
        "ad_name": META_AD_NAME[lead.ad_id],
        "adset_id": adset_id,
        "adset_name": adset_name,
        "campaign_id": lead.campaign_id,
        "campaign_name": c.name,
        "form_id": lead.form_id,
        "platform": lead.platform,
        "is_organic": False,
        "field_data": [
            {"name": "email", "values": [lead.email]},
            {"name": "full_name", "values": [lead.full_name]},
            {"name": "phone_number", "values": [lead.phone]},
        ],
    }


# -- the snapshot at an instant ----------------------------------------------------------------------------------


class AdsSnapshot:
    """Meta and Google Ads as of ``now``: feed persons with :meth:`add`, then read totals and rows.

    Person-level rows (leads, click views) are returned by :meth:`add` and kept when ``keep`` (the server)."""

    def __init__(self, config: WorldConfig, now_ms: int, *, keep: bool = True) -> None:
        self.config = config
        self.now = now_ms
        self.keep = keep
        self.meta: dict[tuple[str, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.google: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0, 0.0, 0.0])  # clicks, conv, value
        self.leads: dict[str, list[tuple[LeadTL, int]]] = defaultdict(list)  # form id -> (lead, person index)
        self.clicks: dict[int, list[tuple[GoogleClick, int]]] = defaultdict(list)  # day -> (click, person index)

    def add(self, ap: AdsPerson) -> tuple[list[LeadTL], list[GoogleClick]]:
        now = self.now
        for ad, day, ts, kind, value in ap.meta:
            if ts <= now:
                sums = self.meta[(ad, day)]
                sums[kind] += value
                if kind == "offsite_conversion.fb_pixel_purchase":
                    sums["purchase_count"] += 1
        for ag, day, ts, conv, value in ap.google_conv:
            if ts <= now:
                g = self.google[(ag, day)]
                g[1] += conv
                g[2] += value
        leads = [lead for lead in ap.leads if lead.ts <= now]
        clicks = [c for c in ap.google if c.ts <= now]
        for c in clicks:
            self.google[(c.ad_group_id, day_of(c.ts))][0] += 1
        if self.keep:
            for lead in leads:
                self.leads[lead.form_id].append((lead, ap.person_index))
            for c in clicks:
                self.clicks[day_of(c.ts)].append((c, ap.person_index))
        return leads, clicks

    @property
    def today_ms(self) -> int:
        return day_of(self.now)

    def _frac(self, day: int) -> float:
        return min(1.0, max(0.0, (self.now - day) / DAY_MS))

    # -- Meta insights -------------------------------------------------------------------------------------------

    def insight(self, ad: str, day: int) -> dict[str, Any] | None:
        """The ad's insights row for one day (all values strings, as Meta sends them), None without delivery."""
        c = META_AD_CAMPAIGN[ad]
        if day < day_of(catalog.META_CAMPAIGN_DEFS[c.campaign_id].created_ms) or day > self.now:
            return None
        frac = self._frac(day)
        h = catalog.stable_int(self.config.seed, "meta-insight", ad, day)
        sums = self.meta.get((ad, day), {})
        person_clicks = int(sums.get("link_click", 0))
        link = person_clicks + int((4 + h % 12) * frac)
        clicks = link + int(((h >> 8) % 4) * frac)
        impressions = int((900 + (h >> 16) % 1600) * frac) + 30 * person_clicks
        if impressions == 0 and clicks == 0:
            return None
        cpm_cents = 700 + (h >> 32) % 700
        spend = impressions * cpm_cents / 100_000
        actions = []
        values = []
        for kind in ("lead", "offsite_conversion.fb_pixel_lead", "offsite_conversion.fb_pixel_purchase"):
            n = sums.get(kind, 0)
            if kind == "offsite_conversion.fb_pixel_purchase":
                count = int(sums.get("purchase_count", 0))
                if n:
                    values.append({"action_type": kind, "value": f"{n:.2f}"})
                n = count
            if n:
                actions.append({"action_type": kind, "value": str(int(n))})
        if link:
            actions.insert(0, {"action_type": "link_click", "value": str(link)})
        adset_id, adset_name, _ = catalog.META_ADSETS[ad]
        row: dict[str, Any] = {
            "account_id": catalog.META_AD_ACCOUNT_ID,
            "campaign_id": c.campaign_id,
            "campaign_name": c.name,
            "adset_id": adset_id,
            "adset_name": adset_name,
            "ad_id": ad,
            "ad_name": META_AD_NAME[ad],
            "spend": f"{spend:.2f}",
            "impressions": str(impressions),
            "clicks": str(clicks),
            "inline_link_clicks": str(link),
            "actions": actions or None,
            "action_values": values or None,
            "account_currency": catalog.META_CURRENCY,
            "date_start": iso_date(day),
            "date_stop": iso_date(day),
        }
        return row

    def insights(self, since_day: int, until_day: int) -> list[dict[str, Any]]:
        """Daily rows of every ad in ``[since_day, until_day]`` (day starts in ms), by day then ad."""
        out = []
        day = since_day
        while day <= until_day:
            for ad in catalog.META_ADSETS:
                row = self.insight(ad, day)
                if row is not None:
                    out.append(row)
            day += DAY_MS
        return out

    # -- Google metrics ------------------------------------------------------------------------------------------

    def ad_group_day(self, ag: str, day: int) -> dict[str, Any] | None:
        """``{clicks, impressions, cost_micros, conversions, conversions_value, anon_clicks}`` or None."""
        camp = GOOGLE_AD_GROUPS[ag][0]
        start = catalog.to_day_ms(catalog.GOOGLE_CAMPAIGN_START[camp.campaign_id])
        if day < start or day > self.now:
            return None
        frac = self._frac(day)
        h = catalog.stable_int(self.config.seed, "google-metrics", ag, day)
        person_clicks, conv, value = self.google.get((ag, day), (0, 0.0, 0.0))
        anon = int((2 + h % 9) * frac)
        clicks = int(person_clicks) + anon
        impressions = int((150 + (h >> 8) % 400) * frac) + 12 * int(person_clicks)
        if impressions == 0 and clicks == 0:
            return None
        cpc_micros = (120 + (h >> 20) % 330) * 10_000
        return {
            "clicks": clicks,
            "impressions": impressions,
            "cost_micros": clicks * cpc_micros,
            "conversions": float(conv),
            "conversions_value": float(value),
            "anon_clicks": anon,
        }

    def anonymous_clicks(self, ag: str, day: int) -> list[GoogleClick]:
        """Click views of people the world does not know (deterministic gclids)."""
        m = self.ad_group_day(ag, day)
        if m is None:
            return []
        camp, ad, _, mt = GOOGLE_AD_GROUPS[ag]
        out = []
        for k in range(m["anon_clicks"]):
            h = catalog.stable_int(self.config.seed, "anon-gclid", ag, day, k)
            gclid = "Cj0KCQiA" + format(h, "x").rjust(16, "0") + format(catalog.stable_int(ag, day, k), "x")[:10]
            kw = camp.keywords[h % len(camp.keywords)]
            out.append(GoogleClick(day, gclid, ag, ad, camp.campaign_id, kw, mt))
        return out
