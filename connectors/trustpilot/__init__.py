"""Trustpilot business API connector (schema ``raw_trustpilot``).

Stream: ``reviews``, the business unit's private reviews (``GET /v1/private/business-units/{id}/reviews``): stars,
title, text, language, ``createdAt`` / ``updatedAt``, the consumer, and the two fields that tie a review to a
person: ``referralEmail`` (as the business sent the invitation, case and whitespace as typed) and ``referenceId``
(the order id). Incremental on ``updatedAt`` (``createdAt`` until revised) with a lookback on the creation time.

Usage outside Dagster::

    from connectors.trustpilot import TrustpilotConfig, TrustpilotConnector
    from connectors.raw.store import RawStore

    connector = TrustpilotConnector(TrustpilotConfig.from_env())
    with RawStore("/abs/path/warehouse.duckdb", "trustpilot") as store, connector:
        results = connector.sync(store, mode="incremental")

Modules: ``config`` (``TRUSTPILOT_*``), ``client`` (OAuth client-credentials token, page/perPage paging),
``catalog`` (the stream and its record contract), ``readers`` (:func:`shape_items`), ``connector``.
"""

from connectors.trustpilot.catalog import STREAMS, STREAMS_BY_NAME, TrustpilotStream
from connectors.trustpilot.client import TrustpilotApi
from connectors.trustpilot.config import (
    BASE_URL_ENV,
    BUSINESS_UNIT_ENV,
    CLIENT_ID_ENV,
    CLIENT_SECRET_ENV,
    TrustpilotConfig,
)
from connectors.trustpilot.connector import TrustpilotConnector
from connectors.trustpilot.readers import shape_items

__all__ = [
    "BASE_URL_ENV",
    "BUSINESS_UNIT_ENV",
    "CLIENT_ID_ENV",
    "CLIENT_SECRET_ENV",
    "STREAMS",
    "STREAMS_BY_NAME",
    "TrustpilotApi",
    "TrustpilotConfig",
    "TrustpilotConnector",
    "TrustpilotStream",
    "shape_items",
]
