"""How a built site reads on the exports newsrooms use: prints figures, asserts nothing.

    python bench/publishing.py SITE [SITE ...]

For each site: TimelineJS slides and entries left out, its rows (and whether any is a precision
name), headlines and feed titles cut inside a word, slides naming an outlet more than once or
with no link to a source, the years the axis spans, and entries whose date carries a mod."""
from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

PRECISIONS = {"day", "week", "month", "season", "quarter", "half", "year", "decade", "century"}
ATOM = "{http://www.w3.org/2005/Atom}"


def cut_inside_a_word(shown: str, full: str) -> bool:
    """`shown` is a shortened `full` that ends in the middle of one of its words."""
    shown, full = unescape(shown).rstrip("…"), " ".join(unescape(full).split())
    return len(shown) < len(full) and full.startswith(shown) and shown[-1:].isalnum() and full[len(shown)].isalnum()


def repeats_an_outlet(paragraph: str, outlets: set[str]) -> bool:
    text = unescape(re.sub(r"<[^>]+>", "", paragraph))
    if text.startswith("Sources: "):            # "Sources: BBC (headline, headline); Reuters (...)"
        return any(text.count(f"{o} (") > 1 for o in outlets)
    names = text.split(", ")                     # "BBC, BBC, Reuters"
    return len(names) != len(set(names))


def figures(site: Path) -> dict:
    data = json.loads((site / "timeline.json").read_text(encoding="utf-8"))
    events = {e["id"]: e for e in data["events"]}
    outlet = {a["id"]: a["source"] or a["title"] for a in data["articles"]}
    tl = json.loads((site / "timelinejs.json").read_text(encoding="utf-8"))["events"]
    rows = sorted({s["group"] for s in tl if s.get("group")})
    last_paragraphs = [re.findall(r"<p[^>]*>(.*?)</p>", s["text"]["text"])[-1] for s in tl]
    feed = ET.parse(site / "feed.xml").getroot()
    titles = [(x.findtext(f"{ATOM}title"), x.findtext(f"{ATOM}id")) for x in feed.iter(f"{ATOM}entry")]
    years = [int(s["start_date"]["year"]) for s in tl]
    return {
        "entries": len(events),
        "TimelineJS slides": len(tl),
        "rows": f"{len(rows)} ({', '.join(rows[:6])}{', ...' if len(rows) > 6 else ''})",
        "rows named for a precision": sum(1 for r in rows if r in PRECISIONS),
        "headlines cut inside a word": sum(cut_inside_a_word(s["text"]["headline"], events[s["unique_id"]]["title"])
                                           for s in tl),
        "slides naming an outlet twice": sum(repeats_an_outlet(p, {outlet.get(a, a) for a in events[s["unique_id"]]["sources"]})
                                             for s, p in zip(tl, last_paragraphs)),
        "slides with no source link": sum("<a " not in p for p in last_paragraphs),
        "slides with media": sum("media" in s for s in tl),
        "axis spans": f"{min(years)}–{max(years)}" if years else "",
        "feed titles cut inside a word": sum(
            cut_inside_a_word(t.split(": ", 1)[1], events[i.rsplit("#", 1)[-1].rsplit(":", 1)[-1]]["title"])
            for t, i in titles if ": " in t),
        "entries dated with a mod": sum(1 for e in events.values() if e.get("mod")),
    }


def main(sites: list[str]) -> None:
    results = {s: figures(Path(s)) for s in sites}
    keys = list(next(iter(results.values())))
    width = max(map(len, keys))
    print(" " * width + "  " + "  ".join(f"{s:>24}" for s in sites))
    for k in keys:
        print(f"{k:<{width}}  " + "  ".join(f"{str(results[s][k]):>24}" for s in sites))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
