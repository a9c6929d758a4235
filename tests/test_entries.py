"""Timeline entries as a reader meets them, from tests/cases/entries.yaml."""
import json
import re

import pytest

from conftest import cases

CASES = cases("entries.yaml")


def build(tmp_path, articles):
    folder = tmp_path / "content" / "articles"
    folder.mkdir(parents=True)
    for a in articles:
        (folder / f"{a['id']}.md").write_text(
            f"---\ntitle: \"{a['title']}\"\npublished: {a['published']}\nsource: {a['source']}\n---\n{a['body']}\n",
            encoding="utf-8")
    out = tmp_path / "site"
    from dateline import cli
    assert cli.main(["build", "--content", str(tmp_path / "content"), "--out", str(out), "--no-cache",
                     "--jobs", "1"]) == 0
    return json.loads((out / "timeline.json").read_text(encoding="utf-8")), (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_entries(tmp_path, case):
    data, page = build(tmp_path, case["articles"])
    for expected in case["expect"]:
        found = [e for e in data["events"] if e["value"] == str(expected["date"])]
        assert len(found) == expected["count"], (expected["date"], [(e["value"], e["title"]) for e in data["events"]])
        if not found:
            continue
        event = found[0]
        if "sources" in expected:
            assert sorted(event["sources"]) == sorted(expected["sources"])
        for field in ("role", "title", "key"):
            if field in expected:
                assert event[field] == expected[field], (field, event[field])
        if "disagreements" in expected:
            assert len(event["disagreements"]) == expected["disagreements"]
        if "badge" in expected:
            entry = page[page.index(f'id="{event["id"]}"'):]
            entry = entry[:entry.index("</article>")]
            badge = re.search(r'<p class="badge">(.*?)</p>', entry)
            assert badge and badge.group(1) == expected["badge"]
    if case.get("distinct_titles"):
        titles = [e["title"].lower() for e in data["events"]]
        assert len(titles) == len(set(titles))
