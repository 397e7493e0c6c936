"""The website and the mobile app: devices, visits, sessions and identity calls of the world's people and of its
anonymous visitors (docs/sandbox.md, "The website"). Vendor projections of it: ``projections/segment*.py`` (the
Segment-spec event files) and ``projections/hubspot_web.py`` (HubSpot's web analytics)."""
