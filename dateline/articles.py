"""Stage 1, load: read `content/` into Article records, or say exactly what is wrong with it."""
from __future__ import annotations

import datetime as dt
import difflib
import errno
import os
import re
import stat
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
# Markdown files by any of their usual names, in any case: "x.MD" and "x.markdown" are articles too
ARTICLE_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn")
SETTINGS_FILES = ("site.yaml", "overrides.yaml")
# Python-Markdown looks for the end of every '[' through the rest of its paragraph: a paragraph
# of thousands of them takes minutes. Real paragraphs hold a few links.
MAX_BRACKETS_PER_PARAGRAPH = 300


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
    published_line: int = 2     # the file line of `published`, for messages about it


@dataclass(frozen=True)
class Site:
    title: str
    description: str
    base_url: str
    language: str


def display_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


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


def read_content_file(path: Path, content: Path, shown: str, limit: int = MAX_ARTICLE_BYTES) -> bytes:
    """The bytes of a file of the content folder, checked before they are read: a symlink must
    stay inside the content folder and lead somewhere, and only a regular file of at most
    `limit` bytes is read (a FIFO would hang the build, /dev/zero fill the memory)."""
    loop = ContentError(Problem(shown, 1, "a symlink loop: remove the link or point it at a file"))
    try:
        target = path.resolve(strict=True)
    except RuntimeError:        # how Python 3.11 reports a loop; later versions raise ELOOP
        raise loop from None
    except FileNotFoundError:
        raise ContentError(Problem(shown, 1, "a symlink to nothing: remove it or point it at a file")) from None
    except OSError as e:
        raise (loop if e.errno == errno.ELOOP else
               ContentError(Problem(shown, 1, f"cannot read the file: {e.strerror}"))) from None
    if not target.is_relative_to(content.resolve()):
        raise ContentError(Problem(shown, 1, "a symlink to a file outside the content folder: copy the file in instead"))
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as e:
        raise ContentError(Problem(shown, 1, f"cannot read the file: {e.strerror}")) from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ContentError(Problem(shown, 1, "not a regular file (a folder, pipe, device or socket): remove it"))
        if info.st_size > limit:
            raise ContentError(Problem(shown, 1, f"the file is too large ({info.st_size / 1e6:.1f} MB; the limit is "
                                                 f"{limit // (1024 * 1024)} MB): split or trim it"))
        return fh.read(limit + 1)


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


def parse_article(path: Path, article_id: str, shown: str, content: Path | None = None) -> Article:
    data = read_content_file(path, content or path.parent, shown)
    if len(data) > MAX_ARTICLE_BYTES:       # it grew while it was read
        raise ContentError(Problem(shown, 1, f"the file is too large (over {MAX_ARTICLE_BYTES // (1024 * 1024)} MB): "
                                             "split or trim it"))
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
    body = "\n".join(lines[close + 1:])
    problems += over_budget(body, close + 2, shown)
    if problems:
        raise ContentError(problems)
    get = lambda k: fields.get(k, ("", 0))[0].strip()  # noqa: E731
    return Article(id=article_id, path=shown, title=get("title"), published=published,
                   source=get("source"), url=get("url"), author=get("author"),
                   language=get("language") or "en", body=body,
                   body_line=close + 2, published_line=fields["published"][1])


def over_budget(body: str, first_line: int, shown: str) -> list[Problem]:
    """Runs of input that the Markdown reader takes quadratic time over, reported where they are
    rather than left to stall the build."""
    problems, line = [], first_line
    for paragraph in re.split(r"(\n[ \t]*\n)", body):
        count = paragraph.count("[")
        if count > MAX_BRACKETS_PER_PARAGRAPH:
            at = line + paragraph[:paragraph.index("[")].count("\n")
            problems.append(Problem(shown, at, f"{count:,} '[' in one paragraph (at most "
                                               f"{MAX_BRACKETS_PER_PARAGRAPH}; Markdown takes minutes over more): "
                                               "remove them, or break the paragraph up"))
        line += paragraph.count("\n")
    return problems


def hidden(name: str) -> bool:
    """Files that editors and systems leave beside the real ones: '.#x.md' (an Emacs lock),
    '._x.md' (macOS), '.x.md.swp', 'x.md~', '#x.md#'. Never articles."""
    return name.startswith((".", "#", "~")) or name.endswith(("~", "#"))


def is_article_name(name: str) -> bool:
    return not hidden(name) and Path(name).suffix.lower() in ARTICLE_SUFFIXES


def settings_problems(content: Path) -> list[Problem]:
    """A settings file whose name misses the one dateline reads ('overrides.yml', 'override.yaml',
    'Site.yaml') would be ignored without a word: it is an error that names the right name."""
    problems = []
    for path in sorted(content.iterdir()):
        name = path.name
        stem, suffix = os.path.splitext(name.lower())
        if hidden(name) or name in SETTINGS_FILES or suffix not in (".yml", ".yaml", ".json", ".txt", ""):
            continue
        match = difflib.get_close_matches(stem, [n.split(".")[0] for n in SETTINGS_FILES], n=1, cutoff=0.75)
        if match:
            right = f"{match[0]}.yaml"
            problems.append(Problem(display_path(path), 1, f"dateline reads {right}, not {name}: rename it to {right}"
                                    + (f" (and merge it with the {right} there)" if (content / right).exists() else "")))
    return problems


def _article_files(content: Path) -> tuple[list[Path], list[Problem]]:
    """Every article file under content/articles, its subfolders included, and the problems
    found on the way: files that are not articles are named (a warning), never skipped in
    silence; links that leave the content folder or lead nowhere are errors."""
    folder = content / "articles"
    if not folder.is_dir():
        raise ContentError(Problem(display_path(content), 1, "no articles/ folder here: put the articles in "
                                                             f"{display_path(folder)}/*.md"))
    if not folder.resolve().is_relative_to(content.resolve()):
        raise ContentError(Problem(display_path(folder), 1, "a symlink to a folder outside the content folder: "
                                                            "copy the articles in instead"))
    found, problems = [], []
    for here, dirs, names in os.walk(folder):
        here = Path(here)
        for name in sorted(dirs):
            if (here / name).is_symlink() and not hidden(name):
                problems.append(Problem(display_path(here / name), 1, "a symlink to a folder, which is not "
                                        "followed: move the articles into articles/ instead"))
        dirs[:] = sorted(d for d in dirs if not hidden(d) and not (here / d).is_symlink())
        for name in names:
            if is_article_name(name):
                found.append(here / name)
            elif not hidden(name):
                problems.append(Problem(display_path(here / name), 1, "not read: an article's file name ends in .md; "
                                        "rename it if it is one, or move it out of articles/", warning=True))
    return sorted(found, key=lambda p: (p.stem, str(p))), problems


def load_articles(content: Path, keep_going: bool = False) -> tuple[list[Article], list[Problem]]:
    """All articles, sorted by id. Every problem is collected; with keep_going the bad files are
    skipped and their problems returned instead of raised. Warnings are returned in either case."""
    content = content.resolve()
    articles, problems, by_folded = [], [], {}
    files, found = _article_files(content)
    problems.extend(found)
    errors = settings_problems(content)
    for path in files:
        shown = display_path(path)
        article_id = path.stem
        try:
            if not ID_PATTERN.match(article_id) or not article_id.isascii():
                suggestion = re.sub(r"[^A-Za-z0-9._-]+", "-",
                                    unicodedata.normalize("NFKD", article_id).encode("ascii", "ignore").decode())
                raise ContentError(Problem(shown, 1, "the file name must use only letters, digits, '.', '-' and "
                                                     f"'_' (it is the article's id): rename it, e.g. to "
                                                     f"{suggestion.strip('-') or 'article'}.md"))
            folded = article_id.casefold()
            if folded in by_folded:
                other_id, other = by_folded[folded]
                if other_id != article_id:
                    raise ContentError(Problem(shown, 1, f"the id '{article_id}' differs from '{other_id}' only in "
                                                         "case, which clashes on some systems: rename one"))
                raise ContentError(Problem(shown, 1, f"the id '{article_id}' is also {other}'s (the file name is "
                                                     "the article's id, in any folder): rename one"))
            by_folded[folded] = (article_id, shown)
            articles.append(parse_article(path, article_id, shown, content))
        except ContentError as e:
            problems.extend(e.problems)
        except OSError as e:
            problems.append(Problem(shown, 1, f"cannot read the file: {e.strerror}"))
    if errors or (not keep_going and any(not p.warning for p in problems)):
        raise ContentError(errors + problems)
    return articles, problems


def future_warnings(articles: list[Article], today: dt.date) -> list[Problem]:
    """A `published` date after today is most likely a typo. (The only use of the clock: a warning.)"""
    return [Problem(a.path, a.published_line, f"'published: {a.published}' is in the future: check the date",
                    warning=True)
            for a in articles if a.published > today]


def load_site(content: Path) -> Site:
    path = content / "site.yaml"
    if not os.path.lexists(path):       # a broken or looping link is an error below, not "no file"
        return Site(**SITE_KEYS)
    shown = display_path(path)
    text = _decode(read_content_file(path, content, shown), shown)
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

