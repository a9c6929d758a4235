"""Every example written next to a rule or guard in the grammar tables runs here."""
import datetime as dt
import re

import pytest

from conftest import cases
from dateline.temporal import tag
from dateline.temporal.grammar import _parser, first_chars, guard_examples, load, opens_with_characters

GRAMMAR = load("en")
EXAMPLES = [(rule.name, ex) for rule in GRAMMAR.rules for ex in rule.examples]


def test_every_rule_has_examples():
    names = {r.name.split("#")[0] for r in GRAMMAR.rules}
    with_examples = {name.split("#")[0] for name, _ in EXAMPLES}
    assert names == with_examples


@pytest.mark.parametrize("rule,example", EXAMPLES, ids=[f"{n}:{e.get('find') or e['absent']}" for n, e in EXAMPLES])
def test_rule_example(rule, example):
    dct = dt.date.fromisoformat(str(example.get("dct", GRAMMAR.example_dct)))
    found = tag(example["text"], dct)
    if "absent" in example:
        at = example["text"].index(example["absent"])
        assert not [t for t in found if t.start < at + len(example["absent"]) and at < t.end], found
        return
    hits = [t for t in found if t.text == example["find"]]
    assert hits, f"{example['find']!r} not found in {example['text']!r}; got {[(t.text, t.value) for t in found]}"
    assert hits[0].value == str(example["value"])
    if "type" in example:
        assert hits[0].type == example["type"]


GUARDS = guard_examples("en")


@pytest.mark.parametrize("example", GUARDS, ids=[f"{g['guard']}:{g['not']}" for g in GUARDS])
def test_guard_example(example):
    found = tag(example["text"], dt.date.fromisoformat(GRAMMAR.example_dct))
    at = example["text"].index(example["not"])
    blocked = [t for t in found if t.start < at + len(example["not"]) and at < t.end]
    assert not blocked, f"{example['not']!r} was taken for a date: {blocked}"
    if "still" in example:
        assert any(t.text.endswith(example["still"]) or example["still"] in t.text for t in found)


FIRST_CHARS = cases("first_chars.yaml")


@pytest.mark.parametrize("case", FIRST_CHARS, ids=[c["pattern"] for c in FIRST_CHARS])
def test_first_chars(case):
    parsed = _parser().parse(case["pattern"], re.IGNORECASE)
    first = first_chars(parsed)
    assert (sorted(first) if first is not None else None) == case["first"]
    assert opens_with_characters(parsed) == case["opens"]
