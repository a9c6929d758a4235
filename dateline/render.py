"""Stage 6, render: the static site, written atomically.

Everything is rendered into a temporary folder beside the output and swapped in at the end, so a
failed or killed build leaves the previous site as it was. The same input gives the same bytes.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import hashlib
import json
import marshal
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

import jinja2
import jinja2.ext

from . import exports
from .articles import display_path
from .cache import Cache, article_key, package_digest
from .errors import ContentError, Problem
from .events import CLAIM_FIELDS, Event
from .markup import fill_marks, markdown_html
from .overrides import event_snippet, statement_snippet
from .parallel import fork_map
from .pipeline import Timeline
from .progress import Progress
from .roles import BACKGROUND, PLAN, REFERENCE, REPORT
from .statements import Extraction, canonical_value
from .temporal import PRECISIONS, period_of
from .temporal.grammar import base_language
from .yamlio import language_data

DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MARKER = ".dateline-site"       # marks a folder as dateline's own output, safe to replace
SCHEMA_VERSION = 1
# rendering is shared between processes from this many pages to render, or events to export
PARALLEL_FROM = 200
PAGE_EVENTS = 500           # the most entries one timeline page holds
KEY_EVENTS_ON_INDEX = 300   # the index of a large timeline shows this many key events
NAV_FLAT = 30               # with more pages than this, the navigation folds them by century
LABELS = Path(__file__).parent / "data" / "labels.yaml"   # English; data/<lang>/labels.yaml replaces keys


@functools.lru_cache(maxsize=None)
def labels(lang: str = "en") -> dict:
    """The page's own words in a language (English where it has none of its own)."""
    return language_data(LABELS, base_language(lang))


def roman(n: int) -> str:
    out = ""
    for value, letters in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                           (4, "IV"), (1, "I")):
        out += letters * (n // value)
        n %= value
    return out


# ---------------------------------------------------------------- dates as people read them

@functools.lru_cache(maxsize=1 << 16)     # every export and page asks for the same few thousand dates
def date_label(value: str, precision: str, mod: str | None = None, lang: str = "en") -> str:
    """'Monday 19 December 2022', 'October 2022', 'week of 9 September 2024', 'winter 2024–25';
    with a mod, 'early March 2023', 'the late 1990s', 'about 2010'; in the words of `lang`. A
    mod is written before a label that names its period, after a leading article ("the late
    1990s"), else around it ("the end of the first quarter of 2023"); an amount's hedge ("more
    than two years ago") as a bound before the date (labels.yaml `mods`, `bounds`)."""
    label = plain_date_label(value, precision, lang)
    if period_of(value) is None:
        return label
    words = labels(lang)
    if mod in words["bounds"]:
        return words["bounds"][mod] + label
    if mod not in words["mods"]:
        return label
    named, around = words["mods"][mod]
    the = words["mod_article"]
    if mod != "APPROX" and the and label.startswith(the):
        return the + named + label[len(the):]
    if precision in ("week", "quarter", "half") and mod != "APPROX":
        return around + the + label
    return named + label


def event_mod(statements) -> str | None:
    """The mod an entry's sources agree on ("early March"), or None where one says "early" and
    another "late"; a source that names the whole period does not contradict one that is
    more exact."""
    mods = {s.mod for s in statements if s.mod}
    return mods.pop() if len(mods) == 1 else None


def plain_date_label(value: str, precision: str, lang: str = "en") -> str:
    """A date's label without its mod, in the words of `lang`."""
    period = period_of(value)
    if period is None:
        return value
    s, words = period.start, labels(lang)
    day = words["days"].get(s.day, words["day"].format(n=s.day))
    month = words["months"][s.month - 1]
    if precision == "day":
        return words["date_day"].format(weekday=words["weekdays"][s.weekday()], day=day, month=month, year=s.year)
    if precision == "week":
        return words["date_weekend" if value.endswith("-WE") else "date_week"].format(day=day, month=month, year=s.year)
    if precision == "month":
        return words["date_month"].format(month=month, year=s.year)
    if precision == "season":
        season = words["seasons"][value[-2:]]
        if value.endswith("WI"):
            return words["date_winter"].format(season=season, year=s.year, next_year=f"{(s.year + 1) % 100:02d}")
        return words["date_season"].format(season=season, year=s.year)
    if precision in ("quarter", "half"):
        return words[f"date_{precision}"].format(ordinal=words["ordinals"][int(value[-1])], year=s.year)
    if precision == "year":
        return str(s.year)
    if precision == "decade":
        return words["date_decade"].format(year=s.year)
    if precision == "century":
        n = s.year // 100 + 1
        endings = words["ordinal_endings"]     # by the last digit, but "11th" to "20th"
        suffix = endings["other"] if 10 <= n % 100 <= 20 else endings.get(n % 10, endings["other"])
        return words["date_century"].format(n=n, suffix=suffix, roman=roman(n))
    return value


def machine_date(value: str, precision: str) -> str:
    """A value HTML's <time datetime> accepts: a day, a week, a month or a year; a season,
    quarter or half as the month it starts in, a decade or century as its first year."""
    period = period_of(value)
    if period is None:
        return value
    if precision in ("day", "week", "month", "year"):
        return value.split("T")[0] if precision != "week" else value[:8]
    if precision in ("season", "quarter", "half"):
        return f"{period.start:%Y-%m}"
    return f"{period.start.year:04d}"


def span_note(precision: str, lang: str = "en") -> str:
    """Said of entries coarser than a day, which stand at the start of their period."""
    return "" if precision == "day" else labels(lang)["span_notes"][precision]


@jinja2.pass_context
def _page_date_label(context, value: str, precision: str, mod: str | None = None) -> str:
    return date_label(value, precision, mod, context["site"].language)


@jinja2.pass_context
def _page_span_note(context, precision: str) -> str:
    return span_note(precision, context["site"].language)


# ---------------------------------------------------------------- HTML pieces

def highlighted_body(extraction: Extraction, event_links: dict, root: str, lang: str = "en") -> str:
    """The article as HTML, every temporal expression marked with its resolved value (shown on
    hover and focus) and linked to its timeline entry where it has one (`event_links`: statement
    id -> page#event)."""
    event_at = {s.start: event_links.get(s.id) for s in extraction.statements}

    def open_tag(i: int) -> tuple[str, str]:
        t = extraction.timexes[i]
        event = event_at.get(t.start)
        name = "a" if event else "span"
        href = f' href="{root}{event}"' if event else ""
        return f'<{name} {timex_attributes(t.type, t.value, t.mod, lang)}{href}>', name

    return fill_marks(extraction.body_html, open_tag, len(extraction.timexes))


@functools.lru_cache(maxsize=1 << 14)    # a collection's articles name the same dates again and again
def timex_attributes(kind: str, value: str, mod: str | None, lang: str) -> str:
    """A marked expression's class, value and label (shown on hover and focus), as attributes."""
    escape = jinja2.utils.markupsafe.escape
    period = period_of(canonical_value(value)) if kind in ("DATE", "TIME") else None
    label = date_label(canonical_value(value), period.precision, mod, lang) if period else value
    tip = escape(f"{labels(lang)['timex_types'].get(kind, kind.lower())}: {label} ({value})")
    return (f'class="timex timex-{kind.lower()}" tabindex="0" data-value="{escape(value)}" '
            f'data-label="{escape(label)}" title="{tip}"')


WEB_URL = re.compile(r"https?://[^\s<>\"']+$", re.IGNORECASE)


@functools.lru_cache(maxsize=1 << 16)     # asked for every citation of every article
def web_url(url: str) -> str:
    """The URL if it is a web address, else nothing: a link must never run script
    ("javascript:...") or reach into the reader's machine."""
    url = (url or "").strip()
    return url if WEB_URL.match(url) else ""


def copied_from(article, site) -> str:
    """The original's address where the page copies another outlet's text (the URL is not under
    the site's own base_url): the page then names it canonical and asks not to be indexed."""
    url = web_url(article.url)
    own = site.base_url.strip().rstrip("/")
    return "" if not url or (own and url.startswith(own + "/")) else url


def quote_html(text: str, expression: str) -> str:
    """A statement's sentence with its temporal expression marked."""
    escape = jinja2.utils.markupsafe.escape
    at = text.find(expression)
    if at < 0:
        return str(escape(text))
    return f"{escape(text[:at])}<mark>{escape(expression)}</mark>{escape(text[at + len(expression):])}"


def first_per_outlet(sources, articles: dict) -> list[str]:
    """An entry's sources, one article per outlet (seven articles of one wire are one source);
    sources that are URLs (from added events) as they are."""
    seen, out = set(), []
    for s in sources:
        name = (articles[s].source or s) if s in articles else s
        if name not in seen:
            seen.add(name)
            out.append(s)
    return out


def absolute(site, path: str) -> str:
    """A path in the site as a full URL under base_url; nothing without one. A full URL stays."""
    if re.match(r"https?://", path):
        return path
    return f"{site.base_url.rstrip('/')}/{path}" if site.base_url else ""


def share_tags(site, title: str, path: str, kind: str = "website", description: str = "", image: str = "",
               copied: str = "") -> dict:
    """What Open Graph and Twitter cards show of a page (partials/share.html). A page that copies
    another outlet's article is shared as that original (`copied`), which its template names
    canonical."""
    image = image or site.image
    return {"type": kind, "title": title, "description": description or site.description,
            "url": copied or absolute(site, path), "canonical": not copied,
            "image": absolute(site, image) if image else "", "image_alt": site.image_alt if image == site.image else ""}


def item_list(site, path: str, events) -> str:
    """The page's entries as schema.org ItemList JSON-LD (with base_url: its items need addresses);
    '<' escaped, so no text can close the script element."""
    if not site.base_url:
        return ""
    data = {"@context": "https://schema.org", "@type": "ItemList", "name": site.title,
            "url": absolute(site, path), "numberOfItems": len(events),
            "itemListElement": [{"@type": "ListItem", "position": i, "url": absolute(site, f"{path}#{e.id}"),
                                 "name": e.title} for i, e in enumerate(events, 1)]}
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def methodology(timeline: Timeline) -> dict:
    """What the build did, for the page's "How this timeline was made" note."""
    statements = [s for e in timeline.events for s in e.statements]
    expressions = Counter(s.expression for s in statements)     # a few thousand, for 100,000 statements
    published = sorted(a.published for a in timeline.articles)
    return {
        "articles": len(timeline.articles),
        "outlets": sorted({a.source for a in timeline.articles if a.source}, key=str.casefold),
        "first": published[0].isoformat() if published else "", "last": published[-1].isoformat() if published else "",
        "entries": len(timeline.events), "statements": len(statements),
        "in_full": sum(n for text, n in expressions.items() if re.search(r"\d{4}|'\d\d\b", text)),
        "precise": sum(1 for e in timeline.events if e.precision == "day"),
        "background": sum(1 for e in timeline.events if e.role == BACKGROUND),
        "plans": sum(1 for e in timeline.events if e.role == PLAN),
        "hedged": sum(1 for e in timeline.events if event_mod(e.statements)),
        "disagreements": sum(1 for e in timeline.events if e.disagreements),
        "corrected_statements": sum(1 for s in statements if s.changed),
        "corrected_entries": sum(1 for e in timeline.events if set(e.changed) - {"added", "tags", "summary"}),
        "added": sum(1 for e in timeline.events if e.changed == ("added",)),
    }


# ---------------------------------------------------------------- data

def article_data(a) -> dict:
    return {"id": a.id, "title": a.title, "source": a.source, "published": a.published.isoformat(), "url": a.url,
            "author": a.author, **({"tags": list(a.tags)} if a.tags else {}), **({"image": a.image} if a.image else {})}


def with_aliases(entry: dict, aliases: dict) -> dict:
    """Older ids that overrides.yaml still uses for an event or statement, so that the next
    build finds them again (see overrides.py)."""
    for item in [entry, *entry["statements"]]:
        if item["id"] in aliases:
            item["aliases"] = list(aliases[item["id"]])
    return entry


def dump(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def timeline_json(timeline: Timeline, key_ids: set[str], fingerprints: dict,
                  out: exports.Splice | None = None) -> bytes:
    """timeline.json: the site, every article and every event, one article or event a line:
    quick to write (the C encoder works only without indentation) and readable in a diff. An
    event is encoded only if the last file (in `out`) holds no line of its fingerprint."""
    out = out or exports.Splice()
    site = timeline.site
    out.text("{\n " + f'"schema": {SCHEMA_VERSION},\n "site": ' + dump(
        {"title": site.title, "description": site.description, "base_url": site.base_url, "language": site.language})
        + ',\n "articles": [\n  ')
    for i, a in enumerate(timeline.articles):
        if i:
            out.text(",\n  ")
        out.entry("a" + values_digest(ARTICLE_SHOWN(a) + (a.published.toordinal(),)), lambda: dump(article_data(a)))
    out.text('\n ],\n "events": [\n  ')
    articles = timeline.articles_by_id
    for i, e in enumerate(timeline.events):
        if i:
            out.text(",\n  ")
        out.entry(fingerprints[e.id],
                  lambda: dump(with_aliases(event_data(e, articles, e.id in key_ids), timeline.aliases)))
    out.text("\n ]\n}\n")
    return out.result()


# What of an article its line of timeline.json is made of (article_data), and with its date and
# republishing mode all that a citation of it shows; of an event, its page and its line
# (event_data, the templates): a claim shows all it holds
ARTICLE_SHOWN = attrgetter("id", "title", "source", "url", "author", "tags", "image")
EVENT_SHOWN = attrgetter("id", "value", "start", "end", "precision", "title", "headline", "role", "salience",
                         "sources", "outlets", "mentions", "summary", "tags", "changed")
STATEMENT_SHOWN = attrgetter("id", "article", "sentence", "expression", "value", "period_start", "period_end",
                             "precision", "role", "start", "end", "rule", "mod", "note", "changed", "original_value")
CLAIM_SHOWN = attrgetter(*CLAIM_FIELDS)


def values_digest(value) -> str:
    """A digest of plain values (str, numbers, None, tuples, lists, dicts). marshal's version 2
    writes no back-references and no interning marks, so equal values give equal bytes; it runs
    in C, many times quicker than encoding JSON."""
    return hashlib.blake2b(marshal.dumps(value, 2), digest_size=16).hexdigest()


def event_fingerprints(timeline: Timeline, key_ids: set[str], kept: dict | None = None) -> dict[str, str]:
    """event id -> a digest of all that its entry on a page and its line of timeline.json show,
    made without encoding the event: an unchanged event's page and line are not made again.
    `kept` (pipeline.Warm's, refilled here) holds the last build's by event id with the event
    and the rest of the digest's inputs: an event that shows the same (shows_the_same) with
    them has the same digest."""
    aliases, last, now = timeline.aliases, kept or {}, {}

    def fingerprint(e) -> str:
        more = (e.id in key_ids, aliases.get(e.id), tuple(map(aliases.get, (s.id for s in e.statements))) if aliases else ())
        found = last.get(e.id)
        digest = found[2] if found and found[1] == more and shows_the_same(found[0], e) else values_digest(
            (EVENT_SHOWN(e), tuple(map(STATEMENT_SHOWN, e.statements)),
             tuple((d.noun, tuple(map(CLAIM_SHOWN, d.claims))) for d in e.disagreements), *more))
        if kept is not None:
            now[e.id] = (e, more, digest)
        return digest

    digests = {e.id: fingerprint(e) for e in timeline.events}
    if kept is not None:
        kept.clear()
        kept.update(now)
    return digests


def shows_the_same(a: Event, b: Event) -> bool:
    """Whether every field of the two events that a page or timeline.json shows is equal (the
    statements and disagreements whole). After an edit `serve` makes every event again, but
    from the statements it kept: mostly the very same objects, which compare by reference."""
    return a is b or (EVENT_SHOWN(a) == EVENT_SHOWN(b) and a.statements == b.statements
                      and a.disagreements == b.disagreements)


def event_data(e: Event, articles: dict, key: bool = False) -> dict:
    data = {
        "id": e.id, "value": e.value, "start": e.start, "end": e.end, "precision": e.precision,
        "title": e.title, "role": e.role, "key": key, "salience": e.salience, "sources": list(e.sources),
        "outlets": e.outlets, "mentions": e.mentions,
        "statements": [{
            "id": s.id, "article": s.article, "text": s.sentence, "expression": s.expression,
            "value": s.value, "start": s.period_start, "end": s.period_end, "precision": s.precision,
            "role": s.role, "offsets": [s.start, s.end], "rule": s.rule, **({"mod": s.mod} if s.mod else {}),
            **({"note": s.note} if s.note else {}),
            **({"overridden": list(s.changed), "original_value": s.original_value} if s.changed else {}),
        } for s in e.statements],
        "disagreements": [{"quantity": d.noun, "claims": [
            {"article": c.article, "statement": c.statement, "amount": c.amount, "text": c.text, "quote": c.quote}
            for c in d.claims]} for d in e.disagreements],
    }
    if event_mod(e.statements):
        data["mod"] = event_mod(e.statements)
    if e.summary:
        data["summary"] = e.summary
    if e.tags:
        data["tags"] = list(e.tags)
    if e.changed:
        data["overridden"] = list(e.changed)
    return data


# ---------------------------------------------------------------- writing

def check_output_folder(out: Path, content: Path) -> None:
    """Refuse an output folder whose replacement could destroy someone's files."""
    out, content = out.resolve(), content.resolve()
    shown = str(out)
    home = Path.home().resolve()
    if out == Path(out.anchor) or out == home or out == content or content.is_relative_to(out):
        raise ContentError(Problem(shown, 1, "refusing to write the site here (it is /, your home folder, "
                                             "or holds the content): choose another --out"))
    if out.is_relative_to(content):     # each build would change the content, and `serve` rebuild forever
        raise ContentError(Problem(shown, 1, "refusing to write the site inside the content folder: choose an "
                                             "--out outside it"))
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise ContentError(Problem(shown, 1, "this folder exists and was not made by dateline: choose an empty "
                                             "or new --out, or empty it first"))


def environment(templates: Path | None) -> jinja2.Environment:
    if templates is not None and not templates.is_dir():
        raise ContentError(Problem(str(templates), 1, "no such templates folder: give --templates a folder of "
                                                      "templates (index.html, article.html, base.html, static/), "
                                                      "or leave it out"))
    folders = [str(templates)] if templates else []
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folders + [str(DEFAULT_TEMPLATES)]),
                             autoescape=jinja2.select_autoescape(["html", "xml"]),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             finalize=page_text, extensions=[Fragments])
    env.filters["date_label"] = _page_date_label     # in the site's language
    env.filters["span_note"] = _page_span_note
    env.filters["machine_date"] = machine_date
    env.filters["quote"] = quote_html
    env.filters["markdown"] = markdown_html
    env.filters["web_url"] = web_url
    env.filters["first_per_outlet"] = first_per_outlet
    # --review's copy buttons: an override to paste under `events:` or `statements:`, in the
    # robust form that finds its target again after edits
    env.filters["event_snippet"] = lambda e: indented(event_snippet(e, f"title: {json.dumps(e.title, ensure_ascii=False)}"))
    env.filters["statement_snippet"] = lambda s: indented(statement_snippet(s, f"date: {canonical_value(s.value)}"))
    env.globals["event_mod"] = event_mod
    return env


def indented(snippet: str) -> str:
    return "".join(f"  {line}\n" for line in snippet.splitlines())


# What HTML forbids in a page (control characters other than white space, and U+FFFE/U+FFFF), and
# the characters that open a direction override or isolate
NOT_HTML = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffe\uffff]")
UNUSUAL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffe\uffff\u202a\u202b\u202d\u202e\u2066-\u2068]")


def page_text(value):
    """Every value a template writes, made fit for a page: what HTML forbids is dropped, and
    direction overrides and isolates (U+202E and the like, pasted or hostile) are closed at the
    value's end, so that they cannot turn the text of the page around them."""
    # (all of UNUSUAL is unprintable: a printable value, most of them, needs no search)
    if not isinstance(value, str) or value.isprintable() or not UNUSUAL.search(value):
        return value
    markup = isinstance(value, jinja2.utils.markupsafe.Markup)
    value = NOT_HTML.sub("", value)
    embeddings = isolates = 0
    for ch in value:
        if ch in "\u202a\u202b\u202d\u202e":
            embeddings += 1
        elif ch == "\u202c":
            embeddings = max(0, embeddings - 1)
        elif ch in "\u2066\u2067\u2068":
            isolates += 1
        elif ch == "\u2069":
            isolates = max(0, isolates - 1)
    value += "\u202c" * embeddings + "\u2069" * isolates
    return jinja2.utils.markupsafe.Markup(value) if markup else value


REUSE = object()   # stands for a page's content: "the same as last time" (see write_site)


@dataclass(frozen=True)
class Written:
    """Stands for a file's content already written, by whichever process rendered it, to `path`
    beside the site (write_site moves it in): an export of a large site is tens of megabytes,
    which took a rebuild a few tenths of a second to send back to the build through a pipe."""
    path: str
    digest: str
    size: int


class SealedBytecode(jinja2.BytecodeCache):
    """Compiled templates kept in the cache folder, sealed like its entries (a forged one is
    not loaded): compiling them took a rebuild's rendering a fifth of a second."""

    def __init__(self, cache: Cache):
        self.cache = cache

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.cache.get_blob("templates", bucket.key)
        if isinstance(code, bytes):
            bucket.bytecode_from_string(code)     # Jinja checks its version and the template's source

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.cache.put_blob("templates", bucket.key, bucket.bytecode_to_string())


class Fragments(jinja2.ext.Extension):
    """`{% fragment value, ... %}...{% endfragment %}`: the part of a page between the tags as the
    last build of that page rendered it, where it was rendered with the same values (and the
    same templates, settings, labels and code): a page of hundreds of entries made again for
    one entry renders that one. The values must be all that the part shows beyond those (for an
    entry: entry_inputs(e), its heading level and the root). The environment's kept_fragments
    is the page's FragmentStore, or None to render every part."""
    tags = {"fragment"}

    def __init__(self, environment: jinja2.Environment):
        super().__init__(environment)
        environment.extend(kept_fragments=None)

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        values = [jinja2.nodes.Const(f"{parser.name}:{lineno}")]     # two parts never share a key
        while parser.stream.current.type != "block_end":
            if len(values) > 1:
                parser.stream.expect("comma")
            values.append(parser.parse_expression())
        body = parser.parse_statements(("name:endfragment",), drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_part", [jinja2.nodes.List(values)]), [], [], body
                                      ).set_lineno(lineno)

    def _part(self, values: list, caller) -> str:
        kept = self.environment.kept_fragments
        return caller() if kept is None else kept.part(values, caller)


class FragmentStore:
    """The parts of one page (Fragments) as its last build rendered them, kept in the cache
    under the page's path with `common` (the digest of templates, settings, labels and code);
    and those this rendering of it uses, to keep for the next."""

    def __init__(self, cache: Cache, path: str, common: str):
        self.cache, self.key, self.common = cache, fragment_key(path), common
        found = cache.get_blob("fragments", self.key)
        self.last = found["parts"] if isinstance(found, dict) and found.get("common") == common and \
            isinstance(found.get("parts"), dict) else {}
        self.now: dict[str, tuple] = {}

    def part(self, values: list, caller):
        key = values_digest(values)
        found = self.last.get(key)
        if isinstance(found, tuple) and len(found) == 2 and isinstance(found[0], str):
            html, markup = found
            content = jinja2.utils.markupsafe.Markup(html) if markup else html
        else:
            content = caller()
            found = (str(content), isinstance(content, jinja2.utils.markupsafe.Markup))
        self.now[key] = found
        return content

    def save(self) -> None:
        if self.now != self.last:
            self.cache.put_blob("fragments", self.key, {"common": self.common, "parts": self.now})


def fragment_key(path: str) -> str:
    return path.replace("/", "-")


def template_fingerprint(env: jinja2.Environment) -> str:
    digest = hashlib.sha256()
    for folder in env.loader.searchpath:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def render_pages(timeline: Timeline, env: jinja2.Environment, review: bool = False,
                 previous: dict | None = None, jobs: int = 1, cache: Cache | None = None,
                 out: Path | None = None, kept_fingerprints: dict | None = None) -> Iterator[tuple]:
    """Every file of the site as (path, content[, inputs]), one at a time so that a large site is
    never held in memory whole. A page whose inputs (events, articles, links, templates,
    settings) are those the previous build recorded (`previous`: trusted_files(out)) is not
    rendered again: its content is REUSE. An export's entry whose inputs are those of the last
    build is copied from the last build's file in `out`, found by the index kept in `cache`;
    exports are written beside `out` (see Written), and come back as bytes without it.
    With `review`, pages show ids to copy. A large site is rendered in `jobs` processes.
    `kept_fingerprints`: see event_fingerprints."""
    env.globals["review"] = review
    previous = previous or {}
    words = labels(timeline.site.language)
    common = hashlib.sha256(json.dumps([template_fingerprint(env), review, timeline.site.fingerprint(),
                                        SCHEMA_VERSION, words, code_fingerprint()]).encode()).hexdigest()
    articles = timeline.articles_by_id
    # what each article page may show (README: republishing rights); with "none" there is no page
    modes = {a.id: a.republish or timeline.site.republish for a in timeline.articles}
    unlinked = [a for a in timeline.articles if modes[a.id] == "none" and not web_url(a.url)]
    if unlinked:
        raise ContentError([Problem(a.path, 1, "with 'republish: none' statements link to the original, but the "
                                               "article has no 'url: https://...': add it, or set 'republish: full' "
                                               "or 'excerpts' in its front matter") for a in unlinked])
    env.globals["article_href"] = lambda article_id, root, anchor="": (
        web_url(articles[article_id].url) if modes.get(article_id) == "none"
        else f"{root}articles/{article_id}.html" + (f"#{anchor}" if anchor else ""))
    statement_events = {s.id: e.id for e in timeline.events for s in e.statements}
    key_ids = key_event_ids(timeline.events)
    pages = plan_pages(list(timeline.events), key_ids, timeline.site.language)
    home = {e.id: page.path for page in reversed(pages) for e in page.events}   # the fullest page wins
    nav = navigation(pages, timeline.site.language)
    # the front page counts each page's entries; the others only link, so that one entry added
    # or removed changes its own page and the front page, not every page
    links_only = [(century, None, tuple((label, path, None) for label, path, _ in links)) for century, _, links in nav]
    event_links = {sid: f"{home[eid]}#{eid}" for sid, eid in statement_events.items() if eid in home}
    fingerprints = event_fingerprints(timeline, key_ids, kept_fingerprints)
    method = methodology(timeline)
    # what a page or an export entry may show of each article it cites
    cited = {a.id: ARTICLE_SHOWN(a) + (a.published.toordinal(), modes[a.id]) for a in timeline.articles}
    # what an entry on a page or in an export shows beyond what all entries share (a template's
    # `fragment` key); a source that is no article (a URL) is in the fingerprint
    entry_inputs = env.globals["entry_inputs"] = lambda e: (fingerprints[e.id], tuple(map(cited.get, e.sources)))
    export_keys = entry_keys(timeline, entry_inputs, home, common) if cache and cache.folder else {}
    if cache and cache.folder and env.bytecode_cache is None:
        env.bytecode_cache = SealedBytecode(cache)
    try:
        timeline_page, article_page = env.get_template("index.html"), env.get_template("article.html")
        embed_page = env.get_template("embed.html")
    except jinja2.TemplateError as e:
        raise ContentError(template_problem(e)) from None

    def render(job: tuple) -> str:
        try:
            return render_one(*job)
        except Exception as e:      # raised in a worker too: handed back as a ContentError
            problem = template_problem(e)
            if problem is None:
                raise
            raise ContentError(problem) from None

    def render_timeline(page: Page, i: int, embed: bool) -> str:
        story, background = story_and_background(page.events)
        return (embed_page if embed else timeline_page).render(
            site=timeline.site, years=group_by_year(story, timeline.site.language), background=background,
            articles=articles, key_ids=key_ids, labels=words,
            root="../" * page.path.count("/"), heading=page.heading,
            nav=nav if page.path == "index.html" else links_only, here=page.path,
            sources=sorted({articles[s].source or s for e in page.events for s in e.sources if s in articles}),
            tags=sorted({t for e in page.events for t in e.tags}, key=str.casefold),
            top=int(timeline.site.embed_heading) if embed else 1, embed=embed,
            key_index=len(pages) > 1 and page.path == "index.html",
            page_events=len(page.events), total_events=len(timeline.events) if i == 0 else None,
            method=method if page.path == "index.html" else None,
            jsonld="" if embed else item_list(timeline.site, page.path, page.events),
            share=share_tags(timeline.site, page_title(timeline.site.title, page.heading),
                             "index.html" if embed else page.path))

    def render_one(kind: str, i) -> str:
        if kind in ("timeline", "embed"):
            embed = kind == "embed"
            env.kept_fragments = FragmentStore(cache, "embed.html" if embed else pages[i].path, common) \
                if cache and cache.folder else None
            try:
                html = render_timeline(pages[i], i, embed)
                if env.kept_fragments:
                    env.kept_fragments.save()
            finally:
                env.kept_fragments = None
            return html
        if kind == "article":
            article = timeline.articles[i]
            extraction = timeline.extractions[article.id]
            mode = modes[article.id]
            return article_page.render(
                site=timeline.site, article=article, root="../", mode=mode, labels=words,
                canonical=copied_from(article, timeline.site),
                body=highlighted_body(extraction, event_links, "../", timeline.site.language) if mode == "full" else "",
                dated=[(s, event_links.get(s.id)) for s in extraction.statements],
                share=share_tags(timeline.site, article.title, f"articles/{article.id}.html", "article",
                                 f"{article.source or 'An article'}, published {article.published.isoformat()}, "
                                 "with every date it mentions resolved.", web_url(article.image),
                                 copied_from(article, timeline.site)))
        if kind == "sitemap":
            return exports.sitemap(timeline, [(page.path, page.events) for page in pages],
                                   [a.id for a in timeline.articles
                                    if modes[a.id] != "none" and not copied_from(a, timeline.site)])
        splice = last_export(cache, out, previous, i, common)
        data = EXPORTS[i](timeline, key_ids, fingerprints, home, splice, export_keys)
        digest = hashlib.sha256(data).hexdigest()
        if cache and cache.folder:      # here, in whichever process rendered it
            cache.put_blob("exports", export_index_key(i), {"digest": digest, "common": common,
                                                            "entries": splice.written})
        if scratch is None:
            return data
        path = os.path.join(scratch, i)
        _write(Path(path), data, out / i)
        return Written(path, digest, len(data))

    # (path, inputs, job): job is None where the page's inputs are those of the last build. The
    # exports come first: they are the longest jobs, and should not be left to the end
    plan = [(name, None, ("export", name)) for name in EXPORTS]
    if timeline.site.base_url:          # a sitemap needs full addresses
        plan.append(("sitemap.xml", None, ("sitemap", None)))
    for i, page in enumerate(pages):
        inputs = values_digest([common, nav if i == 0 else links_only, [fingerprints[e.id] for e in page.events],
                                [cited[s] for e in page.events for s in e.sources if s in cited],
                                (len(timeline.events), method) if i == 0 else None])
        plan.append((page.path, inputs, ("timeline", i)))
        if i == 0:      # the embeddable timeline holds what the front page holds
            plan.append(("embed.html", hashlib.sha256(f"embed {inputs}".encode()).hexdigest(), ("embed", 0)))
    for i, a in enumerate(timeline.articles):
        if modes[a.id] == "none":
            continue
        # all the page shows of the article besides its text (article_key): `cited` holds its
        # image too, which its share tags show
        inputs = values_digest([common, article_key(a), cited[a.id],
                                [event_links.get(s.id) for s in timeline.extractions[a.id].statements]])
        plan.append((f"articles/{a.id}.html", inputs, ("article", i)))
    plan = [(path, inputs, None if inputs and previous.get(path, (None, None, None))[2:] == [inputs] else job)
            for path, inputs, job in plan]
    to_render = [job for _, _, job in plan if job]
    large = len(to_render) >= PARALLEL_FROM or len(timeline.events) >= PARALLEL_FROM * 10
    scratch = scratch_folder(out) if any(kind == "export" for kind, _ in to_render) else None
    try:
        rendered = fork_map(render, to_render, jobs if large else 1, chunksize=1 if len(to_render) < 100 else 4)
        progress = Progress("rendering", len(to_render))
        # the first rendered file, then every unchanged one, then the others: the build links the
        # unchanged files while the workers render (write_site lists the files in a fixed order)
        rendering = [n for n, (*_, job) in enumerate(plan) if job]
        for n in rendering[:1] + [n for n, (*_, job) in enumerate(plan) if not job] + rendering[1:]:
            path, inputs, job = plan[n]
            content = next(rendered) if job else REUSE
            yield (path, content, inputs) if inputs else (path, content)
            if job:
                progress.step()
    finally:
        if scratch:     # what write_site did not move into the site (it failed, or none was written)
            shutil.rmtree(scratch, ignore_errors=True)
    if cache and cache.folder:      # the parts of pages this site no longer has
        cache.drop_blobs_except("fragments", {fragment_key(p) for p in ["embed.html", *(p.path for p in pages)]})
    static = {}
    for folder in ([DEFAULT_TEMPLATES / "static"] + [Path(p) / "static" for p in env.loader.searchpath[:-1]]):
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.is_file():
                    static[f"static/{path.name}"] = path.read_bytes()   # a user's file replaces ours
    static.update(timeline.site.assets)         # site.yaml's stylesheets and logo
    yield from sorted(static.items())


def scratch_folder(out: Path | None) -> str | None:
    """A folder beside the site `out` for the files rendered into place (see Written), named as
    a new site's folder so that recover() clears it after a killed build; None where it cannot
    be made (the files then come back as bytes)."""
    if out is None:
        return None
    out = out.resolve()
    try:
        return tempfile.mkdtemp(prefix=f".{out.name}.new-exports-", dir=out.parent)
    except OSError:
        return None


def template_problem(e: Exception) -> Problem | None:
    """The template file and line an error happened at, or None if it did not happen in one.
    Jinja rewrites a traceback so that a template's frames carry its file name and line."""
    if isinstance(e, jinja2.TemplateSyntaxError):
        return Problem(display_path(Path(e.filename)) if e.filename else e.name or "template", e.lineno,
                       f"template error: {e.message}")
    where = None
    tb = e.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith((".html", ".xml", ".txt", ".j2")) or tb.tb_frame.f_globals.get("__jinja_template__"):
            where = (name, tb.tb_lineno)
        tb = tb.tb_next
    if where is None:
        return Problem("templates", 1, f"template error: {e}") if isinstance(e, jinja2.TemplateError) else None
    message = e.message if isinstance(e, jinja2.TemplateError) and e.message else f"{type(e).__name__}: {e}"
    return Problem(display_path(Path(where[0])), where[1], f"template error: {message}")


# the machine-readable files: name -> (timeline, key event ids, event fingerprints, event id ->
# page, the last build's file to copy unchanged entries from (an exports.Splice), entry_keys)
EXPORTS = {
    "timeline.json": lambda timeline, key_ids, fingerprints, home, splice, keys:
        timeline_json(timeline, key_ids, fingerprints, splice),
    "timelinejs.json": lambda timeline, key_ids, fingerprints, home, splice, keys:
        exports.timelinejs(timeline, site_date_label(timeline), home, splice, keys),
    "feed.xml": lambda timeline, key_ids, fingerprints, home, splice, keys:
        exports.atom(timeline, site_date_label(timeline), home, splice, keys),
    "timeline.ics": lambda timeline, key_ids, fingerprints, home, splice, keys:
        exports.ical(timeline, site_date_label(timeline), home, splice, keys),
}


def code_fingerprint() -> str:
    """The code that writes pages and exports, and the code they call to show dates, roles,
    labels and override snippets: a new dateline renders them again."""
    return package_digest(("exports.py", "markup.py", "render.py", "overrides.py", "roles.py", "statements.py",
                           "yamlio.py", "temporal/periods.py", "temporal/grammar.py"))


def entry_keys(timeline: Timeline, shown, home: dict, common: str) -> dict:
    """event id -> a digest of all that an export's entry for it is made of: the event and the
    articles it cites (`shown`: entry_inputs), its page, and what is common to all (settings,
    labels, code, the newest article's date, which the feed and the calendar stamp).
    timeline.json's lines go by the events' fingerprints alone."""
    newest = exports.newest(timeline).isoformat()
    return {e.id: values_digest((common, newest, shown(e), home.get(e.id, ""))) for e in timeline.events}


def export_index_key(name: str) -> str:
    return name.replace(".", "-") + "-index"


def last_export(cache: Cache | None, out: Path | None, previous: dict, name: str, common: str) -> exports.Splice:
    """The export `name` as the last build wrote it, with the index of its entries, to copy
    unchanged entries from; an empty one unless the file in `out` is the very one the index
    describes (made with the same templates, settings and code) and as that build left it."""
    if not cache or not cache.folder or out is None:
        return exports.Splice()
    index, record = cache.get_blob("exports", export_index_key(name)), previous.get(name)
    if not (isinstance(index, dict) and record and index.get("digest") == record[0]
            and index.get("common") == common and isinstance(index.get("entries"), dict)):
        return exports.Splice()
    try:
        data = (out / name).read_bytes()
    except OSError:
        return exports.Splice()
    return exports.Splice(data, index["entries"]) if len(data) == record[1] else exports.Splice()


def site_date_label(timeline: Timeline):
    return functools.partial(date_label, lang=timeline.site.language)


def page_title(title: str, heading: str) -> str:
    return f"{heading} · {title}" if heading else title


@dataclass(frozen=True)
class Page:
    path: str
    label: str          # in the navigation between pages
    heading: str
    events: tuple


def plan_pages(events: list[Event], key_ids: set[str], lang: str = "en") -> list[Page]:
    """A small timeline is one page. A large one gets an index of its key events and a page per
    year, or per month where a year alone would be too long, so no page grows without bound."""
    words = labels(lang)
    if len(events) <= PAGE_EVENTS:
        return [Page("index.html", words["all_pages"], "", tuple(events))]
    pages = [Page("index.html", words["key_events"], words["key_events"],
                  tuple(sorted(sorted((e for e in events if e.id in key_ids), key=lambda e: (-e.salience, e.id))
                               [:KEY_EVENTS_ON_INDEX], key=lambda e: (e.start, PRECISIONS.index(e.precision), e.id))))]
    by_year: dict[int, list[Event]] = {}
    for e in events:
        by_year.setdefault(int(e.start[:4]), []).append(e)
    for year, year_events in by_year.items():
        if len(year_events) <= PAGE_EVENTS:
            pages.append(Page(f"years/{year}.html", str(year), str(year), tuple(year_events)))
            continue
        by_month: dict[str, list[Event]] = {}
        for e in year_events:
            by_month.setdefault(e.start[:7], []).append(e)
        for month, month_events in by_month.items():
            label = words["date_month"].format(month=words["months"][int(month[5:]) - 1], year=year)
            for part in range(0, len(month_events), PAGE_EVENTS):
                suffix = f"-{part // PAGE_EVENTS + 1}" if part else ""
                pages.append(Page(f"years/{month}{suffix}.html", label + (f" ({part // PAGE_EVENTS + 1})" if part else ""),
                                  label, tuple(month_events[part:part + PAGE_EVENTS])))
    return pages


def navigation(pages: list[Page], lang: str = "en") -> list[tuple[str, int, tuple]]:
    """The links between timeline pages, as (century, entries, links) groups: one unlabelled
    group when they are few, else one per century, so that a topic reaching back to 1600 does
    not open on a wall of years."""
    links = [(p.label, p.path, len(p.events)) for p in pages if p.path != "index.html"]
    if len(links) <= NAV_FLAT:
        return [("", sum(n for *_, n in links), tuple(links))] if links else []
    by_century: dict[str, list] = {}
    for link in links:
        year = int(Path(link[1]).stem[:4])
        start = year // 100 * 100
        by_century.setdefault(labels(lang)["century_group"].format(year=start, last_year=start + 99), []).append(link)
    return [(century, sum(n for *_, n in group), tuple(group)) for century, group in by_century.items()]


def key_event_ids(events) -> set[str]:
    """The events shown in the 'key events' view: happenings of the story (not background, not
    plans) reported by several sources, or leading one of the most salient dates (as many as a
    fifth of the events). A date's leader is its most reported event: a stray sentence on a busy
    date is not a key event. Leaders tied with the first one left out are left out too, rather
    than chosen among by their ids. An editor's `key: true|false` has the last word."""
    story = [e for e in events if getattr(e, "role", REPORT) in (REPORT, REFERENCE)]
    leaders: dict[str, Event] = {}
    for e in sorted(story, key=lambda e: (-e.salience, e.id)):
        leaders.setdefault(e.value, e)
    ranked = sorted(leaders.values(), key=lambda e: (-e.salience, e.id))
    n = max(1, len(story) // 5)
    if len(ranked) > n and ranked[n].salience == ranked[n - 1].salience:
        ranked = [e for e in ranked if e.salience > ranked[n].salience] or ranked
    chosen = {e.id for e in ranked[:n]} | {e.id for e in story if len(e.sources) >= 2}
    said = {e.id: e.key for e in events if getattr(e, "key", None) is not None}
    return {i for i in chosen if said.get(i, True)} | {i for i, key in said.items() if key}


def story_and_background(events) -> tuple[list, list]:
    """A page's events as the story and, kept apart, its background."""
    return [e for e in events if e.role != BACKGROUND], [e for e in events if e.role == BACKGROUND]


def group_by_year(events, lang: str = "en") -> list[tuple[int, list[tuple[str, list[Event]]]]]:
    months = labels(lang)["months"]
    years: dict[int, dict[str, list[Event]]] = {}
    for e in events:
        start = dt.date.fromisoformat(e.start)
        month = months[start.month - 1] if e.precision in ("day", "week", "month") else ""
        years.setdefault(start.year, {}).setdefault(month, []).append(e)
    return [(year, list(months.items())) for year, months in years.items()]


def read_marker(out: Path) -> dict:
    """The manifest the last build wrote into its output: every file it wrote, with its hash and
    size. It holds nothing but what the content gives, so the site stays byte-identical."""
    try:
        data = json.loads((out / MARKER).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and data.get("tool") == "dateline" else {}
    except (OSError, ValueError):
        return {}


# Beside --out, one file that is both the lock which keeps two builds from publishing into the
# same folder at once, and the record of the last build (what it read, its warnings, and how
# its files stood on disk). None of it is published: it holds local paths and today's date.
def state_path(out: Path) -> Path:
    out = out.resolve()
    return out.parent / f".{out.name}.dateline"


@contextlib.contextmanager
def output_lock(out: Path, waiting=lambda: None):
    """Hold the output folder for one build: a second build on it waits (calling `waiting` once)
    until the first has swapped its site in, instead of clearing its half-written folder."""
    path = state_path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)        # and with it the lock


def read_state(out: Path) -> dict:
    try:
        data = json.loads(state_path(out).read_text(encoding="utf-8") or "{}")
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _stamp(st: os.stat_result) -> list:
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def trusted_files(out: Path) -> dict:
    """The manifest's records of the files that are as the last build left them (same size, time
    and inode), so that they may be reused. A page edited in place in the output is not."""
    out = out.resolve()
    files, state = read_marker(out).get("files", {}), read_state(out)
    if state.get("marker") != _file_digest(out / MARKER):
        return {}
    stamps, trusted = state.get("stamps", {}), {}
    for rel, record in files.items():
        try:
            if _stamp((out / rel).lstat()) == stamps.get(rel):
                trusted[rel] = record
        except OSError:
            pass
    return trusted


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def up_to_date(out: Path, inputs: str) -> dict | None:
    """The last build's record (its warnings) if it was made from exactly these inputs and its
    files are all still as it wrote them, else None. Files the user added do not count."""
    state = read_state(out)
    if not inputs or state.get("inputs") != inputs:
        return None
    files = read_marker(out.resolve()).get("files")
    if not files or len(trusted_files(out)) != len(files):
        return None
    return state


def write_site(files: Iterable[tuple[str, str | bytes]], out: Path, inputs: str = "", warnings: list[str] = (),
               previous: dict | None = None) -> None:
    """Write into a temporary folder beside `out`, then swap it in. A file the last build wrote
    with the same bytes is hard-linked from it, not written again (`previous`: trusted_files(out),
    if the caller has it already). The files the user added to `out` (a CNAME, a .git folder)
    are carried into the new site: a build replaces only what the last one wrote, as its
    manifest lists. Call it holding `output_lock(out)`."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    owned = set(read_marker(out).get("files", {})) | {MARKER} if out.exists() else set()
    if previous is None:
        previous = trusted_files(out) if out.exists() else {}
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        record, stamps, folders = {}, {}, set()
        for rel, content, *page_inputs in files:
            path = os.path.join(staging, rel)   # strings, not Paths: ten thousand files
            folder = os.path.dirname(path)
            if folder not in folders:
                os.makedirs(folder, exist_ok=True)
                folders.add(folder)
            if content is REUSE:            # render_pages found its inputs unchanged
                os.link(os.path.join(out, rel), path)
                record[rel] = previous[rel]
            elif isinstance(content, Written):
                _move(content.path, path, out / rel)
                record[rel] = (content.digest, content.size, *page_inputs)
            else:
                if isinstance(content, str):
                    content = content.encode("utf-8")
                digest = hashlib.sha256(content).hexdigest()
                record[rel] = (digest, len(content), *page_inputs)
                if not (previous.get(rel, [None])[0] == digest and _link(out / rel, path)):
                    _write(Path(path), content, out / rel)
            stamps[rel] = _stamp(os.lstat(path))
        manifest = manifest_text(record)
        _write(staging / MARKER, manifest.encode("utf-8"), out / MARKER)
        if out.exists():
            carry_over(out, staging, owned)
        os.chmod(staging, 0o755)
        if out.exists() and exchange(staging, out):
            shutil.rmtree(staging)       # now holds the previous site
        elif out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rename(out, old / "site")
            os.rename(staging, out)
            shutil.rmtree(old)
        else:
            os.rename(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if hasattr(files, "close"):
            files.close()       # render_pages then clears the files it wrote beside the site
        raise
    state = json.dumps({"inputs": inputs, "warnings": list(warnings), "stamps": stamps,
                        "marker": hashlib.sha256(manifest.encode("utf-8")).hexdigest()})
    try:
        state_path(out).write_text(state + "\n", encoding="utf-8")
    except OSError:
        pass        # without its record the next build only does more work


def manifest_text(record: dict) -> str:
    """The manifest as JSON, one file a line: readable in a diff, and made by the C encoder
    (json.dumps with an indent runs in Python, slow for ten thousand files)."""
    return ('{"tool": "dateline", "note": "written by dateline: a build replaces the files listed here and keeps '
            'any others", "files": {\n' + ",\n".join(f"{dump(rel)}: {dump(record[rel])}" for rel in sorted(record))
            + "\n}}\n")


def _link(source: Path, target: Path) -> bool:
    try:
        os.link(source, target)
        return True
    except OSError:
        return False


def _write(path: Path, content: bytes, shown: Path) -> None:
    """Write a file of the new site; a full disk is reported for the file of the site it was."""
    try:
        path.write_bytes(content)
    except OSError as e:
        raise _cannot_write(shown, e) from None


def _move(source: str, target: str, shown: Path) -> None:
    try:
        os.rename(source, target)
    except OSError as e:
        raise _cannot_write(shown, e) from None


def _cannot_write(shown: Path, e: OSError) -> ContentError:
    return ContentError(Problem(display_path(shown), 1, f"cannot write: {e.strerror or e}: free some space or "
                                                        "choose another --out; the previous site is untouched"))


def carry_over(out: Path, staging: Path, owned: set[str]) -> None:
    """Hard-link into the new site every file of `out` that no build wrote (the user's own),
    keeping their folders and symlinks. The old site keeps its links until it is removed, so a
    build killed at any moment loses nothing."""
    owned_folders = set()
    for rel in owned:       # with strings, not Paths: ten thousand files
        folder = os.path.dirname(rel)
        while folder and folder not in owned_folders:
            owned_folders.add(folder)
            folder = os.path.dirname(folder)
    for folder, dirs, names in os.walk(out):
        here = Path(folder)
        rel_folder = here.relative_to(out)
        for name in dirs:
            if (here / name).is_symlink():
                names.append(name)      # a link to a folder is kept as a link, not followed
            elif str(rel_folder / name) not in owned_folders:       # the user's, kept even if empty
                (staging / rel_folder / name).mkdir(exist_ok=True)
        prefix = "" if str(rel_folder) == "." else f"{rel_folder}{os.sep}"
        for name in names:
            rel = prefix + name
            if rel in owned:
                continue
            source, target = here / name, staging / rel
            if target.exists() or target.is_symlink():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_symlink():
                os.symlink(os.readlink(source), target)
            elif not _link(source, target):
                shutil.copy2(source, target)
        dirs[:] = [d for d in dirs if not (here / d).is_symlink()]


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE), so that no moment exists
    without a site. False where the system cannot; the caller then renames twice."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def recover(out: Path) -> None:
    """Put back a previous site left aside by a build killed between its two renames, and clear
    the half-written folders of killed builds. Call it holding `output_lock(out)`: a live
    build's folder is then never among them."""
    out = out.resolve()
    for stale in out.parent.glob(f".{out.name}.new-*"):
        shutil.rmtree(stale, ignore_errors=True)
    if out.exists():
        return
    for old in sorted(out.parent.glob(f".{out.name}.old-*/site")):
        os.rename(old, out)
        shutil.rmtree(old.parent, ignore_errors=True)
        return
