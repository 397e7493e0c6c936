"""Daily partitions for ad metrics, starting at the platform's start date (``JOURNEYHUB_START_DATE``)."""

import dagster as dg

from pipelines.settings import start_date

daily_partitions = dg.DailyPartitionsDefinition(start_date=start_date().isoformat(), end_offset=1)
