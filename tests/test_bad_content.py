"""Each bad input gives one precise `path:line: message`, exit 1, and leaves the old site alone."""
import re

import pytest

from conftest import cases, expect_lines, run_build, tree_digest

CASES = cases("bad_content.yaml")


@pytest.fixture(scope="module")
def good_site(tmp_path_factory):
    from conftest import ROOT
    out = tmp_path_factory.mktemp("good") / "site"
    assert run_build("--content", ROOT / "content", "--out", out).returncode == 0
    return out


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_content(case, tmp_path, good_site):
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    for name, data in case["files"].items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, dict) and "symlink_to" in data:
            path.symlink_to(data["symlink_to"])
        elif isinstance(data, dict):
            with path.open("wb") as fh:
                fh.write(b"---\ntitle: Big\npublished: 2022-02-03\n---\n")
                fh.write(b"All quiet on Monday. " * (data["filler_mb"] * 1024 * 1024 // 21))
        else:
            path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    args = []
    if case.get("templates") == "missing":
        args = ["--templates", tmp_path / "templates"]
    elif "templates" in case:
        templates = tmp_path / "templates"
        templates.mkdir()
        for name, text in case["templates"].items():
            (templates / name).write_text(text, encoding="utf-8")
        args = ["--templates", templates]
    before = tree_digest(good_site)
    result = run_build("--content", content, "--out", good_site, *args)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = expect_lines(case, result.stderr)
    assert all(re.match(r"^\S.*:\d+(:\d+)?: ", line) for line in lines), lines
    assert tree_digest(good_site) == before
    # nor anything half-made beside it (a new site's folder, the exports its workers wrote)
    assert not list(good_site.parent.glob(f".{good_site.name}.new-*"))


def test_future_publication_date_is_a_warning(tmp_path):
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "articles" / "a.md").write_text("---\ntitle: A\npublished: 2999-01-01\n---\nIt rained on Monday across the region.\n")
    result = run_build("--content", content, "--out", tmp_path / "site")
    assert result.returncode == 0
    assert "articles/a.md:3: warning: 'published: 2999-01-01' is in the future" in result.stderr   # its line
    strict = run_build("--content", content, "--out", tmp_path / "site", "--strict")
    assert strict.returncode == 1


def test_keep_going_builds_the_rest_and_lists_what_it_skipped(tmp_path):
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "articles" / "good.md").write_text("---\ntitle: Good\npublished: 2022-02-03\n---\nThe bridge reopened on Monday after repairs.\n")
    (content / "articles" / "bad.md").write_text("---\ntitle: Bad\n---\nNo date.\n")
    out = tmp_path / "site"
    assert run_build("--content", content, "--out", out).returncode == 1
    result = run_build("--content", content, "--out", out, "--keep-going")
    assert result.returncode == 0, result.stderr
    assert "articles/bad.md:3: missing 'published'" in result.stderr
    assert "1 problem(s) skipped" in result.stdout
    assert (out / "articles" / "good.html").exists() and not (out / "articles" / "bad.html").exists()


def test_front_matter_of_other_tools_is_kept_or_warned_about(tmp_path):
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "articles" / "a.md").write_text(
        "---\ntitle: A\npublished: 2022-02-03\ndate: 2022-02-03\ntags: [kyiv, energy]\nimage: /img/a.jpg\n"
        "draft: false\nlayout: post\n---\nThe council met on Monday to vote on the plan.\n", encoding="utf-8")
    out = tmp_path / "site"
    result = run_build("--content", content, "--out", out)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"{content}/articles/a.md:4:1: warning: 'date' is not read: did you mean 'published'? (dateline reads 'published')",
        f"{content}/articles/a.md:7:1: warning: 'draft' is not read: to leave the article out, move the file out of "
        "articles/ or hide it in overrides.yaml ('articles:', its id, 'hide: true')",
        f"{content}/articles/a.md:8:1: warning: unknown front-matter key 'layout' is not read; known keys: title, "
        "published, source, url, author, language, updated, republish"]
    import json
    article = json.loads((out / "timeline.json").read_text(encoding="utf-8"))["articles"][0]
    assert article["tags"] == ["kyiv", "energy"] and article["image"] == "/img/a.jpg"
    assert run_build("--content", content, "--out", out, "--strict").returncode == 1


def test_a_grammar_added_later_is_a_language_articles_may_name(tmp_path, monkeypatch):
    """The languages come from the grammar folders there are: a new folder needs no code."""
    from conftest import ROOT
    from dateline import articles
    from dateline.errors import ContentError
    from dateline.temporal import grammar
    lang = tmp_path / "lang"
    lang.mkdir()
    (lang / "en").symlink_to(grammar.LANG_DIR / "en")
    (lang / "de").symlink_to(ROOT / "tests" / "fixtures" / "lang" / "de")
    monkeypatch.setattr(grammar, "LANG_DIR", lang)
    path = tmp_path / "a.md"
    path.write_text("---\ntitle: A\npublished: 2022-02-03\nlanguage: de\n---\nDer Rat tagte am Montag.\n", encoding="utf-8")
    assert articles.parse_article(path, "a", "a.md").language == "de"
    path.write_text("---\ntitle: A\npublished: 2022-02-03\nlanguage: fr\n---\nLe conseil.\n", encoding="utf-8")
    with pytest.raises(ContentError) as e:
        articles.parse_article(path, "a", "a.md")
    assert str(e.value) == "a.md:4: no grammar for 'fr'; available: de, en"
