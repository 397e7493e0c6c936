"""HubSpot connector: CRM objects, owners, forms, form submissions, web analytics events, and marketing events with
their participations into ``raw_hubspot``.

Usage outside Dagster::

    from connectors.hubspot import HubSpotConfig, HubSpotConnector
    from connectors.raw.store import RawStore

    connector = HubSpotConnector(HubSpotConfig.from_env())
    with RawStore("/abs/path/warehouse.duckdb", "hubspot") as store, connector:
        results = connector.sync(store, mode="incremental")

Modules: ``config`` (settings from ``HUBSPOT_*``), ``client`` (the HTTP client and the endpoints), ``catalog`` (the
streams and their record contracts), ``readers`` (paging, state and resuming per stream; :func:`shape_items`
checks a page against its stream's contract), ``connector``.
"""

from connectors.hubspot.catalog import CRM_STREAMS, STREAMS, STREAMS_BY_NAME, HubSpotStream, get_stream
from connectors.hubspot.client import HubSpotApi, classify_hubspot
from connectors.hubspot.config import BASE_URL_ENV, DEFAULT_BASE_URL, TOKEN_ENV, HubSpotConfig
from connectors.hubspot.connector import HubSpotConnector
from connectors.hubspot.readers import shape_items

__all__ = [
    "BASE_URL_ENV",
    "CRM_STREAMS",
    "DEFAULT_BASE_URL",
    "STREAMS",
    "STREAMS_BY_NAME",
    "TOKEN_ENV",
    "HubSpotApi",
    "HubSpotConfig",
    "HubSpotConnector",
    "HubSpotStream",
    "classify_hubspot",
    "get_stream",
    "shape_items",
]
