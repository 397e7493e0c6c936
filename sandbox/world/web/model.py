"""What happens on the website, vendor neutral: the devices someone browses on (each with the Segment anonymous id
and the HubSpot cookie it carries), the calls their browsing makes (page views, app screens, identifies, tracks,
aliases) and the session rule every tool here applies to them.

**Sessions** (as GA4 counts them, and as the truth, the HubSpot projection and docs/sandbox.md define them): the
views (``page`` and ``screen`` calls) of one device in time order; a view starts a new session when more than 30
minutes passed since the device's previous view, or when its URL carries campaign parameters (``utm_*``, ``gclid``,
``fbclid``) other than those the current session started with. Other calls (identify, track, alias) belong to the
session they fall in and never start or extend one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sandbox.world.web import site

SESSION_IDLE_MS = 30 * 60_000
VIEW_KINDS = frozenset({"page", "screen"})
SHARED_MAILBOX = -1  # Hit.contact of a form filled in with a company's shared info@ address


@dataclass(frozen=True, slots=True)
class Device:
    """One browser or app install. ``hutk`` is HubSpot's ``hubspotutk`` cookie (None in the app, where HubSpot's
    tracking code does not run); ``shared`` marks an office computer several people use."""

    key: str  # primary | second | app | office | extra (a visitor's other device)
    anonymous_id: str
    hutk: str | None
    kind: str  # desktop | mobile | tablet | app
    user_agent: str
    ip: str
    city: str
    region: str
    country: str
    locale: str
    os: str | None = None  # the app's platform: iOS | Android
    shared: bool = False


class Hit(NamedTuple):
    """One call the site or the app makes. ``device`` indexes :attr:`WebActivity.devices`."""

    ts: int
    kind: str  # page | screen | identify | track | alias | group
    device: int
    path: str  # page path, or the screen's path in the app (/app/...)
    query: str = ""  # raw query string of the page URL, without '?'
    referrer: str = ""  # document.referrer ('' when none)
    name: str = ""  # track: event name; screen: screen name; group: the group id
    data: dict[str, Any] | None = None  # track: properties; identify: traits
    user_id: str | None = None  # identify / alias: the userId the call sets
    contact: int | None = None  # Form Submitted: the HubSpot contact key it submits for (SHARED_MAILBOX, 0, 1)

    @property
    def is_view(self) -> bool:
        return self.kind in VIEW_KINDS

    @property
    def url(self) -> str:
        return site.SITE + self.path + ("?" + self.query if self.query else "")


@dataclass(slots=True)
class WebActivity:
    """Everything one person or visitor does on the site and in the app, time ordered."""

    owner_id: str  # P000001 or V0000001
    devices: list[Device] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    account: str | None = None  # the app's user id once they signed up

    def views(self, device: int | None = None) -> list[Hit]:
        return [h for h in self.hits if h.kind in VIEW_KINDS and (device is None or h.device == device)]

    def hits_until(self, now_ms: int) -> list[Hit]:
        hits = self.hits
        lo, hi = 0, len(hits)
        while lo < hi:
            mid = (lo + hi) // 2
            if hits[mid].ts <= now_ms:
                lo = mid + 1
            else:
                hi = mid
        return hits[:lo]

    def first_view_ms(self) -> int | None:
        for h in self.hits:
            if h.kind in VIEW_KINDS:
                return h.ts
        return None


class Session(NamedTuple):
    device: int
    start: int
    end: int  # the last view's time
    views: list[Hit]

    @property
    def landing(self) -> Hit:
        return self.views[0]

    @property
    def channel(self) -> str:
        return site.channel(self.landing.query, self.landing.referrer)


def sessions(views: list[Hit]) -> list[Session]:
    """The sessions of one device's views (time ordered) by the rule in the module docstring."""
    out: list[Session] = []
    cur: list[Hit] = []
    campaign: tuple[str, ...] | None = None
    last = 0
    for v in views:
        c = site.campaign_of(v.query)
        if cur and (v.ts - last > SESSION_IDLE_MS or (c is not None and c != campaign)):
            out.append(Session(cur[0].device, cur[0].ts, last, cur))
            cur = []
        if not cur:
            campaign = c
        cur.append(v)
        last = v.ts
    if cur:
        out.append(Session(cur[0].device, cur[0].ts, last, cur))
    return out


def device_sessions(activity: WebActivity, now_ms: int | None = None, *, hubspot: bool = False) -> list[Session]:
    """Every session of the activity, device by device (``hubspot``: over the views HubSpot's tracking code sees)."""
    out: list[Session] = []
    for d in range(len(activity.devices)):
        views = [
            h
            for h in activity.hits
            if h.device == d
            and h.kind in VIEW_KINDS
            and (now_ms is None or h.ts <= now_ms)
            and (not hubspot or (h.kind == "page" and site.hubspot_tracked(h.path)))
        ]
        out.extend(sessions(views))
    out.sort(key=lambda s: (s.start, s.device))
    return out
