"""Google Ads API (REST) connector (schema ``raw_google_ads``), through ``googleAds:searchStream`` and GAQL.

Streams: ``campaigns``, ``ad_groups``, ``ad_group_daily_metrics`` (one row per ad group and day) and ``click_views``
(one row per click with its gclid, the last :data:`DEFAULT_CLICK_VIEW_DAYS` days only). Payloads are the result rows
exactly as Google sends them.

Usage outside Dagster::

    from datetime import date

    from connectors.google_ads import GoogleAdsConfig, GoogleAdsConnector
    from connectors.raw.store import RawStore

    connector = GoogleAdsConnector(GoogleAdsConfig.from_env(), start_date=date(2026, 1, 1))
    with RawStore("/abs/path/warehouse.duckdb", "google_ads") as store, connector:
        results = connector.sync(store, mode="incremental")

Modules: ``config`` (``GOOGLE_ADS_*``), ``client`` (searchStream and Google's errors), ``catalog`` (streams, their
GAQL and record contracts), ``readers`` (:func:`shape_items` shapes result rows as a sync stores them),
``connector``.
"""

from connectors.google_ads.catalog import (
    AD_GROUPS_QUERY,
    CAMPAIGNS_QUERY,
    CLICKS_QUERY,
    METRICS_QUERY,
    STREAMS,
    STREAMS_BY_NAME,
    GaqlStream,
)
from connectors.google_ads.client import GoogleAdsApi, classify_google_ads
from connectors.google_ads.config import (
    BASE_URL_ENV,
    CUSTOMER_ENV,
    DEFAULT_API_VERSION,
    DEFAULT_CLICK_VIEW_DAYS,
    DEVELOPER_TOKEN_ENV,
    TOKEN_ENV,
    GoogleAdsConfig,
)
from connectors.google_ads.connector import GoogleAdsConnector
from connectors.google_ads.readers import shape_items

__all__ = [
    "AD_GROUPS_QUERY",
    "BASE_URL_ENV",
    "CAMPAIGNS_QUERY",
    "CLICKS_QUERY",
    "CUSTOMER_ENV",
    "DEFAULT_API_VERSION",
    "DEFAULT_CLICK_VIEW_DAYS",
    "DEVELOPER_TOKEN_ENV",
    "METRICS_QUERY",
    "STREAMS",
    "STREAMS_BY_NAME",
    "TOKEN_ENV",
    "GaqlStream",
    "GoogleAdsApi",
    "GoogleAdsConfig",
    "GoogleAdsConnector",
    "classify_google_ads",
    "shape_items",
]
