"""Typeform Responses API connector (schema ``raw_typeform``).

Streams: ``forms`` (each form's definition: its fields with id, ref, type, title and properties, and its hidden
field names) and ``responses`` (submitted responses of every form, incremental on ``submitted_at``; the connector
adds the form's id as ``form_id``, and the record id is ``<form_id>:<token>``: :func:`response_record_id`).

Usage outside Dagster::

    from connectors.typeform import TypeformConfig, TypeformConnector
    from connectors.raw.store import RawStore

    connector = TypeformConnector(TypeformConfig.from_env())
    with RawStore("/abs/path/warehouse.duckdb", "typeform") as store, connector:
        results = connector.sync(store, ["forms", "responses"], mode="incremental")

Modules: ``config`` (``TYPEFORM_*``), ``client`` (Bearer token, 2 requests/s, ``before``-token paging), ``catalog``
(streams and record contracts: answers to unknown fields, scores off their scale), ``readers`` (:func:`shape_items`
shapes a page as a sync stores it), ``connector``.
"""

from connectors.typeform.catalog import STREAMS, STREAMS_BY_NAME, TypeformStream, response_record_id, scale_of
from connectors.typeform.client import TypeformApi
from connectors.typeform.config import BASE_URL_ENV, FORM_IDS_ENV, TOKEN_ENV, TypeformConfig
from connectors.typeform.connector import TypeformConnector
from connectors.typeform.readers import shape_items

__all__ = [
    "BASE_URL_ENV",
    "FORM_IDS_ENV",
    "STREAMS",
    "STREAMS_BY_NAME",
    "TOKEN_ENV",
    "TypeformApi",
    "TypeformConfig",
    "TypeformConnector",
    "TypeformStream",
    "response_record_id",
    "scale_of",
    "shape_items",
]
