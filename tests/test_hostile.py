"""Hostile and unlucky input: no crash, no stall, no broken export, no lost file."""
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import icalendar
import pytest

from conftest import ROOT, cases, run_build, tree_digest

INPUTS = cases("hostile.yaml")["inputs"]
MESSAGE_LINE = re.compile(r"^\S.*:\d+(:\d+)?: ")


def write_content(content: Path, files: dict, outside: Path) -> None:
    (content / "articles").mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, dict) and "symlink_to" in data:
            path.symlink_to(data["symlink_to"].replace("{outside}", str(outside)))
        elif isinstance(data, dict) and data.get("fifo"):
            os.mkfifo(path)
        elif isinstance(data, dict):
            path.write_text(f"---\n{data['front']}\n---\n" + data["body"] * data["times"] + "\n" + data.get("tail", ""),
                            encoding="utf-8")
        else:
            path.write_text(data, encoding="utf-8", newline="")


class Attributes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values = []

    def handle_starttag(self, tag, attrs):
        self.values += [value or "" for _, value in attrs]


@pytest.mark.parametrize("case", INPUTS, ids=[c["name"] for c in INPUTS])
def test_hostile_input(case, tmp_path, demo_site):
    good_site = demo_site       # a failed build must leave it as it was
    content = tmp_path / "content"
    outside = tmp_path / "private.yaml"
    outside.write_text("title: a file that is not the site's\n")
    write_content(content, case["files"], outside)
    out = good_site if case["status"] == 1 else tmp_path / "site"
    before = tree_digest(good_site)
    started = time.monotonic()
    result = run_build("--content", content, "--out", out, "--no-cache", *case.get("args", []),
                       timeout=case.get("seconds", 60))
    assert time.monotonic() - started < case.get("seconds", 60)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == case["status"], result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert all(MESSAGE_LINE.match(line) for line in lines), lines
    if case["status"] == 1:
        assert any(re.search(case["error"], line) for line in lines), lines
        assert tree_digest(good_site) == before
        return
    if "warning" in case:
        assert any(re.search(case["warning"], line) for line in lines), lines
    events = json.loads((out / "timeline.json").read_text(encoding="utf-8"))["events"]
    feed = ET.fromstring((out / "feed.xml").read_bytes())        # strict XML: one bad character fails it
    assert len(feed.findall("{http://www.w3.org/2005/Atom}entry")) == len(events)
    calendar = icalendar.Calendar.from_ical((out / "timeline.ics").read_bytes())
    assert len(calendar.walk("VEVENT")) == len(events)
    assert all(str(v["UID"]).endswith("@dateline") for v in calendar.walk("VEVENT"))
    for page in out.rglob("*.html"):    # nothing HTML forbids (the Nu checker's "control character")
        assert not re.search("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffe\uffff]", page.read_text(encoding="utf-8")), page
    for name in case.get("pages", []):
        assert (out / name).is_file(), name
    if "page_has" in case or "attribute_has" in case:
        page = (out / "articles" / "a.html").read_text(encoding="utf-8")
        for text in case.get("page_has", []):
            assert text in page, text
        parser = Attributes()
        parser.feed(page)
        for value in case.get("attribute_has", []):
            assert value in parser.values, parser.values


def test_bidi_overrides_are_closed_in_every_page(tmp_path):
    content = tmp_path / "content"
    write_content(content, {"articles/a.md": "---\ntitle: \"Invoice \u202egnp.exe\"\npublished: 2022-02-03\n---\n"
                                             "It rained on Monday \u202eevil\u2067 here.\n"}, tmp_path)
    assert run_build("--content", content, "--out", tmp_path / "site").returncode == 0
    for page in (tmp_path / "site").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        opened = sum(text.count(c) for c in "\u202a\u202b\u202d\u202e")
        isolated = sum(text.count(c) for c in "\u2066\u2067\u2068")
        assert text.count("\u202c") >= opened and text.count("\u2069") >= isolated, page.name


# ---------------------------------------------------------------- the output folder

def many_articles(content: Path, copies: int) -> None:
    (content / "articles").mkdir(parents=True)
    for source in sorted((ROOT / "content" / "articles").glob("*.md")):
        for i in range(copies):
            shutil.copy(source, content / "articles" / f"{source.stem}-{i}.md")


def test_two_builds_on_one_output_never_publish_an_incomplete_site(tmp_path):
    """Two builds of different content race into one --out, round after round, the second
    starting while the first is at a different stage each time, while the live site is read all
    along: every file its manifest lists is there, and both builds succeed."""
    first, second = tmp_path / "first", tmp_path / "second"
    many_articles(first, 6)
    many_articles(second, 5)
    # article pages that take a while to render, so that a build spends most of its time
    # writing its new site: the moments a second build could spoil
    templates = tmp_path / "templates"
    templates.mkdir()
    page = (ROOT / "templates" / "article.html").read_text(encoding="utf-8")
    assert "{% block main %}" in page
    (templates / "article.html").write_text(page.replace("{% block main %}", "{% block main %}"
                                                         "{% set slow = range(400000)|sum %}"), encoding="utf-8")
    out = tmp_path / "site"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, str(ROOT / "build.py"), "--out", str(out), "--cache", str(tmp_path / "cache"),
               "--templates", str(templates), "--jobs", "1", "--content"]
    for content in (first, second):     # the second's articles are among the first's: cached
        started = time.monotonic()
        assert subprocess.run(command + [str(content)], env=env, capture_output=True).returncode == 0
    duration = time.monotonic() - started
    done, incomplete = threading.Event(), []

    def watch():
        while not done.is_set():
            try:
                listed = json.loads((out / ".dateline-site").read_text(encoding="utf-8"))["files"]
            except (OSError, ValueError):
                continue        # the moment of a swap
            missing = [rel for rel in listed if not (out / rel).is_file()]
            if missing:
                try:    # read again: a swap may have come between reading the list and the files
                    again = json.loads((out / ".dateline-site").read_text(encoding="utf-8"))["files"]
                except (OSError, ValueError):
                    continue
                if again == listed:
                    incomplete.append(missing[:3])

    watcher = threading.Thread(target=watch)
    watcher.start()
    started = time.monotonic()
    try:
        for i, fraction in enumerate((0.4, 0.6, 0.3, 0.5, 0.7)):
            if i >= 3 and time.monotonic() - started > 15:
                break
            one = subprocess.Popen(command + [str(second)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            time.sleep(duration * fraction)
            two = subprocess.Popen(command + [str(first)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for build in (one, two):
                build.wait(timeout=120)
                assert build.returncode == 0, build.stderr.read().decode()
    finally:
        done.set()
        watcher.join()
    assert not incomplete, incomplete
    assert len(list((out / "articles").glob("*.html"))) in (6 * 5, 5 * 5)
    assert not list(tmp_path.glob(".site.new-*")) + list(tmp_path.glob(".site.old-*"))


def test_files_the_user_adds_to_the_output_survive_rebuilds(tmp_path, demo_content):
    out = tmp_path / "site"
    assert run_build("--content", demo_content, "--out", out).returncode == 0
    (out / "CNAME").write_text("timeline.example.org\n")
    (out / ".git" / "refs").mkdir(parents=True)
    (out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (out / "articles" / "notes.txt").write_text("mine")
    (out / ".nojekyll").symlink_to("CNAME")
    for change in ("title: One\n", "title: Two\n"):
        (demo_content / "site.yaml").write_text(change)
        assert run_build("--content", demo_content, "--out", out).returncode == 0
        assert change.split(": ")[1].strip() in (out / "index.html").read_text(encoding="utf-8")
        assert (out / "CNAME").read_text() == "timeline.example.org\n"
        assert (out / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages\n"
        assert (out / ".git" / "refs").is_dir()
        assert (out / "articles" / "notes.txt").read_text() == "mine"
        assert os.readlink(out / ".nojekyll") == "CNAME"


def test_a_page_edited_in_place_does_not_survive_a_rebuild(tmp_path, demo_content):
    out = tmp_path / "site"
    assert run_build("--content", demo_content, "--out", out).returncode == 0
    clean = tree_digest(out)
    page = sorted((out / "articles").glob("*.html"))[0]
    with page.open("a", encoding="utf-8") as fh:     # in place: the same file, hard links and all
        fh.write("<p>edited by hand</p>")
    assert run_build("--content", demo_content, "--out", out).returncode == 0
    assert tree_digest(out) == clean
    # and with another article removed, so that the pages it did not touch are reused
    with page.open("a", encoding="utf-8") as fh:
        fh.write("<p>edited by hand</p>")
    sorted((demo_content / "articles").glob("*.md"))[-1].unlink()
    assert run_build("--content", demo_content, "--out", out).returncode == 0
    assert "edited by hand" not in page.read_text(encoding="utf-8")


def test_the_site_does_not_depend_on_time_zone_or_folder(tmp_path, demo_content):
    outs = []
    for zone, where in (("UTC", "a"), ("Pacific/Kiritimati", "b"), ("America/Adak", "c")):
        content = tmp_path / where / "content"
        shutil.copytree(demo_content, content)
        out = tmp_path / where / "site"
        env = dict(os.environ, PYTHONPATH=str(ROOT), TZ=zone)
        result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out)],
                                env=env, capture_output=True, text=True, cwd=tmp_path / where)
        assert result.returncode == 0, result.stderr
        assert str(tmp_path) not in (out / ".dateline-site").read_text(encoding="utf-8")
        outs.append(tree_digest(out))
    assert outs[0] == outs[1] == outs[2]


def test_output_inside_the_content_folder_is_refused(tmp_path, demo_content):
    result = run_build("--content", demo_content, "--out", demo_content / "site")
    assert result.returncode == 1
    assert re.search(r"site:1: refusing to write the site inside the content folder", result.stderr)
    assert not (demo_content / "site").exists()


def test_a_full_disk_names_the_file(tmp_path, demo_content):
    """Writes fail past a size limit (as on a full disk): the message names a file of the site."""
    out = tmp_path / "site"
    assert run_build("--content", demo_content, "--out", out).returncode == 0
    before = tree_digest(out)
    (demo_content / "site.yaml").write_text("title: Changed\n")
    limit = "import resource, signal; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); " \
            "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096)); "
    result = subprocess.run([sys.executable, "-c", limit + "import sys; from dateline.cli import main; "
                             "sys.exit(main(sys.argv[1:]))", "--content", str(demo_content), "--out", str(out),
                             "--no-cache"], env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert re.search(rf"^{re.escape(str(out))}/\S+:1: cannot write: File too large", result.stderr, re.M), result.stderr
    assert tree_digest(out) == before


# ---------------------------------------------------------------- budgets, cache, messages

def test_an_article_over_its_time_budget_is_reported_and_skipped(tmp_path, monkeypatch):
    from dateline import budget, cli
    content = tmp_path / "content"
    write_content(content, {
        "articles/slow.md": "---\ntitle: Slow\npublished: 2022-02-03\n---\n" + "It rained on Monday. " * 20000,
        "articles/quick.md": "---\ntitle: Quick\npublished: 2022-02-03\n---\nIt rained on Monday.\n"}, tmp_path)
    monkeypatch.setattr(budget, "BASE_SECONDS", 0.2)
    monkeypatch.setattr(budget, "SECONDS_PER_MB", 0.0)
    args = ["--content", str(content), "--out", str(tmp_path / "site"), "--no-cache", "--jobs", "1"]
    assert cli.main(args) == 1
    assert cli.main(args + ["--keep-going"]) == 0
    assert (tmp_path / "site" / "articles" / "quick.html").exists()
    assert not (tmp_path / "site" / "articles" / "slow.html").exists()


def test_the_budget_holds_when_its_interrupt_falls_in_a_finaliser(capsys, monkeypatch):
    """Python prints an exception raised in a finaliser (or a generator the collector closes) and
    goes on: the budget must still stop the work, and print nothing."""
    from dateline import budget
    from dateline.articles import Article

    class Slow:
        def __del__(self):      # still running when the budget runs out
            end = time.monotonic() + 0.3
            while time.monotonic() < end:
                pass

    def work(article):
        if article.body == "slow":
            Slow()
            for _ in range(2000):       # two seconds more, unless interrupted
                time.sleep(0.001)
        return "finished"

    article = Article(id="slow", path="articles/slow.md", title="Slow", published=dt.date(2022, 2, 3), source="",
                      url="", author="", language="en", body="slow", body_line=5)
    monkeypatch.setattr(budget, "seconds_for", lambda text: 0.1)
    found = budget.within_budget(work, article)
    assert not isinstance(found, str) and "took over 0.1 seconds" in found.message
    assert "OverBudget" not in capsys.readouterr().err
    assert budget.within_budget(lambda a: "finished", article) == "finished"     # no alarm left behind


def test_time_budget_message(capsys, tmp_path, monkeypatch):
    from dateline import budget, cli
    content = tmp_path / "content"
    write_content(content, {"articles/slow.md": "---\ntitle: Slow\npublished: 2022-02-03\n---\n"
                                                + "It rained on Monday. " * 20000}, tmp_path)
    monkeypatch.setattr(budget, "BASE_SECONDS", 0.2)
    monkeypatch.setattr(budget, "SECONDS_PER_MB", 0.0)
    assert cli.main(["check", "--content", str(content), "--no-cache", "--jobs", "1"]) == 1
    assert re.search(r"articles/slow\.md:1: reading this article took over 0.2 seconds", capsys.readouterr().err)


def test_a_forged_cache_entry_is_not_trusted(tmp_path):
    """An entry rewritten with raw HTML and a checksum recomputed to match is recomputed."""
    content = tmp_path / "content"
    write_content(content, {"articles/a.md": "---\ntitle: A\npublished: 2022-02-03\n---\nIt rained on Monday.\n"},
                  tmp_path)
    cache, out = tmp_path / "cache", tmp_path / "site"
    assert run_build("--content", content, "--out", out, "--cache", cache).returncode == 0
    import marshal
    forged = 0
    for entry in cache.rglob("*.entry"):
        header, payload = entry.read_bytes().split(b"\n", 1)
        try:
            data = marshal.loads(payload)
        except (ValueError, EOFError):
            continue
        if isinstance(data, tuple) and len(data) == 4 and isinstance(data[3], str):
            data = data[:3] + ("<script>window.__pwned=1</script><p>It rained</p>",)
            payload = marshal.dumps(data)
            fields = json.loads(header)
            for name in ("sha256", "hmac"):
                if name in fields:
                    fields[name] = hashlib.sha256(payload).hexdigest()
            entry.write_bytes(json.dumps(fields).encode() + b"\n" + payload)
            forged += 1
    assert forged == 1
    (content / "site.yaml").write_text("title: Again\n")
    assert run_build("--content", content, "--out", out, "--cache", cache).returncode == 0
    assert "__pwned" not in (out / "articles" / "a.html").read_text(encoding="utf-8")


def test_explain_escapes_article_text(tmp_path):
    content = tmp_path / "content"
    write_content(content, {"articles/a.md": "---\ntitle: A\npublished: 2022-02-03\n---\n"
                                             "It rained on Monday \x1b[2J\x1b]0;owned\x07 in town.\n"}, tmp_path)
    out = tmp_path / "site"
    assert run_build("--content", content, "--out", out).returncode == 0
    sid = json.loads((out / "timeline.json").read_text(encoding="utf-8"))["events"][0]["statements"][0]["id"]
    result = run_build("explain", sid, "--content", content, "--out", out)
    assert result.returncode == 0
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b[2J" in result.stdout


def test_messages_are_one_line_with_control_characters_escaped():
    from dateline.errors import Problem
    line = str(Problem("a\nb.md", 3, "bad \x1b[31m value\r\nc.md:1: forged \u202e"))
    assert "\n" not in line and "\r" not in line and "\x1b" not in line and "\u202e" not in line
    assert line == "a\\nb.md:3: bad \\x1b[31m value\\r\\nc.md:1: forged \\u202e"


def test_private_use_text_cannot_pose_as_a_mark():
    from dateline.markup import fill_marks, marked_html
    body = "Icons \ue000 \ue001 \ue002 \ue003 \ue003\ue004 and \ue0005\ue001x\ue002 on Monday."
    at = body.index("Monday")
    html = marked_html(body, [(at, at + 6)])
    filled = fill_marks(html, lambda i: (f'<a data-i="{i}">', "a"), 1)
    assert filled == f"<p>{body[:at]}<a data-i=\"0\">Monday</a>.</p>"


def test_a_file_name_not_in_utf8_is_one_line(tmp_path):
    content = tmp_path / "content"
    write_content(content, {"articles/a.md": "---\ntitle: A\npublished: 2022-02-03\n---\nIt rained on Monday.\n"},
                  tmp_path)
    Path(os.fsdecode(os.fsencode(content / "articles") + b"/caf\xe9.md")).write_bytes(
        b"---\ntitle: B\npublished: 2022-02-03\n---\nIt snowed on Tuesday.\n")
    result = run_build("--content", content, "--out", tmp_path / "site")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.search(r"articles/caf\\udce9\.md:1: the file name must use only", result.stderr), result.stderr
