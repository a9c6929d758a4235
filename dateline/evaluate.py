"""Score the temporal engine on a TimeML corpus in JSONL form, TempEval-3 style.

    python -m dateline.evaluate CORPUS.jsonl [CORPUS.jsonl ...] [--errors] [--out SYSTEM.jsonl]

Each line of the corpus is {"id", "dct", "text", "timexes": [{"start", "end", "type", "value"}]}.
Prints strict and relaxed extent F1, and type and value F1 (attribute accuracy on relaxed pairs
times relaxed F1, TempEval-3's ranking figure), micro-averaged over all documents. Several corpora give one table: a row each, then all of
them pooled and the mean of their rows.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import Counter

from .temporal import tag


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


def count(docs: list[dict], outputs: dict[str, list[dict]], errors: list | None = None) -> Counter:
    """Gold, system and matched timexes (relaxed, strict, right type, right value)."""
    c = Counter()
    for doc in docs:
        gold = doc["timexes"]
        system = [s for s in outputs.get(doc["id"], []) if s["end"] > s["start"]]
        c["documents"] += 1
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
    return c


def figures(c: Counter) -> dict:
    relaxed = f1(c["relaxed"], c["system"], c["gold"])
    accuracy = lambda k: c[k] / c["relaxed"] if c["relaxed"] else 0.0  # noqa: E731
    return {
        "documents": c["documents"], "gold": c["gold"], "system": c["system"],
        "strict_f1": f1(c["strict"], c["system"], c["gold"]), "relaxed_f1": relaxed,
        "type_f1": accuracy("type") * relaxed, "value_f1": accuracy("value") * relaxed,
    }


def score(docs: list[dict], outputs: dict[str, list[dict]], errors: list | None = None) -> dict:
    return figures(count(docs, outputs, errors))


def run(docs: list[dict]) -> dict[str, list[dict]]:
    out = {}
    for doc in docs:
        dct = dt.date.fromisoformat(doc["dct"][:10])
        out[doc["id"]] = [{"start": t.start, "end": t.end, "type": t.type, "value": t.value,
                           "mod": t.mod, "rule": t.rule} for t in tag(doc["text"], dct)]
    return out


def _name(path: str) -> str:
    """'../shared/corpora/meantime/dev.jsonl' -> 'meantime/dev'."""
    parts = path.removesuffix(".jsonl").replace("\\", "/").split("/")
    return "/".join(parts[-2:])


def _read(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


COLUMNS = (("value_f1", "value"), ("relaxed_f1", "relaxed"), ("strict_f1", "strict"), ("type_f1", "type"))


def table(rows: list[tuple[str, dict]]) -> str:
    """One line per corpus, then the pooled row (every document of every corpus scored as one
    corpus) and the mean of the corpora's figures, so that no corpus's size decides alone."""
    width = max(len(name) for name, _ in rows) + 2
    head = f"{'corpus':<{width}}{'docs':>6}{'gold':>7}{'found':>7}" + "".join(f"{label:>9}" for _, label in COLUMNS)
    lines = [head]
    for name, s in rows:
        lines.append(f"{name:<{width}}{s['documents']:>6}{s['gold']:>7}{s['system']:>7}"
                     + "".join(f"{s[key]:>9.1f}" for key, _ in COLUMNS))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dateline.evaluate", description=__doc__.split("\n")[0])
    ap.add_argument("corpus", nargs="+", help="gold JSONL files; several give one table")
    ap.add_argument("--errors", action="store_true", help="list misses, spurious finds and wrong values")
    ap.add_argument("--out", help="also write the system's output as JSONL, for the shared scorer")
    args = ap.parse_args(argv)
    corpora = []
    for path in args.corpus:
        try:
            corpora.append((path, _read(path)))
        except (OSError, ValueError) as e:
            print(f"{path}: cannot read corpus: {e}", file=sys.stderr)
            return 1
    outputs = {path: run(docs) for path, docs in corpora}
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            for path, _ in corpora:
                for doc_id, timexes in outputs[path].items():
                    fh.write(json.dumps({"id": doc_id, "timexes": timexes}) + "\n")
    rows, pooled = [], Counter()
    for path, docs in corpora:
        errors = [] if args.errors else None
        counts = count(docs, outputs[path], errors)
        pooled += counts
        rows.append((_name(path), figures(counts)))
        for line in errors or []:
            print(line)
    if len(corpora) > 1:
        mean = {k: sum(s[k] for _, s in rows) / len(rows) for k, _ in COLUMNS}
        rows.append(("all (pooled)", figures(pooled)))
        rows.append(("all (mean)", {**figures(pooled), **mean}))
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
