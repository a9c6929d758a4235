"""Republishing rights: what article pages show, chosen in site.yaml and in an article's front matter."""
import re

import pytest

from conftest import run_build

STORY = ("The council approved the flood barrier on Tuesday after a four-hour hearing. "
         "Construction will take two years. Residents packed the chamber.\n\n"
         "The barrier will be paid for with a state grant awarded in March 2023.\n")


def write(content, site: str = "", **articles):
    (content / "articles").mkdir(parents=True, exist_ok=True)
    (content / "site.yaml").write_text('title: "Rights"\n' + site, encoding="utf-8")
    for name, front in articles.items():
        (content / "articles" / f"{name}.md").write_text(
            f'---\ntitle: "{name}"\npublished: 2023-06-14\n{front}---\n{STORY}', encoding="utf-8")


def build(tmp_path):
    result = run_build("--content", tmp_path / "content", "--out", tmp_path / "site", "--no-cache", "--jobs", "1")
    return result, tmp_path / "site"


OTHER = "url: https://gazette.example/flood-barrier\n"


def test_full_pages_that_copy_another_outlet_name_it_canonical_and_are_not_indexed(tmp_path):
    write(tmp_path / "content", 'base_url: "https://timeline.example/"\n',
          copied=OTHER, own="url: https://timeline.example/notes/barrier\n", unsourced="")
    result, site = build(tmp_path)
    assert result.returncode == 0, result.stderr
    copied = (site / "articles" / "copied.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://gazette.example/flood-barrier">' in copied
    assert '<meta name="robots" content="noindex">' in copied
    assert "Residents packed the chamber." in copied
    for own in ("own", "unsourced"):
        page = (site / "articles" / f"{own}.html").read_text(encoding="utf-8")
        # the site's own pages are indexed, and name only themselves canonical (share tags)
        assert "noindex" not in page
        assert re.findall(r'<link rel="canonical" href="([^"]+)">', page) == [
            f"https://timeline.example/articles/{own}.html"]


def test_excerpts_show_the_dated_sentences_with_their_context_and_a_link_to_the_original(tmp_path):
    write(tmp_path / "content", "republish: excerpts\n", copied=OTHER)
    result, site = build(tmp_path)
    assert result.returncode == 0, result.stderr
    page = (site / "articles" / "copied.html").read_text(encoding="utf-8")
    assert 'class="body"' not in page
    excerpts = re.findall(r'<blockquote class="excerpt" cite="([^"]+)"><p>(.*?)</p></blockquote>', page, re.S)
    assert excerpts and all(cite == "https://gazette.example/flood-barrier" for cite, _ in excerpts)
    tuesday = next(text for _, text in excerpts if "<mark>Tuesday</mark>" in text)
    assert "Construction will take two years." in tuesday          # the undated sentences after it
    assert 'href="https://gazette.example/flood-barrier"' in page
    assert '<meta name="robots" content="noindex">' in page


def test_none_writes_no_article_pages_and_the_timeline_links_to_the_original(tmp_path):
    write(tmp_path / "content", "republish: none\n", copied=OTHER, ours="republish: full\n")
    result, site = build(tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (site / "articles").glob("*.html")) == ["ours.html"]
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="https://gazette.example/flood-barrier"' in index
    assert "articles/copied.html" not in index
    assert "articles/ours.html" in index


def test_none_without_a_url_says_what_to_add(tmp_path):
    write(tmp_path / "content", "republish: none\n", nolink="")
    result, _ = build(tmp_path)
    assert result.returncode == 1
    assert re.search(r"nolink\.md:1: with 'republish: none' statements link to the original, but the article "
                     r"has no 'url: https://...': add it", result.stderr)


@pytest.mark.parametrize("where", ["site", "article"])
def test_an_unknown_republish_value_is_one_clear_line(tmp_path, where):
    write(tmp_path / "content", "republish: some\n" if where == "site" else "",
          story="republish: some\n" if where == "article" else "")
    result, _ = build(tmp_path)
    assert result.returncode == 1
    assert re.fullmatch(r"\S+:\d+(:\d+)?: 'republish: some' must be one of full, excerpts, none\n", result.stderr)
