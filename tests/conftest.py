import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"


def cases(name: str):
    return yaml.safe_load((CASES / name).read_text(encoding="utf-8"))


def mentions(text: str, grammar) -> list[tuple]:
    """What finding gives, comparable across grammars: (start, end, rule, groups, tense)."""
    from dateline.temporal.finder import find
    return [(m.start, m.end, m.rule.name, m.groups, m.direction) for m in find(text, grammar)]


def found_scanning_everywhere(text: str, grammar) -> list[tuple]:
    """What finding gives with every rule tried at every position, as if none had a trigger:
    what finding near triggers must give too."""
    from dataclasses import replace
    everywhere = replace(grammar, rules=tuple(replace(r, trigger=(), opens_with_digit=False) for r in grammar.rules))
    return mentions(text, everywhere)


def run_build(*args, cwd=ROOT, timeout=300):
    """Run the command line as a user would; returns the CompletedProcess."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=env)


def expect_lines(case: dict, stderr: str) -> list[str]:
    """A case table's expected output: `error` matches one of the lines, or `errors` all of them,
    in order. Returns the lines."""
    lines = stderr.strip().splitlines()
    if "errors" in case:
        assert len(lines) == len(case["errors"]), lines
        for pattern, line in zip(case["errors"], lines):
            assert re.search(pattern, line), (pattern, line)
    else:
        assert any(re.search(case["error"], line) for line in lines), lines
    return lines


def tree_digest(folder: Path) -> dict:
    """Every file under a folder with the hash of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def demo_content(tmp_path) -> Path:
    """A private copy of the shipped content folder."""
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    return target


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "site"
    result = run_build("--content", ROOT / "content", "--out", out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def monkeypatch_session():
    """A monkeypatch that hypothesis tests may share (function-scoped fixtures are not reset
    between its examples)."""
    with pytest.MonkeyPatch.context() as m:
        yield m


def write_bridge_story(content: Path) -> None:
    """An article dated in five years over three centuries: 1881, 1899, 1999, 2009, 2021."""
    (content / "articles").mkdir(parents=True)
    (content / "articles" / "bridge.md").write_text(
        "---\ntitle: The bridge\npublished: 2022-12-20\n---\n" + "".join(
            f"In {year} the old iron bridge over the river was {done} by the town council.\n\n"
            for year, done in ((1881, "opened"), (1899, "rebuilt"), (1999, "closed"), (2009, "reopened"),
                               (2021, "repaired"))), encoding="utf-8")


@pytest.fixture(scope="session")
def paged_site(tmp_path_factory) -> Path:
    """The bridge story built as a large timeline is: a page per year, navigation by century."""
    from dateline import cli, render
    base = tmp_path_factory.mktemp("paged")
    write_bridge_story(base / "content")
    with pytest.MonkeyPatch.context() as m:
        m.setattr(render, "PAGE_EVENTS", 2)
        m.setattr(render, "NAV_FLAT", 1)
        assert cli.main(["build", "--content", str(base / "content"), "--out", str(base / "site"),
                         "--no-cache", "--jobs", "1"]) == 0
    return base / "site"


@pytest.fixture(scope="session")
def published_site(tmp_path_factory, demo_site) -> Path:
    """The demo as an editor publishes it: site.yaml with base_url, a share image, an updated
    line, corrections and a deeper embed heading; two entries tagged, one of them corrected."""
    import json
    base = tmp_path_factory.mktemp("published")
    content = base / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "share.png").write_bytes(tiny_png())
    events = json.loads((demo_site / "timeline.json").read_text(encoding="utf-8"))["events"]
    attack = next(e for e in events if e["value"] == "2022-12-19" and len(e["sources"]) > 1)
    october = next(e for e in events if e["value"] == "2022-10" and e.get("mod"))
    (content / "site.yaml").write_text(
        'title: "Drones over Kyiv and Moscow"\n'
        'description: "What five articles say happened, and when."\n'
        "base_url: https://news.example.org/kyiv/\n"
        "image: share.png\n"
        'image_alt: "A drone over Kyiv at night"\n'
        "embed_heading: 3\n"
        "updated: 2024-09-12\n"
        'corrections: "On 12 September 2024 we moved the Moscow strike to the night it happened."\n',
        encoding="utf-8")
    (content / "overrides.yaml").write_text(
        f"events:\n  {attack['id']}:\n    tags: [kyiv, energy]\n"
        f"  {october['id']}:\n    tags: [belarus]\n    title: \"Russian troops arrive in Belarus\"\n",
        encoding="utf-8")
    out = base / "site"
    result = run_build("--content", content, "--out", out)
    assert result.returncode == 0, result.stderr
    return out


def tiny_png() -> bytes:
    """A valid one-pixel PNG, for a share image."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xa4\x28\x2c")) + chunk(b"IEND", b""))


def missing_import_extra() -> list[str]:
    """What `import` needs (requirements-import.txt) and this Python lacks."""
    import importlib.util
    return [name for name in ("trafilatura", "htmldate", "feedparser") if not importlib.util.find_spec(name)]


def pytest_terminal_summary(terminalreporter):
    """Said at the end of every run, -q too: the import tests are skipped without their optional extra."""
    if missing_import_extra():
        terminalreporter.write_line(f"import extra not installed ({', '.join(missing_import_extra())}): "
                                    "tests/test_import.py was skipped; pip install -r requirements-import.txt")
