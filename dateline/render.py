"""Stage 6, render: the static site, written atomically.

Everything is rendered into a temporary folder beside the output and swapped in at the end, so a
failed or killed build leaves the previous site as it was. The same input gives the same bytes.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import jinja2
import markdown
import nh3

from .errors import ContentError, Problem
from .events import Event
from .pipeline import Timeline
from .statements import Extraction, canonical_value
from .temporal import period_of

DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MARKER = ".dateline-site"       # marks a folder as dateline's own output, safe to replace
SCHEMA_VERSION = 1
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
SEASONS = {"SP": "spring", "SU": "summer", "FA": "autumn", "WI": "winter"}
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth"}
# Article bodies are pasted from the web: keep the formatting, drop anything that could run.
ALLOWED_TAGS = {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "a", "em", "strong", "b", "i",
                "u", "s", "blockquote", "q", "code", "pre", "ul", "ol", "li", "table", "thead",
                "tbody", "tr", "th", "td", "img", "figure", "figcaption", "sup", "sub", "abbr", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "abbr": {"title"},
                      "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
OPEN, SEP, CLOSE = "\ue000", "\ue001", "\ue002"   # private-use marks for highlights through Markdown


# ---------------------------------------------------------------- dates as people read them

def date_label(value: str, precision: str) -> str:
    """'Monday 19 December 2022', 'October 2022', 'week of 9 September 2024', 'winter 2024–25'."""
    period = period_of(value)
    if period is None:
        return value
    s = period.start
    if precision == "day":
        return f"{s:%A} {s.day} {MONTHS[s.month - 1]} {s.year}"
    if precision == "week":
        if value.endswith("-WE"):
            return f"weekend of {s.day} {MONTHS[s.month - 1]} {s.year}"
        return f"week of {s.day} {MONTHS[s.month - 1]} {s.year}"
    if precision == "month":
        return f"{MONTHS[s.month - 1]} {s.year}"
    if precision == "season":
        name = SEASONS[value[-2:]]
        return f"{name} {s.year}–{(s.year + 1) % 100:02d}" if value.endswith("WI") else f"{name} {s.year}"
    if precision == "quarter":
        return f"{ORDINALS[int(value[-1])]} quarter of {s.year}"
    if precision == "half":
        return f"{ORDINALS[int(value[-1])]} half of {s.year}"
    if precision == "year":
        return str(s.year)
    if precision == "decade":
        return f"the {s.year}s"
    if precision == "century":
        n = s.year // 100 + 1
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"the {n}{suffix} century"
    return value


def span_note(precision: str) -> str:
    """Said of entries coarser than a day, which stand at the start of their period."""
    return "" if precision == "day" else f"whole {precision}"


# ---------------------------------------------------------------- HTML pieces

def markdown_html(text: str) -> str:
    html = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")


def highlighted_body(body: str, extraction: Extraction, statement_events: dict, root: str) -> str:
    """The article's Markdown as HTML, every temporal expression marked with its resolved value
    (shown on hover and focus) and linked to its timeline entry where it has one."""
    marks = []
    for t in extraction.timexes:
        if re.search(r"[*_`\[\]<>\n]", body[t.start:t.end]):
            continue   # an expression across Markdown syntax is left unmarked rather than broken
        marks.append(t)
    by_start = {}
    for s in extraction.statements:
        by_start[s.start] = statement_events.get(s.id)
    pieces, last = [], 0
    for i, t in enumerate(marks):
        pieces += [body[last:t.start], f"{OPEN}{i}{SEP}", body[t.start:t.end], CLOSE]
        last = t.end
    pieces.append(body[last:])
    html = markdown_html("".join(pieces))

    def open_mark(m: re.Match) -> str:
        t = marks[int(m.group(1))]
        event = by_start.get(t.start)
        period = period_of(canonical_value(t.value)) if t.type in ("DATE", "TIME") else None
        label = date_label(canonical_value(t.value), period.precision) if period else t.value
        tip = jinja2.utils.markupsafe.escape(f"{t.type.lower()}: {label} ({t.value})")
        href = f' href="{root}index.html#{event}"' if event else ""
        tag = "a" if event else "span"
        return f'<{tag} class="timex timex-{t.type.lower()}" tabindex="0" data-value="{t.value}" title="{tip}"{href}>'

    html = re.sub(f"{OPEN}(\\d+){SEP}", open_mark, html)
    # each close mark closes the element its open mark started
    out, stack = [], []
    for part in re.split(f"({CLOSE}|<(?:a|span) class=\"timex)", html):
        if part.startswith("<a class=\"timex"):
            stack.append("a")
        elif part.startswith("<span class=\"timex"):
            stack.append("span")
        elif part == CLOSE:
            part = f"</{stack.pop()}>" if stack else ""
        out.append(part)
    return "".join(out)


def web_url(url: str) -> str:
    """The URL if it is a web address, else nothing: a link must never run script
    ("javascript:...") or reach into the reader's machine."""
    url = (url or "").strip()
    return url if re.match(r"https?://[^\s<>\"']+$", url, re.IGNORECASE) else ""


def quote_html(text: str, expression: str) -> str:
    """A statement's sentence with its temporal expression marked."""
    escape = jinja2.utils.markupsafe.escape
    at = text.find(expression)
    if at < 0:
        return str(escape(text))
    return f"{escape(text[:at])}<mark>{escape(expression)}</mark>{escape(text[at + len(expression):])}"


# ---------------------------------------------------------------- data

def timeline_data(timeline: Timeline) -> dict:
    articles = {a.id: a for a in timeline.articles}
    return {
        "schema": SCHEMA_VERSION,
        "site": {"title": timeline.site.title, "description": timeline.site.description,
                 "base_url": timeline.site.base_url, "language": timeline.site.language},
        "articles": [{"id": a.id, "title": a.title, "source": a.source, "published": a.published.isoformat(),
                      "url": a.url, "author": a.author} for a in timeline.articles],
        "events": [event_data(e, articles) for e in timeline.events],
    }


def event_data(e: Event, articles: dict) -> dict:
    data = {
        "id": e.id, "value": e.value, "start": e.start, "end": e.end, "precision": e.precision,
        "title": e.title, "salience": e.salience, "sources": list(e.sources), "mentions": e.mentions,
        "statements": [{
            "id": s.id, "article": s.article, "text": s.sentence, "expression": s.expression,
            "value": s.value, "start": s.period_start, "end": s.period_end, "precision": s.precision,
            "offsets": [s.start, s.end], "rule": s.rule,
            **({"note": s.note} if s.note else {}),
            **({"overridden": list(s.changed), "original_value": s.original_value} if s.changed else {}),
        } for s in e.statements],
        "disagreements": [{"quantity": d.noun, "claims": [
            {"article": c.article, "statement": c.statement, "amount": c.amount, "text": c.text}
            for c in d.claims]} for d in e.disagreements],
    }
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
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise ContentError(Problem(shown, 1, "this folder exists and was not made by dateline: choose an empty "
                                             "or new --out, or empty it first"))


def environment(templates: Path | None) -> jinja2.Environment:
    folders = [str(templates)] if templates else []
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folders + [str(DEFAULT_TEMPLATES)]),
                             autoescape=jinja2.select_autoescape(["html", "xml"]),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["date_label"] = date_label
    env.filters["span_note"] = span_note
    env.filters["quote"] = quote_html
    env.filters["markdown"] = markdown_html
    env.filters["web_url"] = web_url
    return env


def render_pages(timeline: Timeline, env: jinja2.Environment, review: bool = False) -> dict[str, str | bytes]:
    """Every file of the site, path -> content. With `review`, pages show ids to copy."""
    env.globals["review"] = review
    articles = {a.id: a for a in timeline.articles}
    data = timeline_data(timeline)
    statement_events = {s.id: e.id for e in timeline.events for s in e.statements}
    key_ids = key_event_ids(timeline.events)
    years = group_by_year(timeline.events)
    files: dict[str, str | bytes] = {}
    try:
        files["index.html"] = env.get_template("index.html").render(
            site=timeline.site, years=years, articles=articles, key_ids=key_ids, root="",
            sources=sorted({articles[s].source or s for e in timeline.events for s in e.sources if s in articles}))
        page = env.get_template("article.html")
        for a in timeline.articles:
            extraction = timeline.extractions[a.id]
            files[f"articles/{a.id}.html"] = page.render(
                site=timeline.site, article=a, root="../",
                body=highlighted_body(a.body, extraction, statement_events, "../"),
                dated=[(s, statement_events.get(s.id)) for s in extraction.statements])
    except jinja2.TemplateSyntaxError as e:
        raise ContentError(Problem(e.filename or e.name or "template", e.lineno, f"template error: {e.message}")) from None
    except jinja2.TemplateError as e:
        raise ContentError(Problem("templates", 1, f"template error: {e}")) from None
    files["timeline.json"] = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    for folder in ([DEFAULT_TEMPLATES / "static"] + [Path(p) / "static" for p in env.loader.searchpath[:-1]]):
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.is_file():
                    files[f"static/{path.name}"] = path.read_bytes()
    return files


def key_event_ids(events) -> set[str]:
    """The events shown in the 'key events' view: reported by several sources, or among the most
    salient fifth."""
    ranked = sorted(events, key=lambda e: (-e.salience, e.id))
    top = {e.id for e in ranked[: max(1, len(ranked) // 5)]}
    return top | {e.id for e in events if len(e.sources) >= 2}


def group_by_year(events) -> list[tuple[int, list[tuple[str, list[Event]]]]]:
    years: dict[int, dict[str, list[Event]]] = {}
    for e in events:
        start = dt.date.fromisoformat(e.start)
        month = MONTHS[start.month - 1] if e.precision in ("day", "week", "month") else ""
        years.setdefault(start.year, {}).setdefault(month, []).append(e)
    return [(year, list(months.items())) for year, months in years.items()]


def write_site(files: dict[str, str | bytes], out: Path) -> None:
    """Write into a temporary folder beside `out`, then swap it in."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        for rel, content in sorted(files.items()):
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                content = content.encode("utf-8")
            path.write_bytes(content)
        (staging / MARKER).write_text("This folder is written by dateline; a build replaces it whole.\n")
        os.chmod(staging, 0o755)
        if out.exists() and exchange(staging, out):
            shutil.rmtree(staging)       # now holds the previous site
            return
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rename(out, old / "site")
            os.rename(staging, out)
            shutil.rmtree(old)
        else:
            os.rename(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


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
    """Put back a previous site left aside by a build killed between its two renames."""
    out = out.resolve()
    if out.exists():
        return
    for old in sorted(out.parent.glob(f".{out.name}.old-*/site")):
        os.rename(old, out)
        shutil.rmtree(old.parent, ignore_errors=True)
        return
