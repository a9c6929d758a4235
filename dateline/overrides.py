"""Stage 5, overrides: an editor's hand corrections in `content/overrides.yaml`.

The file is validated against SCHEMA; every problem in it is collected (not just the first) and
reported as `file:line:col`, in order. Corrections apply in a fixed, documented order: article
fixes (before extraction, since a new publication date re-resolves the whole article), then
statement fixes (before events are built), then event fixes and hand-written events.

Ids move when content is edited (a statement's id hashes its sentence; an event's, its first
statement), so an override is found again by what it is about, not only by its id:
- a statement override may carry its quote (`quote`, `expression`, `article`), the way a web
  annotation anchors a selection by its exact text: an edited sentence is found by a close match;
- an event override may be keyed by the id of any statement in the event, and may list the
  statements it had (`members`): the event now holding most of them is the same happening;
- an override written before that carries neither is found through the previous build's
  timeline.json, which recorded what each id was about (and every id re-anchored since).
A re-anchored override is a warning that says where it went; one that matches nothing is an
error naming the closest candidates by content. Nothing is dropped silently.
"""
from __future__ import annotations

import difflib
import hashlib
import heapq
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from . import yamlio
from .articles import Article, display_path, parse_published, read_content_file
from .errors import ContentError, Problem, in_order, shown
from .events import DateStats, Event, make_event, sort_events
from .events import _event_id as event_id
from .roles import ROLES
from .statements import Statement, canonical_value, extract, normalise
from .temporal import EARLIEST_YEAR, LATEST_YEAR, period_of

FILE_NAME = "overrides.yaml"
# section -> field -> kind of value. Adding a field is one line here (and its effect in apply_*).
SCHEMA = {
    "articles": {"published": "published", "hide": "bool"},
    "statements": {"date": "date", "hide": "bool", "event": "event_ref", "note": "text", "role": "role",
                   "quote": "text", "expression": "text", "article": "text"},
    "events": {"title": "text", "date": "date", "hide": "bool", "merge_into": "event_ref",
               "summary": "text", "tags": "tags", "key": "bool", "disagreements": "bool",
               "members": "statement_ids", "quote": "text", "article": "text"},
    "add": {"date": "date", "title": "text", "body": "text", "sources": "sources", "tags": "tags"},
}
ANCHORS = frozenset({"quote", "expression", "article", "members"})   # find the target, change nothing
REQUIRED_IN_ADD = ("date", "title")
STATEMENT_ID = re.compile(r"s-[0-9a-f]{12}")
EVENT_ID = re.compile(r"e-(.+)-([0-9a-f]{6})")
CLOSE_MATCH = 0.75      # how alike an edited sentence must be to its quote to count as the same
SAME_TOPIC = 0.1        # how alike (_likeness) an event must be to a statement to be about the same,
CLEAR_LEAD = 1.5        # and by how much more than the next event
CANDIDATES = 3          # the closest candidates named when an override matches nothing


@dataclass(frozen=True)
class Fix:
    """One override entry: its target id (or None for `add`), where it is, and its fields."""
    section: str
    target: str | None
    line: int
    column: int
    fields: dict = field(hash=False)
    lines: dict = field(hash=False)          # field -> line, for messages
    columns: dict = field(hash=False, default_factory=dict)    # field -> its value's column

    def changes(self) -> set:
        return set(self.fields) - ANCHORS


@dataclass(frozen=True)
class Overrides:
    path: str
    fixes: tuple[Fix, ...] = ()
    problems: tuple[Problem, ...] = ()       # what is wrong in the file itself

    def section(self, name: str) -> list[Fix]:
        return [f for f in self.fixes if f.section == name]


def _hint(word: str, choices) -> str:
    near = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f": did you mean '{near[0]}'?" if near else ""


def _value(node: yaml.Node, key: str, kind: str, path: str):
    if kind == "text":
        return yamlio.text(node, key, path)
    if kind == "bool":
        return yamlio.flag(node, key, path)
    if kind == "event_ref":
        value = yamlio.text(node, key, path).strip()
        if not (EVENT_ID.fullmatch(value) or STATEMENT_ID.fullmatch(value)):
            raise yamlio.at(node, path, f"{shown(value)} is not an event id (e-DATE-xxxxxx) or a statement id "
                                        "(s-xxxxxxxxxxxx): copy one from timeline.json or a --review build")
        return value
    if kind == "role":
        value = yamlio.text(node, key, path).strip()
        if value not in ROLES:
            raise yamlio.at(node, path, f"{shown(value)} is not a role: write one of {', '.join(ROLES)}")
        return value
    if kind == "statement_ids":
        ids = yamlio.text_list(node, key, path)
        for value in ids:
            if not STATEMENT_ID.fullmatch(value):
                raise yamlio.at(node, path, f"{shown(value)} is not a statement id (s-xxxxxxxxxxxx)")
        return ids
    if kind == "date":
        value = yamlio.scalar(node, key, path).strip()
        period = period_of(value)
        if not period:
            curly = " (curly quotes are part of the text in YAML: use straight ones)" \
                if value[:1] in yamlio.CURLY_QUOTES else ""
            raise yamlio.at(node, path, f"{shown(value)} is not a date: write a TIMEX3 date such as 2022-12-16, "
                                        f"2022-10, 2023, 2024-W37 or 2024-WI{curly}")
        if period.start.year < EARLIEST_YEAR or period.end.year > LATEST_YEAR:
            raise yamlio.at(node, path, f"{shown(value)} is outside the years {EARLIEST_YEAR}-{LATEST_YEAR}: "
                                        "check the date")
        return value
    if kind == "published":
        value = yamlio.scalar(node, key, path)
        try:
            return parse_published(value)
        except ValueError as e:
            raise yamlio.at(node, path, f"{shown(value)} is not a real date ({e}): write it as YYYY-MM-DD") from None
    if kind in ("tags", "sources"):
        return yamlio.text_list(node, key, path)
    raise AssertionError(kind)


def _target_problem(section: str, target: str) -> str | None:
    """A key in the wrong section, or a field indented as if it were an id."""
    if section in ("statements", "events") and any(target in fields for fields in SCHEMA.values()):
        return (f"'{target}' is a field, not an id: indent it under the entry above it "
                f"(it is read as an id in '{section}')")
    if section == "statements" and EVENT_ID.fullmatch(target):
        return f"'{target}' is an event id: put it under 'events:'"
    if section == "articles" and EVENT_ID.fullmatch(target):
        return f"'{target}' is an event id: put it under 'events:'"
    if section == "articles" and STATEMENT_ID.fullmatch(target):
        return f"'{target}' is a statement id: put it under 'statements:'"
    return None


def _fix(section: str, target: str | None, node: yaml.Node, path: str, line: int, column: int,
         problems: list) -> Fix | None:
    if target is not None and (wrong := _target_problem(section, target)):
        problems.append(Problem(path, line, wrong, column))
        return None
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(path, line, f"the entry under '{section}' must be 'key: value' lines, indented "
                                            "under it", column))
        return None
    allowed = SCHEMA[section]
    fields, lines, columns = {}, {}, {}
    for key, k_line, k_col, value in yamlio.mapping_entries(node, path, problems=problems):
        if key not in allowed:
            elsewhere = [s for s, f in SCHEMA.items() if key in f and s != section]
            problems.append(Problem(path, k_line, f"unknown key {shown(key)} in {section}" + (
                f": '{key}' belongs to entries under '{elsewhere[0]}:'" if elsewhere else
                _hint(key, allowed) or f" (allowed: {', '.join(allowed)})"), k_col))
            continue
        try:
            fields[key], lines[key] = _value(value, key, allowed[key], path), k_line
            columns[key] = value.start_mark.column + 1
        except ContentError as e:
            problems.extend(e.problems)
    if section == "add":
        given = {k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
        missing = [key for key in REQUIRED_IN_ADD if key not in given]
        for key in missing:
            problems.append(Problem(path, line, f"an added event needs '{key}'", column))
        if any(key not in fields for key in REQUIRED_IN_ADD):
            return None
    if section == "events" and fields.get("merge_into") == target:
        problems.append(Problem(path, lines["merge_into"], "an event cannot merge into itself"))
        return None
    return Fix(section, target, line, column, fields, lines, columns)


def load_overrides(content: Path) -> Overrides:
    """The corrections, and every problem in the file (an entry with a problem is left out)."""
    path = content / FILE_NAME
    shown_path = display_path(path)
    if not path.is_symlink() and not path.exists():
        return Overrides(shown_path)
    try:
        text = read_content_file(path, content, shown_path).decode("utf-8")
    except UnicodeDecodeError as e:
        return Overrides(shown_path, problems=(
            Problem(shown_path, 1, f"not valid UTF-8 (byte offset {e.start}): save it as UTF-8"),))
    except ContentError as e:      # a link out of the content folder, a pipe, a device
        return Overrides(shown_path, problems=tuple(e.problems))
    try:
        root = yamlio.compose(text.removeprefix("\ufeff"), shown_path)
    except ContentError as e:
        return Overrides(shown_path, problems=tuple(e.problems))
    if root is None:
        return Overrides(shown_path)
    if not isinstance(root, yaml.MappingNode):
        return Overrides(shown_path, problems=(Problem(shown_path, 1, f"expected sections: {', '.join(SCHEMA)}"),))
    fixes, problems = [], []
    for section, line, column, node in yamlio.mapping_entries(root, shown_path, problems=problems):
        if section not in SCHEMA:
            problems.append(Problem(shown_path, line, f"unknown section {shown(section)}{_hint(section, SCHEMA)}"
                                    + ("" if _hint(section, SCHEMA) else f" (sections: {', '.join(SCHEMA)})"),
                                    column))
            continue
        if node.tag == "tag:yaml.org,2002:null":
            continue
        if section == "add":
            if not isinstance(node, yaml.SequenceNode):
                problems.append(Problem(shown_path, line, "'add' must be a list of events ('- date: ...')", column))
                continue
            for item in node.value:
                fixes.append(_fix(section, None, item, shown_path, item.start_mark.line + 1,
                                  item.start_mark.column + 1, problems))
            continue
        if not isinstance(node, yaml.MappingNode):
            problems.append(Problem(shown_path, line, f"'{section}' must map ids to corrections", column))
            continue
        for target, t_line, t_col, value in yamlio.mapping_entries(node, shown_path, problems=problems):
            fixes.append(_fix(section, target, value, shown_path, t_line, t_col, problems))
    return Overrides(shown_path, tuple(f for f in fixes if f), tuple(in_order(problems)))


# ---------------------------------------------------------------- the previous build

@dataclass(frozen=True)
class Previous:
    """What the last build's timeline.json says each id was about."""
    statements: dict = field(default_factory=dict)   # id (or alias) -> (article, sentence, expression)
    events: dict = field(default_factory=dict)       # id (or alias) -> (title, member statement ids)
    articles: frozenset = frozenset()


def read_previous(timeline_json: Path) -> Previous:
    try:
        data = json.loads(timeline_json.read_text(encoding="utf-8"))
        statements, events = {}, {}
        for e in data["events"]:
            members = tuple(s["id"] for s in e["statements"])
            for key in [e["id"], *e.get("aliases", ())]:
                events[key] = (e["title"], members)
            for s in e["statements"]:
                for key in [s["id"], *s.get("aliases", ())]:
                    statements[key] = (s["article"], s["text"], s["expression"])
        return Previous(statements, events, frozenset(a["id"] for a in data["articles"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return Previous()


# ---------------------------------------------------------------- finding what an override is about

def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", normalise(text)) if len(w) > 3}


def _likeness(texts: list[str], event: Event) -> float:
    """How much an event is about the texts: the mean word overlap (Jaccard) of its statements
    with them (a mean, so that a large event is not favoured for holding more words)."""
    wanted = set().union(*map(_words, texts)) if texts else set()
    members = [_words(s.sentence) for s in event.statements[:50]]
    if not wanted or not members:
        return 0.0
    return sum(len(wanted & m) / len(wanted | m) for m in members) / len(members)


def _excerpt(text: str, limit: int = 60) -> str:
    return shown(text, limit).replace("'", '"', 1)[:-1] + '"'


@dataclass
class Report:
    """Finds each override's target, and collects the problems: unknown ids (errors),
    re-anchored and stale ones (warnings). Also records which old ids now name which target,
    so that the next build can find them again (timeline.json's `aliases`)."""
    overrides: Overrides
    read_previous: Callable[[], Previous] = Previous
    problems: list = field(default_factory=list)
    aliases: dict = field(default_factory=lambda: defaultdict(list))   # current id -> old ids
    hidden: dict = field(default_factory=dict)        # article id -> (Article, line of its `hide`)
    found: dict = field(default_factory=dict)         # statement Fix -> the statement id it applies to
    moved: set = field(default_factory=set)           # statements whose date or event an editor changed
    articles: set = field(default_factory=set)        # the ids of the articles being built
    _previous: Previous | None = None
    _statements: dict = field(default_factory=dict)   # id -> Statement, all there are
    _index: dict | None = None                        # word -> statement ids, built when first needed
    _hidden_statements: dict | None = None
    _made_from: dict | None = None

    def previous(self) -> Previous:
        if self._previous is None:
            self._previous = self.read_previous()
        return self._previous

    def add(self, fix_or_line, message: str, warning: bool = False, column: int | None = None) -> None:
        if isinstance(fix_or_line, Fix):
            line, column = fix_or_line.line, fix_or_line.column
        else:
            line = fix_or_line
        self.problems.append(Problem(self.overrides.path, line, message, column, warning=warning))

    # -- statements

    def know(self, statements: list[Statement]) -> None:
        self._statements = {s.id: s for s in statements}
        self._index = None

    def hidden_statements(self) -> dict[str, Statement]:
        """The statements of articles an override hides, to tell 'hidden' from 'unknown'."""
        if self._hidden_statements is None:
            self._hidden_statements = {s.id: s for a, _ in self.hidden.values() for s in extract(a).statements}
        return self._hidden_statements

    def quote_of(self, fix: Fix) -> tuple[str, str, str] | None:
        """(article, sentence, expression) the override is about: its own quote, else what the
        last build said about its id."""
        if "quote" in fix.fields:
            return fix.fields.get("article", ""), fix.fields["quote"], fix.fields.get("expression", "")
        return self.previous().statements.get(fix.target)

    def closest(self, article: str, sentence: str, expression: str) -> list[tuple[float, Statement]]:
        """Statements ranked by how alike their sentence is to `sentence` (same article first)."""
        if self._index is None:
            self._index = defaultdict(set)
            for s in self._statements.values():
                for w in set(normalise(s.sentence).split()):
                    self._index[w].add(s.id)
        wanted = normalise(sentence)
        pool = [s for s in self._statements.values() if s.article == article]
        if not pool or max(_similarity(wanted, normalise(s.sentence)) for s in pool) < CLOSE_MATCH:
            # elsewhere: the statements sharing most words with the quote, then compared closely
            shared = Counter(i for w in set(wanted.split()) if len(self._index.get(w, ())) < 1000
                             for i in self._index.get(w, ()))
            # ties by id: the order a Counter keeps them in comes from sets, which the hash seed
            # orders differently in each process
            most = heapq.nsmallest(50, shared.items(), key=lambda x: (-x[1], x[0]))
            pool = pool + [self._statements[i] for i, _ in most]
        want_expression = normalise(expression)
        ranked = {}
        for s in pool:
            score = _similarity(wanted, normalise(s.sentence))
            # within one sentence, the statement of the same expression
            bonus = 0.01 if normalise(s.expression) == want_expression else \
                0.005 * _similarity(want_expression, normalise(s.expression))
            ranked[s.id] = (score + bonus + (0.001 if s.article == article else 0), s)
        return sorted(ranked.values(), key=lambda x: (-x[0], x[1].id))

    def locate_statement(self, fix: Fix) -> str | None:
        """The statement an override applies to, or None (with the problem reported)."""
        if fix.target in self._statements:
            return fix.target
        quote = self.quote_of(fix)
        hidden = self.hidden_statements()
        in_hidden = hidden.get(fix.target) or (quote and quote[0] in self.hidden and quote[0])
        if in_hidden:
            article = in_hidden.article if isinstance(in_hidden, Statement) else in_hidden
            self.add(fix, f"statement '{fix.target}' is in article '{article}', which this file hides (line "
                          f"{self.hidden[article][1]}): this override has no effect; delete it or unhide the article",
                     warning=True)
            return None
        ranked = self.closest(*quote) if quote else []
        if ranked and ranked[0][0] >= CLOSE_MATCH:
            found = ranked[0][1]
            self.aliases[found.id].append(fix.target)
            self.add(fix, f"statement '{fix.target}' was re-anchored by its quote to '{found.id}' in "
                          f"'{found.article}' ({_excerpt(found.sentence)}): replace the id with '{found.id}'",
                     warning=True)
            return found.id
        if quote and quote[0] and quote[0] not in self.articles:
            self.add(fix, f"statement '{fix.target}' was in article '{quote[0]}', which is gone: delete this "
                          "override or restore the article", warning=True)
            return None
        candidates = ", ".join(f"{s.id} in {s.article} ({_excerpt(s.sentence)}, {score:.0%} alike)"
                               for score, s in ranked[:CANDIDATES] if score > 0.3)
        if quote:
            self.add(fix, f"statement '{fix.target}' matches nothing: its sentence is not in any article any more"
                          + (f"; closest by content: {candidates}" if candidates else "")
                          + ": point the override at one of them, or delete it")
        else:
            hint = difflib.get_close_matches(fix.target, self._statements, n=1, cutoff=0.9)
            self.add(fix, f"unknown statement id '{fix.target}'" + (
                f": did you mean '{hint[0]}'?" if hint else
                ": no statement has it, and the override has no 'quote' to find it by; copy an id from "
                "timeline.json, `review` or a --review build"))
        return None

    # -- events

    def locate_event(self, key: str, line: int, column: int | None, events: dict[str, Event],
                     holder: dict[str, str], fix: Fix | None = None, role: str = "event") -> str | None:
        """The event an override (or a reference in one) means: by its id, by a statement in it,
        or by the statements it had. None, with the problem reported, if there is none."""
        if key in events:
            return key
        if STATEMENT_ID.fullmatch(key):
            if key in holder:
                return holder[key]
            probe = Fix("statements", key, line, column or 0, {}, {})
            sid = self.locate_statement(probe)
            if sid is not None and sid in holder:
                return holder[sid]
            if sid is not None:
                self.problems.append(Problem(self.overrides.path, line, f"statement '{sid}' is in no event (this "
                                             "file hides it): name another statement of the event", column))
            return None
        votes: Counter = Counter()
        previous = self.previous().events.get(key)
        members = set(fix.fields.get("members", ()) if fix else ()) | set(previous[1] if previous else ())
        quotes = [self.previous().statements[sid] for sid in sorted(members - set(holder))
                  if sid in self.previous().statements]
        if fix and "quote" in fix.fields:
            quotes.append((fix.fields.get("article", ""), fix.fields["quote"], ""))
        for sid in members:
            if sid in holder and sid not in self.moved:
                votes[holder[sid]] += 1
        if not votes:       # its statements' sentences, found again (they were edited)
            for quote in quotes:
                ranked = self.closest(*quote)
                if ranked and ranked[0][0] >= CLOSE_MATCH and ranked[0][1].id in holder \
                        and ranked[0][1].id not in self.moved:
                    votes[holder[ranked[0][1].id]] += 1
        anchors = []        # the statement the id was made from, if moved or hidden
        for s in self.made_from().get(key, ()):
            if s.id in holder and s.id not in self.moved:
                votes[holder[s.id]] += 1
            else:               # moved, or hidden: it still tells what the event was about
                anchors.append(s)
        how = "its statements"
        if not votes and anchors:
            # the event on its date most about the same, if one clearly is
            texts, value = [s.sentence for s in anchors], canonical_value(anchors[0].value)
            alike = sorted(((_likeness(texts, e), e.id) for e in events.values() if e.value == value), reverse=True)
            if alike and alike[0][0] >= SAME_TOPIC and (len(alike) == 1 or alike[0][0] >= CLEAR_LEAD * alike[1][0]):
                votes[alike[0][1]], how = 1, "content (the statement its id came from was moved or hidden)"
        if votes:
            best = min(votes, key=lambda eid: (-votes[eid], eid))
            self.aliases[best].append(key)
            self.problems.append(Problem(self.overrides.path, line, (
                f"{role} '{key}' was re-anchored by {how} to '{best}' "
                f"({_excerpt(events[best].title)}): replace the id with '{best}'"), column, warning=True))
            return best
        # made only from articles that are gone or hidden: for an override of the event itself
        # that is a warning (it has nothing left to change); a move or merge into it cannot be done
        sources = {q[0] for q in quotes if q[0]} | set(self._hidden_sources(key))
        if sources and not sources & self.articles:
            hidden = sorted(sources & set(self.hidden))
            why = (f"article '{hidden[0]}', which this file hides (line {self.hidden[hidden[0]][1]})" if hidden else
                   f"article(s) {', '.join(sorted(sources))}, which are gone")
            self.problems.append(Problem(self.overrides.path, line, f"{role} '{key}' is made from {why}: " + (
                "this override has no effect; delete it, or restore the article" if role == "event" else
                "restore the article or choose another event"), column, warning=role == "event"))
            return None
        about = [previous[0]] if previous else [s.sentence for s in anchors] + [q[1] for q in quotes]
        self.problems.append(Problem(self.overrides.path, line, self._no_event(key, events, about), column))
        return None

    def _no_event(self, key: str, events: dict[str, Event], about: list[str]) -> str:
        """Why no event matches, naming the closest events by content: to what the last build
        said the event was, or to the statement its id was made from."""
        id_match = EVENT_ID.fullmatch(key)
        value = id_match.group(1) if id_match else ""
        pool = [e for e in events.values() if e.value == value] or (list(events.values()) if about else [])
        ranked = sorted(pool, key=lambda e: (-_likeness(about, e), e.id))[:CANDIDATES]
        near = ", ".join(f"{e.id} ({_excerpt(e.title)})" for e in ranked)
        spelled = difflib.get_close_matches(key, events, n=1, cutoff=0.9)
        if near:
            return f"unknown event id '{key}'; {'closest by content' if about else f'events on {value}'}: {near}"
        if spelled:
            return f"unknown event id '{key}': did you mean '{spelled[0]}'?"
        return f"unknown event id '{key}': copy an id from timeline.json or a --review build"

    def _hidden_sources(self, key: str) -> list[str]:
        return sorted({s.article for s in self.made_from().get(key, ()) if s.article in self.hidden})

    def made_from(self) -> dict[str, list[Statement]]:
        """Every statement (hidden ones too) by the id an event led by it would have."""
        if self._made_from is None:
            self._made_from = defaultdict(list)
            for s in [*self._statements.values(), *self.hidden_statements().values()]:
                self._made_from[event_id(canonical_value(s.value), s)].append(s)
        return self._made_from


# ---------------------------------------------------------------- applying them

def apply_to_articles(articles: list[Article], ov: Overrides, report: Report) -> list[Article]:
    by_id = {a.id: a for a in articles}
    out = dict(by_id)
    for fix in ov.section("articles"):
        if fix.target not in by_id:
            if fix.target in report.previous().articles:
                report.add(fix, f"article '{fix.target}' is gone (it was in the last build): delete this override "
                                "or restore the file", warning=True)
            else:
                report.add(fix, f"unknown article id {shown(fix.target)}{_hint(fix.target, by_id)}")
            continue
        if fix.fields.get("hide"):
            del out[fix.target]
            report.hidden[fix.target] = (by_id[fix.target], fix.line)
        elif "published" in fix.fields:
            out[fix.target] = replace(by_id[fix.target], published=fix.fields["published"])
    report.articles = set(out)
    return [out[a.id] for a in articles if a.id in out]


def apply_to_statements(statements: list[Statement], ov: Overrides, report: Report) -> list[Statement]:
    report.know(statements)
    found = [(fix, report.locate_statement(fix)) for fix in ov.section("statements")]
    report.found = _assign([(fix, sid, sid == fix.target) for fix, sid in found if sid], "statement", report)
    if not report.found:
        return list(statements)     # nothing to change: no copy of 100,000 statements by id
    by_id = {s.id: s for s in statements}
    for fix, sid in report.found.items():
        if fix.changes() & {"date", "event"}:
            report.moved.add(sid)
        s = by_id[sid]
        if fix.fields.get("hide"):
            del by_id[sid]
            continue
        changes = {}
        if "date" in fix.fields:
            period = period_of(fix.fields["date"])
            changes = dict(value=fix.fields["date"], period_start=period.start.isoformat(),
                           period_end=period.end.isoformat(), precision=period.precision,
                           original_value=s.value)
        for key in ("note", "role"):
            if key in fix.fields:
                changes[key] = fix.fields[key]
        by_id[sid] = replace(s, **changes, changed=tuple(sorted(fix.changes() - {"event"})))
    return [by_id[s.id] for s in statements if s.id in by_id]


def apply_to_events(events: list[Event], ov: Overrides, report: Report, articles: dict[str, Article]) -> list[Event]:
    by_id = {e.id: e for e in events}
    holders: dict[str, str] = {}

    def holder() -> dict[str, str]:
        """statement id -> the id of its event: made when first needed, as most overrides name
        their event by its own id (0.1-0.2 s at 10,000 articles)."""
        if not holders:
            holders.update((s.id, e.id) for e in by_id.values() for s in e.statements)
        return holders

    def locate(key, line, column=None, fix=None, role="event"):
        return key if key in by_id else report.locate_event(key, line, column, by_id, holder(), fix, role)

    def move(statement_id: str, destination: str) -> None:
        source = holder()[statement_id]
        if source == destination:
            return
        moving = next(s for s in by_id[source].statements if s.id == statement_id)
        by_id[source] = _rebuilt(by_id[source], [s for s in by_id[source].statements if s.id != statement_id], articles)
        by_id[destination] = _rebuilt(by_id[destination], list(by_id[destination].statements) + [moving], articles)
        holder()[statement_id] = destination

    for fix in ov.section("statements"):
        if "event" in fix.fields and report.found.get(fix) in holder():
            destination = locate(fix.fields["event"], fix.lines["event"], fix.columns["event"], role="target event")
            if destination:
                move(report.found[fix], destination)

    # every event override's target, found before any event changes
    found = [(fix, locate(fix.target, fix.line, fix.column, fix)) for fix in ov.section("events")]
    targets = _assign([(fix, eid, eid == fix.target or eid == holder().get(fix.target)) for fix, eid in found if eid],
                      "event", report)
    merges: dict[str, tuple[str, Fix]] = {}
    for fix, eid in targets.items():
        if "merge_into" in fix.fields:
            into = locate(fix.fields["merge_into"], fix.lines["merge_into"], fix.columns["merge_into"],
                          role="merge target")
            if into == eid:
                report.add(fix.lines["merge_into"], f"'{fix.fields['merge_into']}' is this same event "
                                                   f"('{eid}'): an event cannot merge into itself")
            elif into:
                merges[eid] = (into, fix)
    for eid in _cycles(merges, report):
        merges.pop(eid, None)
    for eid in sorted(merges, key=lambda e: merges[e][1].line):
        root = eid
        while root in merges:
            root = merges[root][0]
        merged = list(by_id[root].statements) + list(by_id[eid].statements)
        by_id[eid] = replace(by_id[eid], statements=())
        by_id[root] = replace(_rebuilt(by_id[root], merged, articles),
                              changed=tuple(sorted(set(by_id[root].changed) | {"merged"})))
    for fix, eid in targets.items():
        if eid in merges or not fix.changes() - {"hide"}:
            continue
        event = by_id[eid]
        changes = {k: fix.fields[k] for k in ("title", "summary", "tags", "key") if k in fix.fields}
        if fix.fields.get("disagreements") is False:
            changes["disagreements"] = ()       # the editor switched the box off
        if "date" in fix.fields:
            period = period_of(fix.fields["date"])
            changes.update(value=fix.fields["date"], start=period.start.isoformat(),
                           end=period.end.isoformat(), precision=period.precision)
        by_id[eid] = replace(event, **changes, changed=tuple(sorted(set(event.changed) | fix.changes())))
    for fix, eid in targets.items():
        if fix.fields.get("hide"):
            by_id.pop(eid, None)
    added = [_added(fix, articles, report) for fix in ov.section("add")]
    return sort_events([e for e in by_id.values() if e.statements or "added" in e.changed] + added)


def _assign(found: list[tuple[Fix, str, bool]], kind: str, report: Report) -> dict[Fix, str]:
    """Which override applies to which target, given (override, target, written for it by id).
    Two written for one target are an error. One found again after an edit, on a target another
    override is written for, yields to that one, with a warning (edits can make two happenings one)."""
    claimed: dict[str, Fix] = {}
    for fix, target, exact in sorted(found, key=lambda x: (not x[2], x[0].line)):
        if target not in claimed:
            claimed[target] = fix
        elif exact:
            report.add(fix, f"this override and the one on line {claimed[target].line} both apply to {kind} "
                            f"'{target}': keep one")
        else:
            report.add(fix, f"this override was found again on {kind} '{target}', which the override on line "
                            f"{claimed[target].line} already changes: it is not applied; merge the two into one",
                       warning=True)
    return {fix: target for target, fix in sorted(claimed.items(), key=lambda x: x[1].line)}


def _cycles(merges: dict[str, tuple[str, Fix]], report: Report) -> set[str]:
    """Events whose merge_into chain comes back to them: reported once per cycle, left unmerged."""
    in_cycle: set[str] = set()
    for start in sorted(merges, key=lambda e: merges[e][1].line):
        path, eid = [], start
        while eid in merges and eid not in path and eid not in in_cycle:
            path.append(eid)
            eid = merges[eid][0]
        if eid in path:
            cycle = path[path.index(eid):]
            in_cycle |= set(cycle)
            fixes = sorted((merges[e][1] for e in cycle), key=lambda f: f.line)
            report.add(fixes[0].lines["merge_into"], "merge cycle: " + " -> ".join(cycle + [eid]) +
                       f" (merge_into on lines {', '.join(str(f.lines['merge_into']) for f in fixes)}): "
                       "remove one of them")
    return in_cycle


def _rebuilt(event: Event, members: list[Statement], articles: dict[str, Article]) -> Event:
    """The same event (same id, same editor's fields) with a different set of statements; its
    salience counts the new sources against the date as it was."""
    if not members:
        return replace(event, statements=(), sources=())
    fresh = make_event(event.value, members, {}, articles, event.stats)
    return replace(fresh, id=event.id, value=event.value, start=event.start, end=event.end,
                   precision=event.precision, summary=event.summary, tags=event.tags, changed=event.changed)


def _added(fix: Fix, articles: dict[str, Article], report: Report) -> Event:
    sources = []
    for source in fix.fields.get("sources", ()):
        if source in articles or source.startswith(("http://", "https://")):
            sources.append(source)
        else:
            report.add(fix.lines["sources"], f"source {shown(source)} is neither an article id nor a URL"
                                             f"{_hint(source, articles)}")
    period = period_of(fix.fields["date"])
    digest = hashlib.sha1(f"{fix.fields['date']}\x1f{fix.fields['title']}".encode()).hexdigest()[:6]
    return Event(
        id=f"e-{fix.fields['date']}-add-{digest}", value=fix.fields["date"], start=period.start.isoformat(),
        end=period.end.isoformat(), precision=period.precision, title=fix.fields["title"], headline="",
        statements=(), sources=tuple(sources), disagreements=(), salience=float(len(sources) or 1),
        stats=DateStats(0, 0, 0, 0), summary=fix.fields.get("body", ""), tags=fix.fields.get("tags", ()), changed=("added",))


# ---------------------------------------------------------------- writing them

def statement_snippet(s: Statement, fix: str = "") -> str:
    """An override for one statement in the robust form: its id, and the quote that finds it
    again if the sentence is edited. `fix` is the correction line(s) to add."""
    return (f"{s.id}:\n  article: {s.article}\n  quote: {json.dumps(s.sentence, ensure_ascii=False)}\n"
            f"  expression: {json.dumps(s.expression, ensure_ascii=False)}\n" + (f"  {fix}\n" if fix else ""))


def event_snippet(e: Event, fix: str = "") -> str:
    """An override for one event in the robust form: its id, its statements and the sentence of
    its headline, which find it again if its id moves."""
    headline = next((s for s in e.statements if s.id == e.headline), e.statements[0] if e.statements else None)
    quote = (f"  article: {headline.article}\n  quote: {json.dumps(headline.sentence, ensure_ascii=False)}\n"
             if headline else "")
    return f"{e.id}:\n  members: [{', '.join(s.id for s in e.statements)}]\n{quote}" + (f"  {fix}\n" if fix else "")
