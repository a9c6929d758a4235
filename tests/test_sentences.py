"""Sentences and page furniture, from tests/cases/sentences.yaml."""
import pytest

from conftest import cases
from dateline.statements import split_sentences

CASES = cases("sentences.yaml")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_sentences(case):
    body = case["text"]
    found = [" ".join(body[s.start:s.end].split()) for s in split_sentences(body, case.get("language", "en"))]
    assert found == case["sentences"]
