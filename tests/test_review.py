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
