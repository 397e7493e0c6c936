"""One person's journey, built in parts: ``core`` (state and primitives), ``touches`` (ads, forms, sign-ups),
``email`` (campaign activity), ``sales`` (speed to lead, calls, meetings, deals), ``conversions`` (orders, NPS,
referrals) and ``personas`` (the five personas' scripts and :class:`~sandbox.world.journey.personas.Journey`)."""
