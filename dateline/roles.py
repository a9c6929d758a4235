"""What a dated statement does in its article: report, reference, plan, background or furniture.

A timeline entry is a happening. Only reports of it (written within days of the date) title an
entry; later references to it still count toward how much the date matters, plans and forecasts
are kept apart from what happened, and furniture makes nothing. The cues are data
(data/roles.yaml); this module only reads them.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path

from .headlines import furniture_end
from .yamlio import language_data

DATA = Path(__file__).parent / "data" / "roles.yaml"
REPORT, REFERENCE, PLAN, BACKGROUND, FURNITURE = "report", "reference", "plan", "background", "furniture"
ROLES = (REPORT, PLAN, REFERENCE, BACKGROUND, FURNITURE)     # the order evidence is shown in
FUTURE = 1          # the resolver's direction for a future cue (temporal/tense.py)
LOOK = 40           # characters either side of a date read for cues


@lru_cache(maxsize=None)
def role_data(lang: str = "en") -> dict:
    """The cues of a language: the defaults, with the keys data/<lang>/roles.yaml gives replaced."""
    data = language_data(DATA, lang)
    for key in ("reference_before", "possessive_after", "named_before", "background_cues", "furniture_sentence"):
        data[key + "_re"] = re.compile(data[key], re.IGNORECASE)
    # "named_after" lists nouns in lower case: "the Sept. 11 attacks", not "the 2009 Jackson ..."
    data["named_after_re"] = re.compile(data["named_after"])
    return data


def role_of(sentence: str, start: int, end: int, period_start: dt.date, period_end: dt.date,
            precision: str, direction: int, published: dt.date, lang: str = "en") -> str:
    """The role of the date at sentence[start:end], resolved to [period_start, period_end], in
    an article in `lang` published on `published`."""
    data = role_data(lang)
    opening = furniture_end(sentence)
    if start < opening or data["furniture_sentence_re"].match(sentence, opening):
        return FURNITURE
    if data["background_cues_re"].search(sentence):
        return BACKGROUND
    if period_start > published or direction == FUTURE:
        return PLAN
    before, after = sentence[max(0, start - LOOK):start], sentence[end:end + LOOK]
    if data["reference_before_re"].search(before):
        return REFERENCE
    # "Friday's strikes" named days later refers back; "the overnight strike" that morning reports
    if published > period_end and (data["possessive_after_re"].match(after) or (
            data["named_before_re"].search(before) and data["named_after_re"].match(after))):
        return REFERENCE
    within = data["report_within_days"].get(precision)
    if within is None or (published - period_end).days > within:
        return REFERENCE
    return REPORT


def event_role(member_roles: set[str], period_end: dt.date, story_start: dt.date) -> str:
    """An event's role from its statements': a report makes it a happening of the story; with
    none, an event that ended before the story began (or that only biography tells) is
    background."""
    if REPORT in member_roles:
        return REPORT
    if member_roles <= {BACKGROUND} or (period_end - story_start).days < -role_data()["story_margin_days"]:
        return BACKGROUND
    return PLAN if PLAN in member_roles else REFERENCE
