#!/usr/bin/env python3
"""What a reader meets first in a built timeline: its entries' titles, background and boxes.

    python bench/entry_quality.py SITE [SITE ...]

For each built site (its timeline.json) prints: entries; median and longest title in words;
titles opening with page furniture (a dateline, a time stamp, a Markdown mark) or with a pronoun
or quotation mark; repeated titles; entries dated before the story's first article that are not
reports, and how many of them are kept apart as background; key events that are background;
and "Sources differ" boxes. Figures only: it asserts nothing.
"""
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dateline.headlines import furniture_end, opens_badly  # noqa: E402


def figures(timeline: dict) -> dict:
    events = timeline["events"]
    titles = [e["title"] for e in events]
    words = [len(t.split()) for t in titles] or [0]
    first = min((a["published"] for a in timeline["articles"]), default="")
    before = [e for e in events if e["end"] < first]
    return {
        "entries": len(events),
        "title words, median": statistics.median(words),
        "title words, longest": max(words),
        "titles opening with furniture": sum(1 for t in titles if furniture_end(t) > 0 or t.startswith("\\")),
        "titles opening with a pronoun or quote": sum(1 for t in titles if opens_badly(t)),
        "repeated titles": len(titles) - len({t.lower() for t in titles}),
        "entries before the first article, not reports": sum(1 for e in before if e.get("role") != "report"),
        "... of them kept apart as background": sum(1 for e in before if e.get("role") == "background"),
        "key events that are background": sum(1 for e in events if e.get("key") and e.get("role") == "background"),
        "disagreement boxes": sum(len(e["disagreements"]) for e in events),
    }


def main() -> None:
    sites = [Path(p) for p in sys.argv[1:]]
    if not sites:
        sys.exit(__doc__)
    rows = [figures(json.loads((site / "timeline.json").read_text(encoding="utf-8"))) for site in sites]
    width = max(len(k) for k in rows[0])
    print(" " * width + "".join(f"  {site.parent.name + '/' + site.name:>24}" for site in sites))
    for k in rows[0]:
        print(k.ljust(width) + "".join(f"  {row[k]:>24}" for row in rows))


if __name__ == "__main__":
    main()
