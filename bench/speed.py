#!/usr/bin/env python3
"""Speed of the temporal engine against chrono-node, side by side on the same documents.

    python bench/speed.py [--passes N] [--dateparser]

Two kinds of text: news (TimeBank and AQUAINT, about one expression in 300 characters) and text
dense with dates (every example sentence of the English grammar, one expression in 35). Each is
timed for dateline.temporal.tag() and for chrono-node's parse() (run by node, from bench/node/:
`cd bench/node && npm ci` installs it), both pinned to one core, as CPU time: one warm-up pass,
then the best of --passes passes. Prints characters per second and the ratio. With --dateparser,
also dateparser.search_dates on the first 300,000 characters of the news (it is slow). It
asserts nothing.
"""
import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dateline.temporal import tag  # noqa: E402
from dateline.temporal.grammar import load  # noqa: E402

HERE = Path(__file__).resolve().parent
CORPORA = HERE.parent.parent / "shared" / "corpora"
NEWS = [CORPORA / "tbaq" / "timebank.jsonl", CORPORA / "tbaq" / "aquaint.jsonl"]
EXAMPLES_PER_DOCUMENT = 20   # the dense text comes in documents of about a news article's size
DENSE_ROUNDS = 10            # and is gone through this many times a pass, so that a pass is long enough to time

Texts = list[tuple[str, dt.date]]


def news_texts() -> Texts:
    return [(d["text"], dt.date.fromisoformat(d["dct"][:10]))
            for path in NEWS if path.exists()
            for d in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if d]


def dense_texts() -> Texts:
    grammar = load("en")
    sentences = list(dict.fromkeys(ex["text"] for rule in grammar.rules for ex in rule.examples))
    dct = dt.date.fromisoformat(str(grammar.example_dct))
    return [("\n\n".join(sentences[i:i + EXAMPLES_PER_DOCUMENT]), dct)
            for i in range(0, len(sentences), EXAMPLES_PER_DOCUMENT)] * DENSE_ROUNDS


def time_tag(texts: Texts, passes: int) -> tuple[float, int]:
    found = sum(len(tag(text, dct)) for text, dct in texts)     # warm-up
    best = float("inf")
    for _ in range(passes):
        start = time.process_time()
        for text, dct in texts:
            tag(text, dct)
        best = min(best, time.process_time() - start)
    return best, found


def time_chrono(texts: Texts, passes: int) -> tuple[float, int] | str:
    """chrono-node's best time and count, or why it could not be run."""
    node = shutil.which("node")
    if not node:
        return "node is not installed (apt-get install nodejs npm)"
    if not (HERE / "node" / "node_modules" / "chrono-node").is_dir():
        return "chrono-node is not installed (cd bench/node && npm ci)"
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as fh:
        json.dump([(text, dct.isoformat()) for text, dct in texts], fh)
    try:
        run = subprocess.run([node, str(HERE / "node" / "chrono_speed.js"), fh.name, str(passes)],
                             capture_output=True, text=True, check=False)
    finally:
        os.unlink(fh.name)
    if run.returncode:
        return f"node failed: {run.stderr.strip().splitlines()[-1:]}"
    result = json.loads(run.stdout)
    return result["seconds"], result["found"]


def time_dateparser(texts: Texts, limit: int) -> tuple[float, int]:
    from dateparser.search import search_dates
    search_dates("warm up on Monday", settings={"RELATIVE_BASE": dt.datetime(2020, 1, 1)})
    sample, size = [], 0
    for text, dct in texts:
        if size >= limit:
            break
        sample.append((text, dct))
        size += len(text)
    start = time.process_time()
    for text, dct in sample:
        search_dates(text, languages=["en"], settings={"RELATIVE_BASE": dt.datetime.combine(dct, dt.time())})
    return size / (time.process_time() - start), size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--passes", type=int, default=3, help="timed passes after the warm-up (the best counts)")
    ap.add_argument("--dateparser", action="store_true", help="also time dateparser.search_dates (slow)")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})   # node, started from here, inherits it
    load("en")   # the grammar is compiled once per process; do not time it
    for name, texts in (("news (TimeBank + AQUAINT)", news_texts()), ("dense (grammar examples)", dense_texts())):
        size = sum(len(t) for t, _ in texts)
        ours, found = time_tag(texts, args.passes)
        print(f"{name}: {len(texts)} documents, {size:,} characters")
        print(f"  dateline tag()    {size / ours:>12,.0f} chars/s   {found:>6,} expressions")
        chrono = time_chrono(texts, args.passes)
        if isinstance(chrono, str):
            print(f"  chrono-node       not timed: {chrono}")
            continue
        print(f"  chrono-node       {size / chrono[0]:>12,.0f} chars/s   {chrono[1]:>6,} expressions")
        print(f"  ratio             {chrono[0] / ours:>12.2f} x chrono-node's throughput")
    if args.dateparser:
        speed, size = time_dateparser(news_texts(), 300_000)
        print(f"dateparser.search_dates (en) {speed:,.0f} chars/s on the first {size:,} characters of the news")


if __name__ == "__main__":
    main()
