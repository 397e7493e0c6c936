"""The contact properties HubSpot computes from a contact's tracked visits (``hubspot_web.py`` sets them), as
``(name, label, type, fieldType)``: read only, in the ``analyticsinformation`` group. The original-source ones
(``hs_analytics_source``, ``…_first_url``, ``…_first_referrer``) were defined before the website existed and stay in
``hubspot_schema.py``."""

WEB_ANALYTICS_PROPERTIES: tuple[tuple[str, str, str, str], ...] = (
    ("hs_analytics_first_timestamp", "Time first seen", "datetime", "date"),
    ("hs_analytics_first_visit_timestamp", "Time of first session", "datetime", "date"),
    ("hs_analytics_last_url", "Last page seen", "string", "text"),
    ("hs_analytics_last_referrer", "Last referring site", "string", "text"),
    ("hs_analytics_last_timestamp", "Time last seen", "datetime", "date"),
    ("hs_analytics_last_visit_timestamp", "Time of last session", "datetime", "date"),
    ("hs_analytics_num_page_views", "Number of pageviews", "number", "number"),
    ("hs_analytics_num_visits", "Number of sessions", "number", "number"),
    ("hs_latest_source", "Latest traffic source", "enumeration", "select"),
    ("hs_latest_source_timestamp", "Latest traffic source date", "datetime", "date"),
)
