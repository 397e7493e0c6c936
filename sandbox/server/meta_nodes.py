"""The Graph nodes and edges the sandbox serves: the ad account and its campaigns, ad sets and ads (Marketing API),
lead forms and leads (Lead Ads: https://developers.facebook.com/docs/marketing-api/guides/lead-ads/retrieving), the
Facebook Page's posts, comments and reactions (https://developers.facebook.com/docs/graph-api/reference/page/feed)
and the Instagram account's media and comments
(https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media); insights and
report runs are answered by :mod:`sandbox.server.meta_insights`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sandbox.server.base import Request, Response
from sandbox.server.meta_graph import ACCOUNT_NODE, GraphHandlers, body_params, graph_error
from sandbox.server.meta_insights import InsightsApi
from sandbox.world import catalog
from sandbox.world.projections import ads as ads_p
from sandbox.world.projections import social as soc_p
from sandbox.world.projections.graph import select
from sandbox.world.timeutil import parse_time_ms
from sandbox.world.world import World


class GraphNodes(GraphHandlers):
    """``GET /{version}/{node}``, ``GET /{version}/{node}/{edge}`` and ``POST /{version}/{node}/{edge}``."""

    def __init__(self, world: World, base_url: Callable[[], str], insights: InsightsApi) -> None:
        super().__init__(world, base_url)
        self.insights = insights

    def get_node(self, req: Request) -> Response:
        bad = self._version_ok(req)
        if bad:
            return bad
        node = req.params["node"]
        run = self.insights.reports.get(node)
        if run is not None:
            return Response.json(200, self.insights.report_status(run), records=1)
        obj, node_type = self._find_object(node)
        if obj is None:
            return graph_error(
                400,
                100,
                f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded due to missing "
                "permissions, or does not support this operation.",
                subcode=33,
            )
        spec = self._fields(req, node_type, obj)
        if isinstance(spec, Response):
            return spec
        return Response.json(200, select(obj, spec), records=1)

    def _find_object(self, node: str) -> tuple[dict[str, Any] | None, str]:
        if node == ACCOUNT_NODE:
            return {
                "id": ACCOUNT_NODE,
                "account_id": catalog.META_AD_ACCOUNT_ID,
                "name": "Lumenstack ads",
                "currency": catalog.META_CURRENCY,
                "timezone_name": "Etc/GMT",
                "account_status": 1,
            }, "AdAccount"
        if node == catalog.META_PAGE_ID:
            return {"id": node, "name": catalog.META_PAGE_NAME, "category": "Software"}, "Page"
        if node == catalog.META_IG_USER_ID:
            return {"id": node, "username": catalog.META_IG_USERNAME, "name": catalog.META_PAGE_NAME}, "IGUser"
        for kind, objs in (
            ("Campaign", ads_p.meta_campaigns()),
            ("AdSet", ads_p.meta_adsets()),
            ("Ad", ads_p.meta_ads()),
        ):
            for o in objs:
                if o["id"] == node:
                    return o, kind
        for f in ads_p.lead_forms():
            if f["id"] == node:
                return f, "LeadgenForm"
        snap = self.world.social_snapshot()
        for p in snap.fb_posts():
            if p["id"] == node:
                return p, "Post"
        for m in snap.ig_media():
            if m["id"] == node:
                return m, "IGMedia"
        return None, ""

    def get_edge(self, req: Request) -> Response:
        bad = self._version_ok(req)
        if bad:
            return bad
        node, edge = req.params["node"], req.params["edge"]
        if node in self.insights.reports and edge == "insights":
            return self.insights.report_results(req, self.insights.reports[node])
        if node == ACCOUNT_NODE:
            if edge == "campaigns":
                return self._objects(req, "Campaign", ads_p.meta_campaigns())
            if edge == "adsets":
                return self._objects(req, "AdSet", ads_p.meta_adsets())
            if edge == "ads":
                return self._objects(req, "Ad", ads_p.meta_ads())
            if edge == "insights":
                return self.insights.insights_sync(req)
        elif node == catalog.META_PAGE_ID:
            if edge == "leadgen_forms":
                return self._objects(req, "LeadgenForm", ads_p.lead_forms())
            if edge in ("posts", "feed", "published_posts"):
                return self._posts(req)
        elif node == catalog.META_IG_USER_ID and edge == "media":
            return self._media(req)
        elif edge == "leads" and node in {f[0] for f in catalog.META_LEAD_FORMS}:
            return self._leads(req, node)
        elif edge in ("comments", "reactions"):
            snap = self.world.social_snapshot()
            n_fb = snap.n_posts["facebook"]
            n_ig = snap.n_posts["instagram"]
            if node in {catalog.post_id("facebook", n) for n in range(n_fb)}:
                return self._children(req, snap, "facebook", "comment" if edge == "comments" else "reaction", node)
            if edge == "comments" and node in {catalog.post_id("instagram", n) for n in range(n_ig)}:
                return self._children(req, snap, "instagram", "comment", node)
        obj, node_type = self._find_object(node)
        if obj is None:
            return graph_error(
                400,
                100,
                f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded due to missing "
                "permissions, or does not support this operation.",
                subcode=33,
            )
        return graph_error(400, 100, f"(#100) Tried accessing nonexisting field ({edge}) on node type ({node_type})")

    def post_edge(self, req: Request) -> Response:
        bad = self._version_ok(req)
        if bad:
            return bad
        if req.params["node"] != ACCOUNT_NODE or req.params["edge"] != "insights":
            return graph_error(400, 100, "(#100) Unsupported post request.")
        form = body_params(req)
        if form is None:
            return graph_error(400, 100, "(#100) The request body must be a form or a JSON object")
        merged = Request(
            req.method, req.path, {**req.query, **{k: [v] for k, v in form.items()}}, req.headers, b"", req.params
        )
        return self.insights.start_report(merged)

    # -- edges -------------------------------------------------------------------------------------------------

    def _objects(self, req: Request, node_type: str, objs: list[dict[str, Any]]) -> Response:
        spec = self._fields(req, node_type, objs[0] if objs else None)
        if isinstance(spec, Response):
            return spec
        return self._paged(req, [(o["id"], select(o, spec)) for o in objs])

    def _posts(self, req: Request) -> Response:
        snap = self.world.social_snapshot()
        posts = snap.fb_posts()
        spec = self._fields(req, "Post", posts[0] if posts else soc_p.fb_post_json(0))
        if isinstance(spec, Response):
            return spec
        since, until = req.arg("since"), req.arg("until")
        if since or until:

            def t(v: str) -> int:
                return int(v) * 1000 if v.isdigit() else parse_time_ms(v)

            lo = t(since) if since else 0
            hi = t(until) if until else 1 << 62
            posts = [p for p in posts if lo <= parse_time_ms(p["created_time"]) <= hi]
        return self._paged(req, [(p["id"], select(p, spec)) for p in posts])

    def _media(self, req: Request) -> Response:
        media = self.world.social_snapshot().ig_media()
        spec = self._fields(req, "IGMedia", media[0] if media else soc_p.ig_media_json(0, 0, 0))
        if isinstance(spec, Response):
            return spec
        return self._paged(req, [(m["id"], select(m, spec)) for m in media])

    def _children(self, req: Request, snap, platform: str, kind: str, node: str) -> Response:
        items = snap.children(platform, kind, node)
        if kind == "reaction":
            node_type, sample = "Reaction", {"id": "", "name": "", "type": ""}
        elif platform == "facebook":
            node_type = "Comment"
            sample = {"id": "", "message": "", "created_time": "", "from": {}, "like_count": 0}
        else:
            node_type = "IGComment"
            sample = {"id": "", "text": "", "timestamp": "", "username": "", "from": {}, "like_count": 0}
        spec = self._fields(req, node_type, sample)
        if isinstance(spec, Response):
            return spec
        if kind == "comment" and (req.arg("order") or "chronological") == "reverse_chronological":
            items = items[::-1]
        keyed = [([it.ts, it.item_id], select(it.json(), spec, always_id=kind != "reaction")) for it in items]
        return self._paged(req, keyed)

    def _leads(self, req: Request, form_id: str) -> Response:
        snap = self.world.ads_snapshot()
        leads = sorted(snap.leads.get(form_id, []), key=lambda x: (-x[0].ts, x[0].lead_id))
        sample = ads_p.lead_json(leads[0][0]) if leads else None
        spec = self._fields(
            req,
            "Lead",
            sample
            or {
                "id": "",
                "created_time": "",
                "field_data": [],
                "ad_id": "",
                "ad_name": "",
                "adset_id": "",
                "campaign_id": "",
                "campaign_name": "",
                "form_id": "",
                "platform": "",
                "is_organic": False,
            },
        )
        if isinstance(spec, Response):
            return spec
        filtering = req.arg("filtering")
        if filtering:
            try:
                filters = json.loads(filtering)
            except ValueError:
                return graph_error(400, 100, "(#100) param filtering must be a JSON array")
            for f in filters if isinstance(filters, list) else []:
                if f.get("field") != "time_created":
                    return graph_error(400, 100, f"(#100) Filtering field {f.get('field')} is invalid")
                op = str(f.get("operator", "")).upper()
                try:
                    v = int(f.get("value")) * 1000
                except (TypeError, ValueError):
                    return graph_error(400, 100, "(#100) time_created filter value must be an epoch in seconds")
                ops = {
                    "GREATER_THAN": lambda ts, v=v: ts // 1000 * 1000 > v,
                    "LESS_THAN": lambda ts, v=v: ts // 1000 * 1000 < v,
                    "GREATER_THAN_OR_EQUAL": lambda ts, v=v: ts // 1000 * 1000 >= v,
                    "LESS_THAN_OR_EQUAL": lambda ts, v=v: ts // 1000 * 1000 <= v,
                }
                if op not in ops:
                    return graph_error(400, 100, f"(#100) Filtering operator {op} is invalid")
                leads = [x for x in leads if ops[op](x[0].ts)]
        return self._paged(req, [([-lead.ts, lead.lead_id], select(ads_p.lead_json(lead), spec)) for lead, _ in leads])
