"""Each bad input gives one precise `path:line: message`, exit 1, and leaves the old site alone."""
import re

import pytest

from conftest import cases, run_build, tree_digest

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
    if "templates" in case:
        templates = tmp_path / "templates"
        templates.mkdir()
        for name, text in case["templates"].items():
            (templates / name).write_text(text, encoding="utf-8")
        args = ["--templates", templates]
    before = tree_digest(good_site)
    result = run_build("--content", content, "--out", good_site, *args)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert any(re.search(case["error"], line) for line in lines), lines
    assert all(re.match(r"^\S.*:\d+(:\d+)?: ", line) for line in lines), lines
    assert tree_digest(good_site) == before


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
