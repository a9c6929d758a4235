"""The whole path from `content/` to an in-memory timeline, stage by stage:
load -> article overrides -> tag/resolve/statements -> statement overrides -> events ->
event overrides. Rendering is separate (render.py), so `check` and `explain` share this."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .articles import Article, Site, future_warnings, load_articles, load_site
from .errors import ContentError, Problem
from .events import Event, build_events
from .overrides import Overrides, Report, apply_to_articles, apply_to_events, apply_to_statements, load_overrides
from .statements import Extraction, extract


@dataclass(frozen=True)
class Timeline:
    site: Site
    articles: tuple[Article, ...]          # as published, hidden ones left out
    extractions: dict                      # article id -> Extraction
    events: tuple[Event, ...]
    overrides: Overrides
    problems: tuple[Problem, ...]          # warnings, and with keep_going the skipped files


def run(content: Path, *, keep_going: bool = False, previous_ids: frozenset = frozenset(),
        today: dt.date | None = None) -> Timeline:
    site = load_site(content)
    articles, skipped = load_articles(content, keep_going=keep_going)
    overrides = load_overrides(content)
    report = Report(overrides, previous_ids)
    articles = apply_to_articles(articles, overrides, report)
    extractions: dict[str, Extraction] = {a.id: extract(a) for a in articles}
    by_id = {a.id: a for a in articles}
    statements = apply_to_statements([s for x in extractions.values() for s in x.statements], overrides, report)
    events = apply_to_events(build_events(statements, by_id), overrides, report, by_id)
    errors = [p for p in report.problems if not p.warning]
    if errors:
        raise ContentError(errors)
    warnings = report.problems + (future_warnings(articles, today) if today else [])
    return Timeline(site, tuple(articles), extractions, tuple(events), overrides, tuple(skipped + warnings))
