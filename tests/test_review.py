"""`review` points at the statements most likely to be wrong, with a snippet to paste."""
import yaml

from conftest import run_build


def test_review_flags_doubtful_dates(tmp_path):
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "articles" / "a.md").write_text(
        "---\ntitle: A\npublished: 2023-01-03\n---\n"
        "Officials and the mayor Thursday: talks about the budget for the region.\n\n"
        "The council approved the plan in December after a long debate in the chamber.\n\n"
        "The contract signed on 04/05/2022 covers repairs to the old bridge downtown.\n",
        encoding="utf-8")
    result = run_build("review", "--content", content)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "a bare weekday in a sentence with no clear tense" in out
    assert "a month without a year, near a year boundary" in out
    assert "a numeric date that reads either way" in out
    # the snippets paste straight into overrides.yaml
    snippet = "\n".join(line for line in out.splitlines() if line.startswith("  "))
    fixes = yaml.safe_load(snippet)
    assert len(fixes) == 3 and all("date" in f for f in fixes.values())
    (content / "overrides.yaml").write_text("statements:\n" + snippet + "\n", encoding="utf-8")
    assert run_build("check", "--content", content).returncode == 0


def test_review_build_shows_ids(tmp_path):
    from conftest import ROOT
    out = tmp_path / "site"
    assert run_build("--review", "--content", ROOT / "content", "--out", out).returncode == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.count('class="copy" data-copy="  s-') >= 10
    plain = tmp_path / "plain"
    assert run_build("--content", ROOT / "content", "--out", plain).returncode == 0
    assert 'class="copy"' not in (plain / "index.html").read_text(encoding="utf-8")


def test_review_snippets_find_their_statement_after_an_edit(tmp_path):
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    article = content / "articles" / "a.md"
    article.write_text("---\ntitle: A\npublished: 2023-01-03\n---\n"
                       "The contract signed on 04/05/2022 covers repairs to the old bridge downtown.\n", encoding="utf-8")
    out = run_build("review", "--content", content).stdout
    snippet = "\n".join(line for line in out.splitlines() if line.startswith("  "))
    (content / "overrides.yaml").write_text("statements:\n" + snippet + "\n", encoding="utf-8")
    [(old_id, fix)] = yaml.safe_load(snippet).items()
    assert fix["quote"].startswith("The contract signed on 04/05/2022") and fix["expression"] == "04/05/2022"
    article.write_text(article.read_text(encoding="utf-8").replace("old bridge", "old iron bridge"), encoding="utf-8")
    site = tmp_path / "site"
    result = run_build("--content", content, "--out", site)     # a fresh --out: only the quote can find it
    assert result.returncode == 0, result.stderr
    assert f"warning: statement '{old_id}' was re-anchored by its quote to" in result.stderr
    import json
    [statement] = [s for e in json.loads((site / "timeline.json").read_text(encoding="utf-8"))["events"]
                   for s in e["statements"]]
    assert statement["overridden"] == ["date"] and statement["id"] != old_id


def test_review_page_copies_overrides_that_paste_and_apply(tmp_path):
    import html
    import json
    import re
    import shutil
    from conftest import ROOT
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    out = tmp_path / "site"
    assert run_build("--review", "--content", content, "--out", out).returncode == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    copies = [html.unescape(c) for c in re.findall(r'class="copy" data-copy="([^"]*)"', page)]
    event = next(c for c in copies if c.startswith("  e-"))
    statement = next(c for c in copies if c.startswith("  s-"))
    (content / "overrides.yaml").write_text(
        "events:\n" + event.replace("title:", "title: Retitled #", 1).replace('# "', "# ") +
        "statements:\n" + statement, encoding="utf-8")
    result = run_build("--content", content, "--out", out)
    assert result.returncode == 0, result.stderr
    data = json.loads((out / "timeline.json").read_text(encoding="utf-8"))
    assert any(e["title"] == "Retitled" for e in data["events"])
    assert any(s.get("overridden") == ["date"] for e in data["events"] for s in e["statements"])
