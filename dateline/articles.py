"""Stage 1, load: read `content/` into Article records, or say exactly what is wrong with it."""
from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import yamlio
from .errors import ContentError, Problem
from .temporal import EARLIEST_YEAR, LATEST_YEAR

MAX_ARTICLE_BYTES = 10 * 1024 * 1024
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
REQUIRED = ("title", "published")
OPTIONAL = ("source", "url", "author", "language")
SITE_KEYS = {"title": "A timeline", "description": "", "base_url": "", "language": "en"}


@dataclass(frozen=True)
class Article:
    id: str
    path: str            # as shown in messages, relative to the working directory when possible
    title: str
    published: dt.date
    source: str
    url: str
    author: str
    language: str
    body: str            # Markdown, after the front matter
    body_line: int       # the file line on which `body` starts


@dataclass(frozen=True)
class Site:
    title: str
    description: str
    base_url: str
    language: str


def display_path(path: Path, cwd: str | None = None) -> str:
    """`path` relative to the working directory (`cwd`, if the caller has it) when it is inside."""
    text, cwd = str(path), cwd or os.getcwd()
    if text == cwd:
        return "."
    return text[len(cwd) + 1:] if text.startswith(cwd + os.sep) and cwd != os.sep else text


def parse_published(raw: str) -> dt.date:
    """`YYYY-MM-DD`, or an ISO 8601 datetime with an offset (its date as written)."""
    raw = raw.strip()
    if re.fullmatch(r"\d{4}-\d\d-\d\d", raw):
        day = dt.date.fromisoformat(raw)
    else:
        stamp = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
        if stamp.tzinfo is None:
            raise ValueError("a datetime needs an offset, e.g. 2022-12-19T08:30:00+02:00")
        day = stamp.date()
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise ValueError(f"the year must be between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return day


def _decode(data: bytes, shown: str) -> str:
    if not data.strip():
        raise ContentError(Problem(shown, 1, "the file is empty: give it front matter and a body, or remove it"))
    if b"\x00" in data[:8192]:
        raise ContentError(Problem(shown, 1, "this looks like a binary file, not Markdown: remove it from content/articles"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ContentError(Problem(shown, line, f"not valid UTF-8 (byte 0x{data[e.start]:02x} at byte offset "
                                                f"{e.start}): save the file as UTF-8")) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _scalar(node: yaml.Node, key: str, shown: str, line: int) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise ContentError(Problem(shown, line, f"'{key}' must be a single value, not a list or mapping"))
    return node.value


def parse_article(path: Path, article_id: str, shown: str) -> Article:
    data = path.read_bytes()
    if len(data) > MAX_ARTICLE_BYTES:
        raise ContentError(Problem(shown, 1, f"the file is too large ({len(data) / 1e6:.1f} MB; the limit is "
                                             f"{MAX_ARTICLE_BYTES // (1024 * 1024)} MB): split or trim it"))
    text = _decode(data, shown)
    lines = text.split("\n")
    if lines[0].strip() != "---":
        raise ContentError(Problem(shown, 1, "no front matter: start the file with a '---' line, then "
                                             "'title:' and 'published:', then another '---' line"))
    try:
        close = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        raise ContentError(Problem(shown, 1, "the front matter is not closed: add a '---' line after it")) from None
    node = yamlio.compose("\n".join(lines[1:close]), shown, line_offset=2)
    if node is None or not isinstance(node, yaml.MappingNode):
        raise ContentError(Problem(shown, 2, "the front matter must be 'key: value' lines (title, published, ...)"))
    fields, problems = {}, []
    for key, line, column, value in yamlio.mapping_entries(node, shown, line_offset=2):
        if key not in REQUIRED + OPTIONAL:
            hint = difflib.get_close_matches(key, REQUIRED + OPTIONAL, n=1)
            problems.append(Problem(shown, line, f"unknown front-matter key '{key}'"
                                    + (f": did you mean '{hint[0]}'?" if hint else
                                       f"; known keys: {', '.join(REQUIRED + OPTIONAL)}"), column))
            continue
        fields[key] = (_scalar(value, key, shown, line), line)
    for key in REQUIRED:
        if key not in fields or not fields[key][0].strip():
            problems.append(Problem(shown, fields.get(key, (None, close + 1))[1],
                                    f"missing '{key}' in the front matter: add '{key}: ...'"
                                    + (" (YYYY-MM-DD)" if key == "published" else "")))
    published = None
    if "published" in fields and fields["published"][0].strip():
        raw, line = fields["published"]
        try:
            published = parse_published(raw)
        except ValueError as e:
            problems.append(Problem(shown, line, f"'published: {raw}' is not a real date ({e}): "
                                                 "write it as YYYY-MM-DD"))
    if problems:
        raise ContentError(problems)
    get = lambda k: fields.get(k, ("", 0))[0].strip()  # noqa: E731
    return Article(id=article_id, path=shown, title=get("title"), published=published,
                   source=get("source"), url=get("url"), author=get("author"),
                   language=get("language") or "en", body="\n".join(lines[close + 1:]),
                   body_line=close + 2)


def _article_files(content: Path) -> list[Path]:
    folder = content / "articles"
    if not folder.is_dir():
        raise ContentError(Problem(display_path(content), 1, "no articles/ folder here: put the articles in "
                                                             f"{display_path(folder)}/*.md"))
    return sorted((p for p in folder.iterdir() if p.suffix == ".md"), key=lambda p: p.name)


def load_articles(content: Path, keep_going: bool = False) -> tuple[list[Article], list[Problem]]:
    """All articles, sorted by id. Every problem is collected; with keep_going the bad files are
    skipped and their problems returned instead of raised."""
    content = content.resolve()
    articles, problems, by_folded = [], [], {}
    cwd = os.getcwd()
    for path in _article_files(content):
        shown = display_path(path, cwd)
        article_id = path.stem
        try:
            if path.is_symlink() and not path.resolve().is_relative_to(content):
                raise ContentError(Problem(shown, 1, "a symlink to a file outside the content folder: "
                                                     "copy the file in instead"))
            if not ID_PATTERN.match(article_id) or not article_id.isascii():
                suggestion = re.sub(r"[^A-Za-z0-9._-]+", "-",
                                    unicodedata.normalize("NFKD", article_id).encode("ascii", "ignore").decode())
                raise ContentError(Problem(shown, 1, "the file name must use only letters, digits, '.', '-' and "
                                                     f"'_' (it is the article's id): rename it, e.g. to "
                                                     f"{suggestion.strip('-') or 'article'}.md"))
            folded = article_id.casefold()
            if folded in by_folded:
                raise ContentError(Problem(shown, 1, f"the id '{article_id}' differs from '{by_folded[folded]}' "
                                                     "only in case, which clashes on some systems: rename one"))
            by_folded[folded] = article_id
            articles.append(parse_article(path, article_id, shown))
        except ContentError as e:
            problems.extend(e.problems)
        except OSError as e:
            problems.append(Problem(shown, 1, f"cannot read the file: {e.strerror}"))
    if problems and not keep_going:
        raise ContentError(problems)
    return articles, problems


def future_warnings(articles: list[Article], today: dt.date) -> list[Problem]:
    """A `published` date after today is most likely a typo. (The only use of the clock: a warning.)"""
    return [Problem(a.path, 2, f"'published: {a.published}' is in the future: check the date", warning=True)
            for a in articles if a.published > today]


def load_site(content: Path) -> Site:
    path = content / "site.yaml"
    if not path.exists():
        return Site(**SITE_KEYS)
    shown = display_path(path)
    text = _decode(path.read_bytes(), shown)
    node = yamlio.compose(text, shown)
    if node is None:
        return Site(**SITE_KEYS)
    if not isinstance(node, yaml.MappingNode):
        raise ContentError(Problem(shown, 1, "site.yaml must be 'key: value' lines"))
    values = dict(SITE_KEYS)
    for key, line, column, value in yamlio.mapping_entries(node, shown):
        if key not in SITE_KEYS:
            hint = difflib.get_close_matches(key, SITE_KEYS, n=1)
            raise ContentError(Problem(shown, line, f"unknown key '{key}'" + (
                f": did you mean '{hint[0]}'?" if hint else f"; known keys: {', '.join(SITE_KEYS)}"), column))
        values[key] = _scalar(value, key, shown, line).strip()
    return Site(**values)

