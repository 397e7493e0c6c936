"""Meta's date presets at the calendar's edges (the SDK conformance tests cover an ordinary Wednesday)."""

from __future__ import annotations

from datetime import date

import pytest

from sandbox.server.meta_presets import PRESETS, months_back, preset_range


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.mark.parametrize(
    ("today", "preset", "since", "until"),
    [
        # New Year's Day, a Thursday: the previous quarter, month and year are all last year's
        ("2026-01-01", "last_quarter", "2025-10-01", "2025-12-31"),
        ("2026-01-01", "last_month", "2025-12-01", "2025-12-31"),
        ("2026-01-01", "this_year", "2026-01-01", "2026-01-01"),
        ("2026-01-01", "last_year", "2025-01-01", "2025-12-31"),
        ("2026-01-01", "last_7d", "2025-12-25", "2025-12-31"),
        # a Sunday: the Sunday week starts today, the Monday week six days ago
        ("2026-03-22", "this_week_sun_today", "2026-03-22", "2026-03-22"),
        ("2026-03-22", "this_week_mon_today", "2026-03-16", "2026-03-22"),
        ("2026-03-22", "last_week_sun_sat", "2026-03-15", "2026-03-21"),
        ("2026-03-22", "last_week_mon_sun", "2026-03-09", "2026-03-15"),
        # a Monday
        ("2026-03-16", "this_week_mon_today", "2026-03-16", "2026-03-16"),
        ("2026-03-16", "last_week_mon_sun", "2026-03-09", "2026-03-15"),
        ("2026-03-16", "this_week_sun_today", "2026-03-15", "2026-03-16"),
        # a quarter's first day, and a leap-year February
        ("2026-04-01", "this_quarter", "2026-04-01", "2026-04-01"),
        ("2026-04-01", "last_quarter", "2026-01-01", "2026-03-31"),
        ("2028-03-05", "last_month", "2028-02-01", "2028-02-29"),
        ("2026-03-18", "today", "2026-03-18", "2026-03-18"),
        ("2026-03-18", "yesterday", "2026-03-17", "2026-03-17"),
        ("2026-03-18", "last_3d", "2026-03-15", "2026-03-17"),
        ("2026-03-18", "last_90d", "2025-12-18", "2026-03-17"),
        ("2026-03-18", "maximum", "2023-02-18", "2026-03-18"),
        ("2026-03-18", "data_maximum", "2023-02-18", "2026-03-18"),
    ],
)
def test_preset_boundaries(today, preset, since, until):
    assert preset_range(preset, d(today)) == (d(since), d(until))


def test_every_preset_ends_by_today_and_starts_before_it_ends():
    for today in (d("2026-01-01"), d("2026-02-28"), d("2026-12-31")):
        for preset in PRESETS:
            since, until = preset_range(preset, today)
            assert since <= until <= today, preset


def test_unknown_presets_and_short_months():
    assert preset_range("lifetime", d("2026-03-18")) is None
    assert preset_range("last_2d", d("2026-03-18")) is None  # not a documented value
    assert months_back(d("2026-03-31"), 1) == d("2026-02-28")
    assert months_back(d("2024-03-31"), 1) == d("2024-02-29")
    assert months_back(d("2026-01-15"), 37) == d("2022-12-15")
