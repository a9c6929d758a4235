#!/usr/bin/env python3
"""Date F1 of a built timeline against a journalists' reference timeline (Timeline17 style).

    python bench/timeline_quality.py CONTENT_DIR REFERENCE.yaml

For each reference timeline: take the events of day precision within the reference's first and
last date, rank them by salience, keep the first k distinct dates (k = the number of reference
dates), and compare them with the reference dates. Prints precision, recall and F1, and the same
for the plain baseline that ranks days by how many statements are placed on them.
"""
import argparse
import sys
from collections import Counter
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dateline import pipeline  # noqa: E402


def top_dates(ranked: list[tuple[float, str]], k: int) -> list[str]:
    chosen = []
    for _, date in sorted(ranked, key=lambda x: (-x[0], x[1])):
        if date not in chosen:
            chosen.append(date)
        if len(chosen) == k:
            break
    return chosen


def prf(chosen: list[str], reference: set[str]) -> tuple[float, float, float]:
    hits = len(set(chosen) & reference)
    p = hits / len(chosen) if chosen else 0.0
    r = hits / len(reference) if reference else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("content", type=Path)
    ap.add_argument("reference", type=Path)
    args = ap.parse_args()
    timeline = pipeline.run(args.content, keep_going=True)
    reference = yaml.safe_load(args.reference.read_text(encoding="utf-8"))
    scores = []
    for tl in reference["timelines"]:
        dates = {str(e["date"]) for e in tl["entries"]}
        first, last = min(dates), max(dates)
        days = [e for e in timeline.events if e.precision == "day" and first <= e.start <= last]
        ours = top_dates([(e.salience, e.start) for e in days], len(dates))
        counts = Counter(s.period_start for e in days for s in e.statements)
        baseline = top_dates([(n, d) for d, n in counts.items()], len(dates))
        p, r, f = prf(ours, dates)
        bp, br, bf = prf(baseline, dates)
        scores.append((f, bf))
        print(f"{reference.get('topic', args.reference.parent.name)}/{tl['name']}: {len(dates)} reference dates, "
              f"{len(days)} day events in range")
        print(f"  dateline salience   P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
        print(f"  mention baseline    P {bp:.3f}  R {br:.3f}  F1 {bf:.3f}")
    print(f"date F1 {sum(f for f, _ in scores) / len(scores):.3f} "
          f"(baseline {sum(b for _, b in scores) / len(scores):.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
