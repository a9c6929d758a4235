"""The whole path from `content/` to an in-memory timeline, stage by stage:
load -> article overrides -> tag/resolve/statements (cached, in parallel) -> statement
overrides -> events -> event overrides. Rendering is separate (render.py), so `check`,
`explain` and `review` share this."""
from __future__ import annotations

import datetime as dt
import functools
import gc
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .articles import Article, Site, future_warnings, load_articles, load_site, titled
from .budget import within_budget
from .buildstate import ArticleIndex, StatementPack
from .cache import Cache
from .errors import ContentError, Problem, in_order
from .events import Event, EventsMemo, build_events
from .overrides import (Overrides, Previous, Report, apply_to_articles, apply_to_events, apply_to_statements,
                        load_overrides)
from .parallel import die_with_parent, settle
from .progress import Progress
from .statements import Extraction, extract
from .temporal.grammar import keep_compiled_in

PARALLEL_FROM = 24      # fewer articles than this are quicker to do in one process


@dataclass(frozen=True)
class Timeline:
    site: Site
    articles: tuple[Article, ...]          # as published, hidden ones left out
    extractions: dict                      # article id -> Extraction
    events: tuple[Event, ...]
    overrides: Overrides
    problems: tuple[Problem, ...]          # warnings, and with keep_going the skipped files
    cached: int = 0                        # articles whose extraction came from the cache
    aliases: dict = field(default_factory=dict)   # id -> older ids that overrides still use for it

    @functools.cached_property
    def articles_by_id(self) -> dict[str, Article]:
        """Made once: pages and exports look an article up for every citation."""
        return {a.id: a for a in self.articles}


@dataclass
class Warm:
    """What a long-running process (`serve`) keeps of its last build for the next one, never on
    disk: the article index and the statement pack with the Articles and statements made of
    them (buildstate.py: taken again while their files are as that build left them), the events
    made from those statements and articles, what making them keeps for the next time
    (events.EventsMemo), and the events' fingerprints (render.py). Each is taken again only
    where its inputs are the very same objects or equal values, so a build with it gives the
    site a build without it gives."""
    index: ArticleIndex | None = None
    pack: StatementPack | None = None
    events: tuple[list, list, list] | None = None      # (statements, articles, the events made of them)
    events_memo: EventsMemo = field(default_factory=EventsMemo)
    fingerprints: dict = field(default_factory=dict)


_worker_cache = Cache(None)


def _start_worker(cache_folder: Path | None, build_pid: int) -> None:
    """In a worker: keep the cache to write into, and end with the build that started it."""
    global _worker_cache
    _worker_cache = Cache(cache_folder)
    keep_compiled_in(_worker_cache if cache_folder else None)
    die_with_parent(build_pid)


def _extract_and_store(article: Article) -> Extraction | Problem:
    """In a worker: extract, and write the cache entry here rather than in the busy parent.
    An article over its time budget gives a Problem instead."""
    extraction = within_budget(extract, article)
    if isinstance(extraction, Extraction):
        _worker_cache.put(article, extraction)
    return extraction


def extract_all(articles: list[Article], cache: Cache, jobs: int, dask: str | None = None,
                warm: Warm | None = None) -> tuple[dict[str, Extraction], list[Problem]]:
    """Every article's extraction: from the cache where it checks out (or from `warm`), else
    computed, in parallel processes when there are many, or on Dask when `dask` names a
    scheduler (see dask_executor.py); and the articles that ran over their time budget."""
    out: dict[str, Extraction] = {}
    missing = []
    gc.disable()    # decoding makes millions of objects and no cycles: nothing for the collector
    try:
        pack = StatementPack(cache, warm.pack if warm else None)
        for a in articles:
            cached = pack.get(a)
            if cached is None:
                missing.append(a)
            else:
                out[a.id] = cached
    finally:
        settle()    # they live as long as the build: no collection while extracting need walk them
        gc.enable()
    progress = Progress("extracting", len(missing))
    keep_compiled_in(cache if cache.folder else None)
    if dask and missing:
        from .dask_executor import extract_on_dask
        by_id = {a.id: a for a in missing}
        for x in extract_on_dask(missing, dask, jobs):
            out[x.article] = x
            cache.put(by_id[x.article], x)
            pack.put(by_id[x.article], x)
            progress.step()
    elif jobs > 1 and len(missing) >= PARALLEL_FROM:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker,
                                 initargs=(cache.folder, os.getpid())) as pool:
            for a, x in zip(missing, pool.map(_extract_and_store, missing, chunksize=16)):
                out[a.id] = x
                if isinstance(x, Extraction):
                    pack.put(a, x)
                progress.step()
    else:
        for a in missing:
            out[a.id] = x = within_budget(extract, a)
            if isinstance(x, Extraction):
                cache.put(a, x)
                pack.put(a, x)
            progress.step()
    pack.save()
    if warm is not None:
        warm.pack = pack
    slow = [x for x in out.values() if isinstance(x, Problem)]
    return {k: x for k, x in out.items() if isinstance(x, Extraction)}, slow


def events_of(statements: list, articles: dict[str, Article], cache: Cache, jobs: int,
              warm: Warm | None = None) -> list[Event]:
    """build_events, or the events `warm` kept when they were made from equal statements and
    articles (build_events reads nothing else). Both are mostly the very objects the article
    index and the statement pack handed out last time: only those made anew are compared."""
    if warm is None:
        return build_events(statements, articles, cache, jobs)
    kept_articles = list(articles.values())
    if warm.events is not None:
        last_statements, last_articles, events = warm.events
        if len(last_statements) == len(statements) and \
                all(s is last or s == last for s, last in zip(statements, last_statements)) and \
                last_articles == kept_articles:
            return events
    events = build_events(statements, articles, cache, jobs, warm.events_memo)
    warm.events = (statements, kept_articles, events)
    return events


def run(content: Path, *, keep_going: bool = False, previous: Callable[[], Previous] = Previous,
        today: dt.date | None = None, cache: Cache | None = None, jobs: int = 1,
        dask: str | None = None, warm: Warm | None = None) -> Timeline:
    """The timeline, or a ContentError with every problem found, in file and line order. With
    `warm`, what the last build of this process made is taken again where it is the same."""
    problems = []
    try:
        site = load_site(content)
    except ContentError as e:
        site, problems = None, e.problems
    cache = cache or Cache(None)
    index = ArticleIndex(cache, content, site.language if site else "en", warm.index if warm else None)
    try:
        articles, skipped = load_articles(content, keep_going=keep_going,
                                          language=site.language if site else "en", index=index)
        index.save()
        if warm is not None:
            warm.index = index
    except ContentError as e:
        articles, skipped, problems = None, [], problems + e.problems
    overrides = load_overrides(content)
    problems += overrides.problems
    if site is None or articles is None:
        raise ContentError(in_order(problems))
    report = Report(overrides, previous)
    articles = apply_to_articles(articles, overrides, report)
    extractions, slow = extract_all(articles, cache, jobs, dask, warm)
    if slow and not keep_going:
        raise ContentError(in_order(problems + slow))
    articles, skipped = [a for a in articles if a.id in extractions], skipped + slow
    settle()
    by_id = {a.id: a for a in articles}
    statements = apply_to_statements([s for a in articles for s in extractions[a.id].statements], overrides, report)
    events = apply_to_events(events_of(statements, by_id, cache, jobs, warm), overrides, report, by_id)
    settle()
    errors = problems + [p for p in report.problems if not p.warning]
    if errors:
        raise ContentError(in_order(errors))
    warnings = in_order(report.problems + (future_warnings(articles, today) if today else []))
    site = titled(site, articles)
    return Timeline(site, tuple(articles), extractions, tuple(events), overrides, tuple(skipped + warnings),
                    cached=cache.hits, aliases={k: tuple(sorted(set(v))) for k, v in report.aliases.items()})
