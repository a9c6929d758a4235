"""TIMEX3 date values as calendar periods: first day, last day and precision."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

PRECISIONS = ("century", "decade", "year", "half", "quarter", "season", "month", "week", "day")
SEASON_MONTHS = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "WI": (12, 2)}

_DAY = re.compile(r"^(\d{4})-(\d\d)-(\d\d)(?:T.*)?$")
_WEEK = re.compile(r"^(\d{4})-W(\d\d?)(-WE)?$")
_MONTH = re.compile(r"^(\d{4})-(\d\d)$")
_SEASON = re.compile(r"^(\d{4})-(SP|SU|FA|WI)$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_YEAR = re.compile(r"^(\d{4})$")
_DECADE = re.compile(r"^(\d{3})$")
_CENTURY = re.compile(r"^(\d\d)$")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date          # inclusive
    precision: str


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def iso_week_start(year: int, week: int) -> dt.date:
    return dt.date.fromisocalendar(year, week, 1)


def period_of(value: str) -> Period | None:
    """The period a TIMEX3 DATE/TIME value names, or None for REF, undated and invalid values."""
    if not value or "X" in value or value.endswith("_REF"):
        return None
    try:
        if m := _DAY.match(value):
            d = dt.date(int(m[1]), int(m[2]), int(m[3]))
            return Period(d, d, "day")
        if m := _WEEK.match(value):
            start = iso_week_start(int(m[1]), int(m[2]))
            if m[3]:
                return Period(start + dt.timedelta(days=5), start + dt.timedelta(days=6), "week")
            return Period(start, start + dt.timedelta(days=6), "week")
        if m := _MONTH.match(value):
            y, mo = int(m[1]), int(m[2])
            return Period(dt.date(y, mo, 1), _month_end(y, mo), "month")
        if m := _SEASON.match(value):
            y = int(m[1])
            first, last = SEASON_MONTHS[m[2]]
            end_year = y + 1 if last < first else y
            return Period(dt.date(y, first, 1), _month_end(end_year, last), "season")
        if m := _QUARTER.match(value):
            y, q = int(m[1]), int(m[2])
            return Period(dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q), "quarter")
        if m := _HALF.match(value):
            y, h = int(m[1]), int(m[2])
            return Period(dt.date(y, 6 * h - 5, 1), _month_end(y, 6 * h), "half")
        if m := _YEAR.match(value):
            y = int(m[1])
            return Period(dt.date(y, 1, 1), dt.date(y, 12, 31), "year")
        if m := _DECADE.match(value):
            y = int(m[1]) * 10
            return Period(dt.date(max(y, 1), 1, 1), dt.date(y + 9, 12, 31), "decade")
        if m := _CENTURY.match(value):
            y = int(m[1]) * 100
            return Period(dt.date(max(y, 1), 1, 1), dt.date(y + 99, 12, 31), "century")
    except (ValueError, OverflowError):    # no such day, or past the year 9999
        return None
    return None
