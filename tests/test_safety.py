"""Never run hostile content, never destroy the last good site, never write where it should not."""
import os
import re
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ROOT, cases, run_build, tree_digest

HOSTILE = cases("hostile.yaml")


class ActiveParts(HTMLParser):
    """Everything in a page that a browser could run: script, frames, handlers, script URLs."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # our own scripts, and JSON-LD data (never run)
        if tag == "script" and not re.fullmatch(r"(\.\./)?static/(timeline|embed)\.js", attrs.get("src") or "") \
                and attrs != {"type": "application/ld+json"}:
            self.found.append(f"<script {attrs}>")
        if tag == "base" and attrs == {"href": "index.html", "target": "_top"}:     # embed.html's own
            return
        if tag in ("iframe", "object", "embed", "svg", "frame", "base", "meta") and tag != "meta" or \
                tag == "meta" and "http-equiv" in attrs:
            self.found.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src", "action", "formaction") and value and \
                    re.match(r"\s*(javascript|data|vbscript):", value, re.I):
                self.found.append(f"{tag} {name}={value}")


def hostile_site(tmp_path) -> Path:
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "articles" / "evil.md").write_text(HOSTILE["article"], encoding="utf-8")
    (content / "overrides.yaml").write_text(HOSTILE["overrides"], encoding="utf-8")
    out = tmp_path / "site"
    result = run_build("--content", content, "--out", out)
    # the javascript: source of the added event is refused as neither an id nor a URL
    assert result.returncode == 1 and "neither an article id nor a URL" in result.stderr
    (content / "overrides.yaml").write_text(HOSTILE["overrides"].replace(
        '["javascript:window.__pwned=14"]', '["evil"]'), encoding="utf-8")
    result = run_build("--content", content, "--out", out)
    assert result.returncode == 0, result.stderr
    return out


def test_no_page_carries_runnable_payloads(tmp_path):
    out = hostile_site(tmp_path)
    for page in out.rglob("*.html"):
        parser = ActiveParts()
        parser.feed(page.read_text(encoding="utf-8"))
        assert not parser.found, (page.name, parser.found)
    # the words survive, escaped or sanitised, so the reader still sees the story
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Warning issued" in index and "burst its banks" in index
    assert "Flood" in (out / "articles" / "evil.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("where", ["/", "~", "content", "parent"])
def test_refuses_dangerous_output_folders(where, tmp_path, demo_content):
    target = {"/": Path("/"), "~": Path.home(), "content": demo_content, "parent": demo_content.parent}[where]
    before = sorted(os.listdir(target))
    result = run_build("--content", demo_content, "--out", target)
    assert result.returncode == 1
    assert "refusing to write the site here" in result.stderr
    assert sorted(os.listdir(target)) == before


def big_content(tmp_path, copies=60) -> Path:
    content = tmp_path / "big"
    (content / "articles").mkdir(parents=True)
    for source in sorted((ROOT / "content" / "articles").glob("*.md")):
        text = source.read_text(encoding="utf-8")
        for i in range(copies):
            (content / "articles" / f"{source.stem}-{i}.md").write_text(text, encoding="utf-8")
    return content


def test_a_killed_build_leaves_the_previous_site(tmp_path):
    content = big_content(tmp_path)
    out = tmp_path / "site"
    assert run_build("--content", ROOT / "content", "--out", out).returncode == 0
    old = tree_digest(out)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    started = time.monotonic()
    full = subprocess.run([sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out",
                           str(tmp_path / "timing"), "--no-cache"], env=env, capture_output=True)
    assert full.returncode == 0
    duration = time.monotonic() - started
    for fraction in (0.2, 0.5, 0.8, 0.95):
        proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--content", str(content),
                                 "--out", str(out), "--no-cache"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)     # the build alone: its workers must not outlive it
        proc.wait()
        now = tree_digest(out)
        # either the old site, untouched, or (if the build had finished) the complete new one
        assert now == old or now == tree_digest(tmp_path / "timing"), fraction
        if now != old:
            break
    time.sleep(0.5)
    assert processes_mentioning(str(content)) == [], "worker processes outlived the killed build"


def processes_mentioning(text: str) -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            pass
    return found


def test_long_builds_stay_quiet_when_output_is_not_a_terminal(tmp_path):
    content = big_content(tmp_path, copies=6)      # 30 articles: enough for the progress bar
    result = run_build("--content", content, "--out", tmp_path / "site", "--no-cache", "--jobs", "2")
    assert result.returncode == 0
    assert "extracting" not in result.stderr and "\r" not in result.stderr
