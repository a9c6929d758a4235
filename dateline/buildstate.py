"""What a rebuild keeps of the last one so that it opens nothing that did not change.

Two files in the cache folder, sealed like its entries (cache.py), each read once per build:
- the article index: each article file's stat signature (size, modification time in
  nanoseconds, inode, device) with the Article read from it and its warnings. A file whose
  signature is the same is not opened again; any change of the file, of dateline's code or
  grammar, of the site's language or of the folder the build runs from misses and reads it.
- the statement pack: every article's statements, by its cache key. Clustering, overrides and
  page digests need only the statements; an article's expressions and HTML, which only its own
  page needs, stay in its cache entry and are read when that page is rendered again.
Neither is trusted blindly: a file that does not check out is as good as none.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
import sys
import time
import zlib
from pathlib import Path

from .articles import Article
from .cache import STATEMENT_FIELDS, Cache, article_key, engine_fingerprint, make_statement, package_digest
from .errors import Problem
from .statements import Extraction, extract

# A file changed this shortly before it was read could change again within the same timestamp
# (file systems stamp from a coarse clock), unseen by its signature: it is not indexed this time.
SETTLED_NS = 2_000_000_000
ARTICLE_FIELDS = tuple(Article.__dataclass_fields__)
PROBLEM_FIELDS = tuple(Problem.__dataclass_fields__)


def signature(info: os.stat_result) -> tuple:
    return info.st_size, info.st_mtime_ns, info.st_ino, info.st_dev


def _article_row(article: Article) -> tuple:
    return tuple(getattr(article, f).isoformat() if f == "published" else getattr(article, f) for f in ARTICLE_FIELDS)


def _article(row) -> Article:
    values = dict(zip(ARTICLE_FIELDS, row))
    values["published"] = dt.date.fromisoformat(values["published"])
    return Article(**values)


class Shelf:
    """A dict of plain values kept in the cache as SHARDS sealed files, by a checksum of each
    key: a build that changes one entry writes one sixteenth of it again.

    `last` is the same shelf of this process's last build (`serve`, pipeline.Warm): while its
    files are as that build left them, what it kept is taken from memory instead of read back
    (`warm`), the very same values."""
    SHARDS = 16

    def __init__(self, cache: Cache, kind: str, key: str, last: Shelf | None = None):
        self.cache, self.kind, self.key = cache, kind, key
        self.warm = bool(cache.folder) and last is not None and last.written is not None and \
            (last.cache.folder, last.kind, last.key) == (cache.folder, kind, key) and last.written == self.stamps()
        self.saved: list[dict] = last.kept if self.warm else []
        for shard in range(self.SHARDS if cache.folder and not self.warm else 0):
            found = cache.get_blob(kind, f"{key}-{shard:x}")
            self.saved.append(found if isinstance(found, dict) else {})
        self.kept: list[dict] = [{} for _ in range(self.SHARDS)]
        self.written: tuple | None = None       # the files' stamps once saved

    def stamps(self) -> tuple:
        """Each shard file's stat signature, None where there is none."""
        found = []
        for shard in range(self.SHARDS if self.cache.folder else 0):
            try:
                found.append(signature(os.stat(self.cache.blob_path(self.kind, f"{self.key}-{shard:x}"))))
            except OSError:
                found.append(None)
        return tuple(found)

    @staticmethod
    def shard(name: str) -> int:
        return zlib.crc32(name.encode("utf-8", "surrogateescape")) % Shelf.SHARDS

    def get(self, name: str):
        return self.saved[self.shard(name)].get(name) if self.saved else None

    def keep(self, name: str, value) -> None:
        self.kept[self.shard(name)][name] = value

    def save(self) -> None:
        """Write the shards whose entries changed; entries not kept this build are dropped."""
        for shard, (saved, kept) in enumerate(zip(self.saved, self.kept)):
            if kept != saved:
                self.cache.put_blob(self.kind, f"{self.key}-{shard:x}", kept)
        self.written = self.stamps()


class ArticleIndex:
    """The Articles read from unchanged files by the last build (see the module's note)."""

    def __init__(self, cache: Cache, content: Path, language: str, last: ArticleIndex | None = None):
        """`last`: this process's last index (`serve`): its Articles are handed out again while
        their rows are the same (Shelf's `warm`)."""
        self.cache = cache
        parts = [engine_fingerprint(), str(content.resolve()), os.getcwd(), language,
                 package_digest(("articles.py", "yamlio.py", "errors.py", "buildstate.py"))]
        self.shelf = Shelf(cache, "index", hashlib.sha256("\x1f".join(parts).encode()).hexdigest(),
                           last.shelf if last else None)
        self.signatures: dict[str, tuple] = {}
        self.last = last.found if last and self.shelf.warm else {}
        self.found: dict[str, tuple] = {}       # file -> (row, article, warnings), for the next build

    def lookup(self, path: Path) -> tuple[Article, list[Problem]] | None:
        """The article and its warnings if the file is as it was when they were read."""
        if self.cache.folder is None:
            return None
        name = str(path)
        try:
            info = os.lstat(path)         # before reading: a change after this misses next time
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode) or time.time_ns() - info.st_mtime_ns < SETTLED_NS:
            return None                   # a link is checked each time; a fresh file is read again
        self.signatures[name] = signature(info)
        row = self.shelf.get(name)
        if not row or tuple(row[0]) != self.signatures[name]:
            return None
        known = self.last.get(name)
        if known and known[0] is row:
            found = known[1:]
        else:
            try:
                found = _article(row[1]), [Problem(*p) for p in row[2]]
            except (TypeError, ValueError):
                return None
        self.shelf.keep(name, row)
        self.found[name] = (row, *found)
        return found

    def remember(self, path: Path, article: Article, warnings: list[Problem]) -> None:
        name = str(path)
        if name in self.signatures:
            row = (self.signatures[name], _article_row(article),
                   [tuple(getattr(p, f) for f in PROBLEM_FIELDS) for p in warnings])
            self.shelf.keep(name, row)
            self.found[name] = (row, article, warnings)

    def save(self) -> None:
        self.shelf.save()


class StoredExtraction(Extraction):
    """An extraction whose statements are in memory and whose expressions and HTML are read from
    its cache entry when first asked for (only its article's page needs them); extracted again
    if the entry is gone, which gives the same."""

    def __init__(self, article: Article, statements: tuple, cache: Cache):
        object.__setattr__(self, "__dict__", {"article": article.id, "statements": statements, "_source": article,
                                              "_cache": cache})

    def _full(self) -> Extraction:
        if "_entry" not in self.__dict__:
            source, cache = self.__dict__["_source"], self.__dict__["_cache"]
            entry = cache.get(source)
            if entry is None:
                entry = extract(source)
                cache.put(source, entry)
            self.__dict__["_entry"] = entry
        return self.__dict__["_entry"]

    timexes = property(lambda self: self._full().timexes)
    body_html = property(lambda self: self._full().body_html)


class StatementPack:
    """Every article's statements by cache key, in one file (see the module's note).

    `last` is this process's last pack (`serve`): while its rows are the ones it kept (Shelf's
    `warm`), the statements made of them are handed out again, not made anew."""

    def __init__(self, cache: Cache, last: StatementPack | None = None):
        self.cache = cache
        self.shelf = Shelf(cache, "statements", "pack", last.shelf if last else None)
        self.last = last.statements if last and self.shelf.warm else {}
        self.statements: dict[str, tuple] = {}      # by key, for the next build

    def get(self, article: Article) -> Extraction | None:
        key = article_key(article)
        rows = self.shelf.get(key)
        statements = self.last.get(key)
        if statements is None and isinstance(rows, tuple) and all(len(row) == len(STATEMENT_FIELDS) for row in rows):
            statements = tuple(map(make_statement, rows))
        if statements is not None and all(s.article == article.id for s in statements):
            self.shelf.keep(key, rows)
            self.cache.hits += 1
            self.statements[key] = statements
            return StoredExtraction(article, statements, self.cache)
        extraction = self.cache.get(article)
        if extraction is not None:
            self.put(article, extraction)
        return extraction

    def put(self, article: Article, extraction: Extraction) -> None:
        key = article_key(article)
        self.shelf.keep(key, tuple(map(_statement_row, extraction.statements)))
        self.statements[key] = extraction.statements

    def save(self) -> None:
        self.shelf.save()


WORDS = STATEMENT_FIELDS.index("words")


def _statement_row(statement) -> tuple:
    row = [getattr(statement, f) for f in STATEMENT_FIELDS]
    # the same words recur in thousands of statements: as one string each, marshal writes each
    # once a shard and makes it once when reading back (a quarter quicker, and less memory)
    row[WORDS] = tuple(sys.intern(w) if isinstance(w, str) else w for w in row[WORDS])
    return tuple(row)
