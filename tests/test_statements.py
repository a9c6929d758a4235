"""Which dates become statements, from tests/cases/statements.yaml."""
import datetime as dt

import pytest

from conftest import cases
from dateline.articles import Article
from dateline.statements import extract

CASES = cases("statements.yaml")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_statement_dates(case):
    published = case["published"]
    published = published if isinstance(published, dt.date) else dt.date.fromisoformat(published)
    article = Article(id="a", path="a.md", title="A", published=published, source="", url="",
                      author="", language=case.get("language", "en"), body=case["text"], body_line=1)
    found = [s.value.split("T")[0] for s in extract(article).statements]
    assert found == [str(d) for d in case["dates"]]
