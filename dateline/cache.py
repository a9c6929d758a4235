"""On-disk cache of each article's extraction, so a rebuild redoes only what changed.

An entry is keyed by the article's id, text and publication date and by a fingerprint of the
extraction code and grammar; it carries a checksum of its own payload. Anything that does not
check out (a stale format, a torn write, a hand edit) is treated as missing and recomputed:
the cache is never trusted blindly.
"""
from __future__ import annotations

import hashlib
import json
import marshal
import os
import sys
import tempfile
from dataclasses import fields
from functools import lru_cache
from pathlib import Path

from .articles import Article
from .statements import Extraction, Statement
from .temporal import Timex

FORMAT = 2
PACKAGE = Path(__file__).resolve().parent
# what extraction depends on: its code and its data
FINGERPRINTED = ("temporal", "statements.py", "roles.py", "headlines.py", "words.py", "markup.py", "data", "cache.py")


@lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    digest = hashlib.sha256(f"{FORMAT} {marshal.version} {sys.version_info[:2]}".encode())
    for name in FINGERPRINTED:
        path = PACKAGE / name
        files = sorted(p for p in path.rglob("*") if p.suffix in (".py", ".yaml")) if path.is_dir() else [path]
        for f in files:
            digest.update(str(f.relative_to(PACKAGE)).encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=None)     # asked for by the cache, the events plan and the page digests alike
def article_key(article: Article) -> str:
    digest = hashlib.sha256()
    for part in (engine_fingerprint(), article.id, article.published.isoformat(), article.language, article.body):
        digest.update(part.encode("utf-8") + b"\x1f")
    return digest.hexdigest()


# An entry's payload is marshal data: plain tuples in field order, several times quicker to read
# than JSON objects, which matters when a rebuild reads ten thousand entries. marshal's format
# belongs to the Python version, which is part of the fingerprint.
TIMEX_FIELDS = tuple(f.name for f in fields(Timex))
STATEMENT_FIELDS = tuple(f.name for f in fields(Statement))


def encode(x: Extraction) -> bytes:
    return marshal.dumps((x.article, tuple(tuple(getattr(t, f) for f in TIMEX_FIELDS) for t in x.timexes),
                          tuple(tuple(getattr(s, f) for f in STATEMENT_FIELDS) for s in x.statements),
                          x.body_html))


def decode(payload: bytes) -> Extraction:
    article, timexes, statements, body_html = marshal.loads(payload)
    if any(len(row) != len(TIMEX_FIELDS) for row in timexes) or \
            any(len(row) != len(STATEMENT_FIELDS) for row in statements):
        raise ValueError("fields differ")
    return Extraction(article, tuple(Timex(*row) for row in timexes), tuple(Statement(*row) for row in statements),
                      body_html)


class Cache:
    def __init__(self, folder: Path | None):
        self.folder = folder
        self.hits = 0

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.entry"

    def get(self, article: Article) -> Extraction | None:
        if self.folder is None:
            return None
        key = article_key(article)
        try:
            extraction = decode(self._read(self._path(key), key))
            if extraction.article != article.id:
                raise ValueError("entry of another article")
        except (OSError, ValueError, KeyError, TypeError, EOFError):
            return None
        self.hits += 1
        return extraction

    def get_blob(self, kind: str, key: str):
        """A value of plain types stored under (kind, key), checked like an extraction, or None."""
        if self.folder is None:
            return None
        try:
            return marshal.loads(self._read(self.folder / kind / f"{key}.entry", key))
        except (OSError, ValueError, KeyError, TypeError, EOFError):
            return None

    @staticmethod
    def _read(path: Path, key: str) -> bytes:
        """The payload of an entry, if its header names this key and its checksum holds."""
        header, payload = path.read_bytes().split(b"\n", 1)
        entry = json.loads(header)
        if entry["format"] != FORMAT or entry["key"] != key or entry["sha256"] != hashlib.sha256(payload).hexdigest():
            raise ValueError("stale or damaged entry")
        return payload

    def put_blob(self, kind: str, key: str, value) -> None:
        if self.folder is not None:
            self._write(self.folder / kind / f"{key}.entry", key, marshal.dumps(value))

    def put(self, article: Article, extraction: Extraction) -> None:
        if self.folder is None:
            return
        key = article_key(article)
        self._write(self._path(key), key, encode(extraction))

    def _write(self, path: Path, key: str, payload: bytes) -> None:
        # two lines: a header that names the key and the checksum of the second, the payload
        header = json.dumps({"format": FORMAT, "key": key, "sha256": hashlib.sha256(payload).hexdigest()})
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(header.encode("ascii") + b"\n" + payload)
            os.replace(tmp, path)      # a reader sees the old entry or the new one, never half
        except OSError:
            pass                       # a cache that cannot be written only costs time
