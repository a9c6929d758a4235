"""Stage 1, load: read `content/` into Article records, or say exactly what is wrong with it."""
from __future__ import annotations

import datetime as dt
import difflib
import errno
import hashlib
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from . import yamlio
from .errors import ContentError, Problem, in_order, shown
from .progress import Progress
from .temporal import EARLIEST_YEAR, LATEST_YEAR

MAX_ARTICLE_BYTES = 10 * 1024 * 1024
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
REQUIRED = ("title", "published")
OPTIONAL = ("source", "url", "author", "language", "updated", "republish")
# what other tools write: kept (and published in timeline.json), or read as the key meant
KEPT = {"tags": yamlio.text_list, "image": yamlio.scalar}
ALIASES = {"date": "published", "pubDate": "published", "publishDate": "published", "name": "title",
           "authors": "author", "lang": "language", "link": "url", "publisher": "source"}
NOT_READ = {"draft": "to leave the article out, move the file out of articles/ or hide it in overrides.yaml "
                     "('articles:', its id, 'hide: true')"}
# site.yaml, every key optional. `image` is the share image (a full URL, or a file in the content
# folder, published like the logo); `embed_heading` the level of embed.html's top heading;
# `updated` (YYYY-MM-DD) and `corrections` (Markdown) are the editor's lines under the title.
SITE_KEYS = {"title": "", "description": "", "base_url": "", "language": "en", "stylesheets": (),
             "logo": "", "republish": "full", "image": "", "image_alt": "", "embed_heading": "2", "updated": "",
             "corrections": ""}
ASSET_TYPES = {"stylesheets": (".css",), "logo": (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif"),
               "image": (".png", ".jpg", ".jpeg", ".gif", ".webp")}
MAX_ASSET_BYTES = 2 * 1024 * 1024
# what an article page may show of the text (README: republishing rights); "" in an article: as site.yaml says
REPUBLISH = ("full", "excerpts", "none")
UNDATED = "unknown"     # `published:` as `import` writes it where it found no date
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
    tags: tuple[str, ...] = ()
    image: str = ""
    republish: str = ""  # one of REPUBLISH, or "" for the site's choice
    published_line: int = 2     # the file line of `published`, for messages about it


@dataclass(frozen=True)
class Site:
    title: str
    description: str
    base_url: str
    language: str
    stylesheets: tuple[str, ...] = ()     # added CSS, as published: static/site/NAME
    logo: str = ""                        # as published: static/site/NAME
    republish: str = "full"
    assets: tuple = field(default=(), repr=False)   # (published path, bytes) of the files above
    image: str = ""                       # a full URL, or as published: static/site/NAME
    image_alt: str = ""
    embed_heading: str = "2"
    updated: str = ""
    corrections: str = ""

    def fingerprint(self) -> dict:
        """Everything pages depend on, the assets by digest."""
        return dict(title=self.title, description=self.description, base_url=self.base_url, language=self.language,
                    stylesheets=self.stylesheets, logo=self.logo, republish=self.republish,
                    assets=[(name, hashlib.sha256(data).hexdigest()) for name, data in self.assets],
                    image=self.image, image_alt=self.image_alt, embed_heading=self.embed_heading,
                    updated=self.updated, corrections=self.corrections)


def display_path(path: Path, cwd: str | None = None) -> str:
    """`path` relative to the working directory (`cwd`, if the caller has it) when it is inside."""
    text, cwd = str(path), cwd or os.getcwd()
    if text == cwd:
        return "."
    return text[len(cwd) + 1:] if text.startswith(cwd + os.sep) and cwd != os.sep else text


def parse_published(raw: str) -> dt.date:
    """`YYYY-MM-DD`, or an ISO 8601 datetime with an offset (its date as written)."""
    raw = raw.strip()
    if raw == UNDATED:
        raise ValueError("import found no date for it: look it up in the original, at its url")
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


def _unreadable(shown_path: str, e: OSError) -> Problem:
    return Problem(shown_path, 1, f"cannot read the file: {e.strerror}")


def _open_inside(path: Path, content: Path, shown_path: str) -> int:
    """The file `path` leads to, opened, if that is inside the content folder."""
    loop = ContentError(Problem(shown_path, 1, "a symlink loop: remove the link or point it at a file"))
    try:
        target = path.resolve(strict=True)
    except RuntimeError:        # how Python 3.11 reports a loop; later versions raise ELOOP
        raise loop from None
    except FileNotFoundError:
        raise ContentError(Problem(shown_path, 1, "a symlink to nothing: remove it or point it at a file")) from None
    except OSError as e:
        raise (loop if e.errno == errno.ELOOP else
               ContentError(_unreadable(shown_path, e))) from None
    if not target.is_relative_to(content.resolve()):
        raise ContentError(Problem(shown_path, 1, "a symlink to a file outside the content folder: copy the file in instead"))
    try:
        return os.open(target, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as e:
        raise ContentError(_unreadable(shown_path, e)) from None


def read_content_file(path: Path, content: Path, shown_path: str, limit: int = MAX_ARTICLE_BYTES,
                      walked: bool = False) -> bytes:
    """The bytes of a file of the content folder, checked before they are read: a symlink must
    stay inside the content folder and lead somewhere, and only a regular file of at most
    `limit` bytes is read (a FIFO would hang the build, /dev/zero fill the memory). `walked`:
    found in the content folder by a walk that follows no link into a folder (_article_files),
    so only the file itself can be a link: unless it is one, no folder on its path is resolved
    again (eight system calls a file, a second of a cold build at ten thousand articles)."""
    fd = None
    if walked:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
        except OSError as e:
            if e.errno != errno.ELOOP:      # ELOOP: the file is a link, checked below
                raise ContentError(_unreadable(shown_path, e)) from None
    if fd is None:
        fd = _open_inside(path, content, shown_path)
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ContentError(Problem(shown_path, 1, "not a regular file (a folder, pipe, device or socket): remove it"))
        if info.st_size > limit:
            raise ContentError(Problem(shown_path, 1, f"the file is too large ({info.st_size / 1e6:.1f} MB; the limit is "
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


def languages() -> list[str]:
    """The languages there is a temporal grammar for: the folders under temporal/lang/, so a new
    grammar needs no change here."""
    from .temporal.grammar import LANG_DIR
    return sorted(p.name for p in LANG_DIR.iterdir() if (p / "rules.yaml").is_file())


def _unknown_key(key: str, fields: dict, missing: list[str]) -> tuple[str, bool]:
    """(message, is it an error) for a front-matter key dateline does not read. Keys that other
    tools write are warnings; a near miss of a required key that is missing is the error."""
    near = difflib.get_close_matches(key, [k for k in REQUIRED + OPTIONAL if k not in fields], n=1)
    if key in ALIASES:
        wanted = ALIASES[key]
        if wanted in missing:
            return f"'{key}' is not read: did you mean '{wanted}'? (rename it)", True
        return f"'{key}' is not read: did you mean '{wanted}'? (dateline reads '{wanted}')", False
    if key in NOT_READ:
        return f"'{key}' is not read: {NOT_READ[key]}", False
    if near and near[0] in missing:
        return f"unknown front-matter key {shown(key)}: did you mean '{near[0]}'?", True
    return (f"unknown front-matter key {shown(key)} is not read" + (f": did you mean '{near[0]}'?" if near else
                                                                    f"; known keys: {', '.join(REQUIRED + OPTIONAL)}"),
            False)


def parse_article(path: Path, article_id: str, shown_path: str, warnings: list | None = None,
                  content: Path | None = None, site_language: str = "en", walked: bool = False) -> Article:
    """One article. Errors are raised (all of them at once); warnings go into `warnings`. An
    article without a `language` of its own is in the site's. `walked`: see read_content_file."""
    data = read_content_file(path, content or path.parent, shown_path, walked=walked)
    if len(data) > MAX_ARTICLE_BYTES:       # it grew while it was read
        raise ContentError(Problem(shown_path, 1, f"the file is too large (over {MAX_ARTICLE_BYTES // (1024 * 1024)} "
                                                  "MB): split or trim it"))
    text = _decode(data, shown_path)
    lines = text.split("\n")
    if lines[0].strip() != "---":
        raise ContentError(Problem(shown_path, 1, "no front matter: start the file with a '---' line, then "
                                                  "'title:' and 'published:', then another '---' line"))
    try:
        close = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        raise ContentError(Problem(shown_path, 1, "the front matter is not closed: add a '---' line after it")) from None
    node = yamlio.compose("\n".join(lines[1:close]), shown_path, line_offset=2)
    if node is None or not isinstance(node, yaml.MappingNode):
        raise ContentError(Problem(shown_path, 2, "the front matter must be 'key: value' lines (title, published, ...)"))
    fields, problems, unknown, kept, given = {}, [], [], {}, set()
    for key, line, column, value in yamlio.mapping_entries(node, shown_path, line_offset=2, problems=problems):
        given.add(key)
        try:
            if key in KEPT:
                kept[key] = KEPT[key](value, key, shown_path, 2)
            elif key in REQUIRED + OPTIONAL:
                fields[key] = (yamlio.scalar(value, key, shown_path, 2), line)
            else:
                unknown.append((key, line, column))
        except ContentError as e:
            problems.extend(e.problems)
    missing = [k for k in REQUIRED if k not in given or k in fields and not fields[k][0].strip()]
    for key, line, column in unknown:
        message, is_error = _unknown_key(key, fields, missing)
        (problems if is_error else warnings if warnings is not None else []).append(
            Problem(shown_path, line, message, column, warning=not is_error))
        if is_error:
            missing = [k for k in missing if k != ALIASES.get(key) and
                       k not in difflib.get_close_matches(key, missing, n=1)]
    for key in missing:
        problems.append(Problem(shown_path, fields.get(key, (None, close + 1))[1],
                                f"missing '{key}' in the front matter: add '{key}: ...'"
                                + (" (YYYY-MM-DD)" if key == "published" else "")))
    published = None
    if "published" in fields and fields["published"][0].strip():
        raw, line = fields["published"]
        try:
            published = parse_published(raw)
        except ValueError as e:
            problems.append(Problem(shown_path, line, f"'published: {raw}' is not a real date ({e}): "
                                                      "write it as YYYY-MM-DD"))
    language = fields.get("language", ("", 0))[0].strip()
    if language and language.split("-")[0].split("_")[0].lower() not in languages():
        problems.append(Problem(shown_path, fields["language"][1], f"no grammar for {shown(language)}; available: "
                                                                   f"{', '.join(languages())}"))
    if fields.get("republish", ("full",))[0].strip() not in REPUBLISH:
        problems.append(Problem(shown_path, fields["republish"][1], f"'republish: {fields['republish'][0]}' must be one of "
                                                                   f"{', '.join(REPUBLISH)}"))
    body = "\n".join(lines[close + 1:])
    problems += over_budget(body, close + 2, shown_path)
    if problems:
        raise ContentError(problems)
    get = lambda k: fields.get(k, ("", 0))[0].strip()  # noqa: E731
    return Article(id=article_id, path=shown_path, title=get("title"), published=published,
                   source=get("source"), url=get("url"), author=get("author"),
                   language=language or site_language, body=body,
                   body_line=close + 2, tags=kept.get("tags", ()), image=kept.get("image", ""),
                   republish=get("republish"), published_line=fields["published"][1])


def over_budget(body: str, first_line: int, shown_path: str) -> list[Problem]:
    """Runs of input that the Markdown reader takes quadratic time over, reported where they are
    rather than left to stall the build."""
    if body.count("[") <= MAX_BRACKETS_PER_PARAGRAPH:
        return []       # no paragraph can have more: the usual case, not worth splitting for
    problems, line = [], first_line
    for paragraph in re.split(r"(\n[ \t]*\n)", body):
        count = paragraph.count("[")
        if count > MAX_BRACKETS_PER_PARAGRAPH:
            at = line + paragraph[:paragraph.index("[")].count("\n")
            problems.append(Problem(shown_path, at, f"{count:,} '[' in one paragraph (at most "
                                               f"{MAX_BRACKETS_PER_PARAGRAPH}; Markdown takes minutes over more): "
                                               "remove them, or break the paragraph up"))
        line += paragraph.count("\n")
    return problems


def hidden(name: str) -> bool:
    """Files that editors and systems leave beside the real ones: '.#x.md' (an Emacs lock),
    '._x.md' (macOS), '.x.md.swp', 'x.md~', '#x.md#'. Never articles."""
    return name.startswith((".", "#", "~")) or name.endswith(("~", "#"))


def is_article_name(name: str) -> bool:
    # os.path, not Path: called for each of ten thousand files at every build
    return not hidden(name) and os.path.splitext(name)[1].lower() in ARTICLE_SUFFIXES


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


def load_articles(content: Path, keep_going: bool = False, language: str = "en",
                  index=None) -> tuple[list[Article], list[Problem]]:
    """All articles, sorted by id, in the site's `language` unless they say otherwise. Every
    problem is collected; with keep_going the bad files are skipped and their problems returned
    instead of raised. Warnings are returned in either case. An `index` (buildstate.ArticleIndex)
    gives the articles of files unchanged since the last build without reading them."""
    content = content.resolve()
    articles, problems, warnings, by_folded = [], [], [], {}
    files, found = _article_files(content)
    problems += [p for p in found if not p.warning]
    warnings += [p for p in found if p.warning]
    cwd = os.getcwd()
    progress = Progress("reading", len(files))
    for path in files:
        shown = display_path(path, cwd)
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
            known = index.lookup(path) if index else None
            if known:
                articles.append(known[0])
                warnings += known[1]
                continue
            own_warnings: list[Problem] = []
            articles.append(parse_article(path, article_id, shown, own_warnings, content, language, walked=True))
            warnings += own_warnings
            if index:
                index.remember(path, articles[-1], own_warnings)
        except ContentError as e:
            problems.extend(e.problems)
        except OSError as e:
            problems.append(_unreadable(shown, e))
        finally:
            progress.step()
    errors = settings_problems(content)
    if errors or (problems and not keep_going):
        raise ContentError(in_order(errors + problems + warnings))
    return articles, in_order(problems + warnings)


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
    values, assets, lines = dict(SITE_KEYS), [], {}
    for key, line, column, value in yamlio.mapping_entries(node, shown):
        lines[key] = line
        if key not in SITE_KEYS:
            hint = difflib.get_close_matches(key, SITE_KEYS, n=1)
            raise ContentError(Problem(shown, line, f"unknown key '{key}'" + (
                f": did you mean '{hint[0]}'?" if hint else f"; known keys: {', '.join(SITE_KEYS)}"), column))
        if key == "image" and re.match(r"https?://", yamlio.scalar(value, key, shown).strip()):
            values[key] = yamlio.scalar(value, key, shown).strip()
            if not re.fullmatch(r"https?://[^\s<>\"']+", values[key]):
                raise ContentError(Problem(shown, line, f"'image: {values[key]}' is not a web address: "
                                                        "write it as https://...", column))
        elif key in ASSET_TYPES:
            names = yamlio.text_list(value, key, shown) if key == "stylesheets" else (yamlio.text(value, key, shown),)
            published = tuple(_asset(content, name, key, shown, value.start_mark.line + 1, assets) for name in names)
            values[key] = published if key == "stylesheets" else published[0]
        else:
            values[key] = yamlio.scalar(value, key, shown).strip()
        if key == "republish" and values[key] not in REPUBLISH:
            raise ContentError(Problem(shown, line, f"'republish: {values[key]}' must be one of {', '.join(REPUBLISH)}",
                                       column))
        problem = _site_value_problem(key, values[key])
        if problem:
            raise ContentError(Problem(shown, line, problem, column))
    if values["image"].startswith("static/") and not values["base_url"]:
        raise ContentError(Problem(shown, lines["image"], "a share image needs a full address: set base_url "
                                                          "(where the site is published), or give 'image' as https://..."))
    return Site(**values, assets=tuple(assets))


def _site_value_problem(key: str, value: str) -> str:
    if key == "embed_heading" and value not in ("1", "2", "3"):
        return f"'embed_heading: {value}' must be 1, 2 or 3 (the level of embed.html's top heading)"
    if key == "updated" and value:
        try:
            parse_published(value)
        except ValueError as e:
            return f"'updated: {value}' is not a real date ({e}): write it as YYYY-MM-DD"
    return ""


def titled(site: Site, articles: list[Article]) -> Site:
    """A site with no title of its own is named for what it covers: 'Timeline of 5 articles,
    December 2022 – September 2024'."""
    if site.title:
        return site
    if not articles:
        return replace(site, title="Timeline")
    first, last = min(a.published for a in articles), max(a.published for a in articles)
    span = f"{first:%B %Y}" if (first.year, first.month) == (last.year, last.month) else f"{first:%B %Y} – {last:%B %Y}"
    return replace(site, title=f"Timeline of {len(articles)} article{'s' if len(articles) != 1 else ''}, {span}")


def _asset(content: Path, name: str, key: str, site_path: str, line: int, assets: list) -> str:
    """A file site.yaml adds to the pages (a stylesheet, a logo), read from the content folder;
    its published path, under static/site/."""
    what = {"stylesheets": "a stylesheet", "logo": "a logo", "image": "a share image"}[key]
    try:
        path = (content / name).resolve()
    except (RuntimeError, OSError):     # a symlink loop (RuntimeError in Python 3.11)
        raise ContentError(Problem(site_path, line, f"{what} {shown(name)} is a symlink loop: point it at a file")) \
            from None
    if not path.is_relative_to(content.resolve()):
        raise ContentError(Problem(site_path, line, f"{what} must be a file in the content folder: copy "
                                                f"{shown(name)} into it"))
    if not path.is_file():
        raise ContentError(Problem(site_path, line, f"{what} {shown(name)} is not a file in {display_path(content)}/: "
                                                "give its path relative to the content folder"))
    if path.suffix.lower() not in ASSET_TYPES[key]:
        raise ContentError(Problem(site_path, line, f"{what} must be a {' or '.join(ASSET_TYPES[key])} file, not "
                                                f"{shown(name)}"))
    if path.stat().st_size > MAX_ASSET_BYTES:
        raise ContentError(Problem(site_path, line, f"{shown(name)} is larger than "
                                                f"{MAX_ASSET_BYTES // (1024 * 1024)} MB: make it smaller"))
    published = f"static/site/{path.name}"
    if any(p == published for p, _ in assets):
        raise ContentError(Problem(site_path, line, f"two files named {path.name}: rename one"))
    assets.append((published, path.read_bytes()))
    return published
