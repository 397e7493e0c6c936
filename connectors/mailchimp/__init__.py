"""Mailchimp Marketing API v3 connector (schema ``raw_mailchimp``).

Streams: ``lists`` (audiences), ``list_members`` (incremental on ``last_changed``), ``campaigns``,
``campaign_recipients`` (``/reports/{id}/sent-to``: one row per recipient of a sent campaign) and ``email_activity``
(``/reports/{id}/email-activity``, one record per activity event: :func:`flatten_activity`).

Usage outside Dagster::

    from connectors.mailchimp import MailchimpConfig, MailchimpConnector
    from connectors.raw.store import RawStore

    connector = MailchimpConnector(MailchimpConfig.from_env())
    with RawStore("/abs/path/warehouse.duckdb", "mailchimp") as store, connector:
        results = connector.sync(store, ["lists", "list_members"], mode="incremental")

Mailchimp derives a member's ``stats``, ``member_rating`` and ``email_client`` from activity without moving
``last_changed``, so incremental member syncs do not refresh those fields; the models derive engagement from
``email_activity`` instead, and a full refresh re-reads them.

Modules: ``config`` (``MAILCHIMP_*``), ``client`` (offset paging), ``catalog`` (streams and record contracts),
``readers`` (:func:`shape_items` shapes a page as a sync stores it), ``connector``.
"""

from connectors.mailchimp.catalog import STREAMS, STREAMS_BY_NAME, MailchimpStream, activity_record_id
from connectors.mailchimp.client import MailchimpApi
from connectors.mailchimp.config import API_KEY_ENV, BASE_URL_ENV, MailchimpConfig
from connectors.mailchimp.connector import MailchimpConnector
from connectors.mailchimp.readers import flatten_activity, shape_items

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "STREAMS",
    "STREAMS_BY_NAME",
    "MailchimpApi",
    "MailchimpConfig",
    "MailchimpConnector",
    "MailchimpStream",
    "activity_record_id",
    "flatten_activity",
    "shape_items",
]
