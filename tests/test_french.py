"""French end to end, from tests/cases/french.yaml: expressions read against a publication date,
and the French demo story built into a page that speaks French."""
import datetime as dt
import json
import shutil

import pytest

from conftest import ROOT, cases, run_build
from dateline.temporal import tag

CASES = cases("french.yaml")
DEMO = CASES["demo"]


@pytest.mark.parametrize("case", CASES["expressions"], ids=[f"{c['find']} ({c['published']})" for c in CASES["expressions"]])
def test_french_expression(case):
    published = case["published"]
    published = published if isinstance(published, dt.date) else dt.date.fromisoformat(published)
    found = [t for t in tag(case["text"], published, lang="fr") if t.text == case["find"]]
    assert found, f"{case['find']!r} not found in {case['text']!r}"
    assert found[0].value == str(case["value"])
    if "type" in case:
        assert found[0].type == case["type"]


@pytest.fixture(scope="module")
def french_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("fr-demo") / "site"
    result = run_build("--content", ROOT / DEMO["content"], "--out", out, "--no-cache")
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize("expected", DEMO["events"], ids=[str(e["value"]) for e in DEMO["events"]])
def test_french_demo_events(french_site, expected):
    events = json.loads((french_site / "timeline.json").read_text(encoding="utf-8"))["events"]
    matching = [e for e in events if e["value"] == str(expected["value"])]
    assert matching, f"no event on {expected['value']}"
    if "sources" in expected:
        assert max(len(e["sources"]) for e in matching) == expected["sources"]
    if "disagreement" in expected:
        assert any(d["quantity"] == expected["disagreement"] for e in matching for d in e["disagreements"])


@pytest.mark.parametrize("page", DEMO["pages"], ids=[p["page"] for p in DEMO["pages"]])
def test_french_demo_page_speaks_french(french_site, page):
    html = (french_site / page["page"]).read_text(encoding="utf-8")
    assert [w for w in page["contains"] if w not in html] == []
    assert [w for w in page["absent"] if w in html] == []


def test_a_site_may_mix_languages(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / DEMO["content"], content)
    mixed = DEMO["mixed"]
    (content / "articles" / mixed["name"]).write_text(mixed["text"], encoding="utf-8")
    out = tmp_path / "site"
    result = run_build("--content", content, "--out", out, "--no-cache")
    assert result.returncode == 0, result.stderr
    article_id = mixed["name"][:-3]
    events = json.loads((out / "timeline.json").read_text(encoding="utf-8"))["events"]
    assert any(s["article"] == article_id and s["value"].startswith(str(mixed["value"]))
               for e in events for s in e["statements"])
    assert mixed["label"] in (out / "articles" / f"{article_id}.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES["labels"], ids=[c["language"] for c in CASES["labels"]])
def test_page_words_follow_the_site_language(case):
    from dateline.render import date_label
    assert date_label("2024-11-16", "day", lang=case["language"]) == case["label"]
