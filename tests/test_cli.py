"""The command line as a user meets it."""
import json
import re

from conftest import ROOT, run_build, tree_digest
from dateline import cli


def test_build_writes_the_site(demo_site):
    for name in ("index.html", "timeline.json", "static/style.css", "static/timeline.js",
                 "articles/dna-putin-visits-belarus.html"):
        assert (demo_site / name).is_file(), name
    page = (demo_site / "index.html").read_text(encoding="utf-8")
    assert "http://" not in re.sub(r'href="https?://[^"]*"', "", page).replace("https://", "")
    assert "<script src=\"static/timeline.js\"" in page     # local, works from file://


def test_index_lists_key_dates_in_order(demo_site):
    page = (demo_site / "index.html").read_text(encoding="utf-8")
    positions = [page.index(f'<p class="when"><time datetime="{d}"') for d in ("2022-10-10", "2022-12-16", "2022-12-19")]
    assert positions == sorted(positions)


def test_timeline_json_contract(demo_site):
    data = json.loads((demo_site / "timeline.json").read_text(encoding="utf-8"))
    assert data["schema"] == 1
    ids = {a["id"] for a in data["articles"]}
    assert len(ids) == 5
    for a in data["articles"]:
        assert {"id", "title", "source", "published", "url"} <= set(a)
    for e in data["events"]:
        assert {"id", "value", "start", "end", "precision", "title", "salience", "statements"} <= set(e)
        assert e["precision"] in {"day", "week", "month", "season", "quarter", "half", "year", "decade", "century"}
        assert e["start"] <= e["end"]
        for s in e["statements"]:
            assert {"id", "article", "text", "expression", "value"} <= set(s)
            assert s["article"] in ids
            assert s["expression"] in s["text"]


def test_check_writes_nothing(tmp_path):
    out = tmp_path / "site"
    result = run_build("check", "--content", ROOT / "content", "--out", out)
    assert result.returncode == 0, result.stderr
    assert not out.exists()


def test_a_build_hands_its_timeline_to_the_caller_that_holds_it(tmp_path):
    # build.py holds it so that the process ends without freeing it object by object
    held: list = []
    assert cli.main(["build", "--content", str(ROOT / "content"), "--out", str(tmp_path / "site"), "--no-cache"],
                    held=held) == 0
    assert len(held) == 1
    built = json.loads((tmp_path / "site" / "timeline.json").read_text(encoding="utf-8"))
    assert [e.id for e in held[0].events] == [e["id"] for e in built["events"]]


def test_same_input_same_bytes(tmp_path, demo_site):
    out = tmp_path / "again"
    assert run_build("--content", ROOT / "content", "--out", out).returncode == 0
    assert tree_digest(out) == tree_digest(demo_site)


def test_rebuild_replaces_what_the_last_build_wrote(tmp_path, demo_content):
    out = tmp_path / "site"
    assert run_build("--content", demo_content, "--out", out).returncode == 0
    removed = sorted((demo_content / "articles").glob("*.md"))[0]
    assert (out / "articles" / f"{removed.stem}.html").exists()
    removed.unlink()
    assert run_build("--content", demo_content, "--out", out).returncode == 0
    assert not (out / "articles" / f"{removed.stem}.html").exists()
    assert not list(tmp_path.glob(".site.new-*")) + list(tmp_path.glob(".site.old-*")), "temporary folders left behind"


def test_usage_errors_exit_2(tmp_path):
    assert run_build("--no-such-flag").returncode == 2
    assert run_build("explain").returncode == 2
    assert run_build("--content", tmp_path / "missing").returncode == 2


def test_refuses_a_folder_it_did_not_make(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    result = run_build("--content", ROOT / "content", "--out", out)
    assert result.returncode == 1
    assert "was not made by dateline" in result.stderr
    assert (out / "thesis.docx").read_text() == "precious"


def test_explain_a_statement(demo_site):
    data = json.loads((demo_site / "timeline.json").read_text(encoding="utf-8"))
    friday = next(s for e in data["events"] for s in e["statements"] if s["value"] == "2022-12-16")
    result = run_build("explain", friday["id"], "--content", ROOT / "content", "--out", demo_site)
    assert result.returncode == 0, result.stderr
    assert "published 2022-12-20 (Tuesday)" in result.stdout
    assert "past tense" in result.stdout
    assert "'Friday'" in result.stdout


def test_explain_names_the_date_a_story_counts_from(tmp_path):
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "articles" / "history.md").write_text(
        "---\ntitle: A history\npublished: 2011-03-01\n---\n"
        "The ceasefire was signed in December 1988. Two years later the last troops left the country.\n",
        encoding="utf-8")
    out = tmp_path / "site"
    assert run_build("--content", content, "--out", out).returncode == 0
    data = json.loads((out / "timeline.json").read_text(encoding="utf-8"))
    later = next(s for e in data["events"] for s in e["statements"] if s["expression"] == "Two years later")
    assert later["value"] == "1990"
    result = run_build("explain", later["id"], "--content", content, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "anchor:     1988-12, the date the article told before it" in result.stdout


def test_ids_survive_unrelated_edits(demo_content, tmp_path):
    first = tmp_path / "first"
    assert run_build("--content", demo_content, "--out", first).returncode == 0
    before = json.loads((first / "timeline.json").read_text(encoding="utf-8"))
    # add an article, and edit a sentence of another one
    (demo_content / "articles" / "new-report.md").write_text(
        "---\ntitle: New\npublished: 2022-12-21\n---\nA new power station opened in Lviv on Tuesday, officials said.\n")
    article = demo_content / "articles" / "icaro-largest-drone-strike-on-moscow.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("causing substantial damage and disruption", "causing damage"), encoding="utf-8")
    second = tmp_path / "second"
    assert run_build("--content", demo_content, "--out", second).returncode == 0
    after = json.loads((second / "timeline.json").read_text(encoding="utf-8"))

    def statement_ids(data, article_id):
        return {s["id"] for e in data["events"] for s in e["statements"] if s["article"] == article_id}

    for a in before["articles"]:
        assert statement_ids(before, a["id"]) == statement_ids(after, a["id"]), a["id"]
    old_events = {e["id"] for e in before["events"]}
    assert old_events <= {e["id"] for e in after["events"]}


def test_cache_is_used_and_a_damaged_entry_is_rebuilt(tmp_path):
    cache, out = tmp_path / "cache", tmp_path / "site"
    first = run_build("--content", ROOT / "content", "--out", out, "--cache", cache)
    assert "(0 from the cache)" in first.stdout
    reference = tree_digest(out)
    entries = sorted(p for p in cache.rglob("*.entry") if p.parent.name not in (
        "events", "index", "statements", "exports", "assembled", "grammar", "templates", "fragments"))
    assert len(entries) == 5
    entries[0].write_bytes(entries[0].read_bytes()[:-40] + b"garbage")      # a torn write
    for pack in (cache / "statements").glob("*.entry"):       # and of the pack of all statements
        pack.write_bytes(pack.read_bytes()[:-40] + b"garbage")
    second = run_build("--content", ROOT / "content", "--out", tmp_path / "plain", "--cache", cache, "--no-cache")
    assert "(0 from the cache)" in second.stdout
    third = run_build("--content", ROOT / "content", "--out", tmp_path / "again", "--cache", cache)
    assert "(4 from the cache)" in third.stdout
    assert tree_digest(tmp_path / "again") == reference
    fourth = run_build("--content", ROOT / "content", "--out", tmp_path / "more", "--cache", cache)
    assert "(5 from the cache)" in fourth.stdout


def test_unchanged_rebuild_is_skipped(tmp_path):
    out = tmp_path / "site"
    assert run_build("--content", ROOT / "content", "--out", out).returncode == 0
    again = run_build("--content", ROOT / "content", "--out", out)
    assert again.returncode == 0 and "is up to date" in again.stdout


def test_user_templates_override_the_built_in_ones(tmp_path):
    templates = tmp_path / "my-templates"
    (templates / "static").mkdir(parents=True)
    (templates / "article.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1 class="mine">{{ article.title }}</h1>{{ body | safe }}{% endblock %}')
    (templates / "static" / "extra.css").write_text("body { color: teal; }")
    out = tmp_path / "site"
    result = run_build("--content", ROOT / "content", "--out", out, "--templates", templates)
    assert result.returncode == 0, result.stderr
    page = (out / "articles" / "dna-putin-visits-belarus.html").read_text(encoding="utf-8")
    assert '<h1 class="mine">' in page and 'class="timex' in page
    assert (out / "static" / "extra.css").is_file() and (out / "static" / "style.css").is_file()
    assert "Dated statements" not in page            # the built-in article template was replaced
