"""Vendor projections of the world: ``hubspot`` (+ ``hubspot_schema``, ``hubspot_store``), ``mailchimp``, ``ads``
(Meta Ads and Google Ads; ``google_ads`` holds the GAQL engine), ``social`` (Facebook Page and Instagram) and
``graph`` (Graph API conventions), each turning a person's vendor-neutral journey into that vendor's records."""
