"""Mailchimp's official SDK (mailchimp-marketing) through every stream the Mailchimp connector reads, and the campaign
reports, whose numbers must agree with the email activity the same sandbox serves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sandbox.world import catalog
from sandbox.world.projections.mailchimp import LIST_ID, mc_time

mailchimp_marketing = pytest.importorskip(
    "mailchimp_marketing", reason="mailchimp-marketing (the dev extra) is not installed"
)
from mailchimp_marketing.api_client import ApiClientError  # noqa: E402


@pytest.fixture(scope="module")
def client(sdk_sandbox):
    mc = mailchimp_marketing.Client()
    mc.set_config({"api_key": sdk_sandbox.mailchimp.token, "server": catalog.MAILCHIMP_DC})
    # The SDK builds https://<dc>.api.mailchimp.com/3.0; the sandbox is that host on 127.0.0.1.
    mc.api_client.host = f"{sdk_sandbox.mailchimp.base_url}/3.0"
    return mc


@pytest.fixture(scope="module")
def snap(sdk_sandbox):
    return sdk_sandbox.world.mailchimp_snapshot()


def _all(call: Callable[..., dict[str, Any]], key: str, *args: Any, count: int = 100, **kwargs: Any) -> list[Any]:
    out: list[Any] = []
    offset = 0
    while True:
        body = call(*args, count=count, offset=offset, **kwargs)
        out.extend(body[key])
        offset += len(body[key])
        if not body[key] or offset >= body["total_items"]:
            return out


def _sent(snap) -> list[str]:
    return [c.id for c in snap.sent_campaigns()]


def test_lists(client, snap):
    lists = _all(client.lists.get_all_lists, "lists")
    assert [lst["id"] for lst in lists] == [LIST_ID]
    assert lists[0]["stats"]["member_count"] == sum(m["status"] == "subscribed" for m in snap.members)


def test_list_members_full_and_incremental(client, snap):
    params = {"sort_field": "last_changed", "sort_dir": "ASC"}
    members = _all(client.lists.get_list_members_info, "members", LIST_ID, count=250, **params)
    assert sorted(m["id"] for m in members) == sorted(m["id"] for m in snap.members)
    assert [m["last_changed"] for m in members] == sorted(m["last_changed"] for m in members)
    pivot = members[len(members) // 2]["last_changed"]
    newer = _all(client.lists.get_list_members_info, "members", LIST_ID, since_last_changed=pivot, **params)
    assert [m["id"] for m in newer] == [m["id"] for m in members if m["last_changed"] >= pivot]


def test_campaigns(client, snap):
    campaigns = _all(client.campaigns.list, "campaigns", sort_field="create_time", sort_dir="ASC")
    assert [c["id"] for c in campaigns] == [c["id"] for c in snap.campaigns()]
    assert {c["id"] for c in campaigns if c["status"] == "sent"} == set(_sent(snap))


def test_sent_to_of_every_sent_campaign(client, snap):
    total = 0
    for cid in _sent(snap):
        rows = _all(client.reports.get_campaign_recipients, "sent_to", cid)
        assert sorted(r["email_id"] for r in rows) == sorted(r.email_id for r in snap.recipients[cid])
        total += len(rows)
    assert total > 0


def test_email_activity_full_and_since(client, snap):
    events = 0
    for cid in _sent(snap):
        rows = _all(client.reports.get_email_activity_for_campaign, "emails", cid)
        assert sorted(r["email_id"] for r in rows) == sorted(r.email_id for r in snap.recipients[cid])
        events += sum(len(r["activity"]) for r in rows)
    assert events > 0
    cid = max(_sent(snap), key=lambda c: len(snap.recipients[c]))
    rows = _all(client.reports.get_email_activity_for_campaign, "emails", cid)
    stamps = sorted(a["timestamp"] for r in rows for a in r["activity"])
    pivot = stamps[len(stamps) // 2]
    newer = _all(client.reports.get_email_activity_for_campaign, "emails", cid, since=pivot)
    assert sorted(a["timestamp"] for r in newer for a in r["activity"]) == [t for t in stamps if t > pivot]


def _report_from_activity(client, cid: str) -> dict[str, Any]:
    """The report's numbers recomputed from what the sandbox serves recipient by recipient."""
    sent = _all(client.reports.get_campaign_recipients, "sent_to", cid)
    activity = _all(client.reports.get_email_activity_for_campaign, "emails", cid)
    unsubscribed = _all(client.reports.get_unsubscribed_list_for_campaign, "unsubscribes", cid)
    opens = [a for r in activity for a in r["activity"] if a["action"] == "open"]
    clicks = [(r["email_id"], a) for r in activity for a in r["activity"] if a["action"] == "click"]
    bounces = [a for r in activity for a in r["activity"] if a["action"] == "bounce"]
    delivered = len(sent) - len(bounces)
    openers = {r["email_id"] for r in activity if any(a["action"] == "open" for a in r["activity"])}
    clickers = {e for e, _ in clicks}
    return {
        "emails_sent": len(sent),
        "unsubscribed": len(unsubscribed),
        "bounces": {
            "hard_bounces": sum(a["type"] == "hard" for a in bounces),
            "soft_bounces": sum(a["type"] == "soft" for a in bounces),
            "syntax_errors": 0,
        },
        "opens_total": len(opens),
        "unique_opens": len(openers),
        "open_rate": len(openers) / delivered if delivered else 0,
        "last_open": max((a["timestamp"] for a in opens), default=""),
        "clicks_total": len(clicks),
        "unique_clicks": len({(e, a["url"]) for e, a in clicks}),
        "unique_subscriber_clicks": len(clickers),
        "click_rate": len(clickers) / delivered if delivered else 0,
        "last_click": max((a["timestamp"] for _, a in clicks), default=""),
    }


def _assert_report_matches(report: dict[str, Any], want: dict[str, Any]) -> None:
    assert report["emails_sent"] == want["emails_sent"]
    assert report["unsubscribed"] == want["unsubscribed"]
    assert report["bounces"] == want["bounces"]
    opens, clicks = report["opens"], report["clicks"]
    assert opens["opens_total"] == want["opens_total"]
    assert opens["unique_opens"] == want["unique_opens"]
    assert opens["open_rate"] == pytest.approx(want["open_rate"])
    assert opens["last_open"] == want["last_open"]
    assert clicks["clicks_total"] == want["clicks_total"]
    assert clicks["unique_clicks"] == want["unique_clicks"]
    assert clicks["unique_subscriber_clicks"] == want["unique_subscriber_clicks"]
    assert clicks["click_rate"] == pytest.approx(want["click_rate"])
    assert clicks["last_click"] == want["last_click"]
    hourly = report["timeseries"]
    assert sum(h["emails_sent"] for h in hourly) == want["emails_sent"]
    assert sum(h["unique_opens"] for h in hourly) <= want["unique_opens"]


def test_campaign_reports_agree_with_email_activity(client, snap):
    reports = _all(client.reports.get_all_campaign_reports, "reports", count=5)
    assert [r["id"] for r in reports] == _sent(snap)
    campaigns = {c["id"]: c for c in snap.campaigns()}
    opened = clicked = 0
    for report in reports:
        cid = report["id"]
        want = _report_from_activity(client, cid)
        opened += want["opens_total"]
        clicked += want["clicks_total"]
        _assert_report_matches(report, want)
        _assert_report_matches(client.reports.get_campaign_report(cid), want)
        c = campaigns[cid]
        assert report["campaign_title"] == c["settings"]["title"]
        assert report["subject_line"] == c["settings"]["subject_line"]
        assert report["send_time"] == c["send_time"]
        assert report["list_id"] == LIST_ID
        assert report["opens"]["unique_opens"] == c["report_summary"]["unique_opens"]
        assert report["clicks"]["unique_subscriber_clicks"] == c["report_summary"]["subscriber_clicks"]
    assert opened > 0 and clicked > 0


def test_report_filters_and_missing_campaign(client, snap):
    sent = snap.sent_campaigns()
    pivot = sent[len(sent) // 2]
    since = _all(client.reports.get_all_campaign_reports, "reports", since_send_time=mc_time(pivot.send_ms))
    assert [r["id"] for r in since] == [c.id for c in sent if c.send_ms >= pivot.send_ms]
    only = client.reports.get_campaign_report(pivot.id, fields=["id", "opens.unique_opens"])
    assert set(only) == {"id", "opens"} and set(only["opens"]) == {"unique_opens"}
    with pytest.raises(ApiClientError) as err:
        client.reports.get_campaign_report("0000000000")
    assert err.value.status_code == 404
