"""Statement roles and entry titles: every example in dateline/data/roles.yaml and
dateline/data/headlines.yaml runs here, so the tables and their examples cannot drift apart."""
import datetime as dt

import pytest

from dateline.headlines import headline_data, title_of
from dateline.roles import ROLES, role_data, role_of
from dateline.temporal import period_of

# each language's own examples, with its cues (data/<lang>/roles.yaml replaces the defaults')
ROLE_EXAMPLES = [dict(case, lang="en") for case in role_data()["examples"]] + \
    [dict(case, lang="fr") for case in role_data("fr")["examples"]]
TITLE_EXAMPLES = headline_data()["examples"]


def day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


@pytest.mark.parametrize("case", ROLE_EXAMPLES, ids=[f"{c['lang']} {c['role']}: {c['text'][:50]}" for c in ROLE_EXAMPLES])
def test_role_examples(case):
    assert case["role"] in ROLES
    start = case["text"].index(case["date"])
    period = period_of(str(case["value"]))
    got = role_of(case["text"], start, start + len(case["date"]), period.start, period.end, period.precision,
                  0, day(case["published"]), case["lang"])
    assert got == case["role"]


@pytest.mark.parametrize("case", TITLE_EXAMPLES, ids=[c["title"][:50] for c in TITLE_EXAMPLES])
def test_title_examples(case):
    title = title_of(case["text"], case["date"], keep_date=case.get("keep_date", False))
    assert title == case["title"]
    assert len(title.split()) <= headline_data()["max_title_words"] + 8


def test_a_pronoun_opening_is_named_from_the_sentence_before():
    title = title_of("He was charged with involuntary manslaughter on Monday.", "on Monday",
                     previous="The Houston clinic of Dr Conrad Murray was searched.")
    assert title == "Dr Conrad Murray was charged with involuntary manslaughter"


def test_a_long_sentence_without_clauses_is_cut_at_a_word():
    words = " ".join(f"word{i}" for i in range(40))
    title = title_of(f"Officials counted {words} on Monday.", "on Monday")
    assert title.endswith("…") and len(title.split()) == headline_data()["max_title_words"]
