"""Stage 4, events: merge statements about the same happening on the same date, across sources.

Statements are grouped by the date they are placed on; only statements in one group are ever
compared, so the work grows with the size of a day, not of the collection. Within a group,
sentences whose content words are alike (TF-IDF cosine) become one event.
"""
from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from operator import attrgetter, is_, mul
from pathlib import Path

from . import headlines, roles
from .articles import Article
from .buildstate import ARTICLE_FIELDS, Shelf
from .cache import STATEMENT_FIELDS, article_key, row_maker
from .parallel import fork_map
from .progress import Progress
from .roles import FURNITURE, PLAN, REPORT, ROLES, event_role
from .statements import Statement, canonical_value
from .temporal import PRECISIONS, period_of
from .words import DATA as DATA_FILE, WEIGHT_SCALE, content_words, event_data, weights

LARGE_GROUP = 40
LEADER_WINDOW = 48
PARALLEL_FROM = 5000     # statements; fewer are clustered quicker in one process
STATEMENT_ID = attrgetter("id")
IDF_STEP = 1 / 32        # idf precision (see Vectors)


@dataclass(frozen=True)
class Claim:
    article: str
    statement: str
    noun: str
    amount: str          # "30", "18 of 23"
    text: str
    quote: str           # the sentence it is in


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
    summary: str = ""            # its best report sentences; an editor's Markdown once overridden
    tags: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()   # fields an override changed, or ("added",)
    role: str = REPORT           # report, reference, plan or background (roles.event_role)
    outlets: int = 0             # distinct sources (outlets) among its articles
    key: bool | None = None      # an editor's say on whether it is a key event
    summary_from: tuple[str, ...] = ()   # the statements its summary is made of

    @property
    def mentions(self) -> int:
        return self.stats.mentions


EVENT_FIELDS = tuple(Event.__dataclass_fields__)
CLAIM_FIELDS = tuple(Claim.__dataclass_fields__)
_make_event, _make_claim = row_maker(Event, EVENT_FIELDS), row_maker(Claim, CLAIM_FIELDS)
_make_disagreement = row_maker(Disagreement, tuple(Disagreement.__dataclass_fields__))
STATS_ROW = attrgetter(*DateStats.__dataclass_fields__)
STATEMENT_ROW = attrgetter(*STATEMENT_FIELDS)


def retitled(event: Event, title: str) -> Event:
    """replace(event, title=title), without the field-by-field frozen __init__: thousands of
    entries are given another title in a large collection."""
    copy = object.__new__(Event)
    copy.__dict__.update(event.__dict__)
    copy.__dict__["title"] = title
    return copy


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

    def __init__(self, statements: list[Statement], last: Vectors | None = None):
        """`last`: the Vectors of this process's last build (EventsMemo): its counts are updated
        by the statements that came and went (by identity) instead of counted again."""
        df, changed = last.counts_for(statements) if last else (None, None)
        if df is None:
            df = Counter(chain.from_iterable(s.words[::2] for s in statements))
        self.statements, self.df = statements, df
        self.n_level = idf_level(len(statements) + 1)
        if changed is not None and last.n_level == self.n_level:
            self.df_levels, self.scale = last.df_levels.copy(), last.scale.copy()
            for w in changed:
                if w in df:
                    self.df_levels[w] = level = idf_level(df[w])
                    self.scale[w] = self.weight(w, level)
                else:
                    del self.df_levels[w], self.scale[w]
        else:
            levels = {count: idf_level(count) for count in set(df.values())}
            self.df_levels = {w: levels[count] for w, count in df.items()}
            self.scale = {w: self.weight(w, level) for w, level in self.df_levels.items()}
        self.made: dict[str, dict] = {}

    def weight(self, word: str, level: int) -> float:
        """A word's weight per unit of count: its idf; a kind of happening (@attack) counts as it is."""
        return 1 / WEIGHT_SCALE if word.startswith("@") else (self.n_level - level) * IDF_STEP / WEIGHT_SCALE

    def counts_for(self, statements: list[Statement]) -> tuple[Counter | None, set | None]:
        """These statements' document frequencies made from this one's, and the words whose
        count changed; (None, None) when most statements are new."""
        last = {id(s): s for s in self.statements}      # alive here, so no id is another's
        now = set(map(id, statements))
        gone = [s for key, s in last.items() if key not in now]
        new = [s for s in statements if id(s) not in last]
        if len(gone) + len(new) > len(statements) // 2:
            return None, None
        df, changed = self.df.copy(), set()
        for changed_statements, step in ((gone, -1), (new, 1)):
            for s in changed_statements:
                for w in s.words[::2]:
                    df[w] += step
                    changed.add(w)
        for w in changed:
            if df[w] == 0:
                del df[w]
        return df, changed

    def of(self, s: Statement) -> dict:
        if s.id not in self.made:
            words, scale = s.words, self.scale
            v = {words[i]: words[i + 1] * scale[words[i]] for i in range(0, len(words), 2)}
            norm = math.sqrt(sum(map(mul, v.values(), v.values())))
            self.made[s.id] = {w: x / norm for w, x in v.items()} if norm else {}
        return self.made[s.id]

    def of_text(self, text: str) -> dict:
        """The unit vector of a text that is no statement (an article's headline)."""
        v = {w: c * (self.n_level - self.df_levels[w]) * IDF_STEP
             for w, c in weights(content_words(text, "", "", ())).items()
             if not w.startswith("@") and w in self.df_levels}
        norm = math.sqrt(sum(x * x for x in v.values()))
        return {w: x / norm for w, x in v.items()} if norm else {}

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
    return [Claim(statement.article, statement.id, *c[i:i + 4]) for i in range(0, len(c), 4)]


def disagreements_of(statements: list[Statement], articles: dict[str, Article]) -> tuple[Disagreement, ...]:
    """Numbers for the same thing that differ between outlets reporting the same happening at
    about the same time ("30 drones" against "18 of 23"). Only reports count: a later article's
    toll is a running count, not a disagreement; "at least 1,700" and "1,700" agree."""
    window = event_data()["disagreement_window_days"]
    reports = [s for s in statements if s.role == REPORT]
    if not reports:
        return ()
    first = min(articles[s.article].published for s in reports)
    by_noun: dict[str, dict[str, Claim]] = defaultdict(dict)
    for s in reports:
        if (articles[s.article].published - first).days > window:
            continue
        for claim in claims_of(s):
            by_noun[claim.noun].setdefault(outlet(articles[s.article]), claim)
    found = []
    for noun in sorted(by_noun):
        claims = by_noun[noun]
        if len(claims) >= 2 and len({c.amount for c in claims.values()}) >= 2:
            found.append(Disagreement(noun, tuple(sorted(claims.values(), key=lambda c: (c.amount, c.article)))))
    return tuple(found)


def outlet(article: Article) -> str:
    """Who published an article: its source, or the article itself where none is named."""
    return article.source or article.id


def _event_id(value: str, anchor: Statement) -> str:
    return f"e-{value}-" + hashlib.sha1(anchor.id.encode()).hexdigest()[:6]


def reading_order(articles: dict[str, Article]):
    """Statements as the collection tells them: by publication, then article, then position."""
    return lambda s: (articles[s.article].published, s.article, s.position)


def story_start(articles: dict[str, Article]) -> dt.date:
    """When the story begins: the first article's publication date."""
    return min((a.published for a in articles.values()), default=dt.date.min)


class EventsMemo:
    """What a long-running process (`serve`, through pipeline.Warm) keeps of its last events
    stage for the next: each article's part and each date's and event's key with the very
    objects they were made of, the statements' document frequencies (Vectors), the plan state
    it wrote to the cache, and each event as assembled under its key, with the shelf it saved
    them on. Each is taken again only where its inputs are the same objects, or its key the
    same, so the events are those a build without it makes."""

    def __init__(self):
        self.articles: dict[str, tuple] = {}     # id -> (Article, its article_part)
        self.fresh: set[str] = set()             # articles not the very ones of the last build
        self.keys: dict[str, dict] = {}          # kind -> {(date, first statement id): (statements, stats, key)}
        self.vectors: Vectors | None = None
        self.saved: tuple | None = None          # (code, what plan_events wrote under it)
        self.assembled: tuple = ("", {})         # (code, key -> each event as assembled by it)
        self.shelf: Shelf | None = None          # AssembledEvents' shelf, as saved

    def parts(self, articles: dict[str, Article]) -> dict[str, str]:
        last, parts, self.fresh = self.articles, {}, set()
        for a in articles.values():
            found = last.get(a.id)
            if found and found[0] is a:
                parts[a.id] = found[1]
            else:
                parts[a.id] = article_part(a)
                self.fresh.add(a.id)
        self.articles = {a.id: (a, parts[a.id]) for a in articles.values()}
        return parts

    def group_keys(self, kind: str, groups: list, parts: dict[str, str], stats: dict[str, DateStats]) -> list[str]:
        """group_key of each [date, statements] of `groups`: the last build's `kind` of key where
        the statements are the very same, of articles not fresh, and the date's stats equal."""
        last, now, keys = self.keys.get(kind, {}), {}, []
        for value, members in groups:
            place = (value, members[0].id)
            found = last.get(place)
            if found and found[1] == stats[value] and len(found[0]) == len(members) and \
                    all(map(is_, found[0], members)) and self.fresh.isdisjoint([s.article for s in members]):
                key = found[2]
            else:
                key = group_key(value, members, parts, stats[value])
            now[place] = (tuple(members), stats[value], key)
            keys.append(key)
        self.keys[kind] = now
        return keys


def build_events(statements: list[Statement], articles: dict[str, Article], cache=None, jobs: int = 1,
                 memo: EventsMemo | None = None) -> list[Event]:
    """Events from statements. Which statements form which event, its headline, title and
    summary are worked out date by date and event by event, and cached (see plan_events): a
    rebuild clusters and titles again only what changed. Each event as assembled, and the
    distinct titles and order of them all, are kept too (AssembledEvents): a rebuild assembles
    again only the events whose inputs changed. Furniture makes nothing. `memo`: see EventsMemo."""
    memo = memo or EventsMemo()
    code = hashlib.sha256(json.dumps(event_data_fingerprint()).encode()).hexdigest()
    parts = memo.parts(articles)
    by_id = {s.id: s for s in statements}
    if cache:
        cache.drop_blobs("events", keep=code)       # plans another version of dateline made
    kept = AssembledEvents(cache, code, memo)
    stage = stage_key(code, parts, statements) if kept.shelf else ""
    out = kept.recall(stage, by_id)
    if out is not None:         # the statements and articles of the last build: its events
        kept.save()
        return out
    groups = by_date(statements, articles)
    stats = date_stats(groups, articles)
    keys = dict(zip(groups, memo.group_keys("dates", groups.items(), parts, stats)))
    date_of = {s.id: value for value, group in groups.items() for s in group}
    plan = plan_events(groups, articles, stats, cache, jobs, code, parts, keys, memo)
    start = story_start(articles)
    # an event's key covers all assemble() reads: its plan entry, its statements and the story's
    # start. Its statements by their dates' keys: quick to make, and assembling again is cheap
    event_keys = [members_key(value, ids, keys, date_of, start.isoformat(), headline, title, summary)
                  for value, ids, headline, title, summary in plan]
    kept.expect(event_keys)
    events, progress = [], Progress("assembling", len(plan))
    for place, (key, (value, ids, headline, title, summary)) in enumerate(zip(event_keys, plan)):
        event = kept.get(key, place, by_id)
        if event is None:
            event = assemble(value, [by_id[i] for i in ids], by_id[headline], articles, stats[value], start, title,
                             tuple(by_id[i].id for i in summary))
            kept.keep(key, event)
            if place in kept.titles:
                event = retitled(event, kept.titles[place])
        events.append(event)
        progress.step()
    out = kept.in_order(events)
    if out is None:
        out = sort_events(distinct_titles(events, articles))
        kept.remember_order(events, out)
    kept.remember_stage(stage, event_keys)
    kept.save()
    return out


def stage_key(code: str, parts: dict[str, str], statements: list[Statement]) -> str:
    """A key of all that build_events reads: its code and data, each article (its part: its
    text, of which its statements are made, and its fields), which statements there are, and
    every field of those an override changed."""
    digest = hashlib.sha256(code.encode())
    digest.update("".join(f"{a}\x1f{part}\x1e" for a, part in sorted(parts.items())).encode())
    digest.update("\x1f".join(map(STATEMENT_ID, statements)).encode())
    digest.update(repr([STATEMENT_ROW(s) for s in statements if s.changed]).encode())
    return digest.hexdigest()


def by_date(statements: list[Statement], articles: dict[str, Article]) -> dict[str, list[Statement]]:
    """The statements of each date, in reading order (the stable sort by reading_order, done
    article by article: ten thousand articles sort quicker than a hundred thousand statements)."""
    of_article: dict[str, list[Statement]] = defaultdict(list)
    for s in statements:
        of_article[s.article].append(s)
    groups: dict[str, list[Statement]] = defaultdict(list)
    for a in sorted(of_article, key=lambda a: (articles[a].published, a)):
        for s in sorted(of_article[a], key=attrgetter("position")):
            if s.role != FURNITURE:
                groups[canonical_value(s.value)].append(s)
    return groups


class AssembledEvents:
    """Events as assembled by the last build, each as a plain row that names its statements by
    id, under its key (build_events); under a digest of all the events' keys, the titles
    distinct_titles gave and the order sort_events gave: when the events are the same, so are
    those; and the keys of all the events under the stage_key of the build that made them."""
    ORDER, STAGE = "order", "stage"

    def __init__(self, cache, code: str, memo: EventsMemo | None = None):
        self.shelf = Shelf(cache, "assembled", code, memo.shelf if memo else None) if cache and cache.folder else None
        self.whole, self.order, self.titles = "", None, {}
        self.memo, self.made, self.code = memo, {}, code      # made: key -> each event as assembled
        self.last = memo.assembled[1] if memo and memo.assembled[0] == code else {}

    def expect(self, keys: list[str]) -> None:
        """The events to come are those of `keys`, in this order: their distinct titles and
        order are known if they are the last build's."""
        self.whole, self.order, self.titles = hashlib.sha256("".join(keys).encode()).hexdigest(), None, {}
        found = self.shelf.get(self.ORDER) if self.shelf else None
        if isinstance(found, tuple) and len(found) == 3 and found[0] == self.whole and \
                sorted(found[2]) == list(range(len(keys))):
            self.order, self.titles = found[2], dict(found[1])

    def recall(self, stage: str, by_id: dict[str, Statement]) -> list[Event] | None:
        """Every event, titled and in order, if the last build's stage_key was `stage`."""
        found = self.shelf.get(self.STAGE) if self.shelf else None
        if not (isinstance(found, tuple) and len(found) == 2 and found[0] == stage and isinstance(found[1], tuple)):
            return None
        keys = list(found[1])
        self.expect(keys)
        if self.order is None:
            return None
        events = []
        for place, key in enumerate(keys):
            events.append(self.get(key, place, by_id))
            if events[-1] is None:
                return None
        self.shelf.keep(self.STAGE, found)
        return self.in_order(events)

    def get(self, key: str, place: int, by_id: dict[str, Statement]) -> Event | None:
        """The event kept under `key`, with its distinct title if that is known: as this
        process assembled it last (EventsMemo), else from its row."""
        made = self.last.get(key)
        row = self.shelf.get(key) if self.shelf else None
        event = made if made is not None else self.event(row, by_id)
        if event is None:
            return None
        if row is None:         # one this process made, whose row is gone: written again
            self.keep(key, event)
        else:
            self.shelf.keep(key, row)
            self.made[key] = event
        return retitled(event, self.titles[place]) if place in self.titles else event

    def event(self, row, by_id: dict[str, Statement]) -> Event | None:
        if not isinstance(row, tuple) or len(row) != len(EVENT_FIELDS):
            return None
        event = _make_event(row)
        values = event.__dict__
        try:
            values["statements"] = tuple(map(by_id.__getitem__, values["statements"]))
            values["disagreements"] = tuple(_make_disagreement((noun, tuple(map(_make_claim, claims))))
                                            for noun, claims in values["disagreements"])
            values["stats"] = DateStats(*values["stats"])
        except (KeyError, TypeError, ValueError):
            return None
        return event

    def keep(self, key: str, event: Event) -> None:
        self.made[key] = event
        if self.shelf:
            row = dict(event.__dict__, stats=STATS_ROW(event.stats), statements=tuple(s.id for s in event.statements))
            row["disagreements"] = tuple((d.noun, tuple(tuple(getattr(c, f) for f in CLAIM_FIELDS) for c in d.claims))
                                         for d in event.disagreements)
            self.shelf.keep(key, tuple(row[f] for f in EVENT_FIELDS))

    def in_order(self, events: list[Event]) -> list[Event] | None:
        """The events (titled by get) in the last build's order, if they are the last build's."""
        if self.order is None:
            return None
        self.shelf.keep(self.ORDER, (self.whole, tuple(self.titles.items()), self.order))
        return [events[i] for i in self.order]

    def remember_order(self, events: list[Event], out: list[Event]) -> None:
        place = {e.id: i for i, e in enumerate(events)}
        if self.shelf and len(place) == len(events):
            order = tuple(place[e.id] for e in out)
            titles = tuple((i, e.title) for i, e in zip(order, out) if e.title != events[i].title)
            self.shelf.keep(self.ORDER, (self.whole, titles, order))

    def remember_stage(self, stage: str, keys: list[str]) -> None:
        if self.shelf:
            self.shelf.keep(self.STAGE, (stage, tuple(keys)))

    def save(self) -> None:
        if self.shelf:
            self.shelf.save()
            self.shelf.cache.drop_blobs("assembled", keep=f"{self.shelf.key}-")
        if self.memo:
            self.memo.assembled, self.memo.shelf = (self.code, self.made), self.shelf


def plan_events(groups: dict[str, list[Statement]], articles: dict[str, Article], stats: dict[str, DateStats],
                cache, jobs: int, code: str, parts: dict[str, str], keys: dict[str, str],
                memo: EventsMemo | None = None) -> list:
    """[date, statement ids, headline id, title, summary ids] of every event. Each date's
    statements are clustered into happenings (many dates in parallel); then events known only
    from later references to a month or a year join a reported happening inside it that they
    are about ("last month" and "April 20" for the same blast); then each event is titled.

    A date's happenings are a pure function of its statements (their articles and words), its
    DateStats and the idf levels of its words; an event's title and summary, of its statements,
    their articles, its DateStats and the idf levels of their words and of their articles'
    headlines. So the last build's are kept, with the idf levels they were made with, and only
    those whose inputs changed are worked out again: the result is the same either way.
    `code` is a digest of the code and data (event_data_fingerprint), `parts` each article's
    article_part and `keys` each date's group_key; `memo` see EventsMemo."""
    memo = memo or EventsMemo()
    start = story_start(articles)
    if memo.saved and memo.saved[0] == code and cache:
        saved = memo.saved[1]       # what this process wrote last: no need to read it back
    else:
        saved = (cache.get_blob("events", code) if cache else None) or {}
    kept_dates = saved.get("dates", {})
    if "plan" in saved and len(kept_dates) == len(keys) and all(kept_dates.get(v, ("",))[0] == k
                                                                  for v, k in keys.items()):
        # the same statements on the same dates, of the same articles: the same plan
        return saved["plan"]
    dated = [s for group in groups.values() for s in group]
    vectors = memo.vectors = Vectors(dated, memo.vectors)
    previous_levels = saved.get("df_levels", {}) if saved.get("n_level") == vectors.n_level else {}
    moved = {w for w, level in vectors.df_levels.items() if previous_levels.get(w) != level}
    # found once: testing every date's and event's statements for moved words took a second
    touched = {s.id for s in dated if not moved.isdisjoint(s.words)} if moved else set()
    headline_words: dict[str, frozenset] = {}

    def unmoved(statements: list[Statement], headlines_too: bool = False) -> bool:
        if not moved:
            return True
        if not touched.isdisjoint(map(STATEMENT_ID, statements)):
            return False
        for a in {s.article for s in statements} if headlines_too else ():
            if a not in headline_words:
                headline_words[a] = frozenset(content_words(articles[a].title, "", "", ())[::2])
            if not moved.isdisjoint(headline_words[a]):
                return False
        return True

    dates, todo = {}, []
    for value, group in groups.items():
        key = keys[value]
        kept = kept_dates.get(value)
        if kept and kept[0] == key and unmoved(group):
            dates[value] = kept
        else:
            dates[value] = [key, None]
            todo.append(value)
    threshold = event_data()["merge_similarity"]

    def plan_date(value: str) -> list:
        group = groups[value]
        for s in group:
            vectors.of(s)
        ids = [[s.id for s in members] for members in happenings(group, vectors, threshold)]
        vectors.forget()
        return ids

    size = sum(len(groups[value]) for value in todo)
    progress = Progress("clustering", size)
    for value, ids in zip(todo, fork_map(plan_date, todo, jobs if size >= PARALLEL_FROM else 1, chunksize=16)):
        dates[value][1] = ids
        progress.step(len(groups[value]))
    by_id = {s.id: s for group in groups.values() for s in group}
    clustered = [[value, [by_id[i] for i in ids]] for value in groups for ids in dates[value][1]]
    folds = FoldMemo(saved.get("folds", {}), parts, unmoved)
    joined = join_coarse_references(clustered, vectors, threshold, folds)
    joined_keys = memo.group_keys("events", joined, parts, stats)
    kept_events = saved.get("events", {})
    plan = [kept_events.get(key) for key in joined_keys]
    todo = [i for i, (entry, (_, members)) in enumerate(zip(plan, joined))
            if entry is None or not unmoved(members, headlines_too=True)]

    def title_event(i: int) -> list:
        value, members = joined[i]
        for s in members:
            vectors.of(s)
        e = make_event(value, members, vectors, articles, stats[value], start)
        vectors.forget()
        return [value, [m.id for m in e.statements], e.headline, e.title, list(e.summary_from)]

    size = sum(len(joined[i][1]) for i in todo)
    progress = Progress("titling", size)
    for i, entry in zip(todo, fork_map(title_event, todo, jobs if size >= PARALLEL_FROM else 1, chunksize=16)):
        plan[i] = entry
        progress.step(len(joined[i][1]))
    progress.finish()
    events = dict(zip(joined_keys, plan))
    if cache:
        state = {"n_level": vectors.n_level, "df_levels": vectors.df_levels, "dates": dates, "events": events,
                 "plan": plan, "folds": folds.saved()}
        cache.put_blob("events", code, state)
        memo.saved = (code, state)
    return plan


def article_part(article: Article) -> str:
    """What clustering and titling read of an article: its text and date (through its cache
    key: a statement's words come from neighbouring sentences too) and its other fields."""
    fields = repr(tuple(getattr(article, f) for f in ARTICLE_FIELDS if f != "body"))
    return hashlib.sha256(f"{article_key(article)}\x1f{fields}".encode()).hexdigest()


def group_key(value: str, group: list[Statement], parts: dict[str, str], stats: DateStats) -> str:
    """Covers what clustering a date, or titling an event, reads besides idf levels: the
    statements, with the overridable fields, each with its article's part, and the date's stats."""
    return hashlib.sha256(f"{value}\x1e{stats}\x1e".encode() + "".join(
        f"{s.id}\x1f{parts[s.article]}\x1f{s.value}\x1f{s.role}\x1f{s.changed}\x1f{s.note}\x1e" for s in group
    ).encode()).hexdigest()


def members_key(value: str, ids: list[str], keys: dict[str, str], date_of: dict[str, str], *more) -> str:
    """A key of an event's statements, which may come from several dates: their ids, the keys
    of their dates and of its own (group_key: each date's statements, their articles and the
    date's stats), and `more`. Coarser than group_key of the statements themselves (any change
    on one of those dates changes it), and quicker."""
    dates = sorted({keys[value], *(keys[date_of[i]] for i in ids)})
    return hashlib.sha256(repr((value, ids, dates, more)).encode()).hexdigest()


def happenings(group: list[Statement], vectors: Vectors, threshold: float) -> list[list[Statement]]:
    """One date's statements as happenings. Where the date has reports, they alone are
    clustered, and every later reference, plan or aside joins the report it is most like: it
    never makes an entry of its own beside a first-hand account."""
    reports = [s for s in group if s.role == REPORT]
    if not reports:
        return _cluster(group, vectors, threshold)
    clusters = _cluster(reports, vectors, threshold)
    centroids = [_centroid(c, vectors) for c in clusters]
    for s in group:
        if s.role != REPORT:
            v = vectors[s.id]
            best = max(range(len(clusters)), key=lambda i: (dot(v, centroids[i]), len(clusters[i]), -i))
            clusters[best].append(s)
    return clusters


def _centroid(members: list[Statement], vectors) -> dict:
    total: Counter = Counter()
    for s in members:
        total.update(vectors.get(s.id, {}))
    norm = math.sqrt(sum(x * x for x in total.values()))
    return {w: x / norm for w, x in total.items()} if norm else {}


class FoldMemo:
    """What join_coarse_references found last time for each coarse event, by a digest of it (its
    date, statements, their roles and articles): its candidates (by the same digest), the best
    score and which candidates reached it. A candidate that is the same and none of whose
    statements holds a word whose idf level moved scores what it scored then: below the best,
    or the best if it reached it. So while the coarse event too is unmoved, only new and moved
    candidates are compared again, and the result is what comparing every candidate gives."""

    def __init__(self, saved: dict, parts: dict[str, str], unmoved):
        self.parts, self.unmoved = parts, unmoved
        table, refs = saved.get("table"), saved.get("refs")
        self.table, self.refs = (table, refs) if isinstance(table, tuple) and isinstance(refs, dict) else ((), {})
        self.kept_table: dict[str, int] = {}
        self.kept_refs: dict[str, tuple] = {}
        self.digests: dict[int, str] = {}
        self.still: dict[int, bool] = {}

    def digest(self, i: int, clustered: list) -> str:
        if i not in self.digests:
            value, members = clustered[i]
            # its own statements and articles, not its date's key: the other happenings of its
            # date, and the date's stats, do not change how alike it is
            self.digests[i] = hashlib.sha256(f"{value}\x1e".encode() + "".join(
                f"{s.id}\x1f{self.parts[s.article]}\x1f{s.role}\x1e" for s in members).encode()).hexdigest()
            self.still[i] = self.unmoved(members)
        return self.digests[i]

    def recall(self, i: int, candidates: list[int], clustered: list) -> tuple | None:
        """(the best score last time, the places of the candidates that scored it and need no
        comparing, the places of those that need comparing), or None where all need it."""
        saved = self.refs.get(self.digest(i, clustered))
        if not (isinstance(saved, tuple) and len(saved) == 3 and self.still[i]):
            return None
        score, before, ties = saved
        try:
            before = {self.table[k] for k in before}
            ties = {self.table[k] for k in ties}
        except (IndexError, TypeError):
            return None
        tied, again = [], []
        for place, j in enumerate(candidates):
            d = self.digest(j, clustered)
            if d in before and self.still[j]:
                if d in ties:
                    tied.append(place)
            else:
                again.append(place)
        if score is not None and not tied:
            return None         # the best candidates changed: the next best is unknown
        return score, tied, again

    def keep(self, i: int, candidates: list[int], clustered: list, score: float | None, ties: list[int]) -> None:
        def index(j: int) -> int:
            return self.kept_table.setdefault(self.digest(j, clustered), len(self.kept_table))
        self.kept_refs[self.digest(i, clustered)] = (score, tuple(map(index, candidates)), tuple(map(index, ties)))

    def saved(self) -> dict:
        return {"table": tuple(self.kept_table), "refs": self.kept_refs}


def join_coarse_references(clustered: list, vectors: Vectors, threshold: float, memo: FoldMemo | None = None) -> list:
    """[value, members] with each event coarser than a day that only later references tell
    folded into the reported happening within its period that it is most like, if alike enough
    (of several as alike, the last)."""
    reported = defaultdict(list)        # (year, month) -> indexes of reported day events
    for i, (value, members) in enumerate(clustered):
        if len(value) == 10 and any(s.role == REPORT for s in members):
            reported[value[:7]].append(i)
    if not reported:
        return clustered
    months = sorted(reported)
    folded: dict[int, list] = defaultdict(list)
    gone = set()
    centroids: dict[int, dict] = {}
    for i, (value, members) in enumerate(clustered):
        period = period_of(value)
        if len(value) == 10 or not period or period.precision == "day" or any(s.role in (REPORT, PLAN) for s in members):
            continue
        first, last = period.start.isoformat(), period.end.isoformat()
        within = months[bisect.bisect_left(months, first[:7]):bisect.bisect_right(months, last[:7])]
        candidates = [j for month in within for j in reported[month] if first <= clustered[j][0] <= last]
        if not candidates:
            continue
        known = memo.recall(i, candidates, clustered) if memo else None
        # (score, place) of the best so far, -1 for none; of candidates as alike, the later wins
        if known is None:
            best, tied, places = (threshold, -1), [], range(len(candidates))
        else:
            before, tied, places = known
            best = (before, tied[-1]) if tied else (threshold, -1)
        scores = {}
        if places:
            for s in members:
                vectors.of(s)
            mine = _centroid(members, vectors)
            for place in places:
                j = candidates[place]
                if j not in centroids:
                    for s in clustered[j][1]:
                        vectors.of(s)
                    centroids[j] = _centroid(clustered[j][1], vectors)
                scores[place] = score = dot(mine, centroids[j])
                if score >= threshold and (score, place) > best:
                    best = score, place
            vectors.forget()
        if memo:
            found = best[0] if best[1] >= 0 else None
            ties = [place for place, score in scores.items() if score == found]
            if tied and known[0] == found:
                ties += tied
            memo.keep(i, candidates, clustered, found, [candidates[place] for place in ties])
        if best[1] >= 0:
            folded[candidates[best[1]]] += members
            gone.add(i)
    return [[value, members + folded.get(i, [])] for i, (value, members) in enumerate(clustered) if i not in gone]


def event_data_fingerprint() -> list:
    """What clustering and titling depend on besides the statements: their data and code."""
    return [path.read_text(encoding="utf-8") for path in (DATA_FILE, headlines.DATA, roles.DATA, Path(__file__),
                                                           Path(headlines.__file__), Path(roles.__file__))]


def date_stats(groups: dict[str, list[Statement]], articles: dict[str, Article]) -> dict[str, DateStats]:
    published = {a: article.published.isoformat() for a, article in articles.items()}
    on_day = Counter(published.values())
    return {value: DateStats(
        mentions=len(group), sources=len({s.article for s in group}),
        later_sources=len({s.article for s in group if published[s.article] > s.period_end}),
        published=on_day[value] if len(value) == 10 else 0) for value, group in groups.items()}


def make_event(value: str, members: list[Statement], vectors, articles: dict[str, Article],
               stats: DateStats, start: dt.date | None = None) -> Event:
    """An event of these statements, titled from its best report: the one most like the
    others that opens well, or its article's own headline where that article leads with it.
    `start` is the story's (story_start), if the caller has it: it is the same for every event."""
    members = sorted(members, key=reading_order(articles))
    leads = ([s for s in members if s.role == REPORT] or [s for s in members if s.role == PLAN] or members)
    centroid = _centroid(leads, vectors)
    titles = {s.id: sentence_title(s) for s in leads}

    def worth(s: Statement) -> float:
        return dot(vectors.get(s.id, {}), centroid) - (1.0 if headlines.opens_badly(titles[s.id]) else 0.0)

    ranked = sorted(leads, key=lambda s: -worth(s))        # stable: reading order on ties
    headline = ranked[0]
    title = article_headline(value, leads, vectors, centroid, articles, leading_only=True)
    if not title and headlines.opens_badly(titles[headline.id]):
        # "He was charged ..." needs its sentence before: a headline about it is better
        title = article_headline(value, leads, vectors, centroid, articles, leading_only=False)
    title = title or titles[headline.id]
    summary = [headline]
    for s in ranked[1:]:
        if len(summary) == 3:
            break
        if s.article not in {x.article for x in summary} and not any(
                _alike(s.sentence, x.sentence) for x in summary):
            summary.append(s)
    return assemble(value, members, headline, articles, stats, start or story_start(articles), title,
                    tuple(s.id for s in summary))


def sentence_title(s: Statement) -> str:
    """A statement's sentence as a title; a report's date goes (the entry shows it), other
    statements keep it ("since Oct. 10" says what kind of date it is)."""
    return _title(s.sentence, s.expression, s.previous, s.role != REPORT)


@lru_cache(maxsize=1 << 16)     # titling, then distinct_titles, ask for the same sentences again
def _title(sentence: str, expression: str, previous: str, keep_date: bool) -> str:
    return headlines.title_of(sentence, expression, previous, keep_date=keep_date)


def article_headline(value: str, leads: list[Statement], vectors, centroid: dict,
                     articles: dict[str, Article], leading_only: bool) -> str:
    """The headline of an article that reports this happening (`leading_only`: leads with it),
    published on its day or the day after, if the headline is about it."""
    if len(value) != 10 or not isinstance(vectors, Vectors):
        return ""
    day = dt.date.fromisoformat(value)
    best, best_score = "", headlines.headline_data()["headline_similarity"]
    for s in leads:
        article = articles[s.article]
        if (leading_only and s.position != 0) or s.role != REPORT or not 0 <= (article.published - day).days <= 1:
            continue
        score = dot(vectors.of_text(article.title), centroid)
        if score >= best_score:
            best, best_score = headlines.article_title(article.title), score
    return best


def _alike(a: str, b: str) -> bool:
    """Two sentences that say much the same (most of their words shared)."""
    x, y = set(a.lower().split()), set(b.lower().split())
    return len(x & y) >= 0.6 * min(len(x), len(y))


def assemble(value: str, members: list[Statement], headline: Statement, articles: dict[str, Article],
             stats: DateStats, start: dt.date, title: str = "", summary_ids: tuple[str, ...] = ()) -> Event:
    members = sorted(members, key=reading_order(articles))
    first = members[0]
    sources = tuple(dict.fromkeys(s.article for s in members))
    # first-hand reports first, then plans, later references and asides, each as told
    members.sort(key=lambda s: ROLES.index(s.role))
    period = period_of(value)
    by_id = {s.id: s for s in members}
    summary = " ".join(headlines.cleaned(by_id[i].sentence) for i in summary_ids if i in by_id)
    return Event(
        id=_event_id(value, first), value=value, start=period.start.isoformat(), end=period.end.isoformat(),
        precision=period.precision, title=title or sentence_title(headline), headline=headline.id,
        statements=tuple(members), sources=sources, disagreements=disagreements_of(members, articles),
        salience=salience(len(sources), stats), stats=stats, summary=summary,
        role=event_role({s.role for s in members}, period.end, start),
        outlets=len({outlet(articles[a]) for a in sources}), summary_from=tuple(i for i in summary_ids if i in by_id))


def distinct_titles(events: list[Event], articles: dict[str, Article]) -> list[Event]:
    """No two entries share a title: the more salient keeps it; another takes the title of
    another of its reports, else names its source, else its date."""
    used: set[str] = set()
    out = []
    for e in sorted(events, key=lambda e: (-e.salience, e.start, e.id)):
        title = e.title
        if title.lower() in used:
            leads = [s for s in e.statements if s.role == REPORT] or list(e.statements)
            others = (sentence_title(s) for s in leads if s.id != e.headline)     # made only until one is free
            source = articles[e.statements[0].article].source if e.statements else ""
            title = next((t for t in chain(others, [f"{title} ({source})" if source else "", f"{title} ({e.value})"])
                          if t and t.lower() not in used), f"{title} ({e.id})")
            e = retitled(e, title)
        used.add(title.lower())
        out.append(e)
    return out


def salience(sources: int, stats: DateStats) -> float:
    """How much an event matters. A date matters when many articles mention it, when articles
    published later still refer back to it, and when articles cluster on it (news breaks in
    bursts); an event matters within its date by the share of that date's sources that report it."""
    share = sources / max(1, stats.sources)
    return round(share + math.log1p(stats.sources) + math.log1p(stats.later_sources) + math.log1p(stats.published), 4)


def sort_events(events: list[Event]) -> list[Event]:
    """By start; a coarser period before the days it contains; then the more salient first."""
    rank = {p: i for i, p in enumerate(PRECISIONS)}
    return sorted(events, key=lambda e: (e.start, rank[e.precision], -e.salience, e.id))
