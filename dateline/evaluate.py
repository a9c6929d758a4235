"""Score the temporal engine on a TimeML corpus in JSONL form, TempEval-3 style.

    python -m dateline.evaluate CORPUS.jsonl [--lang fr] [--errors] [--out SYSTEM.jsonl]

Each line of the corpus is {"id", "dct", "text", "timexes": [{"start", "end", "type", "value"}]},
with "lang" where a document is not in the language given by --lang (English by default).
Prints strict and relaxed extent F1, and type and value F1 (attribute accuracy on relaxed pairs
times relaxed F1, TempEval-3's ranking figure), micro-averaged over all documents.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import Counter

from .temporal import tag
from .temporal.grammar import available, languages


def pair_up(gold: list[dict], system: list[dict]) -> list[tuple[int, int]]:
    """TempEval-3 alignment: walking starts in order (gold first on ties), a timex pairs with the
    still unpaired timex of the other side that covers its start."""
    starts = sorted([(g["start"], 0, i) for i, g in enumerate(gold)] +
                    [(s["start"], 1, j) for j, s in enumerate(system)])
    sides, seen, partner = (gold, system), ([], []), ({}, {})
    for pos, side, idx in starts:
        other = 1 - side
        for k in reversed(seen[other]):
            o = sides[other][k]
            if o["start"] <= pos < o["end"]:
                if k not in partner[other] and idx not in partner[side]:
                    partner[other][k], partner[side][idx] = idx, k
                break
        seen[side].append(idx)
    return sorted(partner[0].items())


def f1(match: int, n_sys: int, n_gold: int) -> float:
    p = match / n_sys if n_sys else 0.0
    r = match / n_gold if n_gold else 0.0
    return 100 * 2 * p * r / (p + r) if p + r else 0.0


def score(docs: list[dict], outputs: dict[str, list[dict]], errors: list | None = None) -> dict:
    c = Counter()
    for doc in docs:
        gold = doc["timexes"]
        system = [s for s in outputs.get(doc["id"], []) if s["end"] > s["start"]]
        c["gold"] += len(gold)
        c["system"] += len(outputs.get(doc["id"], []))
        pairs = pair_up(gold, system)
        for gi, si in pairs:
            g, s = gold[gi], system[si]
            c["relaxed"] += 1
            c["strict"] += (g["start"], g["end"]) == (s["start"], s["end"])
            c["type"] += g["type"] == s["type"]
            c["value"] += g["value"] == s["value"]
            if errors is not None and g["value"] != s["value"]:
                errors.append(f"{doc['id']} dct={doc['dct']}: {g['text']!r} gold {g['value']} "
                              f"got {s['value']} ({doc['text'][s['start']:s['end']]!r}, {s.get('rule')})")
        if errors is not None:
            paired_g = {gi for gi, _ in pairs}
            paired_s = {si for _, si in pairs}
            errors += [f"{doc['id']}: missed {g['text']!r} {g['type']} {g['value']}"
                       for i, g in enumerate(gold) if i not in paired_g]
            errors += [f"{doc['id']}: spurious {doc['text'][s['start']:s['end']]!r} {s['value']} ({s.get('rule')})"
                       for j, s in enumerate(system) if j not in paired_s]
    relaxed = f1(c["relaxed"], c["system"], c["gold"])
    accuracy = lambda k: c[k] / c["relaxed"] if c["relaxed"] else 0.0  # noqa: E731
    return {
        "documents": len(docs), "gold": c["gold"], "system": c["system"],
        "strict_f1": f1(c["strict"], c["system"], c["gold"]), "relaxed_f1": relaxed,
        "type_f1": accuracy("type") * relaxed, "value_f1": accuracy("value") * relaxed,
    }


def run(docs: list[dict], lang: str = "en") -> dict[str, list[dict]]:
    out = {}
    for doc in docs:
        dct = dt.date.fromisoformat(doc["dct"][:10])
        out[doc["id"]] = [{"start": t.start, "end": t.end, "type": t.type, "value": t.value,
                           "mod": t.mod, "rule": t.rule} for t in tag(doc["text"], dct, lang=doc.get("lang", lang))]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dateline.evaluate", description=__doc__.split("\n")[0])
    ap.add_argument("corpus", help="gold JSONL file")
    ap.add_argument("--lang", default="en", help="the corpus's language (a grammar under dateline/temporal/lang/)")
    ap.add_argument("--errors", action="store_true", help="list misses, spurious finds and wrong values")
    ap.add_argument("--out", help="also write the system's output as JSONL, for the shared scorer")
    args = ap.parse_args(argv)
    try:
        with open(args.corpus, encoding="utf-8") as fh:
            docs = [json.loads(line) for line in fh if line.strip()]
    except (OSError, ValueError) as e:
        print(f"{args.corpus}: cannot read corpus: {e}", file=sys.stderr)
        return 1
    if not available(args.lang):
        print(f"--lang {args.lang}: no temporal grammar for it; available: {', '.join(languages())}", file=sys.stderr)
        return 2
    outputs = run(docs, args.lang)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            for doc_id, timexes in outputs.items():
                fh.write(json.dumps({"id": doc_id, "timexes": timexes}) + "\n")
    errors = [] if args.errors else None
    s = score(docs, outputs, errors)
    for line in errors or []:
        print(line)
    print(f"{args.corpus}: {s['documents']} documents, {s['gold']} gold, {s['system']} found")
    print(f"strict F1 {s['strict_f1']:.1f}  relaxed F1 {s['relaxed_f1']:.1f}  "
          f"type F1 {s['type_f1']:.1f}  value F1 {s['value_f1']:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
