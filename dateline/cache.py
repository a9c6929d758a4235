"""On-disk cache of each article's extraction, so a rebuild redoes only what changed.

An entry is keyed by the article's id, text and publication date and by a fingerprint of the
extraction code and grammar; it carries a keyed checksum (HMAC) of its own payload, with a key
kept outside the cache folder (in the user's config folder). Anything that does not check out
(a stale format, a torn write, a hand edit, an entry written or "repaired" by anyone without the
key) is treated as missing and recomputed: the cache is never trusted blindly, since what it
holds goes into pages as HTML.
"""
from __future__ import annotations

import hashlib
import hmac
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

FORMAT = 3
PACKAGE = Path(__file__).resolve().parent
# what extraction depends on: its code and its data
FINGERPRINTED = ("temporal", "statements.py", "roles.py", "headlines.py", "words.py", "markup.py", "data", "cache.py")


@lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    return package_digest(FINGERPRINTED, f"{FORMAT} {marshal.version} {sys.version_info[:2]}")


@lru_cache(maxsize=None)
def package_digest(names: tuple[str, ...], prefix: str = "") -> str:
    """A digest of these files and folders of dateline (their .py and .yaml files): the code
    and data a kept result was made with."""
    digest = hashlib.sha256(prefix.encode())
    for name in names:
        path = PACKAGE / name
        files = sorted(p for p in path.rglob("*") if p.suffix in (".py", ".yaml")) if path.is_dir() else [path]
        for f in files:
            digest.update(str(f.relative_to(PACKAGE)).encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()


def key_path() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "dateline" / "cache-key"


@lru_cache(maxsize=1)
def signing_key() -> bytes:
    """The key that seals cache entries: made once per user, outside any cache folder. Where it
    cannot be kept, a key for this process alone (the cache then only costs time)."""
    path = key_path()
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(os.urandom(32).hex().encode("ascii"))
            try:
                os.link(tmp, path)      # the first process to get here makes the key; others read it
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
        if len(key) >= 16:
            return key
    except (OSError, ValueError):
        pass
    return os.urandom(32)


def seal(payload: bytes) -> str:
    return hmac.new(signing_key(), payload, hashlib.sha256).hexdigest()


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


def _plain(cls) -> bool:
    """Whether a frozen dataclass can be made by filling its __dict__ (no slots, no checks of its own)."""
    return not hasattr(cls, "__slots__") and not hasattr(cls, "__post_init__")


def row_maker(cls, names: tuple[str, ...]):
    """A quick constructor from a row of field values: a frozen dataclass's __init__ sets each
    field through object.__setattr__, which is most of the time of reading an entry back."""
    if not _plain(cls):
        return lambda row: cls(*row)
    new = object.__new__

    def make(row):
        obj = new(cls)
        obj.__dict__.update(zip(names, row))
        return obj
    return make


make_timex, make_statement = row_maker(Timex, TIMEX_FIELDS), row_maker(Statement, STATEMENT_FIELDS)


def encode(x: Extraction) -> bytes:
    return marshal.dumps((x.article, tuple(tuple(getattr(t, f) for f in TIMEX_FIELDS) for t in x.timexes),
                          tuple(tuple(getattr(s, f) for f in STATEMENT_FIELDS) for s in x.statements),
                          x.body_html))


def decode(payload: bytes) -> Extraction:
    article, timexes, statements, body_html = marshal.loads(payload)
    if any(len(row) != len(TIMEX_FIELDS) for row in timexes) or \
            any(len(row) != len(STATEMENT_FIELDS) for row in statements):
        raise ValueError("fields differ")
    return Extraction(article, tuple(map(make_timex, timexes)), tuple(map(make_statement, statements)), body_html)


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

    def blob_path(self, kind: str, key: str) -> Path:
        return self.folder / kind / f"{key}.entry"

    def get_blob(self, kind: str, key: str):
        """A value of plain types stored under (kind, key), checked like an extraction, or None."""
        if self.folder is None:
            return None
        try:
            return marshal.loads(self._read(self.blob_path(kind, key), key))
        except (OSError, ValueError, KeyError, TypeError, EOFError):
            return None

    @staticmethod
    def _read(path: Path, key: str) -> memoryview:
        """The payload of an entry, if its header names this key and its seal holds (a view, not
        a copy: the statement pack is a hundred megabytes at ten thousand articles)."""
        data = path.read_bytes()
        cut = data.index(b"\n")
        entry, payload = json.loads(data[:cut]), memoryview(data)[cut + 1:]
        if entry["format"] != FORMAT or entry["key"] != key or not hmac.compare_digest(str(entry["hmac"]), seal(payload)):
            raise ValueError("stale, damaged or forged entry")
        return payload

    def put_blob(self, kind: str, key: str, value) -> None:
        if self.folder is not None:
            self._write(self.blob_path(kind, key), key, marshal.dumps(value))

    def drop_blobs(self, kind: str, keep: str, prefix: str = "") -> None:
        """Remove the values of `kind` whose key starts with `prefix` but not with `keep`: those
        another version of dateline made, which this one never reads."""
        self._drop(kind, lambda key: key.startswith(prefix) and not key.startswith(keep))

    def drop_blobs_except(self, kind: str, keys: set[str]) -> None:
        """Remove the values of `kind` not stored under one of `keys`."""
        self._drop(kind, lambda key: key not in keys)

    def _drop(self, kind: str, doomed) -> None:
        if self.folder is None:
            return
        try:
            names = os.listdir(self.folder / kind)
        except OSError:
            return
        for name in names:
            if name.endswith(".entry") and doomed(name[:-len(".entry")]):
                try:
                    os.unlink(self.folder / kind / name)
                except OSError:
                    pass

    def put(self, article: Article, extraction: Extraction) -> None:
        if self.folder is None:
            return
        key = article_key(article)
        self._write(self._path(key), key, encode(extraction))

    def _write(self, path: Path, key: str, payload: bytes) -> None:
        # two lines: a header that names the key and seals the second, the payload
        header = json.dumps({"format": FORMAT, "key": key, "hmac": seal(payload)})
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(header.encode("ascii") + b"\n" + payload)
            os.replace(tmp, path)      # a reader sees the old entry or the new one, never half
        except OSError:
            pass                       # a cache that cannot be written only costs time
