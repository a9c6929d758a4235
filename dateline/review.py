"""`python build.py review`: the statements most likely to be wrong, each with an override
snippet ready to paste into content/overrides.yaml."""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass

from .overrides import statement_snippet
from .pipeline import Timeline
from .statements import Statement
from .temporal.tense import PRESENT, UNKNOWN

WEEKDAY_RULE = re.compile(r"^weekday")
MONTH_RULES = re.compile(r"^(month|month-day|may-month)(#\d+)?$")   # a month, or a day, with no year
NUMERIC = re.compile(r"^(\d{1,2})/(\d{1,2})/")


@dataclass(frozen=True)
class Doubt:
    score: int
    statement: Statement
    reason: str


def doubts(timeline: Timeline) -> list[Doubt]:
    articles = timeline.articles_by_id
    by_article = defaultdict(list)
    for e in timeline.events:
        for s in e.statements:
            by_article[s.article].append(s)
    found = []
    for x in timeline.extractions.values():
        published = articles[x.article].published
        statements = by_article[x.article]
        ahead = [s for s in statements if dt.date.fromisoformat(s.period_start) > published]
        if len(statements) >= 3 and len(ahead) * 2 > len(statements):
            for s in ahead:
                found.append(Doubt(3, s, f"most dates in this article fall after its publication date "
                                         f"({published}): is 'published' right?"))
        for s in statements:
            if s.changed:
                continue      # an editor has already looked at it
            if WEEKDAY_RULE.match(s.rule) and s.direction in (UNKNOWN, PRESENT) and not s.expression.lower().startswith(("last", "next", "this")):
                found.append(Doubt(2, s, "a bare weekday in a sentence with no clear tense"))
            elif MONTH_RULES.match(s.rule) and not re.search(r"\d{4}", s.expression):
                start = dt.date.fromisoformat(s.period_start)
                if abs((start - published).days) > 300 or published.month in (1, 12) and start.month in (1, 12):
                    found.append(Doubt(2, s, "a month without a year, near a year boundary"))
            elif (m := NUMERIC.match(s.expression)) and m.group(1) != m.group(2) and \
                    int(m.group(1)) <= 12 and int(m.group(2)) <= 12:
                found.append(Doubt(2, s, "a numeric date that reads either way (month/day or day/month)"))
    unique = {}
    for d in sorted(found, key=lambda d: (-d.score, d.statement.id)):
        unique.setdefault(d.statement.id, d)
    return sorted(unique.values(), key=lambda d: (-d.score, d.statement.article, d.statement.position))


def print_review(timeline: Timeline) -> int:
    articles = timeline.articles_by_id
    items = doubts(timeline)
    if not items:
        print("nothing looks doubtful")
        return 0
    print(f"{len(items)} statement(s) worth a look; paste a snippet under 'statements:' in "
          f"content/overrides.yaml and fix the date, or set 'hide: true'. The quote finds the statement "
          f"again if its sentence is edited.\n")
    for d in items:
        s = d.statement
        print(f"# {articles[s.article].path}: {d.reason}")
        print(f"#   \"{s.sentence[:140]}\"")
        print(f"#   {s.expression!r} was read as {s.value} (published {articles[s.article].published})")
        snippet = statement_snippet(s, f"date: {s.value.split('T')[0]}")
        print("".join(f"  {line}\n" for line in snippet.splitlines()))
    return 0
