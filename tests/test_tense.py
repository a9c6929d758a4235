"""tense.direction() works a text out once (sentence edges, each sentence's cues) and scans for
cues in the lower-cased text: what it finds must be what the plain regular expressions find."""
import re
from pathlib import Path

import pytest

from conftest import cases
from dateline.temporal import tag, tense
from dateline.temporal.grammar import load

FIXTURE_LANGS = Path(__file__).parent / "fixtures" / "lang"
GRAMMARS = {"en": load("en"), "fr": load("fr"), "de": load("de", FIXTURE_LANGS)}
CASES = cases("tense_reading.yaml")
TEXTS = CASES["texts"]


@pytest.mark.parametrize("case", CASES["folds"], ids=[c["pattern"] for c in CASES["folds"]])
def test_which_patterns_fold(case):
    assert tense._folds_alike(re.compile(case["pattern"], re.IGNORECASE)) == case["folds"]


@pytest.mark.parametrize("lang", GRAMMARS)
def test_the_grammars_cues_fold(lang):
    assert tense.compiled_cues(GRAMMARS[lang]).folded is not None


def _unfolded(reading):
    cues = reading.cues
    reading.sentences = {}
    reading.scanned = (reading.text, (cues.future, cues.past, cues.present))
    return reading


@pytest.mark.parametrize("lang", GRAMMARS)
@pytest.mark.parametrize("text", TEXTS)
def test_cues_are_found_alike_in_the_lower_cased_text(lang, text):
    grammar = GRAMMARS[lang]
    folded, plain = tense.Reading(text, grammar), _unfolded(tense.Reading(text, grammar))
    uses_lower = len(text.lower()) == len(text) and not any(ch in text for ch in tense.CASE_TWINS)
    assert (folded.scanned[0] != text) == uses_lower
    for lo in range(0, len(text), 3):
        for hi in range(lo, len(text) + 1):
            assert folded.sentence(lo, hi).cues == plain.sentence(lo, hi).cues, (lo, hi)


@pytest.mark.parametrize("lang", GRAMMARS)
def test_the_texts_hold_every_kind_of_cue(lang):
    """(so that the test above compares something)"""
    told = {tense for text in TEXTS for tense, _, _ in tense_cues(text, GRAMMARS[lang])}
    assert told == {tense.FUTURE, tense.PAST, tense.PRESENT}


def tense_cues(text, grammar):
    return tense.Reading(text, grammar).sentence(0, len(text)).cues


def _outermost_by_definition(found):
    return [c for c in found if not any(o[1] <= c[1] and c[2] <= o[2] and o[2] - o[1] > c[2] - c[1]
                                        for o in found)]


@pytest.mark.parametrize("found", [
    [], [(1, 0, 4)], [(1, 0, 8), (-1, 0, 4), (2, 0, 2)], [(1, 3, 5), (-1, 3, 5), (2, 3, 4)],
    [(1, 0, 5), (-1, 2, 9), (2, 4, 6), (2, 9, 12)], [(1, 10, 20), (-1, 12, 20), (-1, 0, 3), (2, 21, 22)]])
def test_outermost_cues(found):
    assert tense._outermost(found) == _outermost_by_definition(found)


@pytest.mark.parametrize("text", TEXTS + [
    "Gov. Smith said so. Then\n\n  it rained! Yes? No.  \n\nOK, Mr. J. Doe left the U.S. (Sunday). “Fine.”"])
def test_sentence_edges_are_those_finditer_finds(text):
    grammar = GRAMMARS["en"]
    reading = tense.Reading(text, grammar)

    def abbreviation(m):
        word = tense.WORD_BEFORE_PERIOD.search(text, max(0, m.start() - 20), m.start())
        return text[m.start()] == "." and bool(word and tense.is_abbreviation(word.group(), grammar))

    for lo in range(len(text) + 1):
        for hi in range(lo, len(text) + 1):
            expected = [m.span() for m in tense.SENTENCE_EDGE.finditer(text, lo, hi) if not abbreviation(m)]
            assert [m.span() for m in reading.edges(lo, hi)] == expected, (lo, hi)


def test_nothing_is_kept_of_a_text_after_tagging_it():
    text = "The talks will resume on Monday, officials said."
    tag(text, __import__("datetime").date(2022, 12, 19))
    assert not [name for name, value in vars(tense).items() if isinstance(value, tense.Reading)]
