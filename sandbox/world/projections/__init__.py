"""Vendor projections of the world: one module per vendor (``hubspot`` now; Mailchimp, Meta Ads, Google Ads and
the Facebook / Instagram pages later), each turning a person's vendor-neutral journey into that vendor's records."""
