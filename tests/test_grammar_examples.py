"""Every example written next to a rule or guard in the grammar tables runs here: the project's
English and French, and a small German grammar in tests/fixtures/lang/ that shows a second language is data
only."""
import datetime as dt
import re
from pathlib import Path

import pytest

from conftest import cases, found_scanning_everywhere, mentions
from dateline.temporal.finder import _Parts, _trigger_spans, find
from dateline.temporal.grammar import (_parser, first_chars, guard_examples, load, opens_with_characters,
                                       opens_with_digit, prefix_tree, required_macros, required_parts,
                                       trigger_reach)
from dateline.temporal.resolver import resolve

FIXTURE_LANGS = Path(__file__).parent / "fixtures" / "lang"
GRAMMARS = {"en": load("en"), "fr": load("fr"), "de": load("de", FIXTURE_LANGS)}
EXAMPLES = [(lang, rule.name, ex) for lang, grammar in GRAMMARS.items() for rule in grammar.rules
            for ex in rule.examples]


def tag_with(lang: str, text: str, dct: dt.date):
    grammar = GRAMMARS[lang]
    return resolve(find(text, grammar), text, dct, grammar)


@pytest.mark.parametrize("lang", GRAMMARS)
def test_every_rule_has_examples(lang):
    names = {r.name.split("#")[0] for r in GRAMMARS[lang].rules}
    with_examples = {name.split("#")[0] for ex_lang, name, _ in EXAMPLES if ex_lang == lang}
    assert names == with_examples


@pytest.mark.parametrize("lang,rule,example", EXAMPLES,
                         ids=[f"{lang}:{n}:{e.get('find') or e['absent']}" for lang, n, e in EXAMPLES])
def test_rule_example(lang, rule, example):
    dct = dt.date.fromisoformat(str(example.get("dct", GRAMMARS[lang].example_dct)))
    found = tag_with(lang, example["text"], dct)
    if "absent" in example:
        at = example["text"].index(example["absent"])
        assert not [t for t in found if t.start < at + len(example["absent"]) and at < t.end], found
        return
    hits = [t for t in found if t.text == example["find"]]
    assert hits, f"{example['find']!r} not found in {example['text']!r}; got {[(t.text, t.value) for t in found]}"
    assert hits[0].value == str(example["value"])
    if "type" in example:
        assert hits[0].type == example["type"]
    if "mod" in example:
        assert hits[0].mod == example["mod"]


GUARDS = [(lang, g) for lang in ("en", "fr") for g in guard_examples(lang)] + \
    [("de", g) for g in guard_examples("de", FIXTURE_LANGS)]


@pytest.mark.parametrize("lang,example", GUARDS, ids=[f"{lang}:{g['guard']}:{g['not']}" for lang, g in GUARDS])
def test_guard_example(lang, example):
    found = tag_with(lang, example["text"], dt.date.fromisoformat(GRAMMARS[lang].example_dct))
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


TRIGGERS = cases("triggers.yaml")


@pytest.mark.parametrize("case", TRIGGERS, ids=[c["pattern"] for c in TRIGGERS])
def test_required_macros(case):
    found = required_macros(re.compile(case["pattern"]), case.get("priority", []), frozenset(case.get("common", [])))
    assert list(found) == case["trigger"]


PARTS = cases("required_parts.yaml")


@pytest.mark.parametrize("case", PARTS, ids=[c["pattern"] + str(c.get("trigger", "")) for c in PARTS])
def test_required_parts(case):
    found = required_parts(re.compile(case["pattern"]), case.get("macros", []), frozenset(case.get("common", [])),
                           tuple(case.get("trigger", ())))
    assert [list(option) for option in found] == case["parts"]


@pytest.mark.parametrize("lang", GRAMMARS)
def test_needs_hold_in_every_match(lang):
    """Every match of every rule over the examples has a part of each of its sets between its
    start and the end of the text, as the finder sees them: it may skip a text or a window
    without them."""
    grammar = GRAMMARS[lang]
    rules = [rule for rule in grammar.rules if rule.needs]
    assert rules
    for text in EXAMPLE_TEXTS:
        parts = _Parts(text, _trigger_spans(text, grammar))
        for rule in rules:
            for m in rule.regex.finditer(text):
                assert parts.all_in_text(rule.needs), (rule.name, text)
                assert parts.all_in_window(rule.needs, m.start(), len(text)), (rule.name, text)


REACHES = cases("trigger_reach.yaml")


@pytest.mark.parametrize("case", REACHES, ids=[c["pattern"] for c in REACHES])
def test_trigger_reach(case):
    assert list(trigger_reach(re.compile(case["pattern"]), tuple(case["trigger"]))) == case["reach"]


@pytest.mark.parametrize("pattern, expected", [(r"\d{1,2}/\d\d", True), (r"(?<!\w)[12]\d{3}", True),
                                               (r"(?:the )?\d+", False), (r"\d*x", False)])
def test_opens_with_digit(pattern, expected):
    assert opens_with_digit(re.compile(pattern)) is expected


EXAMPLE_TEXTS = sorted({ex["text"] for _, _, ex in EXAMPLES} | {g["text"] for _, g in GUARDS})


@pytest.mark.parametrize("lang", GRAMMARS)
def test_finding_near_triggers_finds_what_scanning_everywhere_finds(lang):
    grammar = GRAMMARS[lang]
    for text in EXAMPLE_TEXTS:
        # also with the white space stretched past what a rule's reach assumes
        for variant in (text, text.replace(" ", "          ")):
            assert mentions(variant, grammar) == found_scanning_everywhere(variant, grammar), variant


PREFIX_TREES = cases("prefix_tree.yaml")


@pytest.mark.parametrize("case", PREFIX_TREES, ids=[" ".join(c["words"]) or "empty" for c in PREFIX_TREES])
def test_prefix_tree_matches_each_word_and_nothing_else(case):
    pattern = re.compile(prefix_tree(case["words"]), re.IGNORECASE)
    assert all(pattern.fullmatch(w) for w in case["match"])
    assert not any(pattern.fullmatch(w) for w in case["rejects"])


@pytest.mark.parametrize("addition, message", [
    ("    only_in_text: {pattern: 'x'}\n", "only_in_text needs a pattern and at_least"),
    ("    only_in_txt: {pattern: 'x', at_least: 2}\n", "unknown keys ['only_in_txt']"),
])
def test_a_malformed_rule_is_a_clear_grammar_error(tmp_path, addition, message):
    import shutil

    from dateline.temporal.grammar import GrammarError
    shutil.copytree(FIXTURE_LANGS / "de", tmp_path / "de")
    rules = tmp_path / "de" / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("    kind: weekday\n", "    kind: weekday\n" + addition, 1),
                     encoding="utf-8")
    with pytest.raises(GrammarError, match=re.escape(message)):
        load("de", tmp_path)
