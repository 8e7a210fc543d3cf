"""Month calendars of the archive: one cell per day, shaded by how many briefings it has.

Pure functions of the listings in index.py. A calendar is laid out here, week
by week from Monday, so that a template only prints rows and cells: a day with
briefings links to its date page; a day without is a plain cell.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from briefgen.index import DateGroup, YearGroup

SHADES = 4
"""Shades of a day with briefings: 1 (fewest) to SHADES (as many as the busiest day)."""


@dataclass(frozen=True, slots=True)
class CalendarDay:
    date: dt.date
    count: int
    """Briefings published that day."""
    shade: int
    """0 for none; else 1 to SHADES, relative to the busiest day of the archive."""


@dataclass(frozen=True, slots=True)
class CalendarMonth:
    year: int
    month: int
    weeks: tuple[tuple[CalendarDay | None, ...], ...]
    """Rows of seven cells, Monday first; None before the 1st and after the last day."""
    count: int


@dataclass(frozen=True, slots=True)
class CalendarYear:
    year: int
    months: tuple[CalendarMonth, ...]
    """From the year's first month with a briefing to its last, oldest first, empty months included."""


def shade(count: int, busiest: int) -> int:
    """0 for no briefing; otherwise 1 to SHADES, in proportion to the busiest day."""
    if count <= 0:
        return 0
    return max(1, min(SHADES, math.ceil(count * SHADES / max(busiest, 1))))


def archive_calendars(years: Sequence[YearGroup], busiest: int) -> tuple[CalendarYear, ...]:
    """A calendar for each year, in the order of `years`."""
    return tuple(year_calendar(year, busiest) for year in years)


def busiest_day(years: Sequence[YearGroup]) -> int:
    """The most briefings published on one day (0 for an empty archive)."""
    return max((len(day.briefings) for year in years for month in year.months for day in month.days), default=0)


def year_calendar(year: YearGroup, busiest: int) -> CalendarYear:
    days = {day.date: day for month in year.months for day in month.days}
    numbers = [month.month for month in year.months]
    if not numbers:
        return CalendarYear(year.year, ())
    months = range(min(numbers), max(numbers) + 1)
    return CalendarYear(year.year, tuple(month_calendar(year.year, m, days, busiest) for m in months))


def month_calendar(year: int, month: int, days: dict[dt.date, DateGroup], busiest: int) -> CalendarMonth:
    weeks: list[tuple[CalendarDay | None, ...]] = []
    total = 0
    # Day numbers, not dates: the weeks around January of year 1 and December of
    # 9999 hold days that no datetime.date can stand for.
    for week in calendar.Calendar(firstweekday=0).monthdayscalendar(year, month):
        row: list[CalendarDay | None] = []
        for number in week:
            if number == 0:  # a day of the month before or after
                row.append(None)
                continue
            day = dt.date(year, month, number)
            group = days.get(day)
            count = len(group.briefings) if group is not None else 0
            total += count
            row.append(CalendarDay(day, count, shade(count, busiest)))
        weeks.append(tuple(row))
    return CalendarMonth(year, month, tuple(weeks), total)
