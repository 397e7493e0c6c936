"""Direct raw loader: writes a world's vendor views straight into ``raw_hubspot``, ``raw_mailchimp``,
``raw_meta_ads``, ``raw_social`` and ``raw_google_ads``, and the website's ``raw_hubspot.web_events`` and
``raw_segment.events`` (``loader_web.py``), with no HTTP.

The rows are exactly those the connectors store after a full sync of the sandbox servers at the same clock
(payload contract in docs/sandbox.md, "Raw payload contract"). Persons are generated once, projected for every
vendor and written in streaming fashion, so memory stays flat for millions of records; what depends on many people
(companies, shared-mailbox contacts, campaigns and their report summaries, the audience, insights, daily metrics,
posts and media, crowd engagement, anonymous click views) is written at the end.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from connectors import google_ads, mailchimp, meta, typeform
from connectors.hubspot import CRM_STREAMS, STREAMS_BY_NAME
from connectors.raw.records import ShapedPage
from connectors.raw.store import RawRecord, RawStore
from sandbox.loader_events import MarketingEventsPart
from sandbox.loader_voice import VOICE_SOURCES, TrustpilotPart, TypeformPart, load_google_business
from sandbox.loader_web import RAW_SOURCE, WEB_SOURCES, HubSpotWebPart, SegmentPart, visitors_of
from sandbox.world.config import WorldConfig
from sandbox.world.people import Person, PersonGenerator
from sandbox.world.projections import hubspot_schema as hs
from sandbox.world.projections.hubspot import (
    Aggregates,
    HSRecord,
    build_timeline,
    raw_payload,
    snapshot,
    submission_object,
)
from sandbox.world.timeutil import DAY_MS, iso_date, iso_ms, naive_utc, parse_time_ms, to_ms
from sandbox.world.world import World

log = logging.getLogger(__name__)

_CRM = {s.name: s for s in CRM_STREAMS}


@dataclass
class LoadResult:
    sync_id: str
    now: str
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    write_seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def crm_raw_record(rec: HSRecord) -> RawRecord:
    stream = _CRM[rec.otype]
    payload = raw_payload(rec, stream.history_properties, stream.associations)
    return RawRecord(
        record_id=rec.id,
        payload=payload,
        updated_at=naive_utc(rec.updated),
        is_archived=rec.archived_at is not None,
    )


def submission_raw_record(sub: dict) -> RawRecord:
    payload = submission_object(sub)
    payload["formGuid"] = sub["formGuid"]
    return RawRecord(record_id=sub["conversionId"], payload=payload, updated_at=naive_utc(sub["submittedAt"]))


def _iso_naive(value: str) -> datetime:
    return naive_utc(parse_time_ms(value))


def owner_raw_record(owner: dict) -> RawRecord:
    return RawRecord(record_id=owner["id"], payload=owner, updated_at=_iso_naive(owner["updatedAt"]))


def form_raw_record(form: dict) -> RawRecord:
    return RawRecord(record_id=form["id"], payload=form, updated_at=_iso_naive(form["updatedAt"]))


class _Writer:
    def __init__(self, store: RawStore, sync_id: str, page_size: int, result: LoadResult) -> None:
        self.store = store
        self.sync_id = sync_id
        self.page_size = page_size
        self.buffers: dict[str, list[RawRecord]] = {}
        self.result = result

    def add(self, stream: str, rec: RawRecord) -> None:
        buf = self.buffers.setdefault(stream, [])
        buf.append(rec)
        if len(buf) >= self.page_size:
            self.flush(stream)

    def flush(self, stream: str) -> None:
        buf = self.buffers.get(stream)
        if not buf:
            return
        t = time.perf_counter()
        n = self.store.commit_page(stream, buf, sync_id=self.sync_id, state=None)
        self.result.write_seconds += time.perf_counter() - t
        self.result.rows[stream] = self.result.rows.get(stream, 0) + n
        self.buffers[stream] = []

    def flush_all(self) -> None:
        for stream in list(self.buffers):
            self.flush(stream)


class _HubSpotPart:
    """The HubSpot rows of a load, fed one person at a time (shared by :func:`load_hubspot` and :func:`load_world`)."""

    def __init__(self, source: WorldConfig | World, config: WorldConfig, now_ms: int, now_given: bool, w: _Writer):
        self.source, self.config, self.now_ms, self.w = source, config, now_ms, w
        self.from_world = isinstance(source, World) and not now_given
        self.agg = Aggregates(config)
        self.events = MarketingEventsPart(config, now_ms, w.add)  # raw_hubspot.marketing_event* (loader_events.py)

    def add(self, i: int, person: Person | None) -> None:
        if self.from_world:
            tl = self.source._hs_timelines[i]  # type: ignore[union-attr]
            snap = self.source.hubspot_snapshot(i)  # type: ignore[union-attr]
        else:
            assert person is not None
            tl = build_timeline(person, self.config)
            snap = snapshot(tl, self.now_ms)
        self.agg.add(tl)
        for rec in snap.records:
            self.w.add(rec.otype, crm_raw_record(rec))
        for sub in snap.submissions:
            self.w.add("form_submissions", submission_raw_record(sub))
        if person is None:
            person = self.source.persons[i]  # type: ignore[union-attr]
        parts = self.source.person_participations(i) if isinstance(self.source, World) else None
        self.events.add(person, tl, snap.records, parts)

    def finish(self) -> None:
        for rec in self.agg.snapshot(self.now_ms):
            self.w.add(rec.otype, crm_raw_record(rec))
        for o in hs.owners(self.config):
            self.w.add("owners", owner_raw_record(o))
        for f in hs.forms(self.config):
            self.w.add("forms", form_raw_record(f))
        self.events.finish()


def load_hubspot(
    warehouse: str | Path,
    source: WorldConfig | World,
    *,
    now: datetime | None = None,
    sync_id: str | None = None,
    page_size: int = 5000,
    progress: Callable[[int, int], None] | None = None,
) -> LoadResult:
    """Write the HubSpot view of a world (as of ``now``, default the world's clock / end of the start window)
    into ``raw_hubspot`` of ``warehouse``: the CRM and the web analytics events (``web_events``), the streams of a
    full HubSpot connector sync. Returns row counts per stream.
    Every page goes through :meth:`RawStore.commit_page`, so the rows are exactly those a connector writes."""
    vendors = ("hubspot", "hubspot_web")
    return load_world(
        warehouse, source, now=now, sync_id=sync_id, page_size=page_size, vendors=vendors, progress=progress
    )["hubspot"]


# -- every vendor ------------------------------------------------------------------------------------------------

VENDOR_SOURCES: tuple[str, ...] = ("hubspot", "mailchimp", "meta_ads", "social", "google_ads")
# The website's raw tables: ``hubspot_web`` = raw_hubspot.web_events, ``segment`` = raw_segment.events (the rows the
# HubSpot connector's web_events stream and the Segment connector store: tests/sandbox/test_vendor_loader.py).
# ``typeform``, ``trustpilot``, ``google_business``: the customer's voice (loader_voice.py)
ALL_SOURCES: tuple[str, ...] = VENDOR_SOURCES + WEB_SOURCES + VOICE_SOURCES
# Google removed campaign.start_date / end_date in API v23; until the connector's query follows, the loader loads
# what the corrected query returns (docs/sandbox.md, "Raw payload contract").
_GAQL_RENAMES = {"campaign.start_date,": "campaign.start_date_time,", "campaign.end_date ": "campaign.end_date_time "}


def fixed_campaigns_query(query: str, version: str) -> str:
    from sandbox.world.projections import google_ads as gq

    try:
        gq.parse(query, version)
        return query
    except gq.GaqlError:
        fixed = query
        for old, new in _GAQL_RENAMES.items():
            fixed = fixed.replace(old, new)
        log.warning("google_ads: the connector's campaigns query is not valid on %s; loading %r", version, fixed)
        return fixed


class _Streams:
    """One RawStore per source, each with its own page buffers, all under one sync id."""

    def __init__(self, warehouse: str | Path, vendors: tuple[str, ...], sync_id: str, page_size: int, now: str):
        sources = tuple(dict.fromkeys(RAW_SOURCE.get(v, v) for v in vendors))  # hubspot_web writes raw_hubspot
        self.stores = {s: RawStore(warehouse, s) for s in sources}
        self.results = {s: LoadResult(sync_id=sync_id, now=now) for s in sources}
        self.writers: dict[str, _Writer] = {}
        self.sync_id, self.page_size = sync_id, page_size

    def __enter__(self) -> _Streams:
        # One process holds the warehouse lock once: the first store opens the file, the others share its
        # connection (each still writes its own raw_<source> schema through RawStore.commit_page).
        first: RawStore | None = None
        for s, store in self.stores.items():
            first = store.open() if first is None else store.share(first)
            self.writers[s] = _Writer(store, self.sync_id, self.page_size, self.results[s])
        return self

    def __exit__(self, *exc: object) -> None:
        # the stores sharing the first one's connection let go of it before the first closes it
        for store in reversed(self.stores.values()):
            store.close()

    def declare(self, source: str, streams: tuple[str, ...] | list[str]) -> None:
        for s in streams:
            self.stores[source].ensure_stream(s)
            self.results[source].rows.setdefault(s, 0)

    def add(self, source: str, stream: str, records: list[RawRecord]) -> None:
        w = self.writers[source]
        for r in records:
            w.add(stream, r)

    def finish(self) -> None:
        for w in self.writers.values():
            w.flush_all()


def load_world(
    warehouse: str | Path,
    source: WorldConfig | World,
    *,
    now: datetime | None = None,
    sync_id: str | None = None,
    page_size: int = 5000,
    vendors: tuple[str, ...] = ALL_SOURCES,
    progress: Callable[[int, int], None] | None = None,
    first_person: int = 0,
) -> dict[str, LoadResult]:
    """Write every vendor's view of a world (as of ``now``, default the world's clock) into ``raw_<source>``:
    ``hubspot``, ``mailchimp``, ``meta_ads``, ``social``, ``google_ads``, and the website's ``hubspot_web``
    (raw_hubspot.web_events) and ``segment``. The rows are exactly those the connectors
    store after a complete full sync with ``start_date`` = the world's start and ``today`` = the clock's date
    (payload contract in docs/sandbox.md): record ids come from the connectors' own functions, field lists from
    their constants, and payloads pass through the connectors' own shaping code.

    ``first_person`` > 0 writes only persons ``first_person..people`` (a world of N people is a prefix of one of
    N + k, so this is the data the next k people add: benchmarks append it as new raw records). What depends on many
    people (companies, campaigns, insights, ...) is then built from those persons alone."""
    started = time.perf_counter()
    config = source.config if isinstance(source, World) else source
    now_ms = (source.now_ms if isinstance(source, World) else config.end_ms) if now is None else to_ms(now)
    sync_id = sync_id or f"sandbox-load-{uuid.uuid4().hex[:12]}"
    unknown = set(vendors) - set(ALL_SOURCES)
    if unknown:
        raise ValueError(f"unknown vendors {sorted(unknown)}; known: {', '.join(ALL_SOURCES)}")
    out = _load_vendors(
        warehouse, source, config, now_ms, now is not None, vendors, sync_id, page_size, progress, first_person
    )
    for r in out.values():
        r.seconds = time.perf_counter() - started
    log.info("load_world: %d rows in %.1fs", sum(r.total for r in out.values()), time.perf_counter() - started)
    return out


def _shaped(page: ShapedPage, stream: str) -> list[RawRecord]:
    """A page shaped by a connector's own ``shape_items``; the world never breaks a contract, so nothing is
    quarantined here (a quarantined row would mean the loader and a sync disagree)."""
    assert not page.quarantined, (stream, page.quarantined[:1])
    return page.records


class _MailchimpPart:
    """The Mailchimp rows of a load: members, recipients and activity per person; lists and campaigns at the end."""

    def __init__(self, st: _Streams, mc: Any) -> None:
        self.st, self.mc = st, mc
        self.sent = {c.id for c in mc.sent_campaigns()}
        st.declare("mailchimp", list(mailchimp.STREAMS_BY_NAME))

    def records(self, stream: str, items: list, extra: dict | None = None) -> list[RawRecord]:
        return _shaped(mailchimp.shape_items(mailchimp.STREAMS_BY_NAME[stream], items, extra), stream)

    def add(self, rows: Any) -> None:
        from sandbox.world.projections import mailchimp as mc_p

        self.st.add("mailchimp", "list_members", self.records("list_members", rows.members, {"list_id": mc_p.LIST_ID}))
        for r in rows.recipients:
            if r.campaign_id not in self.sent:
                continue
            extra = {"campaign_id": r.campaign_id}
            self.st.add("mailchimp", "campaign_recipients", self.records("campaign_recipients", [r.sent_to], extra))
            events = mailchimp.flatten_activity([r.activity_json(r.sent_to["email_address"])])
            self.st.add("mailchimp", "email_activity", self.records("email_activity", events, extra))

    def finish(self) -> None:
        self.st.add("mailchimp", "lists", self.records("lists", self.mc.lists()))
        self.st.add("mailchimp", "campaigns", self.records("campaigns", self.mc.campaigns()))


def _graph_records(streams: dict[str, meta.GraphStream], stream: str, items: list, extra: dict | None = None) -> list:
    return _shaped(meta.shape_items(streams[stream], items, extra), stream)


class _MetaAdsPart:
    """The Meta Ads rows of a load: leads per person; the ad structure, lead forms and daily insights at the end."""

    def __init__(self, st: _Streams, ads: Any, start_day: int, today: int) -> None:
        from sandbox.world.projections.graph import parse_fields

        self.st, self.ads, self.start_day, self.today = st, ads, start_day, today
        self.f_lead = parse_fields(meta.LEAD_FIELDS)
        st.declare("meta_ads", list(meta.META_ADS_STREAMS_BY_NAME))

    def records(self, stream: str, items: list, extra: dict | None = None) -> list[RawRecord]:
        return _graph_records(meta.META_ADS_STREAMS_BY_NAME, stream, items, extra)

    def add(self, leads: list) -> None:
        from sandbox.world.projections import ads as ads_p
        from sandbox.world.projections.graph import select

        for lead in leads:
            item = select(ads_p.lead_json(lead), self.f_lead)
            self.st.add("meta_ads", "leads", self.records("leads", [item], {"form_id": lead.form_id}))

    def finish(self) -> None:
        from sandbox.world import catalog
        from sandbox.world.projections import ads as ads_p
        from sandbox.world.projections.graph import parse_fields, select

        for name, objs, fields in (
            ("campaigns", ads_p.meta_campaigns(), meta.CAMPAIGN_FIELDS),
            ("adsets", ads_p.meta_adsets(), meta.ADSET_FIELDS),
            ("ads", ads_p.meta_ads(), meta.AD_FIELDS),
        ):
            spec = parse_fields(fields)
            self.st.add("meta_ads", name, self.records(name, [select(o, spec) for o in objs]))
        spec = parse_fields(meta.LEAD_FORM_FIELDS)
        forms = self.records("lead_forms", [select(f, spec) for f in ads_p.lead_forms()])
        for r in forms:  # as the connector's lead_forms reader adds its parent page
            r.payload["page_id"] = catalog.META_PAGE_ID
        self.st.add("meta_ads", "lead_forms", forms)
        spec = parse_fields(meta.INSIGHT_FIELDS)
        insights = [select(r, spec, always_id=False) for r in self.ads.insights(self.start_day, self.today)]
        self.st.add("meta_ads", "ads_insights", self.records("ads_insights", insights))


class _SocialPart:
    """The Facebook Page and Instagram rows of a load: each person's comments and reactions; posts, media and the
    crowd's engagement at the end."""

    def __init__(self, st: _Streams, soc: Any) -> None:
        from sandbox.world.projections.graph import parse_fields

        self.st, self.soc = st, soc
        self.f_comment = parse_fields(meta.COMMENT_FIELDS)
        self.f_reaction = parse_fields(meta.REACTION_FIELDS)
        self.f_ig_comment = parse_fields(meta.IG_COMMENT_FIELDS)
        st.declare("social", list(meta.SOCIAL_STREAMS_BY_NAME))

    def records(self, stream: str, items: list, extra: dict | None = None) -> list[RawRecord]:
        return _graph_records(meta.SOCIAL_STREAMS_BY_NAME, stream, items, extra)

    def add(self, items: list) -> None:
        from sandbox.world.projections.graph import select

        for it in items:
            if it.platform == "facebook" and it.kind == "comment":
                stream, fields, parent = "facebook_comments", self.f_comment, {"post_id": it.post_id}
            elif it.platform == "facebook":
                stream, fields, parent = "facebook_reactions", self.f_reaction, {"post_id": it.post_id}
            elif it.kind == "comment":
                stream, fields, parent = "instagram_comments", self.f_ig_comment, {"media_id": it.post_id}
            else:
                continue
            self.st.add("social", stream, self.records(stream, [select(it.json(), fields)], parent))

    def finish(self) -> None:
        from sandbox.world.projections.graph import parse_fields, select

        crowd = self.soc.crowd_items()
        spec = parse_fields(meta.POST_FIELDS)
        self.st.add(
            "social", "facebook_posts", self.records("facebook_posts", [select(p, spec) for p in self.soc.fb_posts()])
        )
        spec = parse_fields(meta.MEDIA_FIELDS)
        self.st.add(
            "social", "instagram_media", self.records("instagram_media", [select(m, spec) for m in self.soc.ig_media()])
        )
        self.add(crowd)


class _GoogleAdsPart:
    """The Google Ads rows of a load: each person's click views; campaigns, ad groups, daily metrics and the anonymous
    clicks at the end, all through the connector's own GAQL, as the sandbox server answers it."""

    def __init__(self, st: _Streams, ads: Any, start_day: int, today: int) -> None:
        from sandbox.world.projections import google_ads as gq

        self.st, self.ads, self.start_day, self.today = st, ads, start_day, today
        self.version = google_ads.DEFAULT_API_VERSION
        # click_view serves the last DEFAULT_CLICK_VIEW_DAYS days only, as the connector reads them
        self.click_from = max(start_day, today - (google_ads.DEFAULT_CLICK_VIEW_DAYS - 1) * DAY_MS)
        self.click_render = gq.Renderer(google_ads.CLICKS_QUERY.format(day=iso_date(today)), self.version)
        st.declare("google_ads", list(google_ads.STREAMS_BY_NAME))

    def records(self, stream: str, rows: list) -> list[RawRecord]:
        return _shaped(google_ads.shape_items(google_ads.STREAMS_BY_NAME[stream], rows), stream)

    def add(self, clicks: list) -> None:
        from sandbox.world.projections import ads as ads_p
        from sandbox.world.projections import google_ads as gq

        rows = [self.click_render(gq.click_context(c)) for c in clicks if ads_p.day_of(c.ts) >= self.click_from]
        self.st.add("google_ads", "click_views", self.records("click_views", rows))

    def finish(self) -> None:
        from sandbox.world.projections import ads as ads_p
        from sandbox.world.projections import google_ads as gq

        def run(query: str) -> list:
            return gq.run_query(query, self.ads, version=self.version)

        campaigns = run(fixed_campaigns_query(google_ads.CAMPAIGNS_QUERY, self.version))
        self.st.add("google_ads", "campaigns", self.records("campaigns", campaigns))
        self.st.add("google_ads", "ad_groups", self.records("ad_groups", run(google_ads.AD_GROUPS_QUERY)))
        q = google_ads.METRICS_QUERY.format(since=iso_date(self.start_day), until=iso_date(self.today))
        self.st.add("google_ads", "ad_group_daily_metrics", self.records("ad_group_daily_metrics", run(q)))
        day = self.click_from
        while day <= self.today:
            anon = [c for ag in ads_p.GOOGLE_AD_GROUPS for c in self.ads.anonymous_clicks(ag, day)]
            rows = [self.click_render(gq.click_context(c)) for c in anon]
            self.st.add("google_ads", "click_views", self.records("click_views", rows))
            day += DAY_MS


def _load_vendors(
    warehouse: str | Path,
    source: WorldConfig | World,
    config: WorldConfig,
    now_ms: int,
    now_given: bool,
    vendors: tuple[str, ...],
    sync_id: str,
    page_size: int,
    progress: Callable[[int, int], None] | None,
    first_person: int = 0,
) -> dict[str, LoadResult]:
    from sandbox.world.projections import ads as ads_p
    from sandbox.world.projections import mailchimp as mc_p
    from sandbox.world.projections import social as soc_p

    mc = mc_p.MailchimpSnapshot(config, now_ms, keep=False)
    ads = ads_p.AdsSnapshot(config, now_ms, keep=False)
    soc = soc_p.SocialSnapshot(config, now_ms, keep=False)
    today, start_day = ads_p.day_of(now_ms), config.start_ms

    with _Streams(warehouse, vendors, sync_id, page_size, iso_ms(now_ms)) as st:
        hub = None
        if "hubspot" in vendors:
            st.declare("hubspot", list(STREAMS_BY_NAME))
            hub = _HubSpotPart(source, config, now_ms, now_given, st.writers["hubspot"])
        mail = _MailchimpPart(st, mc) if "mailchimp" in vendors else None
        meta_ads = _MetaAdsPart(st, ads, start_day, today) if "meta_ads" in vendors else None
        social = _SocialPart(st, soc) if "social" in vendors else None
        google = _GoogleAdsPart(st, ads, start_day, today) if "google_ads" in vendors else None
        hub_web, segment = _web_parts(st, vendors, config, now_ms)
        voice, reviews = _voice_parts(st, vendors, config, now_ms)
        gen = PersonGenerator(config)
        others = any(v in ("mailchimp", "meta_ads", "social", "google_ads") for v in vendors)
        for i in range(first_person, config.people):
            if isinstance(source, World):
                person = source.persons[i]
                mtl, atl, stl = source._mc_timelines[i], source._ads_timelines[i], source._social_timelines[i]
            else:
                person = gen.generate(i)
                if others:
                    mtl = mc_p.person_timeline(person, config)
                    atl = ads_p.person_timeline(person, config)
                    stl = soc_p.person_timeline(person, config)
            if hub is not None:
                hub.add(i, person)
            if hub_web is not None:
                hub_web.add(person, source.hubspot_person_events(i) if isinstance(source, World) else None)
            if segment is not None:
                segment.add(person.web)
            for v in (voice, reviews):
                if v is not None:
                    v.add(person)
            if others:
                # every snapshot sees every person: what they aggregate (campaign reports, insights, the crowd)
                # depends on all of them, whichever vendors are written
                rows, (leads, clicks), items = mc.add(mtl), ads.add(atl), soc.add(stl)
                for part, what in ((mail, rows), (meta_ads, leads), (social, items), (google, clicks)):
                    if part is not None:
                        part.add(what)
            if progress is not None and i % 10000 == 0:
                progress(i, config.people)
        for part in (hub, mail, meta_ads, social, google, voice, reviews):
            if part is not None:
                part.finish()
        if "google_business" in vendors:
            load_google_business(st.add, config, now_ms)
        if segment is not None:
            for v in visitors_of(config, first_person, source.visitors if isinstance(source, World) else None):
                segment.add(v.web)
            segment.finish()
        st.finish()
    return st.results


def _voice_parts(
    st: _Streams, vendors: tuple[str, ...], config: WorldConfig, now_ms: int
) -> tuple[TypeformPart | None, TrustpilotPart | None]:
    """The customer's voice parts of a load (``loader_voice.py``), when asked for."""
    voice = reviews = None
    if "typeform" in vendors:
        st.declare("typeform", list(typeform.STREAMS_BY_NAME))
        voice = TypeformPart(st.add, config, now_ms)
    if "trustpilot" in vendors:
        st.declare("trustpilot", ["reviews"])
        reviews = TrustpilotPart(st.add, config, now_ms)
    if "google_business" in vendors:
        st.declare("google_business", ["locations", "reviews"])
    return voice, reviews


def _web_parts(
    st: _Streams, vendors: tuple[str, ...], config: WorldConfig, now_ms: int
) -> tuple[HubSpotWebPart | None, SegmentPart | None]:
    """The website's parts of a load (``loader_web.py``), when asked for."""
    hub_web = segment = None
    if "hubspot_web" in vendors:
        st.declare("hubspot", ["web_events"])
        hub_web = HubSpotWebPart(st.add, config, now_ms)
    if "segment" in vendors:
        st.declare("segment", ["events"])
        segment = SegmentPart(st.add, config, now_ms)
    return hub_web, segment
