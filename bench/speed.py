#!/usr/bin/env python3
"""Speed of the temporal engine on real news text, against dateparser.search_dates.

    python bench/speed.py [CONTENT_DIR_OR_JSONL ...] [--dateparser-chars CHARS]

Reads article bodies (content folders of *.md, or TimeML JSONL corpora), tags them all with
dateline.temporal.tag() on one core, then runs dateparser.search_dates (RELATIVE_BASE set to each
text's date) on a sample of the same texts, and prints characters per second for each and their
ratio (also against search_dates left to guess the language, its slower default). It asserts
nothing.
"""
import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dateline.articles import load_articles  # noqa: E402
from dateline.temporal import tag  # noqa: E402
from dateline.temporal.grammar import load  # noqa: E402

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
DEFAULT = [SHARED / "t17-dev" / "MJ_bbc" / "content", SHARED / "t17-dev" / "haiti_bbc" / "content",
           SHARED / "tbaq" / "timebank.jsonl", SHARED / "tbaq" / "aquaint.jsonl"]


def texts_of(source: Path) -> list[tuple[str, dt.date]]:
    if source.suffix == ".jsonl":
        return [(d["text"], dt.date.fromisoformat(d["dct"][:10]))
                for d in map(json.loads, source.read_text(encoding="utf-8").splitlines()) if d]
    articles, _ = load_articles(source, keep_going=True)
    return [(a.body, a.published) for a in articles]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sources", nargs="*", type=Path, default=[p for p in DEFAULT if p.exists()])
    ap.add_argument("--dateparser-chars", type=int, default=300_000,
                    help="how much of the text to give search_dates (it is slow)")
    args = ap.parse_args()
    texts = [t for source in args.sources for t in texts_of(source)]
    total = sum(len(t) for t, _ in texts)
    load("en")   # the grammar is compiled once per process; do not time it
    start = time.perf_counter()
    found = sum(len(tag(text, dct)) for text, dct in texts)
    ours = total / (time.perf_counter() - start)

    from dateparser.search import search_dates
    search_dates("warm up on Monday", settings={"RELATIVE_BASE": dt.datetime(2020, 1, 1)})

    def search_dates_speed(limit: int, **options) -> tuple[float, int]:
        sample, size = [], 0
        for text, dct in texts:
            if size >= limit:
                break
            sample.append((text, dct))
            size += len(text)
        start = time.perf_counter()
        for text, dct in sample:
            search_dates(text, settings={"RELATIVE_BASE": dt.datetime.combine(dct, dt.time())}, **options)
        return size / (time.perf_counter() - start), size

    english, size = search_dates_speed(args.dateparser_chars, languages=["en"])
    # with no language given, search_dates first guesses one: the slower figure, and the one
    # quoted elsewhere, so both are shown and the ratio can be compared across machines
    guessing, guess_size = search_dates_speed(args.dateparser_chars // 5)
    print(f"text: {len(texts)} documents, {total:,} characters; dateline found {found:,} expressions")
    print(f"dateline.temporal.tag          {ours:>12,.0f} chars/s")
    print(f"dateparser.search_dates (en)   {english:>12,.0f} chars/s   (on the first {size:,} characters)")
    print(f"dateparser.search_dates        {guessing:>12,.0f} chars/s   (no language given; first {guess_size:,})")
    print(f"ratio                          {ours / english:>12.1f} x  (against no language given: {ours / guessing:.1f} x)")


if __name__ == "__main__":
    main()
