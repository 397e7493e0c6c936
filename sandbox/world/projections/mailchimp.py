"""Mailchimp projection of the world: one audience, its members, the campaigns sent to its interest groups, who got
each campaign and what they did with it.

Two steps, as for HubSpot: :func:`person_timeline` turns one person's journey into clock-independent member and
send timelines (a pure function of the person); :class:`MailchimpSnapshot` folds timelines at an instant ``now``
into the API objects (members, sent-to rows, email-activity rows) and accumulates what needs many people (campaign
report summaries, audience stats). The server keeps a whole snapshot in memory; the direct loader streams persons
through one and writes the rows as they come.

Objects are built exactly as the Marketing API v3 returns them (``_links`` included, timestamps
``2026-03-02T15:00:00+00:00``); see docs/sandbox.md for the payload contract.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from sandbox.world import catalog
from sandbox.world.config import WorldConfig
from sandbox.world.person import Person, mailchimp_member_id

LIST_ID = catalog.MAILCHIMP_LIST_ID
API_ROOT = f"https://{catalog.MAILCHIMP_DC}.api.mailchimp.com/3.0"
UNSUB_REASON = "N/A (Unsubscribed by campaign link)"
ACCOUNT_U = "0c1d2e3f4a5b6c7d8e9f0a1b2"
DC = catalog.MAILCHIMP_DC


def mc_time(ms: int) -> str:
    """``2026-03-02T15:00:00+00:00`` (Mailchimp keeps seconds)."""
    t = time.gmtime(ms // 1000)
    return "%04d-%02d-%02dT%02d:%02d:%02d+00:00" % t[:6]  # noqa: UP031


def _hex(*parts: object, n: int = 10) -> str:
    return hashlib.md5(":".join(map(str, parts)).encode()).hexdigest()[:n]


def _links(path: str, *rels: str) -> list[dict[str, str]]:
    out = [{"rel": "self", "href": f"{API_ROOT}{path}", "method": "GET", "targetSchema": "…/Response.json"}]
    for rel in rels:
        out.append({"rel": rel, "href": f"{API_ROOT}{path.rsplit('/', 1)[0]}", "method": "GET"})
    return out


def typed_address(seed: int, email: str) -> str:
    """The address as the audience stores it: Mailchimp keeps the case it was given (trimmed)."""
    style = catalog.stable_int(seed, email, "mc-case", mod=10)
    local, _, domain = email.partition("@")
    if style == 0:
        return ".".join(p.capitalize() for p in local.split(".")) + "@" + domain
    if style == 1:
        return local[:1].upper() + local[1:] + "@" + domain.capitalize()
    return email


def member_ip(email: str) -> str:
    h = hashlib.md5(email.encode()).digest()
    return f"{(h[0] % 200) + 23}.{h[1]}.{h[2]}.{(h[3] % 250) + 1}"


# -- clock-independent timelines ----------------------------------------------------------------------------------


@dataclass(slots=True)
class SendTL:
    campaign_id: str
    kind: str
    ts: int
    bounce: tuple[int, str] | None = None  # (ts, hard|soft)
    opens: list[int] = field(default_factory=list)
    clicks: list[tuple[int, str]] = field(default_factory=list)
    unsub: int | None = None


@dataclass(slots=True)
class MemberTL:
    email: str  # canonical lower case
    member_id: str
    address: str  # as stored by Mailchimp
    first_name: str
    last_name: str
    person_index: int
    created: int
    interests: dict[str, int]  # kind -> joined at
    unsubscribed: int | None = None
    cleaned: int | None = None
    sends: list[SendTL] = field(default_factory=list)


@dataclass(slots=True)
class MailchimpPerson:
    person_index: int
    person_id: str
    members: list[MemberTL]


def person_timeline(person: Person, config: WorldConfig) -> MailchimpPerson:
    members: dict[str, MemberTL] = {}
    sends: dict[tuple[str, str], SendTL] = {}
    for ev in person.events:
        t = ev.type
        if not t.startswith("email_"):
            continue
        a = ev.attrs
        email = a["email"]
        if t == "email_subscribe":
            m = members.get(email)
            if m is None:
                m = members[email] = MemberTL(
                    email,
                    mailchimp_member_id(email),
                    typed_address(config.seed, email),
                    person.first_name,
                    person.last_name,
                    person.index,
                    ev.ts,
                    {},
                )
            m.interests.setdefault(a["list"], ev.ts)
            continue
        m = members.get(email)
        if m is None:  # cannot happen: sends follow a subscription
            continue
        if t == "email_send":
            s = SendTL(a["campaign"], a["list"], ev.ts)
            sends[(email, a["campaign"])] = s
            m.sends.append(s)
            continue
        s = sends[(email, a["campaign"])]
        if t == "email_open":
            s.opens.append(ev.ts)
        elif t == "email_click":
            s.clicks.append((ev.ts, a["url"]))
        elif t == "email_bounce":
            s.bounce = (ev.ts, a["bounce_type"])
            if a["bounce_type"] == "hard":
                m.cleaned = ev.ts
        elif t == "email_unsubscribe":
            s.unsub = ev.ts
            m.unsubscribed = ev.ts
    return MailchimpPerson(person.index, person.person_id, list(members.values()))


# -- campaigns (fixed schedule) ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignDef:
    id: str
    kind: str
    n: int
    send_ms: int
    create_ms: int
    web_id: int
    slug: str
    subject: str


def campaign_defs(config: WorldConfig, now_ms: int) -> list[CampaignDef]:
    """Campaigns the account has created by ``now``: every send from the world's start, in creation order."""
    out = []
    horizon = now_ms + 4 * catalog.DAY_MS  # created three days ahead of their send
    for kind in ("newsletter", "promo"):
        subjects = catalog.NEWSLETTER_SUBJECTS if kind == "newsletter" else catalog.PROMO_SUBJECTS
        for n, t in catalog.sends_between(kind, config.start_ms - 1, horizon):
            create = t - 3 * catalog.DAY_MS - 3 * catalog.HOUR_MS
            if create > now_ms:
                continue
            cid = catalog.campaign_key(kind, n)
            out.append(
                CampaignDef(
                    cid,
                    kind,
                    n,
                    t,
                    create,
                    100000 + catalog.stable_int("mc-web", cid, mod=900000),
                    catalog.campaign_slug(kind, n),
                    subjects[n % len(subjects)],
                )
            )
    out.sort(key=lambda c: (c.create_ms, c.id))
    return out


@dataclass
class CampaignStats:
    emails_sent: int = 0
    bounces: int = 0
    opens: int = 0
    unique_opens: int = 0
    clicks: int = 0
    subscriber_clicks: int = 0
    unsubscribed: int = 0


def _rate(a: int, b: int) -> float:
    return a / b if b else 0


def campaign_json(c: CampaignDef, stats: CampaignStats | None, now_ms: int) -> dict[str, Any]:
    sent = c.send_ms <= now_ms
    iid, iname = catalog.MAILCHIMP_INTERESTS[c.kind]
    st = stats or CampaignStats()
    title = f"{'Newsletter' if c.kind == 'newsletter' else 'Promo'} {catalog.iso_day(c.send_ms)}"
    obj: dict[str, Any] = {
        "id": c.id,
        "web_id": c.web_id,
        "type": "regular",
        "create_time": mc_time(c.create_ms),
        "archive_url": f"http://eepurl.com/{_hex('eep', c.id, n=6)}",
        "long_archive_url": f"https://{catalog.MAILCHIMP_DC}.campaign-archive.com/?u={ACCOUNT_U}&id={c.id}",
        "status": "sent" if sent else "schedule",
        "emails_sent": st.emails_sent if sent else 0,
        "send_time": mc_time(c.send_ms),
        "content_type": "template",
        "needs_block_refresh": False,
        "resendable": False,
        "recipients": {
            "list_id": LIST_ID,
            "list_is_active": True,
            "list_name": catalog.MAILCHIMP_LIST_NAME,
            "segment_text": f"Subscribers in group <strong>{iname}</strong>",
            "recipient_count": st.emails_sent if sent else 0,
            "segment_opts": {
                "match": "any",
                "conditions": [
                    {
                        "condition_type": "Interests",
                        "field": f"interests-{catalog.MAILCHIMP_INTEREST_CATEGORY_ID}",
                        "op": "interestcontains",
                        "value": [iid],
                    }
                ],
            },
        },
        "settings": {
            "subject_line": c.subject,
            "preview_text": "",
            "title": title,
            "from_name": "Lumenstack",
            "reply_to": "news@lumenstack.com",
            "use_conversation": False,
            "to_name": "*|FNAME|*",
            "folder_id": "",
            "authenticate": True,
            "auto_footer": False,
            "inline_css": False,
            "auto_tweet": False,
            "fb_comments": True,
            "timewarp": False,
            "template_id": 10001 if c.kind == "newsletter" else 10002,
            "drag_and_drop": True,
        },
        "tracking": {
            "opens": True,
            "html_clicks": True,
            "text_clicks": False,
            "goal_tracking": False,
            "ecomm360": False,
            "google_analytics": c.slug,
            "clicktale": "",
        },
    }
    if sent:
        delivered = st.emails_sent - st.bounces
        obj["report_summary"] = {
            "opens": st.opens,
            "unique_opens": st.unique_opens,
            "open_rate": _rate(st.unique_opens, delivered),
            "clicks": st.clicks,
            "subscriber_clicks": st.subscriber_clicks,
            "click_rate": _rate(st.subscriber_clicks, delivered),
            "ecommerce": {"total_orders": 0, "total_spent": 0, "total_revenue": 0},
        }
    obj["delivery_status"] = {"enabled": False}
    obj["_links"] = _links(f"/campaigns/{c.id}", "parent")
    return obj


# -- the snapshot at an instant ----------------------------------------------------------------------------------


@dataclass(slots=True)
class RecipientView:
    """One recipient of one campaign as of the snapshot: its sent-to row and its activity events."""

    campaign_id: str
    email_id: str
    person_index: int
    sent_to: dict[str, Any]
    activity: list[tuple[int, dict[str, Any]]]  # (ts ms, activity item), in time order
    unsubscribed: int | None = None  # left the audience from this campaign (ms), when visible

    def activity_json(self, address: str, since_ms: int | None = None) -> dict[str, Any]:
        items = [a for ts, a in self.activity if since_ms is None or ts > since_ms]
        return {
            "campaign_id": self.campaign_id,
            "list_id": LIST_ID,
            "list_is_active": True,
            "email_id": self.email_id,
            "email_address": address,
            "activity": items,
            "_links": _links(f"/reports/{self.campaign_id}/email-activity/{self.email_id}", "parent"),
        }


@dataclass(slots=True)
class PersonRows:
    members: list[dict[str, Any]]
    recipients: list[RecipientView]


class MailchimpSnapshot:
    """Mailchimp as of ``now``. Feed every person's timeline to :meth:`add` (in person order), then read
    :meth:`campaigns` and :meth:`lists`. With ``keep=True`` (the server) members and recipients are kept."""

    def __init__(self, config: WorldConfig, now_ms: int, *, keep: bool = True) -> None:
        self.config = config
        self.now = now_ms
        self.keep = keep
        self.defs = campaign_defs(config, now_ms)
        self.stats: dict[str, CampaignStats] = {c.id: CampaignStats() for c in self.defs}
        self.members: list[dict[str, Any]] = []
        self.member_person: dict[str, int] = {}
        self.recipients: dict[str, list[RecipientView]] = {c.id: [] for c in self.defs}
        self.counts = {"subscribed": 0, "unsubscribed": 0, "cleaned": 0}
        self.last_sub = 0
        self.last_unsub = 0

    def add(self, mp: MailchimpPerson) -> PersonRows:
        now = self.now
        rows = PersonRows([], [])
        for m in mp.members:
            if m.created > now:
                continue
            member, recips = self._member(m)
            rows.members.append(member)
            rows.recipients.extend(recips)
        if self.keep:
            self.members.extend(rows.members)
            for m in rows.members:
                self.member_person[m["id"]] = mp.person_index
            for r in rows.recipients:
                self.recipients[r.campaign_id].append(r)
        return rows

    def _member(self, m: MemberTL) -> tuple[dict[str, Any], list[RecipientView]]:
        now = self.now
        status, changed = "subscribed", m.created
        for ts in m.interests.values():
            if ts <= now:
                changed = max(changed, ts)
        if m.cleaned is not None and m.cleaned <= now:
            status, changed = "cleaned", max(changed, m.cleaned)
        elif m.unsubscribed is not None and m.unsubscribed <= now:
            status, changed = "unsubscribed", max(changed, m.unsubscribed)
        self.counts[status] += 1
        if status == "unsubscribed":
            self.last_unsub = max(self.last_unsub, m.unsubscribed or 0)
        self.last_sub = max(self.last_sub, m.created)
        ip = member_ip(m.email)
        merge = {"FNAME": m.first_name, "LNAME": m.last_name}
        recips: list[RecipientView] = []
        delivered = opened = clicked = 0
        for s in m.sends:
            if s.ts > now:
                break
            st = self.stats.get(s.campaign_id)
            bounce = s.bounce if s.bounce is not None and s.bounce[0] <= now else None
            opens = [t for t in s.opens if t <= now]
            clicks = [c for c in s.clicks if c[0] <= now]
            activity: list[tuple[int, dict[str, Any]]] = []
            if bounce is not None:
                activity.append((bounce[0], {"action": "bounce", "type": bounce[1], "timestamp": mc_time(bounce[0])}))
            for t in opens:
                activity.append((t, {"action": "open", "timestamp": mc_time(t), "ip": ip}))
            for t, url in clicks:
                activity.append((t, {"action": "click", "timestamp": mc_time(t), "url": url, "ip": ip}))
            activity.sort(key=lambda x: x[0])
            if bounce is None:
                delivered += 1
                opened += bool(opens)
                clicked += bool(clicks)
            if st is not None:
                st.emails_sent += 1
                st.bounces += bounce is not None
                st.opens += len(opens)
                st.unique_opens += bool(opens)
                st.clicks += len(clicks)
                st.subscriber_clicks += bool(clicks)
                st.unsubscribed += s.unsub is not None and s.unsub <= now
            if st is None:  # sent before the account's first campaign (cannot happen: sends start at the world's)
                continue
            sent_to = {
                "email_id": m.member_id,
                "email_address": m.address,
                "merge_fields": merge,
                "vip": False,
                "status": bounce[1] if bounce is not None else "sent",
                "open_count": len(opens),
                "last_open": mc_time(opens[-1]) if opens else "",
                "absplit_group": "",
                "gmt_offset": 0,
                "campaign_id": s.campaign_id,
                "list_id": LIST_ID,
                "list_is_active": True,
                "_links": _links(f"/reports/{s.campaign_id}/sent-to/{m.member_id}", "parent"),
            }
            unsub = s.unsub if s.unsub is not None and s.unsub <= now else None
            recips.append(RecipientView(s.campaign_id, m.member_id, m.person_index, sent_to, activity, unsub))
        avg_open = round(opened / delivered, 2) if delivered else 0
        avg_click = round(clicked / delivered, 2) if delivered else 0
        rating = 1 if status == "cleaned" else min(5, 2 + (avg_open >= 0.3) + (avg_click >= 0.1) + (clicked >= 3))
        client = ("Gmail", "Apple Mail", "Outlook 2019", "iPhone")[catalog.stable_int(m.email, "client", mod=4)]
        member: dict[str, Any] = {
            "id": m.member_id,
            "email_address": m.address,
            "unique_email_id": _hex("ueid", m.email),
            "contact_id": _hex("contact", m.email, n=32),
            "full_name": f"{m.first_name} {m.last_name}",
            "web_id": 500000000 + catalog.stable_int("mc-member", m.email, mod=400000000),
            "email_type": "html",
            "status": status,
        }
        if status == "unsubscribed":
            member["unsubscribe_reason"] = UNSUB_REASON
        member.update(
            {
                "consents_to_one_to_one_messaging": True,
                "merge_fields": merge,
                "interests": {
                    iid: (kind in m.interests and m.interests[kind] <= now)
                    for kind, (iid, _) in catalog.MAILCHIMP_INTERESTS.items()
                },
                "stats": {"avg_open_rate": avg_open, "avg_click_rate": avg_click},
                "ip_signup": "",
                "timestamp_signup": "",
                "ip_opt": ip,
                "timestamp_opt": mc_time(m.created),
                "member_rating": rating,
                "last_changed": mc_time(changed),
                "language": "en",
                "vip": False,
                "email_client": client,  # fixed per member: only stats / member_rating move without last_changed
                "location": {
                    "latitude": 0,
                    "longitude": 0,
                    "gmtoff": 0,
                    "dstoff": 0,
                    "country_code": "",
                    "timezone": "",
                    "region": "",
                },
                "source": "API - Generic",
                "tags_count": 0,
                "tags": [],
                "list_id": LIST_ID,
                "_links": _links(f"/lists/{LIST_ID}/members/{m.member_id}", "parent"),
            }
        )
        return member, recips

    # -- aggregates (after every person was added) ---------------------------------------------------------------

    def campaigns(self) -> list[dict[str, Any]]:
        """Every campaign created by now, in creation order."""
        return [campaign_json(c, self.stats[c.id], self.now) for c in self.defs]

    def sent_campaigns(self) -> list[CampaignDef]:
        return [c for c in self.defs if c.send_ms <= self.now]

    def lists(self) -> list[dict[str, Any]]:
        sent = self.sent_campaigns()
        delivered = sum(self.stats[c.id].emails_sent - self.stats[c.id].bounces for c in sent)
        uopens = sum(self.stats[c.id].unique_opens for c in sent)
        uclicks = sum(self.stats[c.id].subscriber_clicks for c in sent)
        created = self.config.start_ms - 120 * catalog.DAY_MS
        return [
            {
                "id": LIST_ID,
                "web_id": 412345,
                "name": catalog.MAILCHIMP_LIST_NAME,
                "contact": {
                    "company": "Lumenstack Inc.",
                    "address1": "500 Market Street",
                    "address2": "Suite 300",
                    "city": "San Francisco",
                    "state": "CA",
                    "zip": "94105",
                    "country": "US",
                    "phone": "",
                },
                "permission_reminder": "You signed up on lumenstack.com or bought from us.",
                "use_archive_bar": True,
                "campaign_defaults": {
                    "from_name": "Lumenstack",
                    "from_email": "news@lumenstack.com",
                    "subject": "",
                    "language": "en",
                },
                "notify_on_subscribe": "",
                "notify_on_unsubscribe": "",
                "date_created": mc_time(created),
                "list_rating": 3,
                "email_type_option": False,
                "subscribe_url_short": "http://eepurl.com/lumen1",
                "subscribe_url_long": f"https://lumenstack.{DC}.list-manage.com/subscribe?id={LIST_ID}",
                "beamer_address": f"{catalog.MAILCHIMP_DC}-0c1d2e3f4a-{LIST_ID}@inbound.mailchimp.com",
                "visibility": "pub",
                "double_optin": False,
                "has_welcome": False,
                "marketing_permissions": False,
                "modules": [],
                "stats": {
                    "member_count": self.counts["subscribed"],
                    "unsubscribe_count": self.counts["unsubscribed"],
                    "cleaned_count": self.counts["cleaned"],
                    "campaign_count": len(sent),
                    "campaign_last_sent": mc_time(sent[-1].send_ms) if sent else "",
                    "merge_field_count": 2,
                    "avg_sub_rate": 0,
                    "avg_unsub_rate": 0,
                    "target_sub_rate": 0,
                    "open_rate": round(100 * _rate(uopens, delivered), 2),
                    "click_rate": round(100 * _rate(uclicks, delivered), 2),
                    "last_sub_date": mc_time(self.last_sub) if self.last_sub else "",
                    "last_unsub_date": mc_time(self.last_unsub) if self.last_unsub else "",
                },
                "_links": _links(f"/lists/{LIST_ID}", "parent"),
            }
        ]
