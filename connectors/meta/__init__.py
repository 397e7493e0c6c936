"""Meta connectors on the Graph API.

- ``meta_ads`` (schema ``raw_meta_ads``): campaigns, ad sets, ads, daily ad-level insights, Lead Ads forms and leads.
- ``social`` (schema ``raw_social``): Facebook Page posts, comments and reactions; Instagram media and comments.

Usage outside Dagster::

    from datetime import date

    from connectors.meta import MetaAdsConnector, MetaConfig, SocialConnector
    from connectors.raw.store import RawStore

    config = MetaConfig.from_env()
    ads = MetaAdsConnector(config, start_date=date(2026, 1, 1))
    with RawStore("/abs/path/warehouse.duckdb", "meta_ads") as store, ads:
        results = ads.sync(store, ["campaigns", "ads_insights"])
    with RawStore("/abs/path/warehouse.duckdb", "social") as store, SocialConnector(config) as social:
        results = social.sync(store)

Modules: ``config`` (``META_*``), ``client`` (Graph paging and errors), ``catalog`` (streams, the fields each reads,
record contracts), ``readers`` (:func:`shape_items` shapes a page of Graph items as a sync stores it), ``connector``.
"""

from connectors.meta.catalog import (
    AD_FIELDS,
    ADSET_FIELDS,
    CAMPAIGN_FIELDS,
    COMMENT_FIELDS,
    IG_COMMENT_FIELDS,
    INSIGHT_FIELDS,
    LEAD_FIELDS,
    LEAD_FORM_FIELDS,
    MEDIA_FIELDS,
    META_ADS_STREAMS,
    META_ADS_STREAMS_BY_NAME,
    POST_FIELDS,
    REACTION_FIELDS,
    SOCIAL_STREAMS,
    SOCIAL_STREAMS_BY_NAME,
    GraphStream,
)
from connectors.meta.client import GraphApi, classify_graph
from connectors.meta.config import BASE_URL_ENV, DEFAULT_API_VERSION, DEFAULT_BASE_URL, TOKEN_ENV, MetaConfig
from connectors.meta.connector import MetaAdsConnector, SocialConnector
from connectors.meta.readers import shape_items

__all__ = [
    "ADSET_FIELDS",
    "AD_FIELDS",
    "BASE_URL_ENV",
    "CAMPAIGN_FIELDS",
    "COMMENT_FIELDS",
    "DEFAULT_API_VERSION",
    "DEFAULT_BASE_URL",
    "IG_COMMENT_FIELDS",
    "INSIGHT_FIELDS",
    "LEAD_FIELDS",
    "LEAD_FORM_FIELDS",
    "MEDIA_FIELDS",
    "META_ADS_STREAMS",
    "META_ADS_STREAMS_BY_NAME",
    "POST_FIELDS",
    "REACTION_FIELDS",
    "SOCIAL_STREAMS",
    "SOCIAL_STREAMS_BY_NAME",
    "TOKEN_ENV",
    "GraphApi",
    "GraphStream",
    "MetaAdsConnector",
    "MetaConfig",
    "SocialConnector",
    "classify_graph",
    "shape_items",
]
