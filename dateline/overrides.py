"""Stage 5, overrides: an editor's hand corrections in `content/overrides.yaml`.

The file is validated against SCHEMA with `file:line:col` errors. Corrections apply in a fixed,
documented order: article fixes (before extraction, since a new publication date re-resolves
the whole article), then statement fixes (before events are built), then event fixes and
hand-written events. An id that matched nothing is never dropped silently: if the previous
build had it, its target went away (a warning, an error under --strict); if not, it is a typo
(an error).
"""
from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from . import yamlio
from .articles import Article, display_path, parse_published, read_content_file
from .errors import ContentError, Problem
from .events import DateStats, Event, make_event, sort_events
from .statements import Statement
from .temporal import EARLIEST_YEAR, LATEST_YEAR, period_of

FILE_NAME = "overrides.yaml"
SCHEMA = {
    "articles": {"published": "published", "hide": "bool"},
    "statements": {"date": "date", "hide": "bool", "event": "event_id", "note": "text"},
    "events": {"title": "text", "date": "date", "hide": "bool", "merge_into": "event_id",
               "summary": "text", "tags": "tags"},
    "add": {"date": "date", "title": "text", "body": "text", "sources": "sources", "tags": "tags"},
}
REQUIRED_IN_ADD = ("date", "title")
TRUE, FALSE = {"true", "yes", "on"}, {"false", "no", "off"}


@dataclass(frozen=True)
class Fix:
    """One override entry: its target id (or None for `add`), where it is, and its fields."""
    section: str
    target: str | None
    line: int
    column: int
    fields: dict = field(hash=False)
    lines: dict = field(hash=False)          # field -> line, for messages


@dataclass(frozen=True)
class Overrides:
    path: str
    fixes: tuple[Fix, ...] = ()

    def section(self, name: str) -> list[Fix]:
        return [f for f in self.fixes if f.section == name]


def _hint(word: str, choices) -> str:
    near = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f": did you mean '{near[0]}'?" if near else ""


def _value(node: yaml.Node, kind: str, where: Problem):
    def bad(message: str):
        return ContentError(replace(where, message=message))
    if kind in ("text", "event_id"):
        if not isinstance(node, yaml.ScalarNode) or not node.value.strip():
            raise bad("expected a piece of text")
        return node.value
    if kind == "bool":
        if not isinstance(node, yaml.ScalarNode) or node.value.lower() not in TRUE | FALSE:
            raise bad("expected true or false")
        return node.value.lower() in TRUE
    if kind == "date":
        value = node.value.strip() if isinstance(node, yaml.ScalarNode) else ""
        period = period_of(value)
        if not period:
            raise bad(f"'{value}' is not a date: write a TIMEX3 date such as 2022-12-16, 2022-10, "
                      "2023, 2024-W37 or 2024-WI")
        if period.start.year < EARLIEST_YEAR or period.end.year > LATEST_YEAR:
            raise bad(f"'{value}' is outside the years {EARLIEST_YEAR}-{LATEST_YEAR}: check the date")
        return value
    if kind == "published":
        try:
            return parse_published(node.value) if isinstance(node, yaml.ScalarNode) else None
        except ValueError as e:
            raise bad(f"'{node.value}' is not a real date ({e}): write it as YYYY-MM-DD") from None
    if kind in ("tags", "sources"):
        if not isinstance(node, yaml.SequenceNode) or not all(
                isinstance(n, yaml.ScalarNode) and n.value.strip() for n in node.value):
            raise bad("expected a list, e.g. [a, b]")
        return tuple(n.value.strip() for n in node.value)
    raise AssertionError(kind)


def _fix(section: str, target: str | None, node: yaml.Node, path: str, line: int, column: int) -> Fix:
    if not isinstance(node, yaml.MappingNode):
        raise ContentError(Problem(path, line, f"the entry under '{section}' must be 'key: value' lines", column))
    allowed = SCHEMA[section]
    fields, lines = {}, {}
    for key, k_line, k_col, value in yamlio.mapping_entries(node, path):
        if key not in allowed:
            raise ContentError(Problem(path, k_line, f"unknown key '{key}' in {section}{_hint(key, allowed)}"
                                       + ("" if _hint(key, allowed) else f" (allowed: {', '.join(allowed)})"),
                                       k_col))
        where = Problem(path, value.start_mark.line + 1, "", value.start_mark.column + 1)
        fields[key], lines[key] = _value(value, allowed[key], where), k_line
    if section == "add":
        for key in REQUIRED_IN_ADD:
            if key not in fields:
                raise ContentError(Problem(path, line, f"an added event needs '{key}'", column))
    if section == "events" and fields.get("merge_into") == target:
        raise ContentError(Problem(path, lines["merge_into"], "an event cannot merge into itself"))
    return Fix(section, target, line, column, fields, lines)


def load_overrides(content: Path) -> Overrides:
    path = content / FILE_NAME
    shown = display_path(path)
    if not path.is_symlink() and not path.exists():
        return Overrides(shown)
    try:
        text = read_content_file(path, content, shown).decode("utf-8")
    except UnicodeDecodeError as e:
        raise ContentError(Problem(shown, 1, f"not valid UTF-8 (byte offset {e.start}): save it as UTF-8")) from None
    root = yamlio.compose(text, shown)
    if root is None:
        return Overrides(shown)
    if not isinstance(root, yaml.MappingNode):
        raise ContentError(Problem(shown, 1, f"expected sections: {', '.join(SCHEMA)}"))
    fixes = []
    for section, line, column, node in yamlio.mapping_entries(root, shown):
        if section not in SCHEMA:
            raise ContentError(Problem(shown, line, f"unknown section '{section}'{_hint(section, SCHEMA)}"
                                       + ("" if _hint(section, SCHEMA) else f" (sections: {', '.join(SCHEMA)})"),
                                       column))
        if section == "add":
            if not isinstance(node, yaml.SequenceNode):
                raise ContentError(Problem(shown, line, "'add' must be a list of events ('- date: ...')", column))
            for item in node.value:
                fixes.append(_fix(section, None, item, shown, item.start_mark.line + 1, item.start_mark.column + 1))
            continue
        if node.tag == "tag:yaml.org,2002:null":
            continue
        if not isinstance(node, yaml.MappingNode):
            raise ContentError(Problem(shown, line, f"'{section}' must map ids to corrections", column))
        for target, t_line, t_col, value in yamlio.mapping_entries(node, shown):
            fixes.append(_fix(section, target, value, shown, t_line, t_col))
    return Overrides(shown, tuple(fixes))


# ---------------------------------------------------------------- applying them

@dataclass
class Report:
    """Problems found while applying: unknown ids (errors) and stale ones (warnings)."""
    overrides: Overrides
    # the last build's ids, asked for only when an override misses (reading them takes a while)
    read_previous_ids: Callable[[], frozenset]
    problems: list = field(default_factory=list)
    _previous_ids: frozenset | None = None

    def missing(self, fix: Fix, kind: str, known) -> None:
        if self._previous_ids is None:
            self._previous_ids = self.read_previous_ids()
        if fix.target in self._previous_ids:
            self.problems.append(Problem(
                self.overrides.path, fix.line, f"{kind} '{fix.target}' no longer exists (its article was "
                f"edited or removed): update this override or delete it", fix.column, warning=True))
        else:
            self.problems.append(Problem(
                self.overrides.path, fix.line, f"unknown {kind} id '{fix.target}'{_hint(fix.target, known)}",
                fix.column))


def apply_to_articles(articles: list[Article], ov: Overrides, report: Report) -> list[Article]:
    by_id = {a.id: a for a in articles}
    out = dict(by_id)
    for fix in ov.section("articles"):
        if fix.target not in by_id:
            report.missing(fix, "article", by_id)
            continue
        if fix.fields.get("hide"):
            del out[fix.target]
        elif "published" in fix.fields:
            out[fix.target] = replace(by_id[fix.target], published=fix.fields["published"])
    return [out[a.id] for a in articles if a.id in out]


def apply_to_statements(statements: list[Statement], ov: Overrides, report: Report) -> list[Statement]:
    by_id = {s.id: s for s in statements}
    for fix in ov.section("statements"):
        if fix.target not in by_id:
            report.missing(fix, "statement", by_id)
            continue
        s = by_id[fix.target]
        if fix.fields.get("hide"):
            del by_id[fix.target]
            continue
        changes = {}
        if "date" in fix.fields:
            period = period_of(fix.fields["date"])
            changes = dict(value=fix.fields["date"], period_start=period.start.isoformat(),
                           period_end=period.end.isoformat(), precision=period.precision,
                           original_value=s.value)
        if "note" in fix.fields:
            changes["note"] = fix.fields["note"]
        by_id[fix.target] = replace(s, **changes, changed=tuple(sorted(set(fix.fields) - {"event"})))
    return [by_id[s.id] for s in statements if s.id in by_id]


def apply_to_events(events: list[Event], ov: Overrides, report: Report, articles: dict[str, Article]) -> list[Event]:
    by_id = {e.id: e for e in events}
    known_statements = {s.id: e.id for e in events for s in e.statements}
    moves = []
    for fix in ov.section("statements"):
        if "event" in fix.fields and fix.target in known_statements:
            if fix.fields["event"] not in by_id:
                report.missing(replace(fix, target=fix.fields["event"], line=fix.lines["event"]), "event", by_id)
            else:
                moves.append((fix.target, fix.fields["event"]))
    for statement_id, destination in moves:
        source = known_statements[statement_id]
        moving = next(s for s in by_id[source].statements if s.id == statement_id)
        by_id[source] = _rebuilt(by_id[source], [s for s in by_id[source].statements if s.id != statement_id], articles)
        by_id[destination] = _rebuilt(by_id[destination], list(by_id[destination].statements) + [moving], articles)
    for fix in ov.section("events"):
        if fix.target not in by_id:
            report.missing(fix, "event", by_id)
            continue
        target = fix.fields.get("merge_into")
        if target:
            if target not in by_id:
                report.missing(replace(fix, target=target, line=fix.lines["merge_into"]), "event", by_id)
                continue
            merged = list(by_id[target].statements) + list(by_id.pop(fix.target).statements)
            by_id[target] = replace(_rebuilt(by_id[target], merged, articles),
                                    changed=tuple(sorted(set(by_id[target].changed) | {"merged"})))
            continue
        event = by_id[fix.target]
        changes = {k: fix.fields[k] for k in ("title", "summary", "tags") if k in fix.fields}
        if "date" in fix.fields:
            period = period_of(fix.fields["date"])
            changes.update(value=fix.fields["date"], start=period.start.isoformat(),
                           end=period.end.isoformat(), precision=period.precision)
        by_id[fix.target] = replace(event, **changes, changed=tuple(sorted(set(fix.fields))))
    for fix in ov.section("events"):
        if fix.fields.get("hide") and fix.target in by_id:
            del by_id[fix.target]
    added = [_added(fix, articles, report) for fix in ov.section("add")]
    return sort_events([e for e in by_id.values() if e.statements or "added" in e.changed] + added)


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
            report.problems.append(Problem(report.overrides.path, fix.lines["sources"],
                                           f"source '{source}' is neither an article id nor a URL"
                                           f"{_hint(source, articles)}"))
    period = period_of(fix.fields["date"])
    digest = hashlib.sha1(f"{fix.fields['date']}\x1f{fix.fields['title']}".encode()).hexdigest()[:6]
    return Event(
        id=f"e-{fix.fields['date']}-add-{digest}", value=fix.fields["date"], start=period.start.isoformat(),
        end=period.end.isoformat(), precision=period.precision, title=fix.fields["title"], headline="",
        statements=(), sources=tuple(sources), disagreements=(), salience=float(len(sources) or 1),
        stats=DateStats(0, 0, 0, 0), summary=fix.fields.get("body", ""), tags=fix.fields.get("tags", ()), changed=("added",))

