"""Resolve found mentions against the publication date (the document creation time, DCT).

Each rule in the grammar names a `kind`; this module has one function per kind. Nothing here
reads the system clock: every relative value comes from the DCT, the sentence's tense, or the
last date the text itself mentioned.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, replace

from .finder import Mention
from .grammar import Grammar, normalise
from .periods import period_of
from .tense import FUTURE, PAST, PRESENT, UNKNOWN, compiled_cues

SEASON_ORDER = ("WI", "SP", "SU", "FA")  # the order they start in within a labelled year, WI last
NEAR_DAYS = 31
MONTH_REACH = 200   # characters after a named month within which "the 14th" is a day of it
# a yearless day or holiday at most this far ahead is the coming one, in a past clause too
# (unless the sentence opens with it): a report placing it nearly a year back would give its year
SET_DATE_AHEAD_DAYS = 2 * NEAR_DAYS
HOLIDAY_AHEAD_IN_PAST_DAYS = 14   # in a past clause, only a holiday this near (it may be under way)
SHORT_YEAR_AHEAD = 20  # a two-digit year at most this far ahead of publication is ahead, else a century back
WEEKS_AS_WEEK = 3      # from this many weeks back or ahead, a count of weeks names a week, not a day
NEAR_AHEAD_MONTHS = 1   # with no tense, news looks back, except to next month
UNIT_CODES = {"Y": "Y", "M": "M", "W": "W", "D": "D", "Q": "Q", "H": "H", "MIN": "M", "S": "S"}


@dataclass(frozen=True)
class Timex:
    start: int
    end: int
    text: str
    type: str              # DATE | TIME | DURATION | SET
    value: str             # a TIMEX3 value
    mod: str | None = None
    rule: str = ""         # the grammar rule that found it, for `explain`
    direction: int = 0     # the tense cue the resolver used: -1 past, 0 none, +1 future, 2 present
    # the date it was counted from when that is one the text established (the value of that
    # date, as resolved); "" when it counts from the publication date or from nothing
    anchor: str = ""


@dataclass
class _Context:
    """What the resolver knows while it walks one text: the DCT and the last date mentioned."""
    text: str
    dct: dt.date
    grammar: Grammar
    day_first: bool
    last_date: dt.date       # start of the last date the text mentioned (the DCT at first)
    anchor_value: str = ""   # that date's value, as resolved
    anchor_used: bool = False    # the mention being resolved counted from it
    anchor_is_day: bool = True
    anchor_end: int = -1     # where the mention of the anchor ends in the text
    anchor_month: bool = False   # the anchor is a month the text named ("In January ... on the 14th")
    quarter: tuple[int, int] | None = None   # the last quarter the text named, (year, q)
    span: tuple[int, int] = (0, 0)           # the mention being resolved
    day_after: dt.date | None = None         # the day named just after a bare clock time
    unanchored: bool = False                 # the mention just resolved names no day of the story
    story_told: bool = False                 # the text tells a story of the past (see story_time)
    in_story: bool = False                   # the mention being resolved counts from the story's time

    @property
    def anchor(self) -> dt.date:
        """The last date the text mentioned; reading it notes that the mention counts from it."""
        self.anchor_used = True
        return self.last_date


APPOSITION = re.compile(r",\s*|\s*[—–]\s*|\s+-\s+")     # between a date and what describes it
EVENT_AFTER = re.compile(r"\s+[^\W\d_]")    # a word: the event a "day before" is named after
DOTTED_DATE = re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}")
# (the words between the two ends of a range, "from April through September", and between a
# clock time and its day, "4:53 p.m. local time (2153 GMT) on Tuesday", are the grammar's)
DASH = re.compile(r"[-–—]")    # "11pm-1am": a listing's span of clock times needs no "from"
CALENDAR_VALUE = re.compile(r"\d{4}-\d\d(?:-\d\d)?")
CLOCK_VALUE = re.compile(r"(\d{4}-\d\d-\d\d)T(\d\d(?::\d\d)?)")


class Reject(Exception):
    """The mention is not a valid date after all (Feb 30, month 13...)."""


# ---------------------------------------------------------------- small calendar helpers

def iso_day(d: dt.date) -> str:
    return d.isoformat()


def iso_week(d: dt.date) -> str:
    year, week, _ = d.isocalendar()
    return f"{year}-W{week:02d}"


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def make_date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise Reject(f"no such date {year}-{month}-{day}") from None


def nth_weekday(year: int, month: int, n: int, weekday: int) -> dt.date:
    """The n-th ISO weekday of a month (n = -1 for the last)."""
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.isoweekday()) % 7 + 7 * (n - 1))
    y, m = add_months(year, month, 1)
    last = dt.date(y, m, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.isoweekday() - weekday) % 7)


def easter(year: int) -> dt.date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def holiday_date(spec: str, year: int) -> dt.date:
    """A holiday in `year` from its spec: "12-25" (a fixed day), "11/4/4" (the 4th Thursday of
    November; -1 is the last), "easter+1" (days from Easter Sunday); "11/1/1+1" adds days."""
    if spec.startswith("easter"):
        offset = int(spec[6:] or 0)
        return easter(year) + dt.timedelta(days=offset)
    if "/" in spec:
        spec, _, offset = spec.partition("+")
        month, n, weekday = (int(x) for x in spec.split("/"))
        return nth_weekday(year, month, n, weekday) + dt.timedelta(days=int(offset or 0))
    month, day = (int(x) for x in spec.split("-"))
    return make_date(year, month, day)


# ---------------------------------------------------------------- numbers and fields

def parse_number(raw: str, numbers: dict) -> float | str:
    """'24' -> 24, 'two and a half' -> 2.5, 'twenty-four' -> 24, 'several' -> 'X'."""
    text = normalise(raw).replace("-", " ")
    if text in {normalise(v) for v in numbers["vague"]}:
        return "X"
    for phrase, value in numbers["counts"].items():
        if text == phrase:
            return value
    for phrase, value in numbers["scales"].items():
        if text == phrase:
            return value
    fraction = 0.0
    for phrase, value in numbers["fractions"].items():
        if text.endswith(" " + phrase):
            fraction = value
            text = text[: -len(phrase) - 1].strip()
    if numbers.get("decimal_comma"):       # "2,5" is two and a half, "1.000" a thousand
        digits = text.replace(" ", "").replace(".", "").replace(",", ".")
    else:
        digits = text.replace(",", "")
    if re.fullmatch(r"\d+(\.\d+)?", digits):
        return float(digits) + fraction
    total = 0
    for word in text.split():
        if word in numbers["tens"]:
            total += numbers["tens"][word]
        elif word in numbers["units"]:
            total += numbers["units"][word]
        else:
            # multi-word unit names such as "a single"
            return float(numbers["units"].get(text, 1)) + fraction
    return float(total) + fraction


def fields_of(mention: Mention, grammar: Grammar) -> dict:
    fields = {}
    for group, raw in mention.groups:
        name, _, macro = group.partition("__")
        macro = macro or name
        if macro == "number":
            fields[name] = parse_number(raw, grammar.numbers)
        elif macro in grammar.lookup:
            fields[name] = grammar.lookup[macro].get(normalise(raw), raw)
        else:
            fields[name] = raw
    return fields


def fmt_number(n: float | str) -> str:
    if n == "X":
        return "X"
    return str(int(n)) if float(n).is_integer() else f"{n:g}"


# ---------------------------------------------------------------- choosing a year

def _fronted(ctx: _Context) -> bool:
    """'On March 3, the army moved in': the date opens its sentence."""
    fronted = compiled_cues(ctx.grammar).fronted
    return bool(fronted and fronted.search(ctx.text, max(0, ctx.span[0] - 40), ctx.span[0]))


def infer_year(ctx: _Context, month: int, day: int | None, direction: int) -> int:
    """The year of a month (and day) given without one, looking back or ahead of the DCT."""
    dct = ctx.dct
    here = (month, day or 0)
    now = (dct.month, dct.day if day else 0)
    if ctx.in_story:
        # a story moves on: the month comes in the months after where it has got to, unless
        # it is only a little before it ("early October 1939 ... late September")
        ahead = (month - dct.month) % 12 <= STORY_AHEAD_MONTHS
        return dct.year + (month < dct.month) if ahead else dct.year - (month > dct.month)
    if day:
        this_year = make_date(dct.year, month, min(day, 28))
        gap = (this_year - dct).days
        if direction == FUTURE and -NEAR_DAYS <= gap < 0:
            return dct.year        # "will mark the Aug. 7 bombings", written Aug. 18: just past
        ahead = this_year if gap > 0 else make_date(dct.year + 1, month, min(day, 28))
        if direction != FUTURE and (ahead - dct).days <= SET_DATE_AHEAD_DAYS and not (
                direction == PAST and _fronted(ctx)):
            # "extended the offer to Nov. 20", "calls for redemption on Dec. 7": past tense or
            # none, a day a few weeks ahead is a set date; one nearly a year back would have its year
            return ahead.year
    elif direction == PAST and (month - dct.month) % 12 == 1:
        return dct.year + (month < dct.month)   # "a summit set for April", written in March
    if direction == FUTURE:
        return dct.year if here >= now else dct.year + 1
    if direction == PAST:
        return dct.year if here <= now else dct.year - 1
    months_ahead = (month - dct.month) % 12
    if months_ahead == 0:
        return dct.year
    # a present clause ("when the case is heard in May") means the nearer one, either side;
    # with no tense at all, news looks back, except to next month
    ahead = months_ahead < 12 - months_ahead if direction == PRESENT else months_ahead <= NEAR_AHEAD_MONTHS
    return dct.year + (month < dct.month) if ahead else dct.year - (month > dct.month)


def weekday_date(ctx: _Context, weekday: int, direction: int, shift: str | None = None,
                 base: dt.date | None = None) -> dt.date:
    """The weekday nearest `base` (the DCT unless given) in the direction the text says."""
    ref = base or ctx.dct
    back = (ref.isoweekday() - weekday) % 7
    ahead = (weekday - ref.isoweekday()) % 7
    if shift == "-1":
        return ref - dt.timedelta(days=back or 7)
    if shift == "+1":
        return ref + dt.timedelta(days=ahead or 7)
    if shift == "0":
        # "this Monday": this week's, unless the clause looks the other way ("the vote is this
        # Monday", written on a Thursday, is the coming one)
        same_week = ref + dt.timedelta(days=weekday - ref.isoweekday())
        if same_week < ref and direction in (FUTURE, PRESENT):
            return same_week + dt.timedelta(days=7)
        if same_week > ref and direction == PAST:
            return same_week - dt.timedelta(days=7)
        return same_week
    if direction == FUTURE:
        return ref + dt.timedelta(days=ahead)
    if direction == PAST or back <= 3:
        return ref - dt.timedelta(days=back)
    return ref + dt.timedelta(days=ahead)      # no tense: the nearer one


def season_value(ctx: _Context, code: str, direction: int, shift: str | None) -> str:
    dct = ctx.dct
    # instances of this season around the DCT, as (label year, first day, last day)
    instances = []
    for y in range(dct.year - 2, dct.year + 2):
        if p := period_of(f"{y:04d}-{code}"):     # none past the year 9999
            instances.append((y, p.start, p.end))
    if shift == "0":
        # "this summer": the one of this calendar year (a winter is labelled by its December)...
        label = dct.year - 1 if code == "WI" and dct.month <= 2 else dct.year
        _, start, end = next(i for i in instances if i[0] == label)
        if direction == PAST and start > dct:
            # ...but one still ahead cannot be told in the past: the one just over ("it was
            # cold this winter", written in March)
            label = max(y for y, _, e in instances if e < dct)
        elif direction == FUTURE and end < dct:
            label = min(y for y, s, _ in instances if s > dct)   # "we will travel this summer" in October
        return f"{label}-{code}"
    if shift == "+1":
        return next(f"{y}-{code}" for y, s, _ in instances if s > dct)
    if shift == "-1":
        return [f"{y}-{code}" for y, _, e in instances if e < dct][-1]
    if direction == FUTURE:
        return next(f"{y}-{code}" for y, _, e in instances if e >= dct)
    return [f"{y}-{code}" for y, s, _ in instances if s <= dct][-1]


def full_year(ctx: _Context, raw: str) -> int:
    """'98 -> 1998 or 2098: the latest that is not far ahead of the DCT (news writes '62 for a
    year gone by far more often than for one decades away)."""
    yy = int(raw.strip("'’"))
    century = ctx.dct.year // 100 * 100
    candidates = (century - 100 + yy, century + yy, century + 100 + yy)
    return max(y for y in candidates if y <= ctx.dct.year + SHORT_YEAR_AHEAD)


def spelled_year(raw: str, numbers: dict) -> int:
    """'nineteen ninety-six' -> 1996, 'two thousand and one' -> 2001, 'the year two thousand' -> 2000
    (the words it skips and the ones for 2000 and "hundred" are the grammar's `spelled_years`)."""
    spelled = numbers["spelled_years"]
    words = [w for w in normalise(raw).replace("-", " ").split() if w not in spelled["fillers"]]
    if words[:2] == spelled["two_thousand"]:
        return 2000 + int(sum(numbers["units"].get(w, 0) + numbers["tens"].get(w, 0) for w in words[2:]))
    high = numbers["units"].get(words[0], 0) or numbers["tens"].get(words[0], 0)
    rest = [w for w in words[1:] if w != spelled["hundred"]]
    return high * 100 + int(sum(numbers["units"].get(w, 0) + numbers["tens"].get(w, 0) for w in rest))


def year_of(ctx: _Context, f: dict) -> int | None:
    if "year" in f:
        return int(f["year"])
    if "year_short" in f:
        return full_year(ctx, f["year_short"])
    if "year_words" in f:
        return spelled_year(f["year_words"], ctx.grammar.numbers)
    if "year_shift" in f:
        return ctx.dct.year + int(f["year_shift"])
    return None


# ---------------------------------------------------------------- one function per rule kind

def kind_date(ctx, f, p, direction):
    """Calendar dates and parts of them, with or without a year."""
    year = year_of(ctx, f)
    mod = f.get("edge") or f.get("edge_joined") or p.get("mod")
    if "holiday" in f:
        spec = f["holiday"]
        if year is None:
            # the coming one in a future clause, or when it is weeks away, unless the clause is
            # told in the past and it is more than a fortnight away ("Black Friday sales rose",
            # written in October, is last year's; "as Easter week began", this year's); else
            # the last one
            dct = ctx.dct
            coming = holiday_date(spec, dct.year)
            coming = coming if coming >= dct else holiday_date(spec, dct.year + 1)
            reach = HOLIDAY_AHEAD_IN_PAST_DAYS if direction == PAST else SET_DATE_AHEAD_DAYS
            if direction == FUTURE or (coming - dct).days <= reach:
                year = coming.year
            else:
                year = dct.year if holiday_date(spec, dct.year) <= dct else dct.year - 1
        day = holiday_date(spec, year)
        return "DATE", iso_week(day) if p.get("week_of") else iso_day(day), mod
    month = None
    if "month" in f:
        month = int(f["month"])
    elif "iso_month" in f:
        month = int(f["iso_month"])
    day = int(re.match(r"\d+", f.get("day") or f.get("iso_day") or "0")[0]) or None
    if day and not month and p.get("day_of_anchor") and ctx.anchor_end >= 0:
        # "April 24 and 25": the month of the date just named (the rule makes sure it is one)
        return "DATE", iso_day(make_date(year or ctx.anchor.year, ctx.anchor.month, day)), mod
    if day and not month and p.get("day_of_month"):
        if "weekday" in f:
            # "Tuesday the 26th": the nearest month where it is a Tuesday, on the side the
            # tense points to
            months = [add_months(ctx.dct.year, ctx.dct.month, k) for k in (0, -1, 1, -2, 2)]
            fits = [dt.date(y, m, day) for y, m in months if day <= calendar.monthrange(y, m)[1]
                    and dt.date(y, m, day).isoweekday() == int(f["weekday"])]
            fits = [d for d in fits if (direction != PAST or d <= ctx.dct) and (direction != FUTURE or d >= ctx.dct)]
            if not fits:
                raise Reject("no such weekday on that day of a month near publication")
            return "DATE", iso_day(fits[0]), mod
        if ctx.anchor_month and ctx.span[0] - ctx.anchor_end < MONTH_REACH and "month_shift" not in f:
            # "In January the firm cut jobs, and on the 14th...": the month just named
            return "DATE", iso_day(make_date(ctx.anchor.year, ctx.anchor.month, day)), mod
        # "by the 20th": this month's, unless the tense points past it
        shift = 1 if direction == FUTURE and day < ctx.dct.day else -1 if direction == PAST and day > ctx.dct.day else 0
        if "month_shift" in f:      # "the 15th of next month"
            shift = int(f["month_shift"])
        y, m = add_months(ctx.dct.year, ctx.dct.month, shift)
        return "DATE", iso_day(make_date(y, m, day)), mod
    if month:
        if year is None and p.get("of_anchor") and ctx.anchor_end >= 0:
            year = ctx.anchor.year      # "that February": of the year the story is telling
        if year is None:
            year = infer_year(ctx, month, day, direction)
            if day and "weekday" in f and "nth" not in f:
                # "Monday 1 March": the year the weekday and the day agree in, if the one
                # inferred is not it (the years either side cannot both be)
                year = next((y for y in (year, year - 1, year + 1) if day <= calendar.monthrange(y, month)[1]
                             and dt.date(y, month, day).isoweekday() == int(f["weekday"])), year)
        if "month_edge" in f:       # "the last day of February"
            day = 1 if int(f["month_edge"]) == 1 else calendar.monthrange(year, month)[1]
        if "nth" in f:              # "the first Monday in October"
            day = nth_weekday(year, month, int(f["nth"]), int(f["weekday"])).day
        if p.get("quarter_of_day"):
            # "the quarter ended Sept. 30": the quarter the report named (a fiscal one may end
            # in any month), else the calendar quarter that day closes
            quarter = ctx.quarter or (year, (month - 1) // 3 + 1)
            return "DATE", f"{quarter[0]}-Q{quarter[1]}", mod
        if day:
            date = make_date(year, month, day)
            return "DATE", iso_week(date) if p.get("week_of") else iso_day(date), mod
        return "DATE", f"{year}-{month:02d}", mod
    if "quarter" in f or "quarter_number" in f:
        q = int(f.get("quarter") or f["quarter_number"])
        if year is None:
            current_q = (ctx.dct.month - 1) // 3 + 1
            year = ctx.dct.year if q <= current_q or direction == FUTURE else ctx.dct.year - 1
        return "DATE", f"{year}-Q{q}", mod
    if "half" in f or "half_number" in f:
        h = int(f.get("half") or f["half_number"])
        if year is None:
            year = ctx.dct.year if h == 1 or ctx.dct.month > 6 or direction == FUTURE else ctx.dct.year - 1
        return "DATE", f"{year}-H{h}", mod
    if "season" in f:
        if year is None and p.get("of_anchor"):
            # "that autumn": the season of the year the story is telling (a winter told in
            # January or February began the year before)
            year = ctx.anchor.year - (f["season"] == "WI" and ctx.anchor.month <= 2)
        if year is not None:
            return "DATE", f"{year}-{f['season']}", mod
        return "DATE", season_value(ctx, f["season"], direction, f.get("shift")), mod
    if year is not None:
        return "DATE", f"{year:04d}", mod
    raise Reject("no date fields")


def kind_numeric_date(ctx, f, p, direction):
    a, b = int(f["numeric_part"]), int(f["numeric_part2"])
    year = year_of(ctx, f)
    month, day = (b, a) if ctx.day_first else (a, b)
    if month > 12 and day <= 12:
        month, day = day, month
    if year is None:
        year = infer_year(ctx, month, day, direction)
    return "DATE", iso_day(make_date(year, month, day)), None


def kind_absolute(ctx, f, p, direction):
    """A fully written date in a rarer form: dateparser reads it (the day order follows the
    `day_first` option, but a dotted date is day-first wherever it is written: "12.03.2013").
    Imported here, late, as it is slow to import and rarely needed."""
    import dateparser
    text = ctx.text[ctx.span[0]:ctx.span[1]]
    day_first = ctx.day_first or DOTTED_DATE.fullmatch(text) is not None
    settings = {"DATE_ORDER": "DMY" if day_first else "MDY", "STRICT_PARSING": True,
                "REQUIRE_PARTS": ["day", "month", "year"], "PREFER_LOCALE_DATE_ORDER": False,
                "RELATIVE_BASE": dt.datetime.combine(ctx.dct, dt.time())}
    parsed = dateparser.parse(text, languages=[ctx.grammar.lang], settings=settings)
    if parsed is None:
        raise Reject(f"dateparser cannot read {text!r}")
    return "DATE", iso_day(parsed.date()), None


def kind_decade(ctx, f, p, direction):
    if "decade_word" in f:     # "the nineties": the latest such decade up to the DCT's
        tens = int(f["decade_word"])
        century = ctx.dct.year // 100 - (tens > ctx.dct.year % 100 // 10)
        return "DATE", f"{century}{tens}", f.get("edge") or p.get("mod")
    raw = f.get("decade") or f.get("decade_short")
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 2:     # '80s
        century = ctx.dct.year // 100
        if int(digits) > ctx.dct.year % 100:
            century -= 1
        digits = f"{century}{digits}"
    if digits.endswith("00") and len(digits) == 4 and int(digits) < 2000:
        return "DATE", digits[:2], f.get("edge") or p.get("mod")    # "the 1800s": the century
    return "DATE", digits[:3], f.get("edge") or p.get("mod")


def kind_era(ctx, f, p, direction):
    """'480 BC', 'August 480 BC': TIMEX3 writes a year before the common era as BC0480."""
    value = f"BC{int(f['bc_year']):04d}"
    return "DATE", value + (f"-{int(f['month']):02d}" if "month" in f else ""), None


def kind_century(ctx, f, p, direction):
    n = int(re.match(r"\d+", f["century_number"])[0]) if "century_number" in f else int(f["century_word"])
    return "DATE", f"{n - 1:02d}", f.get("edge")


def kind_weekday(ctx, f, p, direction):
    # "the previous Friday" counts from the day the story is telling, "last Friday" from the DCT
    base = ctx.anchor if p.get("from_anchor") and ctx.anchor_is_day else None
    d = weekday_date(ctx, int(f["weekday"]), direction, f.get("shift"), base)
    d += dt.timedelta(days=int(p.get("days", 0)))      # "the day before last Tuesday"
    part = f.get("part_of_day")
    if part:
        return "TIME", f"{iso_day(d)}T{part}", None
    return "DATE", iso_day(d), f.get("edge")


def shift_unit(base: dt.date, unit: str, offset: int) -> str:
    if unit == "D":
        return iso_day(base + dt.timedelta(days=offset))
    if unit == "W":
        return iso_week(base + dt.timedelta(weeks=offset))
    if unit == "WE":
        return iso_week(base + dt.timedelta(weeks=offset)) + "-WE"
    if unit == "M":
        y, m = add_months(base.year, base.month, offset)
        return f"{y}-{m:02d}"
    if unit == "Q":
        q = (base.month - 1) // 3
        y, q = divmod(base.year * 4 + q + offset, 4)
        return f"{y}-Q{q + 1}"
    if unit == "H":
        y, h = divmod(base.year * 2 + (base.month - 1) // 6 + offset, 2)
        return f"{y}-H{h + 1}"
    if unit == "Y":
        return f"{base.year + offset:04d}"
    if unit == "DE":
        return f"{base.year // 10 + offset:03d}"
    if unit == "CE":
        return f"{base.year // 100 + offset:02d}"
    raise Reject(f"cannot shift by unit {unit}")


def kind_shift(ctx, f, p, direction):
    """'last year', 'this week', 'next month', 'yesterday': the DCT's period moved by whole units."""
    unit = f.get("unit") or f.get("calendar_unit") or p["unit"]
    offset = int(f.get("shift", p.get("offset", 0)))
    if p.get("ahead_from_month") and ctx.dct.month >= p["ahead_from_month"] and direction != PAST:
        offset += 1     # "resume in the new year", written in the autumn
    value = shift_unit(ctx.dct, unit, offset)
    part = f.get("part_of_day") or f.get("part_before") or p.get("part_of_day")
    if part and unit == "D":
        return "TIME", f"{value}T{part}", None
    return "DATE", value, f.get("edge") or p.get("mod")


def story_day(ctx: _Context) -> dt.date:
    """The day the story is telling: the last day named, unless that is far from publication
    and paragraphs away (a listing's '10.00am' is not on a 1980 date named three items up),
    else the publication day."""
    if not ctx.anchor_is_day:
        return ctx.dct
    if abs((ctx.last_date - ctx.dct).days) <= NEAR_DAYS or ctx.text.count("\n\n", ctx.anchor_end, ctx.span[0]) <= 1:
        return ctx.anchor
    return ctx.dct


def kind_daypart(ctx, f, p, direction):
    """'tonight' and 'overnight' are the publication day's; 'by mid-afternoon', the day the
    story is telling."""
    if "daypart_word" in f:
        return "TIME", f"{iso_day(ctx.dct)}T{f['daypart_word']}", None
    day = story_day(ctx)
    if p.get("publication_night"):
        # "overnight": the night of a day named right after it ("overnight Wednesday") or just
        # before it ("Saturday overnight"), else the night that ends on the publication day,
        # which a timeline dates by that day
        named_before = ctx.anchor_is_day and ctx.anchor_end >= 0 and not ctx.text[ctx.anchor_end:ctx.span[0]].strip()
        day = ctx.day_after or (ctx.anchor if named_before else ctx.dct)
        # dated by publication only, it is not a day the story tells: "closed lower Friday ...
        # overnight losses ... down from the previous Friday" still counts from Friday
        ctx.unanchored = not (ctx.day_after or named_before)
    return "TIME", f"{iso_day(day)}T{f.get('part_of_day') or p['part_of_day']}", f.get("edge")


def kind_shift_month(ctx, f, p, direction):
    """'last April', 'next March', 'this June', 'last Oct. 23'."""
    month, shift, dct = int(f["month"]), f["shift"], ctx.dct
    day = int(re.match(r"\d+", f["day"])[0]) if "day" in f else None
    here, now = (month, day or 0), (dct.month, dct.day if day else 0)
    if not day and not p.get("nearest") and (shift == "-1" and add_months(dct.year, dct.month, -1)[1] == month
                    or shift == "+1" and add_months(dct.year, dct.month, 1)[1] == month):
        # the month just gone is "last month": "last February", written in March, is a year back
        # (and "next April", written in March, a year ahead); a language that says "juin
        # prochain" of the coming June sets `nearest`
        here = now
    if shift == "-1":
        year = dct.year if here < now else dct.year - 1
    elif shift == "+1":
        year = dct.year if here > now else dct.year + 1
    else:
        year = dct.year
    if day:
        return "DATE", iso_day(make_date(year, month, day)), f.get("edge")
    return "DATE", f"{year}-{month:02d}", f.get("edge")


def _amount(f, p):
    """The count and unit an expression gives, the rule's params overriding them."""
    n = p.get("count", f.get("number", 1))
    if "fraction" in f and n != "X":
        n += float(f["fraction"])      # "a year and a half"
    return _in_weeks(n, p.get("unit") or f.get("unit") or f.get("units") or f.get("calendar_unit"))


def _in_weeks(n, unit: str):
    """A fortnight is two weeks."""
    return ((n if n == "X" else 2 * n), "W") if unit == "FN" else (n, unit)


def _moved(base: dt.date, n: float, unit: str, sign: int) -> str:
    """A date n units before (sign -1) or after (sign +1) base, at the precision of the unit."""
    if unit in ("Y", "DE", "CE"):
        years = n * {"Y": 1, "DE": 10, "CE": 100}[unit]
        if base.year + sign * years < 1:
            return "PAST_REF"       # "3,000 years ago": before the common era, no year to write
        if float(years).is_integer():
            return f"{base.year + sign * int(years):04d}"
        y, m = add_months(base.year, base.month, sign * round(years * 12))
        return f"{y:04d}-{m:02d}"
    if unit == "Q":
        y, m = add_months(base.year, base.month, sign * round(3 * n))
        return shift_unit(dt.date(y, m, 1), "Q", 0)
    if unit == "M":
        y, m = add_months(base.year, base.month, sign * round(n))
        return f"{y}-{m:02d}"
    if unit == "W":
        # "a week ago" is seven days back; "six weeks ago" is only as sharp as its week
        day = base + dt.timedelta(days=sign * round(7 * n))
        return iso_week(day) if n >= WEEKS_AS_WEEK else iso_day(day)
    if unit == "D":
        return iso_day(base + dt.timedelta(days=sign * round(n)))
    if unit in ("H", "MIN", "S"):
        return iso_day(base)
    raise Reject(f"cannot move by {unit}")


def kind_ago(ctx, f, p, direction):
    """'three years ago', 'in two weeks', 'a month from now': counted from the DCT;
    'two weeks from Monday' from that day."""
    n, unit = _amount(f, p)
    sign = int(p.get("sign", -1))
    if n == "X":
        return "DATE", "PAST_REF" if sign < 0 else "FUTURE_REF", None
    if unit == "Y" and float(n).is_integer() and ctx.quarter:
        # "profit rose in the third quarter from a year ago": the same quarter, years back
        return "DATE", _quarter_shifted(ctx.quarter, sign * int(n) * 4), f.get("approx")
    if "weekday" in f or "relative_day" in f or "calendar_unit" in f or "season" in f:
        return "DATE", _counted_from_a_day(ctx, f, p, n, unit, sign), f.get("approx")
    return "DATE", _moved(ctx.dct, n, unit, sign), f.get("approx")


def _counted_from_a_day(ctx, f, p, n, unit: str, sign: int) -> str:
    """'two weeks from Monday', 'a week ago Friday', 'a year ago yesterday', 'a year ago this
    month', '60 years ago this spring': counted from that day (or the DCT), at the precision of
    the day or unit named."""
    if "weekday" in f:      # the coming Monday, or for "ago" the last one
        base = weekday_date(ctx, int(f["weekday"]), FUTURE if sign > 0 else PAST, f.get("shift"))
    else:
        base = ctx.dct + dt.timedelta(days=int(f.get("relative_day", 0)))
    if unit not in ("Y", "M", "W", "D") or not float(n).is_integer():
        raise Reject(f"cannot count {n} {unit} from a day")
    n = sign * int(n)
    if "season" in f:       # "60 years ago this spring"
        if unit != "Y":
            raise Reject("a season is counted in years")
        label = season_value(ctx, f["season"], UNKNOWN, "0")
        return f"{int(label[:4]) + n}{label[4:]}"
    if unit in ("Y", "M"):
        y, m = add_months(base.year, base.month, n * (12 if unit == "Y" else 1))
        day = dt.date(y, m, min(base.day, calendar.monthrange(y, m)[1]))   # May 31 less a month: Apr 30
    else:
        day = base + dt.timedelta(days=n * (7 if unit == "W" else 1))
    return shift_unit(day, f["calendar_unit"], 0) if "calendar_unit" in f else iso_day(day)


def _quarter_shifted(quarter: tuple[int, int], quarters: int) -> str:
    y, q = divmod(quarter[0] * 4 + quarter[1] - 1 + quarters, 4)
    return f"{y}-Q{q + 1}"


def kind_reference(ctx, f, p, direction):
    """'the quarter', 'the year-ago period': the quarter the report is about (the last one it
    named, else the last one completed before the DCT), moved by whole years."""
    quarter = ctx.quarter or _last_completed_quarter(ctx.dct)
    if "year" in f:
        # "the 1988 quarter": the report's quarter, in the year named
        return "DATE", f"{int(f['year'])}-Q{quarter[1]}", None
    return "DATE", _quarter_shifted(quarter, 4 * int(p.get("years", 0))), None


def _last_completed_quarter(d: dt.date) -> tuple[int, int]:
    y, q = divmod(d.year * 4 + (d.month - 1) // 3 - 1, 4)
    return y, q + 1


def kind_weekend(ctx, f, p, direction):
    """'the weekend': the one just past in a past clause, the coming one in a future or present
    clause ("the match is at the weekend"); with no tense, the nearer one (written on a Monday
    or Tuesday, the one just past)."""
    dct = ctx.dct
    if dct.isoweekday() >= 6:
        week = dct
    else:
        back = direction == PAST or (direction == UNKNOWN and dct.isoweekday() <= 2)
        week = dct - dt.timedelta(weeks=1) if back else dct
    return "DATE", iso_week(week) + "-WE", None


def kind_anchored(ctx, f, p, direction):
    """'the next day', 'two weeks later', 'the day before': counted from the last date mentioned."""
    n, unit = _amount(f, p)
    sign = int(p.get("sign", 1))
    if p.get("apposition") and ctx.anchor_is_day and APPOSITION.fullmatch(ctx.text, ctx.anchor_end, ctx.span[0]) \
            and EVENT_AFTER.match(ctx.text, ctx.span[1]):
        return "DATE", iso_day(ctx.anchor), None    # "Oct. 12, the day before the crash": Oct. 12
    if p.get("apposition") and ctx.anchor_end < 0 and EVENT_AFTER.match(ctx.text, ctx.span[1]):
        return "DATE", "XXXX-XX-XX", None   # "the day after the earthquake", no date named yet
    if n == "X" or ("count" not in p and ctx.anchor_end < 0):
        # "a few days earlier", or "a week later" with no date named before it: counted from an
        # event, not from publication, so only the span is known ("the next day" still is a day)
        return "DURATION", duration_value(n, unit), None
    if unit == "Y" and float(n).is_integer() and ctx.quarter and not p.get("calendar"):
        return "DATE", _quarter_shifted(ctx.quarter, sign * int(n) * 4), None
    if n == 0 and unit == "D" and ctx.anchor_month and not p.get("calendar"):
        # "last October ... that same day": a day of that month, which one is not told
        day = f"{ctx.anchor.year}-{ctx.anchor.month:02d}-XX"
        return ("TIME", f"{day}T{f['part_of_day']}", None) if "part_of_day" in f else ("DATE", day, None)
    # a day or week counted from a mention of a whole month or year has no anchor to count from
    base = ctx.anchor if ctx.anchor_is_day or unit not in ("D", "W", "H", "MIN", "S") else ctx.dct
    if p.get("calendar"):
        return "DATE", shift_unit(base, unit, int(p.get("sign", 1)) * int(n)), f.get("edge")
    value = _moved(base, n, unit, int(p.get("sign", 1)))
    if "part_of_day" in f:
        return "TIME", f"{value}T{f['part_of_day']}", None      # "the next morning"
    return "DATE", value, None


def duration_value(n, unit: str) -> str:
    if unit == "WE":
        return "P2D" if n == "X" else f"P{fmt_number(2 * n)}D"
    if unit in ("DE", "CE"):
        if n == "X":
            return "PXY" if unit == "DE" else "PXCE"
        return f"P{fmt_number(n * (10 if unit == 'DE' else 100))}Y"
    code = UNIT_CODES[unit]
    if unit == "Y" and n != "X" and not float(n).is_integer():
        return f"P{int(n)}Y{round((n % 1) * 12)}M" if int(n) else f"P{round(n * 12)}M"
    if unit in ("H", "MIN", "S"):
        if unit != "S" and n != "X" and not float(n).is_integer():
            # "an hour and a half" is PT1H30M, "half an hour" PT30M
            whole, part, small = int(n), round((n % 1) * 60), "M" if unit == "H" else "S"
            return f"PT{whole}{code}{part}{small}" if whole else f"PT{part}{small}"
        return f"PT{fmt_number(n)}{code}"
    return f"P{fmt_number(n)}{code}"


ISO_DURATION = re.compile(r"P(?:(?P<Y>\d+)Y)?(?:(?P<M>\d+)M)?(?:(?P<W>\d+)W)?(?:(?P<D>\d+)D)?"
                          r"(?:T(?:(?P<H>\d+)H)?(?:(?P<MIN>\d+)M)?(?:(?P<S>\d+)S)?)?")


def joined_durations(first: str, second: str) -> str:
    """'9 minutes and 29 seconds': PT9M and PT29S as PT9M29S (weeks as days, which ISO 8601
    does not mix with other units); the first alone where the two cannot be joined."""
    order = ("Y", "M", "W", "D", "H", "MIN", "S")
    a, b = ISO_DURATION.fullmatch(first), ISO_DURATION.fullmatch(second)
    a_units = [i for i, u in enumerate(order) if a and a.group(u)]
    b_units = [i for i, u in enumerate(order) if b and b.group(u)]
    if not a_units or not b_units or max(a_units) >= min(b_units):
        return first    # "between 18 months and 60 years" is no sum: smaller units come second
    parts = {u: int(a.group(u) or b.group(u)) for u in order if a.group(u) or b.group(u)}
    if "W" in parts and len(parts) > 1:
        parts["D"] = parts.get("D", 0) + 7 * parts.pop("W")
    date = "".join(f"{parts[u]}{u}" for u in ("Y", "M", "W", "D") if u in parts)
    time = "".join(f"{parts[u]}{u[0]}" for u in ("H", "MIN", "S") if u in parts)
    return "P" + date + ("T" + time if time else "")


def kind_duration(ctx, f, p, direction):
    n, unit = _amount(f, p)
    if "units" in f and "number" not in f and "count" not in p:
        n = "X"             # "for weeks"
    value = duration_value(n, unit)
    if "number2" in f and "units2" in f:
        value = joined_durations(value, duration_value(*_in_weeks(f["number2"], f["units2"])))
    return "DURATION", value, f.get("approx")


def kind_set(ctx, f, p, direction):
    if "value" in p:
        return "SET", p["value"], None
    if "weekday" in f or "weekdays" in f:
        part = f"T{f['part_of_day']}" if "part_of_day" in f else ""
        return "SET", f"XXXX-WXX-{f.get('weekday') or f['weekdays']}{part}", None
    if "month" in f:
        return "SET", f"XXXX-{int(f['month']):02d}", None
    if "season" in f:           # "every summer"
        return "SET", f"XXXX-{f['season']}", None
    if "part_of_day" in f:      # "every morning"
        return "SET", f"XXXX-XX-XXT{f['part_of_day']}", None
    n = f.get("number", 1) if "per_unit" not in f else 1     # "six hours a day" recurs daily
    n, unit = _in_weeks(n, f.get("per_unit") or f.get("unit") or f.get("units"))
    return "SET", duration_value(n, unit), None


def kind_ref(ctx, f, p, direction):
    return "DATE", p["value"], None


def kind_named(ctx, f, p, direction):
    """A day known by its date ("the Sept. 11 attacks"): itself, in texts written after it."""
    if period_of(p["value"]).start >= ctx.dct:
        raise Reject("the named day is not yet past")
    return "DATE", p["value"], None


def kind_time(ctx, f, p, direction):
    """'5 p.m.', '9 a.m. Tuesday', 'noon', '17:30', '2013-03-12 14:05': a clock time on the
    DCT or a named day."""
    if "hour" in f:
        hour = int(f["hour"])
        ampm = (f.get("ampm") or f.get("clock_half") or "").lower().replace(".", "")
        if ampm == "pm" and hour < 12:
            hour += 12
        if ampm == "am" and hour == 12:
            hour = 0
    elif "hour24" in f:
        hour = int(f["hour24"])
    else:
        hour = int(p["hour"])
    if p.get("evening") and 5 <= hour < 12:
        hour += 12      # "at nine last night"
    minute = int(f.get("minute") or 0)
    if "iso_month" in f:
        day = make_date(int(f["year"]), int(f["iso_month"]), int(f["iso_day"]))
    elif "month" in f:
        d = int(re.match(r"\d+", f["day"])[0])
        year = year_of(ctx, f) or infer_year(ctx, int(f["month"]), d, direction)
        day = make_date(year, int(f["month"]), d)
    elif "weekday" in f:
        day = weekday_date(ctx, int(f["weekday"]), direction, f.get("shift"))
    elif "day_offset" in p:
        day = ctx.dct + dt.timedelta(days=int(p["day_offset"]))
    elif ctx.day_after:
        day = ctx.day_after
    else:
        day = story_day(ctx)
    # a zone that is UTC is written Z; others are left as the local time they give
    zone = ctx.grammar.lookup.get("utc_zone", {}).get(normalise(f["timezone"]), "") if "timezone" in f else ""
    if hour == 24:
        return "TIME", f"{iso_day(day)}T24:00{zone}", None
    return "TIME", f"{iso_day(day)}T{hour:02d}:{minute:02d}{zone}", None


KINDS = {name[5:]: fn for name, fn in globals().items() if name.startswith("kind_")}


SHORT_YEAR = re.compile(r"\d{1,3}(?=-)")       # a year before 1000, as an f-string writes it


def bounded_years(value: str) -> str | None:
    """A value with its year written in four digits ("last year" in 1000 is 0999, not the decade
    999), or None where its period runs to the calendar's last day (a decade or century of the
    9990s), past which nothing can count a day on."""
    if (m := SHORT_YEAR.match(value)):
        value = m.group().zfill(4) + value[m.end():]
    period = period_of(value)
    return None if period and period.end >= dt.date.max else value


def resolve_one(mention: Mention, ctx: _Context) -> Timex | None:
    rule = mention.rule
    fields = {**rule.params.get("fields", {}), **fields_of(mention, ctx.grammar)}
    direction = {"past": PAST, "future": FUTURE}.get(rule.params.get("tense"), mention.direction)
    if rule.params.get("tense") == "past unless future":
        direction = FUTURE if mention.direction == FUTURE else PAST
    ctx.span = (mention.start, mention.end)
    ctx.unanchored = False
    ctx.anchor_used = False
    dct = ctx.dct
    story = story_time(rule, fields, ctx, direction)
    if story:
        # a story told in the past: what the text leaves open counts from where it has got to
        ctx.dct, ctx.anchor_used, ctx.in_story = story, True, True
    try:
        type_, value, mod = KINDS[rule.kind](ctx, fields, rule.params, direction)
    except (Reject, ValueError, OverflowError):    # not a date after all, or off the calendar ("9999 quarters earlier")
        return None
    finally:
        ctx.dct, ctx.in_story = dct, False
    value = bounded_years(value)
    if value is None:
        return None
    if rule.params.get("type"):
        type_ = rule.params["type"]
    elif rule.type != "DATE":
        type_ = rule.type
    return Timex(mention.start, mention.end, ctx.text[mention.start:mention.end], type_, value,
                 mod or rule.params.get("mod"), rule.name, direction,
                 ctx.anchor_value if ctx.anchor_used and ctx.anchor_end >= 0 else "")


# A story of the past (a history, a profile) counts what it leaves open from where it has got to.
# The kinds of expression that the publication date would otherwise complete:
STORY_KINDS = frozenset(("date", "numeric_date", "weekday", "shift"))
STORY_YEARS = 2            # the story's date is at least this many years before publication
STORY_AHEAD_MONTHS = 6     # a bare month up to this far after the story's month is ahead of it
# kinds that count from the publication date by their words ("yesterday", "Monday", "ago"):
# a text with more than a few of them is news of its day, not a story of the past
DEICTIC_KINDS = frozenset(("weekday", "shift", "ago"))
DEICTIC_SHARE = 0.05


def story_time(rule, fields: dict, ctx: _Context, direction: int) -> dt.date | None:
    """Where a story told in the past has got to, for an expression that leaves open what the
    publication date would otherwise fill in ("in April", "on June 10", "the end of the month"
    after "September 1939"); None when the text is news of its day, the last date it named is
    near publication, the clause looks ahead or at the present, or the expression is complete."""
    if not ctx.story_told or ctx.anchor_end < 0 or rule.kind not in STORY_KINDS or direction in (FUTURE, PRESENT):
        return None
    if ctx.dct.year - ctx.last_date.year < STORY_YEARS or year_of(ctx, fields) is not None or "holiday" in fields:
        return None
    return ctx.last_date


def day_named_after(mentions: list[Mention], i: int, ctx: _Context) -> dt.date | None:
    """The day a date right after mention i names, past other clock times and parentheses
    ("4:53 p.m. (2153 GMT) on Tuesday"), for a clock time that has no day of its own."""
    end = mentions[i].end
    for later in mentions[i + 1:]:
        if not ctx.grammar.time_to_day.fullmatch(ctx.text, end, later.start):
            return None
        if later.rule.kind != "time":
            between = ctx.text[mentions[i].end:later.start]
            if between.count("(") > between.count(")"):
                return None     # "8 p.m. (0100 GMT Wednesday)": that day is the other zone's
            timex = resolve_one(later, ctx)
            period = period_of(timex.value) if timex and timex.type in ("DATE", "TIME") else None
            return period.start if period and period.precision == "day" else None
        end = later.end
    return None


def _yearless_calendar(timex: Timex, mention: Mention, ctx: _Context) -> bool:
    """A calendar date whose year the text left out ("April", "Oct. 10")."""
    if not CALENDAR_VALUE.fullmatch(timex.value):
        return False
    fields = fields_of(mention, ctx.grammar)
    return "month" in fields and year_of(ctx, fields) is None


def _years_moved(timex: Timex, years: int) -> Timex:
    return replace(timex, value=f"{int(timex.value[:4]) + years:04d}{timex.value[4:]}")


def not_after_publication(timex: Timex, mention: Mention, ctx: _Context) -> Timex:
    """'since April', written in March: a yearless date the text puts behind it is last year's."""
    behind = compiled_cues(ctx.grammar).behind_before
    if behind and behind.search(ctx.text, max(0, mention.start - 12), mention.start) \
            and timex.value > iso_day(ctx.dct)[:len(timex.value)] and _yearless_calendar(timex, mention, ctx):
        return _years_moved(timex, -1)
    return timex


def range_end_after_start(start: Timex, end: Timex, mention: Mention, ctx: _Context) -> Timex:
    """'from April through September': a yearless end that fell before the start is a year later;
    'from 8pm to 6am': a clock time before the start, on the same day, is the next morning's."""
    if CALENDAR_VALUE.fullmatch(start.value) and end.value < start.value[:len(end.value)] \
            and _yearless_calendar(end, mention, ctx):
        return _years_moved(end, 1)
    clock_start, clock_end = CLOCK_VALUE.fullmatch(start.value), CLOCK_VALUE.fullmatch(end.value)
    if clock_start and clock_end and clock_start[1] == clock_end[1] \
            and (clock_end[2] + ":00")[:5] < (clock_start[2] + ":00")[:5]:   # "T17" is 17:00
        next_day = dt.date.fromisoformat(clock_end[1]) + dt.timedelta(days=1)
        return replace(end, value=f"{iso_day(next_day)}T{clock_end[2]}")
    return end


def range_start_in_end_year(start: Timex, start_mention: Mention, end: Timex, end_mention: Mention,
                            ctx: _Context) -> Timex:
    """'from January to June 2012': a yearless start takes the year of the end, or the year
    before when it comes later in the calendar ('from November to March 2012')."""
    if not (_yearless_calendar(start, start_mention, ctx) and CALENDAR_VALUE.fullmatch(end.value)
            and not _yearless_calendar(end, end_mention, ctx)):
        return start
    year = int(end.value[:4]) - (start.value[4:] > end.value[4:len(start.value)])
    return replace(start, value=f"{year:04d}{start.value[4:]}")


def resolve(mentions: list[Mention], text: str, dct: dt.date, grammar: Grammar,
            day_first: bool = False) -> list[Timex]:
    ctx = _Context(text, dct, grammar, day_first or grammar.day_first, last_date=dct)
    ctx.story_told = sum(m.rule.kind in DEICTIC_KINDS for m in mentions) < DEICTIC_SHARE * len(mentions)
    out, out_mentions = [], []
    for i, mention in enumerate(mentions):
        ctx.day_after = day_named_after(mentions, i, ctx) if mention.rule.kind in ("time", "daypart") else None
        timex = resolve_one(mention, ctx)
        if timex is None:
            continue
        timex = not_after_publication(timex, mention, ctx)
        joined = out and grammar.range_join.fullmatch(text, out[-1].end, timex.start)
        if joined and (grammar.range_open.search(text, max(0, out[-1].start - 10), out[-1].start)
                       or (timex.type == out[-1].type == "TIME" and DASH.fullmatch(joined.group().strip()))):
            out[-1] = range_start_in_end_year(out[-1], out_mentions[-1], timex, mention, ctx)
            timex = range_end_after_start(out[-1], timex, mention, ctx)
        out.append(timex)
        out_mentions.append(mention)
        period = period_of(timex.value) if timex.type in ("DATE", "TIME") and not ctx.unanchored else None
        if period:
            ctx.last_date, ctx.anchor_is_day, ctx.anchor_end = period.start, period.precision == "day", timex.end
            ctx.anchor_value = timex.value
            ctx.anchor_month = period.precision == "month"
            # a report is about a quarter it names and that is over ("fourth-quarter charges"
            # ahead are not what "the latest quarter" means)
            if period.precision == "quarter" and mention.rule.kind == "date" and period.end < dct:
                ctx.quarter = (period.start.year, (period.start.month - 1) // 3 + 1)
    return out
