"""`python build.py import SOURCE...`: articles in from saved pages, URLs, feeds and WordPress
exports, written as `content/articles/<id>.md` for the build to read.

Extraction is left to libraries made for it (an optional extra, requirements-import.txt):
trafilatura finds the story among the page furniture, htmldate the original publication date,
feedparser reads RSS and Atom. What this module adds is the care an editor needs: the date as
the publisher wrote it, never today's; a note wherever a date is doubtful; nothing imported
twice; no file the editor has changed ever overwritten; one line for every source that fails.
"""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import email.utils
import functools
import hashlib
import json
import os
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import yaml

from .articles import ID_PATTERN, UNDATED
from .fetch import AT_ONCE, TIMEOUT, Fetcher, FetchError, is_url

MANIFEST = ".import-manifest.json"   # in the content folder: what import wrote, by article id
FULL_TEXT_CHARS = 600                # a feed item's content shorter than this is a summary
SAME_TEXT_WORDS = 30                 # bodies this long or longer are compared for "the same text"
PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
STAMP = "%Y-%m-%dT%H:%M:%S%z"
EARLIEST = "1700-01-01"              # htmldate's own floor is 1995, too late for archives
# WordPress's own shortcodes; a caption's text belongs to an image import leaves out
WP_CAPTION = re.compile(r"\[(caption|wp_caption)\b[^\]]*\].*?\[/\1\]", re.DOTALL)
WP_SHORTCODE = re.compile(r"\[/?(?:gallery|embed|audio|video|playlist)\b[^\]]*\]")
BLOCK_TAG = re.compile(r"<(p|div|h[1-6]|ul|ol|blockquote|figure|table|pre)\b", re.IGNORECASE)
TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|ocid|cmpid|ref|src)$", re.IGNORECASE)


@dataclass(frozen=True)
class Draft:
    """An article as import will write it."""
    label: str                # the source as the editor named it, for messages
    title: str
    published: str            # YYYY-MM-DD, or a datetime with the publisher's own offset; "" if none found
    body: str                 # Markdown
    updated: str = ""
    source: str = ""
    url: str = ""
    author: str = ""
    notes: tuple[str, ...] = ()   # what the editor should check


@dataclass(frozen=True)
class Failure:
    label: str
    message: str


@dataclass(frozen=True)
class Link:
    """A page still to fetch; `hints` are what a feed already said of it (title, dates, author)."""
    label: str
    url: str
    hints: dict = field(default_factory=dict)


# ---------------------------------------------------------------- dates

def feed_stamp(raw: str) -> str:
    """A feed's date as its publisher wrote it, offset kept: 'Sun, 10 Mar 2024 00:30:00 +0200' is
    2024-03-10T00:30:00+02:00, a story of that day, not of the UTC day before. No offset: the day."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        stamp = email.utils.parsedate_to_datetime(raw)          # RSS: RFC 822
    except (TypeError, ValueError, IndexError):
        try:
            stamp = dt.datetime.fromisoformat(raw)              # Atom: RFC 3339
        except ValueError:
            return ""
    return stamp.isoformat() if stamp.tzinfo else stamp.date().isoformat()


def htmldate_stamp(found: str | None) -> str:
    """htmldate's '2024-03-10T00:30:00+0200' as front matter takes it; without an offset, the day."""
    if not found:
        return ""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)([+-]\d\d)(\d\d)", found)
    return f"{m[1]}T{m[2]}{m[3]}:{m[4]}" if m else found[:10]


def page_dates(html: str, url: str) -> tuple[str, str, list[str]]:
    """(published, updated, notes). The original publication date from the page's metadata, else
    from its URL, else from a date in its text (said so: it may be any date the story mentions)."""
    from htmldate import find_date
    from htmldate.extractors import extract_url_date
    from htmldate.utils import Extractor
    from trafilatura.utils import load_html

    # htmldate takes a date in the canonical link's URL before any on the page: without the link,
    # the page's own date can be told apart from (and checked against) its URL's
    page = load_html(html)
    for link in page.xpath('//link[@rel="canonical"]'):
        link.getparent().remove(link)

    def find(original: bool, extensive: bool) -> str:
        return htmldate_stamp(find_date(copy.deepcopy(page), extensive_search=extensive, original_date=original,
                                        outputformat=STAMP, min_date=EARLIEST))

    notes = []
    published = find(original=True, extensive=False)
    url_day = extract_url_date(url, Extractor(False, dt.datetime.now() + dt.timedelta(days=2),
                                              dt.datetime.fromisoformat(EARLIEST), True, "%Y-%m-%d")) if url else None
    if published and url_day and url_day != published[:10]:
        # a day apart: the page's, which has the time and offset (a URL's day is often the draft's,
        # or UTC's); further apart: the earlier, as a page re-dated by an update keeps its first day in its URL
        apart = abs((dt.date.fromisoformat(published[:10]) - dt.date.fromisoformat(url_day)).days)
        kept = "the page's" if apart == 1 or published[:10] < url_day else "the URL's"
        notes.append(f"the page dates it {published[:10]} but its URL says {url_day}: kept {kept}, check it")
        published = published if kept == "the page's" else url_day
    if not published and url_day:
        published = url_day
    if not published:
        published = find(original=True, extensive=True)
        if published:
            notes.append(f"no date in the page's metadata; {published[:10]} was read from its text: check it")
    latest = find(original=False, extensive=False)
    updated = latest if published and latest and latest[:10] > published[:10] else ""
    return published, updated, notes


# ---------------------------------------------------------------- pages, fragments, feeds, WXR

def clean(text: str | None) -> str:
    return " ".join((text or "").split())


def markdown_of(html: str, url: str = "") -> str:
    """The story as Markdown, without the page furniture (menus, cookie banners, related links)."""
    import trafilatura
    return trafilatura.extract(html, url=url or None, output_format="markdown", include_comments=False,
                               include_tables=True, include_formatting=True, config=_config()) or ""


@functools.lru_cache(maxsize=1)
def _config():
    from trafilatura.settings import use_config
    config = use_config()
    # a short wire story or a feed item's text is still an article
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "100")
    config.set("DEFAULT", "MIN_OUTPUT_SIZE", "1")
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")     # its timer uses signals: main thread only
    return config


def without_title(body: str, title: str) -> str:
    """The page's own headline opens the extracted text; the article page shows the title already."""
    first, _, rest = body.lstrip().partition("\n")
    if first.startswith("#") and words(first) == words(title):
        return rest.lstrip("\n")
    return body


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def from_page(label: str, html: str, url: str, hints: dict | None = None) -> Draft | Failure:
    import trafilatura
    from trafilatura.utils import load_html
    hints = hints or {}
    tree = load_html(html)
    if tree is None:
        return Failure(label, "not a readable HTML page")
    meta = trafilatura.extract_metadata(tree, default_url=url or None)
    title = hints.get("title") or clean(meta.title if meta else "")
    body = markdown_of(html, url)
    if not body.strip():
        return Failure(label, "no article text found on the page (a paywall, a script-only page, or not an article?)")
    if not title:
        return Failure(label, "no title found on the page")
    url = url or (meta.url if meta and meta.url and is_url(meta.url) else "")
    published, updated, notes = page_dates(html, url)
    if hints.get("published"):           # the feed's own date, with its offset: the page's is not used
        published, notes = hints["published"], []
    return Draft(label, title, published, without_title(body, title).strip(),
                 updated=hints.get("updated") or updated,
                 source=hints.get("source") or clean(meta.sitename if meta else ""), url=url,
                 author=hints.get("author") or clean(meta.author if meta else ""), notes=tuple(notes))


def from_fragment(label: str, html: str, hints: dict) -> Draft | Failure:
    """A feed item's or a WordPress post's HTML, which is the story and nothing else."""
    if not BLOCK_TAG.search(html):          # WordPress keeps paragraphs as blank lines
        html = "".join(f"<p>{part}</p>" for part in re.split(r"\n\s*\n", html) if part.strip())
    body = markdown_of(f"<html><body><article>{html}</article></body></html>")
    if not body.strip():
        return Failure(label, "the item holds no text")
    if not hints.get("title"):
        return Failure(label, "the item has no title")
    return Draft(label, hints["title"], hints.get("published", ""), body.strip(), updated=hints.get("updated", ""),
                 source=hints.get("source", ""), url=hints.get("url", ""), author=hints.get("author", ""))


def feed_items(label: str, data: bytes, feed_url: str = "") -> Iterator[Draft | Failure | Link]:
    """Every item: its own full text where the feed carries it, else its link to fetch."""
    import feedparser
    parsed = feedparser.parse(data)      # bytes: a str would be taken for a URL or a file name
    if not parsed.entries:
        yield Failure(label, "a feed with no items" + (f" ({parsed.bozo_exception})" if parsed.bozo else ""))
        return
    for n, entry in enumerate(parsed.entries, 1):
        link = urljoin(feed_url, entry.get("link", "")) if entry.get("link") else ""
        published = feed_stamp(entry.get("published", ""))
        updated = feed_stamp(entry.get("updated", ""))
        hints = {"title": clean(entry.get("title")), "published": published,
                 "updated": updated if updated != published else "",
                 "author": feed_author(entry.get("author", "")),
                 "source": clean(parsed.feed.get("title")), "url": link}
        item = link or f"{label} item {n}"
        content = max((c.get("value", "") for c in entry.get("content", [])), key=len, default="")
        if len(clean(re.sub(r"<[^>]+>", " ", content))) >= FULL_TEXT_CHARS:
            yield from_fragment(item, content, hints)
        elif is_url(link):
            yield Link(item, link, hints)
        else:
            yield Failure(item, "the feed holds only a summary of this item, and no link to the full text")


def feed_author(raw: str) -> str:
    """RSS writes an author as an address: 'desk@paper.example (Tom Reyes)' is Tom Reyes."""
    name, address = email.utils.parseaddr(raw)
    return clean(name if name and "@" in address else raw)


def wxr_items(label: str, data: bytes) -> Iterator[Draft | Failure]:
    """A WordPress export (WXR): every published post."""
    try:
        channel = ET.fromstring(data).find("channel")
    except ET.ParseError as e:
        yield Failure(label, f"not a readable WordPress export: {e}")
        return
    if channel is None:
        yield Failure(label, "not a WordPress export: no <channel>")
        return
    authors = {}
    for element in channel:
        if local(element.tag) == "wp:author":
            fields = children(element)
            authors[fields.get("wp:author_login", "")] = fields.get("wp:author_display_name", "")
    source = clean(channel.findtext("title"))
    for n, item in enumerate(channel.iter("item"), 1):
        fields = children(item)
        if fields.get("wp:post_type", "post") != "post" or fields.get("wp:status", "publish") != "publish":
            continue     # pages, attachments, drafts: not news
        link = fields.get("link", "")
        login = fields.get("dc:creator", "")
        hints = {"title": clean(fields.get("title")), "url": link if is_url(link) else "", "source": source,
                 "author": clean(authors.get(login) or login),
                 "published": wordpress_stamp(fields.get("wp:post_date", ""), fields.get("wp:post_date_gmt", ""))
                 or feed_stamp(fields.get("pubDate", ""))}
        content = WP_SHORTCODE.sub("", WP_CAPTION.sub("", fields.get("content:encoded", "")))
        yield from_fragment(link or f"{label} item {n}", content, hints)


NAMESPACES = {"http://purl.org/rss/1.0/modules/content/": "content", "http://purl.org/dc/elements/1.1/": "dc",
              "http://wordpress.org/export/": "wp"}


def local(tag: str) -> str:
    """'{http://wordpress.org/export/1.2/}post_type' -> 'wp:post_type', whatever the WXR version."""
    if not tag.startswith("{"):
        return tag
    uri, name = tag[1:].split("}", 1)
    prefix = next((p for u, p in NAMESPACES.items() if uri.startswith(u)), uri)
    return f"{prefix}:{name}"


def children(element: ET.Element) -> dict:
    return {local(c.tag): (c.text or "") for c in element}


def wordpress_stamp(local_time: str, gmt: str) -> str:
    """WordPress keeps the site's local time and UTC: their difference is the site's offset."""
    try:
        here = dt.datetime.fromisoformat(local_time.strip())
    except ValueError:
        return ""
    try:
        offset = here - dt.datetime.fromisoformat(gmt.strip())
    except ValueError:                       # '0000-00-00 00:00:00': never published with a time
        return here.date().isoformat()
    quarter_hours = round(offset.total_seconds() / 900)
    if abs(quarter_hours) > 14 * 4:
        return here.date().isoformat()
    return here.replace(tzinfo=dt.timezone(dt.timedelta(minutes=15 * quarter_hours))).isoformat()


# ---------------------------------------------------------------- what a source is

def kind_of(data: bytes) -> str:
    head = data[:4096].decode("latin-1").lstrip("\ufeff\xef\xbb\xbf \t\r\n").lower()
    if re.search(r"<rss[\s>]", head) and b"wordpress.org/export/" in data[:20000]:
        return "wxr"
    if re.search(r"<(rss|feed|rdf:rdf)[\s>]", head):
        return "feed"
    if re.search(r"<(!doctype html|html|head|body|article|meta|title)[\s>]", head):
        return "page"
    lines = [ln.strip() for ln in data.decode("utf-8", "replace").splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    if lines and all(is_url(ln) for ln in lines):
        return "urls"
    return "unknown"


def from_document(label: str, data: bytes, url: str, hints: dict | None = None,
                  ) -> Iterator[Draft | Failure | Link]:
    kind = kind_of(data)
    if kind == "wxr" and not hints:
        yield from wxr_items(label, data)
    elif kind == "feed" and not hints:
        yield from feed_items(label, data, url)
    elif kind in ("page", "unknown") and (kind == "page" or url):
        from trafilatura.utils import decode_file
        yield from_page(label, decode_file(data), url, hints)
    elif kind == "urls" and not url:
        for line in data.decode("utf-8", "replace").splitlines():
            if is_url(line.strip()):
                yield Link(line.strip(), line.strip())
    else:
        yield Failure(label, "not a web page, an RSS or Atom feed, a WordPress export or a list of URLs")


def local_source(source: str) -> Iterator[Draft | Failure | Link]:
    path = Path(source)
    if path.is_dir():
        pages = sorted(p for p in path.rglob("*") if p.suffix.lower() in PAGE_SUFFIXES and p.is_file())
        if not pages:
            yield Failure(source, f"no saved pages here (files ending {', '.join(PAGE_SUFFIXES)})")
        for page in pages:
            yield from local_source(str(page))
        return
    try:
        data = path.read_bytes()
    except OSError as e:
        yield Failure(source, f"cannot read it: {e.strerror}")
        return
    if not data.strip():
        yield Failure(source, "the file is empty")
        return
    yield from from_document(source, data, "")


def read_sources(sources: list[str], fetcher: Fetcher, jobs: int, progress: Progress) -> list[Draft | Failure]:
    """Every article the sources hold, in the order given; pages are fetched `jobs` at once."""
    found: dict[tuple, Draft | Failure] = {}
    to_fetch: list[tuple[tuple, Link]] = []

    def take(key: tuple, things: Iterable) -> None:
        for j, thing in enumerate(things):
            progress.add(1)
            if isinstance(thing, Link):
                to_fetch.append((key + (j,), thing))
            else:
                found[key + (j,)] = thing
                progress.step()

    for i, source in enumerate(sources):
        take((i,), [Link(source, source)] if is_url(source) else
               local_source(source) if Path(source).exists() else
               [Failure(source, "no such file or folder, and not an http(s) URL")])

    def fetch(link: Link):
        try:
            return fetcher.get(link.url)
        except FetchError as e:
            return e

    with ThreadPoolExecutor(max(1, jobs)) as pool:
        while to_fetch:                 # a feed's items are a second round
            batch, to_fetch[:] = list(to_fetch), []
            for (key, link), answer in zip(batch, pool.map(fetch, [link for _, link in batch])):
                if isinstance(answer, FetchError):
                    found[key] = Failure(link.label, str(answer))
                else:
                    take(key, from_document(link.label, answer.body, answer.url, link.hints))
                progress.step()
    return [found[key] for key in sorted(found)]


# ---------------------------------------------------------------- writing, without losing an editor's work

def normal_url(url: str) -> str:
    """The same story's address however it was reached: no tracking parameters, no fragment,
    host in lower case, no trailing slash, http and https alike."""
    parts = urlsplit(url.strip())
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k)])
    return urlunsplit(("https", parts.netloc.lower().removeprefix("www."), parts.path.rstrip("/") or "/", query, ""))


def text_key(body: str) -> str:
    found = words(body)
    return hashlib.sha256(" ".join(found).encode()).hexdigest() if len(found) >= SAME_TEXT_WORDS else ""


def slug(text: str, limit: int = 80) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    result = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(result) > limit:
        result = result[:limit].rsplit("-", 1)[0]
    return result


def id_for(draft: Draft) -> str:
    """From the URL's last meaningful part ('/2024/03/10/drone-strike-hits-kyiv/'), else the title."""
    if draft.url:
        for part in reversed(urlsplit(draft.url).path.split("/")):
            stem = re.sub(r"\.(s?html?|php|aspx?|jsp)$", "", part, flags=re.IGNORECASE)
            if re.search(r"[a-z]{3}", stem, re.IGNORECASE) and stem.lower() not in ("index", "story", "article"):
                return slug(stem)
    return slug(draft.title) or "article"


def yaml_string(value: str) -> str:
    return json.dumps(clean(value), ensure_ascii=False)     # JSON strings are YAML double-quoted scalars


def article_text(draft: Draft) -> str:
    lines = ["---", f"title: {yaml_string(draft.title)}"]
    lines.append(f"published: {draft.published}" if draft.published else
                 f"published: {UNDATED}    # import found no date: look it up in the original, write YYYY-MM-DD")
    if draft.updated:
        lines.append(f"updated: {draft.updated}")
    lines += [f"{key}: {yaml_string(value)}" for key, value in
              (("source", draft.source), ("url", draft.url), ("author", draft.author)) if clean(value)]
    return "\n".join(lines + ["---", draft.body.strip(), ""])


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Shelf:
    """content/articles as import finds it: which URLs and texts it holds, and which files import
    wrote and nobody has changed since (their hashes are kept in the manifest)."""

    def __init__(self, content: Path):
        self.folder = content / "articles"
        self.manifest = content / MANIFEST
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            self.written = json.loads(self.manifest.read_text(encoding="utf-8")).get("files", {})
        except (OSError, ValueError, AttributeError):
            self.written = {}
        self.by_url, self.by_text, self.taken = {}, {}, set()
        for path in sorted(self.folder.glob("*.md")):
            self.taken.add(path.stem.casefold())
            try:
                front, body = split_article(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                continue
            self.remember(path.stem, str(front.get("url") or ""), body)

    def remember(self, article_id: str, url: str, body: str) -> None:
        self.taken.add(article_id.casefold())
        if is_url(url):
            self.by_url.setdefault(normal_url(url), article_id)
        if text_key(body):
            self.by_text.setdefault(text_key(body), article_id)

    def path(self, article_id: str) -> Path:
        return self.folder / f"{article_id}.md"

    def place(self, draft: Draft) -> tuple[str, str]:
        """(what happened, the file): written, updated, unchanged, duplicate or kept (edited by hand)."""
        data = article_text(draft).encode("utf-8")
        known = self.by_url.get(normal_url(draft.url)) if draft.url else None
        if known is None:
            same = self.by_text.get(text_key(draft.body))
            if same:
                return "duplicate", str(self.path(same))
            article_id = self.new_id(id_for(draft))
            status = "written"
        else:
            article_id, status = known, "updated"
            path = self.path(article_id)
            current = path.read_bytes() if path.exists() else b""
            if current == data:
                return "unchanged", str(path)
            if current and self.written.get(article_id) != sha(current):
                return "kept", str(path)
        path = self.path(article_id)
        temporary = path.with_name(f".{path.name}.import")
        temporary.write_bytes(data)
        os.replace(temporary, path)
        self.written[article_id] = sha(data)
        self.remember(article_id, draft.url, draft.body)
        return status, str(path)

    def new_id(self, base: str) -> str:
        base = base if ID_PATTERN.match(base) else "article"
        candidate, n = base, 1
        while candidate.casefold() in self.taken:
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def save(self) -> None:
        temporary = self.manifest.with_name(self.manifest.name + ".tmp")
        temporary.write_text(json.dumps({"schema": 1, "files": dict(sorted(self.written.items()))}, indent=1) + "\n",
                             encoding="utf-8")
        os.replace(temporary, self.manifest)


def split_article(text: str) -> tuple[dict, str]:
    """(front matter, body) of a file in content/articles, leniently: an unreadable front matter
    is read as none (the build reports it; import only needs its url)."""
    lines = text.removeprefix("\ufeff").split("\n")
    if lines[0].strip() != "---":
        return {}, text
    close = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if close is None:
        return {}, text
    try:
        front = yaml.safe_load("\n".join(lines[1:close]))
    except yaml.YAMLError:
        front = None
    return (front if isinstance(front, dict) else {}), "\n".join(lines[close + 1:])


# ---------------------------------------------------------------- the command

class Progress:
    """A progress bar on stderr, only when it is a terminal; messages print above it."""

    def __init__(self, stream=sys.stderr):
        self.stream, self.done, self.total = stream, 0, 0
        self.shown = stream.isatty()

    def add(self, n: int) -> None:
        self.total += n
        self.draw()

    def step(self) -> None:
        self.done += 1
        self.draw()

    def draw(self) -> None:
        if self.shown and self.total:
            filled = 30 * self.done // self.total
            self.stream.write(f"\r\033[Kimporting [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}")
            self.stream.flush()

    def say(self, line: str) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
        print(line, file=self.stream)
        self.draw()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python build.py import",
                                 description="Import articles into content/articles/ from saved pages, URLs, "
                                             "RSS/Atom feeds and WordPress exports.")
    ap.add_argument("sources", nargs="+", metavar="SOURCE",
                    help="a saved HTML page or a folder of them, a URL, a file listing URLs, "
                         "an RSS or Atom feed (file or URL), or a WordPress export (WXR)")
    ap.add_argument("--content", default="content", type=Path, help="the content folder (default: content)")
    ap.add_argument("--jobs", type=int, default=AT_ONCE, help=f"requests at once (default {AT_ONCE})")
    ap.add_argument("--timeout", type=float, default=TIMEOUT, help=f"seconds to wait for a server (default {TIMEOUT:g})")
    return ap


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    try:
        import feedparser, htmldate, trafilatura  # noqa: E401, F401
    except ImportError as e:
        print(f"import needs trafilatura, htmldate and feedparser ({e}): "
              "pip install -r requirements-import.txt", file=sys.stderr)
        return 2
    if args.content.exists() and not args.content.is_dir():
        print(f"{args.content}: not a folder (give --content DIR)", file=sys.stderr)
        return 2
    progress = Progress()
    try:
        results = read_sources(args.sources, Fetcher(timeout=args.timeout, at_once=args.jobs), args.jobs, progress)
        shelf = Shelf(args.content)
        counts: dict[str, int] = {}
        try:
            for result in results:
                if isinstance(result, Failure):
                    counts["failed"] = counts.get("failed", 0) + 1
                    progress.say(f"{result.label}: {result.message}")
                    continue
                status, path = shelf.place(result)
                counts[status] = counts.get(status, 0) + 1
                for line in report_lines(result, status, path):
                    progress.say(f"{result.label}: {line}")
        finally:
            shelf.save()
    except KeyboardInterrupt:
        progress.close()
        print("interrupted: the articles written so far are kept", file=sys.stderr)
        return 130
    except OSError as e:
        progress.close()
        print(f"{e.filename or args.content}: cannot read or write: {e.strerror}", file=sys.stderr)
        return 1
    progress.close()
    print(summary(counts, shelf.folder))
    return 1 if counts.get("failed") else 0


def report_lines(draft: Draft, status: str, path: str) -> list[str]:
    if status == "duplicate":
        return [f"the same text as {path}: not imported again"]
    if status == "kept":
        return [f"{path} was changed since it was imported: left as it is (delete it to import it again)"]
    if status == "unchanged":
        return []
    lines = [f"{note} ({path})" for note in draft.notes]
    if not draft.published:
        lines.append(f"no publication date found: {path} says 'published: {UNDATED}'; fill in the date "
                     "before building")
    return lines


def summary(counts: dict, folder: Path) -> str:
    labels = (("updated", "updated"), ("unchanged", "unchanged"), ("duplicate", "already there"),
              ("kept", "edited by hand, kept"), ("failed", "failed"))
    parts = [f"{counts.get('written', 0)} new"] + [f"{counts[k]} {label}" for k, label in labels if counts.get(k)]
    return f"imported into {folder}/: " + ", ".join(parts)
