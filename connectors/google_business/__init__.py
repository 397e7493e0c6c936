"""Google Business Profile connector (schema ``raw_google_business``).

Streams: ``locations`` (the account's stores and offices, Business Information API
``GET /v1/accounts/{account}/locations``) and ``reviews`` (per location, My Business API v4
``GET /v4/accounts/{account}/locations/{location}/reviews``: ``starRating`` ONE..FIVE, ``comment``, ``reviewer``,
``createTime`` / ``updateTime``, ``reviewReply``; incremental on ``updateTime`` per location). Reviews carry no
email or other person identifier: they are location-level facts.

Usage outside Dagster::

    from connectors.google_business import GoogleBusinessConfig, GoogleBusinessConnector
    from connectors.raw.store import RawStore

    connector = GoogleBusinessConnector(GoogleBusinessConfig.from_env())
    with RawStore("/abs/path/warehouse.duckdb", "google_business") as store, connector:
        results = connector.sync(store, mode="incremental")

Modules: ``config`` (``GOOGLE_BUSINESS_*``), ``client`` (two hosts, bearer token, pageToken paging), ``catalog``
(streams and record contracts), ``readers`` (:func:`shape_items`), ``connector``.
"""

from connectors.google_business.catalog import STAR_RATINGS, STREAMS, STREAMS_BY_NAME, GoogleBusinessStream
from connectors.google_business.client import GoogleBusinessApi
from connectors.google_business.config import (
    ACCOUNT_ENV,
    BASE_URL_ENV,
    LOCATIONS_URL_ENV,
    TOKEN_ENV,
    GoogleBusinessConfig,
)
from connectors.google_business.connector import GoogleBusinessConnector
from connectors.google_business.readers import shape_items

__all__ = [
    "ACCOUNT_ENV",
    "BASE_URL_ENV",
    "LOCATIONS_URL_ENV",
    "STAR_RATINGS",
    "STREAMS",
    "STREAMS_BY_NAME",
    "TOKEN_ENV",
    "GoogleBusinessApi",
    "GoogleBusinessConfig",
    "GoogleBusinessConnector",
    "GoogleBusinessStream",
    "shape_items",
]
