"""How many overrides survive edits of the content: prints figures, asserts nothing.

    python bench/override_survival.py [CONTENT_DIR] [--trials N]

Every event of the collection gets a title override and every statement a note, written
before the edit, either with ids only (the last build's timeline.json is there to learn them
from, or not: a fresh --out) or in the robust form that `review` writes (into a fresh --out).
Each trial then makes random edits (a word changed in some sentences; an article removed, hidden
or copied) and builds again. Each override is counted as applied to the intended happening,
reported (a warning or error naming its line), misapplied, or lost.
"""
from __future__ import annotations

import argparse
import difflib
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build(content: Path, out: Path) -> tuple[int, str]:
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out),
                             "--no-cache", "--jobs", "1"], capture_output=True, text=True, cwd=ROOT)
    return result.returncode, result.stderr


def overrides_for(timeline: dict, robust: bool) -> tuple[str, dict]:
    """overrides.yaml text, and for each override line what it was written for."""
    lines, written = ["statements:"], {}
    for e in timeline["events"]:
        for s in e["statements"]:
            written[len(lines) + 1] = ("statement", s)
            lines.append(f"  {s['id']}:")
            if robust:
                lines += [f"    article: {s['article']}", f"    quote: {json.dumps(s['text'], ensure_ascii=False)}",
                          f"    expression: {json.dumps(s['expression'], ensure_ascii=False)}"]
            lines.append(f"    note: N-{s['id']}")
    lines.append("events:")
    for e in timeline["events"]:
        written[len(lines) + 1] = ("event", e)
        lines.append(f"  {e['id']}:")
        if robust:
            headline = next((s for s in e["statements"] if s["text"] == e["title"]), e["statements"][0])
            lines += [f"    members: [{', '.join(s['id'] for s in e['statements'])}]",
                      f"    article: {headline['article']}",
                      f"    quote: {json.dumps(headline['text'], ensure_ascii=False)}"]
        lines.append(f"    title: T-{e['id']}")
    return "\n".join(lines) + "\n", written


def edit(content: Path, timeline: dict, rng: random.Random) -> dict:
    """Random edits; returns {old sentence: new sentence} of the sentences changed, and what
    happened to articles."""
    changed, articles = {}, sorted(p.stem for p in (content / "articles").glob("*.md"))
    statements = [s for e in timeline["events"] for s in e["statements"]]
    for s in rng.sample(statements, k=max(1, len(statements) // 5)):
        path = content / "articles" / f"{s['article']}.md"
        text = path.read_text(encoding="utf-8")
        words = [w for w in re.findall(r"[A-Za-z]{5,}", s["text"]) if w not in s["expression"]]
        if not words or s["text"][:40] not in text or s["text"] in changed:
            continue
        word = rng.choice(words)
        start = text.index(s["text"][:40])
        end = text.find(word, start)
        if end < 0 or end > start + len(s["text"]):
            continue
        text = text[:end] + word[:-1] + text[end + len(word):]         # a letter dropped: a typo, or its fix
        path.write_text(text, encoding="utf-8")
        changed[s["text"]] = s["text"].replace(word, word[:-1], 1)
    kind = rng.choice(["remove", "copy", "none"])
    gone = set()
    if kind == "remove":
        victim = rng.choice(articles)
        (content / "articles" / f"{victim}.md").unlink()
        gone.add(victim)
    elif kind == "copy":
        for a in rng.sample(articles, k=min(2, len(articles))):
            shutil.copy(content / "articles" / f"{a}.md", content / "articles" / f"aa-copy-{a}.md")
    return {"sentences": changed, "gone": gone, "kind": kind}


def judge(written: dict, edits: dict, timeline: dict, stderr: str) -> Counter:
    reported_lines = {int(m) for m in re.findall(r"overrides\.yaml:(\d+):", stderr)}
    statements = [s for e in timeline["events"] for s in e["statements"]] if timeline else []
    tally: Counter = Counter()

    def same(a: dict, original: dict) -> bool:
        text = edits["sentences"].get(original["text"], original["text"])
        return a["article"] == original["article"] and \
            difflib.SequenceMatcher(None, a["text"], text).ratio() > 0.9

    for line, (kind, item) in written.items():
        if kind == "statement":
            holders = [s for s in statements if s.get("note") == f"N-{item['id']}"]
            ok = holders and all(same(s, item) for s in holders)
        else:
            holders = [e for e in (timeline["events"] if timeline else []) if e["title"] == f"T-{item['id']}"]
            ok = holders and any(same(s, o) for e in holders for s in e["statements"] for o in item["statements"])
        outcome = ("applied" if ok else "misapplied") if holders else \
            "reported" if line in reported_lines else \
            "gone with its article" if kind == "statement" and item["article"] in edits["gone"] else \
            "not built (another override's error)" if timeline is None else "lost"
        tally[f"{kind}: {outcome}"] += 1
        if line in reported_lines and holders:
            tally[f"{kind}: re-anchored (applied, with a warning)"] += 1
    return tally


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("content", nargs="?", default=str(ROOT / "content"), type=Path)
    ap.add_argument("--trials", type=int, default=10)
    args = ap.parse_args()
    modes = {"ids only, same --out": (False, False), "robust form, fresh --out": (True, True),
             "ids only, fresh --out (no last build to learn from)": (False, True)}
    for form, (robust, fresh) in modes.items():
        total: Counter = Counter()
        for seed in range(args.trials):
            with tempfile.TemporaryDirectory() as tmp:
                content, out = Path(tmp) / "content", Path(tmp) / "site"
                shutil.copytree(args.content, content)
                (content / "overrides.yaml").unlink(missing_ok=True)
                assert build(content, Path(tmp) / "plain")[0] == 0
                plain = json.loads((Path(tmp) / "plain" / "timeline.json").read_text(encoding="utf-8"))
                text, written = overrides_for(plain, robust)
                (content / "overrides.yaml").write_text(text, encoding="utf-8")
                assert build(content, out)[0] == 0
                edits = edit(content, plain, random.Random(seed))
                target = Path(tmp) / "fresh" if fresh else out
                rc, stderr = build(content, target)
                assert "Traceback" not in stderr
                timeline = json.loads((target / "timeline.json").read_text(encoding="utf-8")) if rc == 0 else None
                total.update(judge(written, edits, timeline, stderr))
                total[f"builds exiting {rc}"] += 1
        print(f"{form}: {args.trials} trials")
        for key in sorted(total):
            print(f"  {key:<50} {total[key]:>6}")


if __name__ == "__main__":
    main()
