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
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    before = tree_digest(good_site)
    result = run_build("--content", content, "--out", good_site)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert any(re.search(case["error"], line) for line in lines), lines
    assert all(re.match(r"^\S.*:\d+(:\d+)?: ", line) for line in lines), lines
    assert tree_digest(good_site) == before
