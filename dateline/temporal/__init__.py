"""The temporal engine: find temporal expressions in text and resolve them against a date.

    from dateline.temporal import tag
    tag("The strikes came on Monday.", datetime.date(2022, 12, 20))

`tag` runs the two stages in order: `finder.find` (no dates involved) and `resolver.resolve`
(which alone sees the publication date). The grammar is data, under `lang/<code>/`.
"""
from __future__ import annotations

import datetime as dt

from .finder import find
from .grammar import load
from .periods import PRECISIONS, Period, period_of
from .resolver import Timex, resolve

__all__ = ["tag", "Timex", "Period", "period_of", "PRECISIONS", "EARLIEST_YEAR", "LATEST_YEAR"]

# TIMEX3 writes four-digit years, and a date is resolved within a few years either side
EARLIEST_YEAR, LATEST_YEAR = 1000, 9000


def tag(text: str, dct: dt.date, *, lang: str = "en", day_first: bool = False) -> list[Timex]:
    """Temporal expressions of `text`, in order, resolved against the publication date `dct`.

    `day_first` reads ambiguous numeric dates such as 03/04/2022 as day/month (the default is
    the US month/day order).
    """
    if isinstance(dct, dt.datetime):
        dct = dct.date()
    if not EARLIEST_YEAR <= dct.year <= LATEST_YEAR:
        raise ValueError(f"publication year {dct.year} is outside {EARLIEST_YEAR}-{LATEST_YEAR}")
    grammar = load(lang)
    return resolve(find(text, grammar), text, dct, grammar, day_first=day_first)
