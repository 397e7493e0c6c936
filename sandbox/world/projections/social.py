"""Facebook Page and Instagram projection: page posts and IG media on a fixed schedule, comments and reactions of
the world's social followers, and a deterministic crowd of engagers the world does not know.

Person-level records carry the platform identifiers of the person (Facebook page-scoped id and name; Instagram
user id and username). Whether a record can be linked to a person depends on what else the person left behind
(docs/sandbox.md, "Linking social profiles"): a Messenger thread that stored the page-scoped id on the HubSpot
contact, or an Instagram handle typed into the newsletter form. Crowd engagement (people outside the world) appears
as records too but belongs to nobody in the truth.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sandbox.world import catalog, names
from sandbox.world.config import WorldConfig
from sandbox.world.person import Person
from sandbox.world.projections.graph import graph_time
from sandbox.world.timeutil import HOUR_MS

FB_MESSAGES = (
    "New on the blog: how to map your customer journey in an afternoon.",
    "Winter pricing is live. Tell us what you would automate first!",
    "Behind the scenes: our support team's favourite shortcuts.",
    "Webinar Thursday: attribution without the headaches.",
    "Customer story: how a 6-person shop doubled its demo bookings.",
    "Quick tip: follow up on every inquiry within an hour.",
)
IG_CAPTIONS = (
    "Monday dashboards ☕ #marketing #smallbusiness",
    "Our team at the offsite 🌲",
    "Three charts every founder should check weekly 📈",
    "New feature drop: journey timelines ✨",
    "Swipe for the checklist ➡️",
)
CROWD_COMMENTS = ("Nice!", "🔥🔥", "Interesting", "Where can I read more?", "Great post", "👏")


def post_message(platform: str, n: int) -> str:
    return FB_MESSAGES[n % len(FB_MESSAGES)] if platform == "facebook" else IG_CAPTIONS[n % len(IG_CAPTIONS)]


def fb_post_json(n: int) -> dict[str, Any]:
    pid = catalog.post_id("facebook", n)
    return {
        "id": pid,
        "message": post_message("facebook", n),
        "created_time": graph_time(catalog.post_time("facebook", n)),
        "permalink_url": f"https://www.facebook.com/{catalog.META_PAGE_ID}/posts/{pid.split('_', 1)[1]}",
        "from": {"id": catalog.META_PAGE_ID, "name": catalog.META_PAGE_NAME},
        "status_type": "added_photos" if n % 3 else "mobile_status_update",
    }


def ig_media_json(n: int, likes: int, comments: int) -> dict[str, Any]:
    mid = catalog.post_id("instagram", n)
    code = format(catalog.stable_int("ig-shortcode", n), "x")[:11]
    return {
        "id": mid,
        "caption": post_message("instagram", n),
        "media_type": ("IMAGE", "CAROUSEL_ALBUM", "VIDEO")[n % 3],
        "timestamp": graph_time(catalog.post_time("instagram", n)),
        "permalink": f"https://www.instagram.com/p/{code}/",
        "like_count": likes,
        "comments_count": comments,
        "username": catalog.META_IG_USERNAME,
    }


@dataclass(slots=True)
class SocialItem:
    """One comment or reaction. ``person_index`` is None for the crowd."""

    platform: str  # facebook | instagram
    kind: str  # comment | reaction
    post_n: int
    post_id: str
    ts: int
    user_id: str
    name: str  # facebook: display name; instagram: username
    text: str  # comment text or reaction type
    item_id: str  # comment id (reactions: the user id)
    person_index: int | None = None

    def json(self) -> dict[str, Any]:
        if self.platform == "facebook" and self.kind == "reaction":
            return {"id": self.user_id, "name": self.name, "type": self.text}
        likes = catalog.stable_int("comment-likes", self.item_id, mod=7) // 2
        if self.platform == "facebook":
            return {
                "id": self.item_id,
                "message": self.text,
                "created_time": graph_time(self.ts),
                "from": {"id": self.user_id, "name": self.name},
                "like_count": likes,
            }
        return {
            "id": self.item_id,
            "text": self.text,
            "timestamp": graph_time(self.ts),
            "username": self.name,
            "from": {"id": self.user_id, "username": self.name},
            "like_count": likes,
        }


def _comment_id(platform: str, post_id: str, *parts: object) -> str:
    h = catalog.stable_int(*parts, mod=10**14)
    if platform == "facebook":
        return f"{post_id.split('_', 1)[1]}_{10**15 + h}"
    return str(17850000000000000 + h)


@dataclass(slots=True)
class SocialPerson:
    person_index: int
    person_id: str
    items: list[SocialItem] = field(default_factory=list)


def person_timeline(person: Person, config: WorldConfig) -> SocialPerson:
    out = SocialPerson(person.index, person.person_id)
    k = 0
    for ev in person.events:
        if ev.type not in ("social_comment", "social_reaction"):
            continue
        a = ev.attrs
        platform = a["platform"]
        post = a["post_id"]
        n = _post_n(platform, post)
        name = f"{person.first_name} {person.last_name}" if platform == "facebook" else person.instagram_username or ""
        if ev.type == "social_comment":
            cid = _comment_id(platform, post, config.seed, person.index, k, "comment")
            out.items.append(
                SocialItem(platform, "comment", n, post, ev.ts, a["user_id"], name, a["text"], cid, person.index)
            )
        else:
            out.items.append(
                SocialItem(
                    platform, "reaction", n, post, ev.ts, a["user_id"], name, a["reaction"], a["user_id"], person.index
                )
            )
        k += 1
    return out


def _post_n(platform: str, post_id: str) -> int:
    if platform == "facebook":
        return int(post_id.split("_", 1)[1]) - 900000000000
    return (int(post_id) - 17900000000000000) // 7


def crowd(config: WorldConfig, platform: str, n: int) -> tuple[list[SocialItem], int]:
    """Engagement with a post by people outside the world: (comment / reaction records, Instagram likes)."""
    post = catalog.post_id(platform, n)
    t0 = catalog.post_time(platform, n)
    h = catalog.stable_int(config.seed, "crowd", platform, n)
    items: list[SocialItem] = []
    n_comments = h % 4
    n_reactions = 3 + (h >> 4) % 10 if platform == "facebook" else 0
    for k in range(n_comments + n_reactions):
        hk = catalog.stable_int(config.seed, "crowd", platform, n, k)
        ts = t0 + 60_000 + hk % (72 * HOUR_MS)
        ts -= ts % 1000
        first = names.FIRST_NAMES[hk % len(names.FIRST_NAMES)]
        last = names.LAST_NAMES[(hk >> 12) % len(names.LAST_NAMES)]
        if platform == "facebook":
            uid = "3" + str(10**15 + (hk >> 20) % (9 * 10**15))
            name = f"{first} {last}"
        else:
            uid = "9" + str(10**15 + (hk >> 20) % (9 * 10**15))
            name = f"{first.lower()}{(hk >> 40) % 1000}"
        if k < n_comments:
            text = CROWD_COMMENTS[(hk >> 8) % len(CROWD_COMMENTS)]
            items.append(
                SocialItem(
                    platform,
                    "comment",
                    n,
                    post,
                    ts,
                    uid,
                    name,
                    text,
                    _comment_id(platform, post, config.seed, "crowd", n, k),
                )
            )
        else:
            kind = catalog.FACEBOOK_REACTIONS[(hk >> 8) % len(catalog.FACEBOOK_REACTIONS)]
            items.append(SocialItem(platform, "reaction", n, post, ts, uid, name, kind, uid))
    likes = 10 + (h >> 8) % 50 if platform == "instagram" else 0
    return items, likes


class SocialSnapshot:
    """The Page and the Instagram account as of ``now``."""

    def __init__(self, config: WorldConfig, now_ms: int, *, keep: bool = True) -> None:
        self.config = config
        self.now = now_ms
        self.keep = keep
        self.n_posts = {p: catalog.posts_until(p, now_ms) for p in ("facebook", "instagram")}
        # (platform, kind) -> post id -> items (persons first, then the crowd; sorted by the readers)
        self.items: dict[tuple[str, str], dict[str, list[SocialItem]]] = defaultdict(lambda: defaultdict(list))
        self.ig_likes: dict[int, int] = defaultdict(int)
        self.ig_comments: dict[int, int] = defaultdict(int)
        self._crowd_done = False

    def add(self, sp: SocialPerson) -> list[SocialItem]:
        """Visible person-level records (Facebook comments and reactions, Instagram comments)."""
        now = self.now
        seen: dict[tuple[str, str], SocialItem] = {}
        out: list[SocialItem] = []
        for it in sp.items:
            if it.ts > now:
                continue
            if it.platform == "instagram" and it.kind == "reaction":
                self.ig_likes[it.post_n] += 1  # Instagram does not list who liked a post
                continue
            if it.kind == "reaction":
                key = (it.post_id, it.user_id)
                prev = seen.get(key)
                if prev is not None:  # one reaction per person and post: a later one replaces it
                    out.remove(prev)
                seen[key] = it
            elif it.platform == "instagram":
                self.ig_comments[it.post_n] += 1
            out.append(it)
        if self.keep:
            for it in out:
                self.items[(it.platform, it.kind)][it.post_id].append(it)
        return out

    def crowd_items(self) -> list[SocialItem]:
        """The crowd's visible records (call once, after every person); counted into the aggregates."""
        out: list[SocialItem] = []
        for platform in ("facebook", "instagram"):
            for n in range(self.n_posts[platform]):
                items, likes = crowd(self.config, platform, n)
                t0 = catalog.post_time(platform, n)
                if platform == "instagram":
                    # likes arrive over the first three days
                    self.ig_likes[n] += int(likes * min(1.0, max(0.0, (self.now - t0) / (72 * HOUR_MS))))
                for it in items:
                    if it.ts <= self.now:
                        if platform == "instagram":
                            self.ig_comments[n] += 1
                        out.append(it)
        if self.keep:
            for it in out:
                self.items[(it.platform, it.kind)][it.post_id].append(it)
        self._crowd_done = True
        return out

    def fb_posts(self) -> list[dict[str, Any]]:
        """Newest first, as the Page feed."""
        return [fb_post_json(n) for n in reversed(range(self.n_posts["facebook"]))]

    def ig_media(self) -> list[dict[str, Any]]:
        return [
            ig_media_json(n, self.ig_likes.get(n, 0), self.ig_comments.get(n, 0))
            for n in reversed(range(self.n_posts["instagram"]))
        ]

    def children(self, platform: str, kind: str, post_id: str) -> list[SocialItem]:
        """Comments oldest first; reactions newest first."""
        items = self.items.get((platform, kind), {}).get(post_id, [])
        items = sorted(items, key=lambda i: (i.ts, i.item_id))
        return items[::-1] if kind == "reaction" else items
