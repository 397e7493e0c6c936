"""The Segment projection of the website and the app: every hit as the whole call a Segment source delivers
(https://segment.com/docs/connections/spec/: ``page``, ``screen``, ``identify``, ``track``, ``alias``, ``group`` with
the common fields and ``context``), and when Segment received it.

Calls are clock independent (their delivery times are fixed by the world), so the world keeps them once; what is
visible at a clock is what was *received* by then. Delivery, decided per call by a hash of its ``messageId``:

* ``sentAt`` 0.03-1.5 s after ``timestamp``, ``receivedAt`` 0.04-0.6 s after that;
* late (the mobile app's offline queue: 4 % of app calls, 0.2 % of browser calls): sent 1-6 days later;
* duplicated (0.4 %): the client retries, and the same call (same ``messageId``, later ``sentAt`` and
  ``receivedAt``) arrives again in a later export window.

``userId`` is what the library has stored when the call is made: the last ``identify`` / ``alias`` user id on that
device (analytics.js keeps it in the browser), so on a shared office computer a page view before the next person
logs in still carries the previous person's id. That makes a shared device's calls depend on everyone who uses it:
they are folded across people in :meth:`SegmentCalls.finish`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sandbox.world.timeutil import DAY_MS, MINUTE_MS, iso_ms
from sandbox.world.web import site
from sandbox.world.web.browsing import stable_hex, stable_uuid
from sandbox.world.web.model import Device, Hit, WebActivity

WINDOW_MS = 4 * 3_600_000  # the export writes one batch of files per 4-hour window of receivedAt
LATE_APP, LATE_WEB, DUPLICATE = 0.04, 0.002, 0.004
LIBRARY_WEB = {"name": "analytics.js", "version": "next-1.72.0"}
_APP_DEVICE = {"iOS": ("ios", "Apple", "iPhone15,2", "18.1"), "Android": ("android", "Google", "Pixel 8", "14")}


@dataclass(slots=True)
class Call:
    """One call: ``body`` without ``sentAt`` / ``receivedAt``; ``deliveries`` (sentAt, receivedAt), in order."""

    message_id: str
    ts: int
    owner: str  # the person or visitor who made it
    anonymous_id: str
    shared: bool
    body: dict[str, Any]
    deliveries: tuple[tuple[int, int], ...]

    def line(self, delivery: int) -> dict[str, Any]:
        sent, received = self.deliveries[delivery]
        return {**self.body, "sentAt": iso_ms(sent), "receivedAt": iso_ms(received)}


def received_before(cutoff_ms: int, call: Call) -> int | None:
    """The last delivery received before ``cutoff_ms`` (None when none was)."""
    last = None
    for i, (_, received) in enumerate(call.deliveries):
        if received < cutoff_ms:
            last = i
    return last


def export_cutoff(now_ms: int) -> int:
    """Files exist for the complete windows only: everything received before the current window began."""
    return now_ms // WINDOW_MS * WINDOW_MS


def segment_url(path: str, query: str) -> tuple[str, str]:
    """(url, search) as ``location`` gives them in a browser: a space is ``%20``."""
    search = "?" + query.replace(" ", "%20") if query else ""
    return site.SITE + path + search, search


def _context(dev: Device, path: str, query: str, referrer: str) -> dict[str, Any]:
    if dev.kind == "app":
        dtype, maker, model, os_version = _APP_DEVICE[dev.os or "iOS"]
        return {
            "app": {
                "name": site.APP_NAME,
                "version": site.APP_VERSION,
                "build": site.APP_BUILD,
                "namespace": site.APP_NAMESPACE,
            },
            "device": {"type": dtype, "manufacturer": maker, "model": model},
            "ip": dev.ip,
            "library": {"name": f"analytics-{dtype}", "version": "4.1.8"},
            "locale": dev.locale,
            "os": {"name": dev.os, "version": os_version},
            "screen": {"width": 390, "height": 844} if dtype == "ios" else {"width": 412, "height": 915},
        }
    url, search = segment_url(path, query)
    ctx: dict[str, Any] = {
        "device": {"type": dev.kind},
        "ip": dev.ip,
        "library": LIBRARY_WEB,
        "locale": dev.locale,
        "page": {"path": path, "referrer": referrer, "search": search, "title": site.title(path), "url": url},
        "userAgent": dev.user_agent,
    }
    q = site.parse_query(query)
    campaign = {
        k: q[f"utm_{u}"]
        for k, u in (
            ("name", "campaign"),
            ("source", "source"),
            ("medium", "medium"),
            ("term", "term"),
            ("content", "content"),
        )
        if q.get(f"utm_{u}")
    }
    if campaign:
        ctx["campaign"] = campaign
    return ctx


def _body(dev: Device, hit: Hit, mid: str, user_id: str | None, referrer: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "anonymousId": dev.anonymous_id,
        "channel": "mobile" if dev.kind == "app" else "client",
        "context": _context(dev, hit.path, hit.query, referrer),
        "messageId": mid,
        "timestamp": iso_ms(hit.ts),
        "type": hit.kind,
        "userId": user_id,
    }
    if hit.kind == "page":
        page = body["context"]["page"]
        body["name"] = site.title(hit.path).split(" | ")[0]
        body["properties"] = dict(page)
    elif hit.kind == "screen":
        body["name"] = hit.name
        body["properties"] = {"name": hit.name}
    elif hit.kind == "identify":
        body["traits"] = dict(hit.data or {})
    elif hit.kind == "track":
        body["event"] = hit.name
        body["properties"] = dict(hit.data or {})
    elif hit.kind == "alias":
        body["previousId"] = dev.anonymous_id
    elif hit.kind == "group":
        body["groupId"] = hit.name
        body["traits"] = dict(hit.data or {})
    return body


def _deliveries(seed: int, mid: str, ts: int, app: bool) -> tuple[tuple[int, int], ...]:
    rng = random.Random(f"{seed}:{mid}:delivery")
    sent = ts + rng.randrange(30, 1500)
    if rng.random() < (LATE_APP if app else LATE_WEB):
        sent = ts + rng.randrange(DAY_MS, 6 * DAY_MS)
    received = sent + rng.randrange(40, 600)
    out = [(sent, received)]
    if rng.random() < DUPLICATE:
        later = (received // WINDOW_MS + 1) * WINDOW_MS + rng.randrange(1000, 2 * 60 * MINUTE_MS)
        out.append((sent + later - received, later))
    return tuple(out)


def owner_calls(seed: int, act: WebActivity | None) -> list[Call]:
    """The calls of one person's or visitor's hits. A shared device's ``userId`` is left for the fold across its
    users (:class:`SegmentCalls`); every other device's is folded here."""
    if act is None:
        return []
    out: list[Call] = []
    stored: dict[int, str | None] = {}
    page_referrer: dict[int, tuple[str, str]] = {}  # device -> (path, referrer) of its current page
    for n, hit in enumerate(act.hits):
        dev = act.devices[hit.device]
        if hit.user_id is not None:
            stored[hit.device] = hit.user_id
        if hit.kind == "page":
            page_referrer[hit.device] = (hit.path, hit.referrer)
        cur = page_referrer.get(hit.device)
        referrer = cur[1] if cur is not None and cur[0] == hit.path else ""
        app = dev.kind == "app"
        mid = (
            stable_uuid(seed, act.owner_id, "message", n, upper=True)
            if app
            else ("ajs-next-" + stable_hex(seed, act.owner_id, "message", n))
        )
        user_id = None if dev.shared else stored.get(hit.device)
        body = _body(dev, hit, mid, user_id, referrer)
        out.append(
            Call(mid, hit.ts, act.owner_id, dev.anonymous_id, dev.shared, body, _deliveries(seed, mid, hit.ts, app))
        )
    return out


class SegmentCalls:
    """Collects calls owner by owner: :meth:`add` returns what is final at once, :meth:`finish` the shared devices'
    calls once every user of them was added (their ``userId`` folded in time order across users)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._shared: list[tuple[Call, str | None]] = []

    def add(self, act: WebActivity | None) -> list[Call]:
        ready: list[Call] = []
        if act is None:
            return ready
        calls = owner_calls(self.seed, act)
        for hit, call in zip(act.hits, calls, strict=True):
            if call.shared:
                self._shared.append((call, hit.user_id))
            else:
                ready.append(call)
        return ready

    def finish(self) -> list[Call]:
        stored: dict[str, str | None] = {}
        out: list[Call] = []
        for call, sets in sorted(self._shared, key=lambda cs: (cs[0].ts, cs[0].message_id)):
            if sets is not None:
                stored[call.anonymous_id] = sets
            call.body["userId"] = stored.get(call.anonymous_id)
            out.append(call)
        self._shared = []
        return out
