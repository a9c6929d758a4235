"""Stage 4, events: merge statements about the same happening on the same date, across sources.

Statements are grouped by the date they are placed on; only statements in one group are ever
compared, so the work grows with the size of a day, not of the collection. Within a group,
sentences whose content words are alike (TF-IDF cosine) become one event.
"""
from __future__ import annotations

import hashlib
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import chain
from operator import mul
from pathlib import Path

from .articles import Article
from .cache import article_key
from .parallel import fork_map
from .progress import Progress
from .statements import Statement, canonical_value
from .temporal import PRECISIONS
from .words import DATA as DATA_FILE, WEIGHT_SCALE, event_data

LARGE_GROUP = 40
LEADER_WINDOW = 48
PARALLEL_FROM = 5000     # statements; fewer are clustered quicker in one process
IDF_STEP = 1 / 32        # idf precision (see Vectors)


@dataclass(frozen=True)
class Claim:
    article: str
    statement: str
    noun: str
    amount: str          # "30", "18 of 23"
    text: str


@dataclass(frozen=True)
class Disagreement:
    noun: str
    claims: tuple[Claim, ...]


@dataclass(frozen=True)
class DateStats:
    """How the whole collection treats one date."""
    mentions: int        # statements placed on it
    sources: int         # articles that mention it
    later_sources: int   # articles published after it that still mention it
    published: int       # articles published on it


@dataclass(frozen=True)
class Event:
    id: str
    value: str
    start: str
    end: str
    precision: str
    title: str
    headline: str                # id of the headline statement
    statements: tuple[Statement, ...]
    sources: tuple[str, ...]     # article ids, oldest publication first
    disagreements: tuple[Disagreement, ...]
    salience: float
    stats: DateStats             # how the collection treats the event's date
    summary: str = ""            # Markdown, from overrides
    tags: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()   # fields an override changed, or ("added",)

    @property
    def mentions(self) -> int:
        return self.stats.mentions


def dot(a: dict, b: dict) -> float:
    """Cosine of two unit vectors (only the shared words count, found by a set intersection).
    fsum is exact, so the result does not depend on the set's order, which changes from one
    process to the next: the same input must always give the same site."""
    shared = a.keys() & b.keys()
    return math.fsum(map(mul, map(a.__getitem__, shared), map(b.__getitem__, shared)))  # in C: no Python loop


def idf_level(count: int) -> int:
    """log(count) in steps of IDF_STEP."""
    return round(math.log(count) / IDF_STEP)


class Vectors:
    """TF-IDF unit vectors of statements, made on demand: document frequencies come from the
    whole collection, but only one date's vectors are held at a time. An idf is log(n) less
    log(df), each rounded to IDF_STEP: one more article then moves the idf of only the few words
    whose document frequency crosses a step, and only the dates holding those words need to be
    clustered again (see plan_events)."""

    def __init__(self, statements: list[Statement]):
        df = Counter(chain.from_iterable(s.words[::2] for s in statements))
        self.n_level = idf_level(len(statements) + 1)
        self.df_levels = {w: idf_level(count) for w, count in df.items()}
        # a word's weight per unit of count: its idf; a kind of happening (@attack) counts as it is
        self.scale = {w: 1 / WEIGHT_SCALE if w.startswith("@") else (self.n_level - level) * IDF_STEP / WEIGHT_SCALE
                      for w, level in self.df_levels.items()}
        self.made: dict[str, dict] = {}

    def of(self, s: Statement) -> dict:
        if s.id not in self.made:
            words, scale = s.words, self.scale
            v = {words[i]: words[i + 1] * scale[words[i]] for i in range(0, len(words), 2)}
            norm = math.sqrt(sum(map(mul, v.values(), v.values())))
            self.made[s.id] = {w: x / norm for w, x in v.items()} if norm else {}
        return self.made[s.id]

    def forget(self) -> None:
        self.made.clear()

    def get(self, sid: str, default=None):
        return self.made.get(sid, default)

    def __getitem__(self, sid: str) -> dict:
        return self.made[sid]


def _cluster(group: list[Statement], vectors: dict[str, dict], threshold: float) -> list[list[Statement]]:
    """Average-link agglomerative clustering: repeatedly join the two most alike clusters while
    their mean pairwise similarity reaches the threshold and no pair of their statements falls
    below the weakest link. Similarities between clusters are updated in place (Lance-Williams),
    so each join costs one pass. Groups larger than LARGE_GROUP use leader clustering instead."""
    if len(group) > LARGE_GROUP:
        return _leader(group, vectors, threshold)
    floor = threshold * event_data()["weakest_link"]
    n = len(group)
    vs = [vectors[s.id] for s in group]
    mean = [[dot(vs[i], vs[j]) if i != j else 0.0 for j in range(n)] for i in range(n)]
    least = [row[:] for row in mean]
    size = [1] * n
    alive = list(range(n))
    members = [[i] for i in range(n)]
    while len(alive) > 1:
        best, pair = threshold, None
        for xi, x in enumerate(alive):
            row_mean, row_least = mean[x], least[x]
            for y in alive[xi + 1:]:
                if row_mean[y] >= best and row_least[y] >= floor:
                    best, pair = row_mean[y], (x, y)
        if pair is None:
            break
        x, y = pair
        for k in alive:
            if k not in (x, y):
                merged = (size[x] * mean[x][k] + size[y] * mean[y][k]) / (size[x] + size[y])
                mean[x][k] = mean[k][x] = merged
                least[x][k] = least[k][x] = min(least[x][k], least[y][k])
        size[x] += size[y]
        members[x] += members[y]
        alive.remove(y)
    return [[group[i] for i in sorted(members[x])] for x in alive]


def _leader(group: list[Statement], vectors: dict[str, dict], threshold: float) -> list[list[Statement]]:
    """One pass: each statement joins the cluster whose centroid it is most like, or starts one.
    Only the most recent LEADER_WINDOW clusters are candidates, which bounds the work on a
    very busy day (statements come in publication order, so recent clusters are the live ones)."""
    clusters: list[list] = []       # [members, centroid (a sum of unit vectors), its norm]
    for s in group:
        v = vectors[s.id]
        best, best_score = None, threshold
        for c in clusters[-LEADER_WINDOW:]:
            score = dot(v, c[1]) / c[2] if c[2] else 0.0
            if score >= best_score:
                best, best_score = c, score
        if best is None:
            clusters.append([[s], Counter(v), 1.0 if v else 0.0])
        else:
            best[0].append(s)
            best[1].update(v)
            best[2] = math.sqrt(sum(x * x for x in best[1].values()))
    return [c[0] for c in clusters]


def claims_of(statement: Statement) -> list[Claim]:
    c = statement.claims
    return [Claim(statement.article, statement.id, c[i], c[i + 1], c[i + 2]) for i in range(0, len(c), 3)]


def disagreements_of(statements: list[Statement]) -> tuple[Disagreement, ...]:
    """Numbers for the same noun that differ between sources ("30 drones" against "18 of 23")."""
    by_noun: dict[str, dict[str, Claim]] = defaultdict(dict)
    for s in statements:
        for claim in claims_of(s):
            by_noun[claim.noun].setdefault(claim.article, claim)
    found = []
    for noun in sorted(by_noun):
        claims = by_noun[noun]
        if len(claims) >= 2 and len({c.amount for c in claims.values()}) >= 2:
            found.append(Disagreement(noun, tuple(claims[a] for a in sorted(claims))))
    return tuple(found)


def _event_id(value: str, anchor: Statement) -> str:
    return f"e-{value}-" + hashlib.sha1(anchor.id.encode()).hexdigest()[:6]


def reading_order(articles: dict[str, Article]):
    """Statements as the collection tells them: by publication, then article, then position."""
    return lambda s: (articles[s.article].published, s.article, s.position)


def build_events(statements: list[Statement], articles: dict[str, Article], cache=None, jobs: int = 1) -> list[Event]:
    """Events from statements. Which statements form which event (and its headline) is worked
    out date by date and cached (see plan_events): a rebuild clusters only the dates that changed."""
    groups: dict[str, list[Statement]] = defaultdict(list)
    for s in sorted(statements, key=reading_order(articles)):
        groups[canonical_value(s.value)].append(s)
    stats = date_stats(groups, articles)
    plan = plan_events(groups, statements, articles, stats, cache, jobs)
    by_id = {s.id: s for s in statements}
    events = [assemble(value, [by_id[i] for i in ids], by_id[headline], articles, stats[value])
              for value, ids, headline in plan]
    return sort_events(events)


def plan_events(groups: dict[str, list[Statement]], statements: list[Statement], articles: dict[str, Article],
                stats: dict[str, DateStats], cache=None, jobs: int = 1) -> list:
    """[date, statement ids, headline id] of every event. A date's events are a pure function of
    its statements (their articles, dates and words), its DateStats and the idf levels of its
    words, so the last build's plans are kept by date (with the idf levels they were made with)
    and a date is clustered again only if one of these changed. Dates are independent of each
    other: many are clustered in parallel."""
    code = hashlib.sha256(json.dumps(event_data_fingerprint()).encode()).hexdigest()
    saved = (cache.get_blob("events", code) if cache else None) or {}
    previous = saved.get("dates", {})
    article_parts = {a.id: f"{article_key(a)}\x1f{a.published}" for a in articles.values()}
    keys = {value: date_key(value, group, article_parts, stats[value]) for value, group in groups.items()}
    if len(previous) == len(keys) and all(previous.get(value, ("",))[0] == key for value, key in keys.items()):
        # the same statements on the same dates: the same words, so the same idf levels
        return [entry for value in groups for entry in previous[value][1]]
    vectors = Vectors(statements)
    previous_levels = saved.get("df_levels", {}) if saved.get("n_level") == vectors.n_level else {}
    moved = {w for w, level in vectors.df_levels.items() if previous_levels.get(w) != level}
    plans, todo = {}, []
    for value, group in groups.items():
        kept = previous.get(value)
        if kept and kept[0] == keys[value] and (not moved or all(moved.isdisjoint(s.words) for s in group)):
            plans[value] = kept[1]
        else:
            todo.append(value)
    threshold = event_data()["merge_similarity"]

    def plan_date(value: str) -> list:
        group = groups[value]
        for s in group:
            vectors.of(s)
        plan = []
        for members in _cluster(group, vectors, threshold):
            e = make_event(value, members, vectors, articles, stats[value])
            plan.append([value, [m.id for m in e.statements], e.headline])
        vectors.forget()
        return plan

    size = sum(len(groups[value]) for value in todo)
    progress = Progress("clustering", size)
    for value, plan in zip(todo, fork_map(plan_date, todo, jobs if size >= PARALLEL_FROM else 1, chunksize=16)):
        plans[value] = plan
        progress.step(len(groups[value]))
    if cache and (todo or moved or len(previous) != len(groups)):
        cache.put_blob("events", code, {"n_level": vectors.n_level, "df_levels": vectors.df_levels,
                                        "dates": {value: [keys[value], plans[value]] for value in groups}})
    return [entry for value in groups for entry in plans[value]]


def date_key(value: str, group: list[Statement], article_parts: dict[str, str], stats: DateStats) -> str:
    """Covers what clustering one date reads besides idf levels: its statements, each with its
    article's part (its cache key, since a statement's words come from neighbouring sentences
    too, and its date), and the date's stats."""
    return hashlib.sha256(f"{value}\x1e{stats}\x1e".encode() + "".join(
        f"{s.id}\x1f{article_parts[s.article]}\x1f{s.value}\x1f{s.changed}\x1f{s.note}\x1e" for s in group
    ).encode()).hexdigest()


def event_data_fingerprint() -> list:
    """What clustering depends on besides the statements: its data and this module's code."""
    return [DATA_FILE.read_text(encoding="utf-8"), Path(__file__).read_text(encoding="utf-8")]


def date_stats(groups: dict[str, list[Statement]], articles: dict[str, Article]) -> dict[str, DateStats]:
    published = Counter(a.published.isoformat() for a in articles.values())
    return {value: DateStats(
        mentions=len(group), sources=len({s.article for s in group}),
        later_sources=len({s.article for s in group if articles[s.article].published.isoformat() > s.period_end}),
        published=published[value] if len(value) == 10 else 0) for value, group in groups.items()}


def make_event(value: str, members: list[Statement], vectors: dict[str, dict],
               articles: dict[str, Article], stats: DateStats) -> Event:
    members = sorted(members, key=reading_order(articles))
    # the headline is the statement nearest the event's centroid; ties go to the earliest
    centroid: Counter = Counter()
    for s in members:
        centroid.update(vectors.get(s.id, {}))
    headline = max(members, key=lambda s: dot(vectors.get(s.id, {}), centroid))
    return assemble(value, members, headline, articles, stats)


def assemble(value: str, members: list[Statement], headline: Statement, articles: dict[str, Article],
             stats: DateStats) -> Event:
    members = sorted(members, key=reading_order(articles))
    sources = tuple(dict.fromkeys(s.article for s in members))
    first = members[0]
    return Event(
        id=_event_id(value, first), value=value, start=first.period_start, end=first.period_end,
        precision=first.precision, title=headline.sentence, headline=headline.id,
        statements=tuple(members), sources=sources, disagreements=disagreements_of(members),
        salience=salience(len(sources), stats), stats=stats)


def salience(sources: int, stats: DateStats) -> float:
    """How much an event matters. A date matters when articles published later still refer back
    to it, and when articles cluster on it (news breaks in bursts); an event matters within its
    date by the share of that date's sources that report it."""
    share = sources / max(1, stats.sources)
    return round(share + math.log1p(stats.later_sources) + math.log1p(stats.published), 4)


def sort_events(events: list[Event]) -> list[Event]:
    """By start; a coarser period before the days it contains; then the more salient first."""
    rank = {p: i for i, p in enumerate(PRECISIONS)}
    return sorted(events, key=lambda e: (e.start, rank[e.precision], -e.salience, e.id))
