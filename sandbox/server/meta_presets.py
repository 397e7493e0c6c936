"""Meta's insights ``date_preset`` values as date ranges, computed against the sandbox's clock.

The values are the ones the Insights API documents
(https://developers.facebook.com/docs/marketing-api/reference/ad-account/insights/ and the SDK's
``AdsInsights.DatePreset``). Days are the ad account's days; the sandbox's account runs on UTC. Meta documents the
names, not every boundary, so the rules below are the sandbox's reading of them: ``last_<n>d`` is the ``n`` whole
days before today; ``this_<period>`` runs from the period's first day to today; ``last_<period>`` is the whole
previous period; weeks start on Monday or Sunday as the name says; ``maximum`` (and ``data_maximum``) reach back the
37 months Meta keeps insights for.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

# Meta keeps 37 months of insights (``date_preset=maximum`` returns at most that much).
RETENTION_MONTHS = 37

PRESETS: tuple[str, ...] = (
    "today",
    "yesterday",
    "this_month",
    "last_month",
    "this_quarter",
    "maximum",
    "data_maximum",
    "last_3d",
    "last_7d",
    "last_14d",
    "last_28d",
    "last_30d",
    "last_90d",
    "last_week_mon_sun",
    "last_week_sun_sat",
    "last_quarter",
    "last_year",
    "this_week_mon_today",
    "this_week_sun_today",
    "this_year",
)

_LAST_DAYS = re.compile(r"^last_(\d+)d$")


def months_back(day: date, months: int) -> date:
    """The same day of the month ``months`` earlier (the month's last day when it is shorter)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    month_end = date(year + (month0 + 1) // 12, (month0 + 1) % 12 + 1, 1) - timedelta(days=1)
    return date(year, month0 + 1, min(day.day, month_end.day))


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def preset_range(preset: str, today: date) -> tuple[date, date] | None:
    """``(since, until)``, both inclusive, for a documented preset; None for anything else."""
    if preset not in PRESETS:
        return None
    yesterday = today - timedelta(days=1)
    if preset == "today":
        return today, today
    if preset == "yesterday":
        return yesterday, yesterday
    if m := _LAST_DAYS.match(preset):
        return today - timedelta(days=int(m.group(1))), yesterday
    if preset in ("maximum", "data_maximum"):
        return months_back(today, RETENTION_MONTHS), today
    month = today.replace(day=1)
    quarter = _quarter_start(today)
    monday = today - timedelta(days=today.weekday())
    sunday = today - timedelta(days=(today.weekday() + 1) % 7)
    if preset == "this_month":
        return month, today
    if preset == "last_month":
        end = month - timedelta(days=1)
        return end.replace(day=1), end
    if preset == "this_quarter":
        return quarter, today
    if preset == "last_quarter":
        end = quarter - timedelta(days=1)
        return _quarter_start(end), end
    if preset == "this_year":
        return today.replace(month=1, day=1), today
    if preset == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    if preset == "this_week_mon_today":
        return monday, today
    if preset == "this_week_sun_today":
        return sunday, today
    if preset == "last_week_mon_sun":
        return monday - timedelta(days=7), monday - timedelta(days=1)
    # last_week_sun_sat, the one preset left
    return sunday - timedelta(days=7), sunday - timedelta(days=1)
