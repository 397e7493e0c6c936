"""Mailchimp campaign reports (``GET /reports`` and ``GET /reports/{campaign_id}``), folded from the recipients and
email activity of the snapshot, so a report's opens, clicks, bounces and unsubscribes always agree with what
``/reports/{id}/sent-to``, ``/email-activity`` and ``/unsubscribed`` list.

Shape: https://mailchimp.com/developer/marketing/api/reports/get-campaign-report/. The world has no abuse reports,
forwards, Facebook likes, e-commerce orders or Apple Mail privacy opens, so those counts are 0 and the
``proxy_excluded_*`` figures equal the plain ones. ``industry_stats`` are fixed benchmark figures.
"""

from __future__ import annotations

from typing import Any

from sandbox.world import catalog
from sandbox.world.projections.mailchimp import (
    ACCOUNT_U,
    LIST_ID,
    CampaignDef,
    MailchimpSnapshot,
    RecipientView,
    campaign_json,
    mc_time,
)

HOUR_MS = 3_600_000
# Mailchimp's hourly breakdown covers the first 24 hours after the send.
TIMESERIES_HOURS = 24
# Benchmarks Mailchimp shows for the account's industry (fixed: the world has no other accounts to compare with).
INDUSTRY_STATS = {
    "type": "Software and Web App",
    "open_rate": 0.2196,
    "click_rate": 0.0281,
    "bounce_rate": 0.0098,
    "unopen_rate": 0.7804,
    "unsub_rate": 0.0035,
    "abuse_rate": 0.0002,
}


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 0


def _first(recipient: RecipientView, action: str) -> int | None:
    return next((ts for ts, item in recipient.activity if item["action"] == action), None)


def campaign_report(snap: MailchimpSnapshot, c: CampaignDef, api_root: str) -> dict[str, Any]:
    """The report of one sent campaign as of the snapshot."""
    recipients = snap.recipients.get(c.id, [])
    campaign = campaign_json(c, snap.stats[c.id], snap.now)
    hard = soft = opens = clicks = unsubscribed = 0
    openers = clickers = 0
    link_clicks: set[tuple[str, str]] = set()
    last_open = last_click = 0
    for r in recipients:
        status = r.sent_to["status"]
        hard += status == "hard"
        soft += status == "soft"
        unsubscribed += r.unsubscribed is not None
        opened = clicked = False
        for ts, item in r.activity:
            if item["action"] == "open":
                opens += 1
                opened = True
                last_open = max(last_open, ts)
            elif item["action"] == "click":
                clicks += 1
                clicked = True
                link_clicks.add((r.email_id, item["url"]))
                last_click = max(last_click, ts)
        openers += opened
        clickers += clicked
    sent = len(recipients)
    delivered = sent - hard - soft
    list_stats = snap.lists()[0]["stats"]
    return {
        "id": c.id,
        "campaign_title": campaign["settings"]["title"],
        "type": campaign["type"],
        "list_id": LIST_ID,
        "list_is_active": True,
        "list_name": catalog.MAILCHIMP_LIST_NAME,
        "subject_line": campaign["settings"]["subject_line"],
        "preview_text": campaign["settings"]["preview_text"],
        "emails_sent": sent,
        "abuse_reports": 0,
        "unsubscribed": unsubscribed,
        "send_time": campaign["send_time"],
        "bounces": {"hard_bounces": hard, "soft_bounces": soft, "syntax_errors": 0},
        "forwards": {"forwards_count": 0, "forwards_opens": 0},
        "opens": {
            "opens_total": opens,
            "proxy_excluded_opens": opens,
            "unique_opens": openers,
            "proxy_excluded_unique_opens": openers,
            "open_rate": _rate(openers, delivered),
            "proxy_excluded_open_rate": _rate(openers, delivered),
            "last_open": mc_time(last_open) if last_open else "",
        },
        "clicks": {
            "clicks_total": clicks,
            "unique_clicks": len(link_clicks),
            "unique_subscriber_clicks": clickers,
            "click_rate": _rate(clickers, delivered),
            "last_click": mc_time(last_click) if last_click else "",
        },
        "facebook_likes": {"recipient_likes": 0, "unique_likes": 0, "facebook_likes": 0},
        "industry_stats": dict(INDUSTRY_STATS),
        "list_stats": {
            "sub_rate": list_stats["avg_sub_rate"],
            "unsub_rate": list_stats["avg_unsub_rate"],
            "open_rate": list_stats["open_rate"],
            "click_rate": list_stats["click_rate"],
        },
        "timewarp": [],
        "timeseries": _timeseries(recipients, c.send_ms, snap.now),
        "share_report": {
            "share_url": f"https://{catalog.MAILCHIMP_DC}.campaign-archive.com/?u={ACCOUNT_U}&id={c.id}&e=report",
            "share_password": "",
        },
        "ecommerce": {"total_orders": 0, "total_spent": 0, "total_revenue": 0, "currency_code": "USD"},
        "delivery_status": {"enabled": False},
        "_links": [
            {"rel": "self", "href": f"{api_root}/reports/{c.id}", "method": "GET"},
            {"rel": "parent", "href": f"{api_root}/reports", "method": "GET"},
            {"rel": "sent-to", "href": f"{api_root}/reports/{c.id}/sent-to", "method": "GET"},
            {"rel": "email-activity", "href": f"{api_root}/reports/{c.id}/email-activity", "method": "GET"},
            {"rel": "unsubscribed", "href": f"{api_root}/reports/{c.id}/unsubscribed", "method": "GET"},
        ],
    }


def _timeseries(recipients: list[RecipientView], send_ms: int, now_ms: int) -> list[dict[str, Any]]:
    """Hour by hour over the first day: sends, and recipients whose first open / first click fell in the hour."""
    start = send_ms - send_ms % HOUR_MS
    hours = [start + h * HOUR_MS for h in range(TIMESERIES_HOURS) if start + h * HOUR_MS <= now_ms]
    buckets = {h: {"emails_sent": 0, "unique_opens": 0, "recipients_clicks": 0} for h in hours}

    def bucket(ts: int | None) -> dict[str, int] | None:
        return None if ts is None else buckets.get(ts - ts % HOUR_MS)

    for r in recipients:
        firsts = (
            ("emails_sent", send_ms),
            ("unique_opens", _first(r, "open")),
            ("recipients_clicks", _first(r, "click")),
        )
        for key, ts in firsts:
            b = bucket(ts)
            if b is not None:
                b[key] += 1
    return [{"timestamp": mc_time(h), **buckets[h]} for h in hours]
