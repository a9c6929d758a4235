"""The tense of the clause around an expression: past (-1), future (+1) or unknown (0).

Text only, no dates: the finder uses it for rules that hold in one tense alone ("in two weeks"
is a date ahead only in a future clause), and the resolver to choose the direction of a bare
"Monday" or "March".
"""
from __future__ import annotations

import re
from functools import lru_cache

from .grammar import Grammar

PAST, UNKNOWN, FUTURE = -1, 0, 1
PRESENT = 2   # a cue of its own while scanning; reported as UNKNOWN (no direction)
SENTENCE_EDGE = re.compile(r"[.!?]\s+(?=[A-Z\"“'‘(])|\n\s*\n")
WINDOW = 300
# A past-looking form after a modal is part of a future verb group ("will be held"); after a
# present "is/are" it is a passive in the present ("is expected") and tells nothing.
MODAL_BEFORE = re.compile(r"(?:will|shall|'ll|would|going\s+to|to)(?:\s+not|\s+never)?(?:\s+(?:be|have|have\s+been))?\s+$",
                          re.IGNORECASE)
PRESENT_BEFORE = re.compile(r"(?:is|are|am|'s|'re|being)(?:\s+not)?\s+$", re.IGNORECASE)
# A regular past form after a determiner is an adjective ("a still unspecified date", "the
# proposed merger") and tells nothing of the tense.
ADJECTIVE_BEFORE = re.compile(r"(?<![\w'])(?:a|an|the|its|their|his|her|our|your|this|that|these|those|some|any|no|"
                              r"each|every)(?:\s+(?:\w+ly|still|not|yet))?\s+$", re.IGNORECASE)


@lru_cache(maxsize=None)
def _patterns(lang: str, future: tuple, past: tuple, present: tuple, suffix: str, not_past: tuple,
              not_future: tuple):
    def alt(words):
        return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
    fut = re.compile(rf"(?<![\w'])(?!(?:{alt(not_future)})(?!\w))(?:{alt(future)})(?!\w)", re.IGNORECASE)
    pst = re.compile(rf"(?<![\w'])(?:{alt(past)}|[a-z]+{suffix})(?!\w)", re.IGNORECASE)
    pres = re.compile(rf"(?<![\w'])(?:{alt(present)})(?!\w)", re.IGNORECASE)
    return fut, pst, pres, frozenset(w.lower() for w in not_past)


def direction(text: str, start: int, end: int, grammar: Grammar) -> int:
    """HeidelTime's way: the last tense cue before the expression in its sentence decides;
    failing that, the first one after it."""
    lo = max(0, start - WINDOW)
    edges = list(SENTENCE_EDGE.finditer(text, lo, start))
    s_start = edges[-1].end() if edges else lo
    m = SENTENCE_EDGE.search(text, end, min(len(text), end + WINDOW))
    s_end = m.start() + 1 if m else min(len(text), end + WINDOW)
    t = grammar.tense
    fut, pst, pres, not_past = _patterns(grammar.lang, tuple(t["future"]), tuple(t["past"]),
                                         tuple(t["present"]), t["past_suffix"], tuple(t["not_past"]),
                                         tuple(t["not_future"]))
    before, after = (-1, UNKNOWN), (len(text), UNKNOWN)
    for pattern, tense in ((fut, FUTURE), (pst, PAST), (pres, PRESENT)):
        for c in pattern.finditer(text, s_start, s_end):
            if c.start() < end and start < c.end():
                continue  # the expression's own words ("last" in "last Friday") are not a cue
            cue = tense
            if tense == PAST:
                word = c.group().lower()
                if word in not_past:
                    continue
                if word.endswith(t["past_suffix"]) and ADJECTIVE_BEFORE.search(text, max(s_start, c.start() - 30),
                                                                                 c.start()):
                    continue
                lead = text[max(s_start, c.start() - 30):c.start()]
                if MODAL_BEFORE.search(lead):
                    cue = FUTURE
                elif PRESENT_BEFORE.search(lead):
                    continue
            if c.end() <= start and c.start() > before[0]:
                before = (c.start(), cue)
            elif c.start() >= end and c.start() < after[0]:
                after = (c.start(), cue)
    chosen = before[1] if before[1] != UNKNOWN else after[1]
    return UNKNOWN if chosen == PRESENT else chosen
