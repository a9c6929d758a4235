"""The demo articles against what a careful editor expects (tests/cases/seeds_gold.yaml)."""
import datetime as dt

import pytest

from conftest import ROOT, cases
from dateline.temporal import tag

GOLD = cases("seeds_gold.yaml")


def body_of(article_id: str) -> str:
    text = (ROOT / "content" / "articles" / f"{article_id}.md").read_text(encoding="utf-8")
    return text[text.index("\n---", 4) + 5:]


def expression_cases():
    for article_id, gold in GOLD["articles"].items():
        body = body_of(article_id)
        timexes = tag(body, dt.date.fromisoformat(str(gold["published"])))
        pos = 0
        for e in gold["expressions"]:
            start = body.index(e["text"], pos)
            pos = end = start + len(e["text"])
            accepted = {str(e["value"])} | {str(v) for v in e.get("accept", [])}
            hits = [t for t in timexes if t.start < end and start < t.end]
            yield pytest.param(e, accepted, hits, id=f"{article_id}:{start}:{e['text']}")


@pytest.mark.parametrize("expression,accepted,hits", list(expression_cases()))
def test_expression(expression, accepted, hits):
    good = any(t.value in accepted for t in hits)
    if expression["required"]:
        assert good, f"{expression['text']!r}: want {sorted(accepted)}, got {[t.value for t in hits]}"
    wrong = [t.value for t in hits if t.value not in accepted and t.type in ("DATE", "TIME")]
    assert good or not wrong, f"{expression['text']!r} got the wrong value {wrong}"
