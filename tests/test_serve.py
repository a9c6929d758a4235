"""`serve` builds, serves on localhost, rebuilds on change and tells the page to reload."""
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from conftest import ROOT


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read().decode("utf-8")


def wait_for(check, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_serve_rebuilds_and_reloads(demo_content, tmp_path):
    out = tmp_path / "site"
    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--port", "0", "--content",
                             str(demo_content), "--out", str(out), "--no-cache"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        line = ""
        while "serving" not in line:
            line = proc.stdout.readline()
            assert line, "serve exited"
        base = re.search(r"http://127\.0\.0\.1:\d+/", line).group()
        page = get(base)
        assert "/__dateline/version" in page and "Drones over Kyiv" in page
        assert "__dateline" not in (out / "index.html").read_text(encoding="utf-8")   # not on disk
        assert get(base + "__dateline/version") == "0"
        (demo_content / "site.yaml").write_text("title: Rebuilt while serving\n", encoding="utf-8")
        wait_for(lambda: get(base + "__dateline/version") == "1")
        assert "Rebuilt while serving" in get(base + "index.html")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def start_serve(content, tmp_path, *extra):
    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--port", "0", "--content",
                             str(content), "--out", str(tmp_path / "site"), "--no-cache", *extra], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    line = ""
    while "serving" not in line:
        line = proc.stdout.readline()
        assert line, "serve exited"
    return proc, re.search(r"http://127\.0\.0\.1:\d+/", line).group()


def test_a_failed_build_shows_in_the_page_over_the_last_good_site(demo_content, tmp_path):
    proc, base = start_serve(demo_content, tmp_path)
    try:
        assert "dateline-build-failed" not in get(base)
        article = sorted((demo_content / "articles").glob("*.md"))[0]
        good = article.read_text(encoding="utf-8")
        article.write_text(good.replace("published:", "publishd:", 1), encoding="utf-8")
        wait_for(lambda: get(base + "__dateline/version") == "1")
        page = get(base)
        assert "dateline-build-failed" in page and "Drones over Kyiv" in page     # the last good site beneath
        assert re.search(rf"{re.escape(article.name)}:\d+(:\d+)?: \S", page)     # its one-line messages
        article.write_text(good, encoding="utf-8")
        wait_for(lambda: get(base + "__dateline/version") == "2")
        assert "dateline-build-failed" not in get(base)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_answers_only_local_host_names(demo_content, tmp_path):
    proc, base = start_serve(demo_content, tmp_path)
    try:
        port = base.rstrip("/").rsplit(":", 1)[1]
        for host, allowed in ((f"127.0.0.1:{port}", True), (f"localhost:{port}", True),
                              ("evil.example", False), (f"evil.example:{port}", False), ("", False)):
            request = urllib.request.Request(base, headers={"Host": host})
            try:
                with urllib.request.urlopen(request, timeout=5) as r:
                    status = r.status
            except urllib.error.HTTPError as e:
                status = e.code
            assert (status == 200) == allowed, (host, status)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_idle_connections_do_not_each_hold_a_thread(demo_content, tmp_path):
    from dateline.serve import MAX_CONNECTIONS
    proc, base = start_serve(demo_content, tmp_path)
    port = int(base.rstrip("/").rsplit(":", 1)[1])
    idle = []
    try:
        for _ in range(MAX_CONNECTIONS * 2):
            idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        time.sleep(1)
        threads = int(re.search(r"^Threads:\s+(\d+)", Path(f"/proc/{proc.pid}/status").read_text(), re.M).group(1))
        assert threads <= MAX_CONNECTIONS + 4
    finally:
        for s in idle:
            s.close()
        proc.terminate()
        proc.wait(timeout=10)


def test_a_port_in_use_is_one_line(demo_content, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, str(ROOT / "build.py"), "serve", "--port", str(port), "--content",
                                 str(demo_content), "--out", str(tmp_path / "site"), "--no-cache"],
                                capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"cannot serve on port {port}: Address already in use: choose another "
                                                  "with --port N (--port 0 picks a free one)"]


def test_a_build_that_fails_unexpectedly_does_not_end_serve():
    from dateline.serve import guarded

    def broken(errors):
        raise IndexError("tuple index out of range\nforged.md:1: line")

    status, errors = guarded(broken)
    assert status == 1 and len(errors) == 1 and "\n" not in errors[0]
    assert "IndexError: tuple index out of range\\nforged.md:1: line" in errors[0]


def test_serve_waits_for_a_first_good_build(tmp_path):
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    article = content / "articles" / "a.md"
    article.write_text("---\ntitle: A\n---\nIt rained on Monday.\n", encoding="utf-8")
    proc, base = start_serve(content, tmp_path)
    try:
        page = get(base)
        assert "dateline-build-failed" in page and "missing &#x27;published&#x27;" in page
        article.write_text("---\ntitle: A\npublished: 2022-02-03\n---\nIt rained on Monday.\n", encoding="utf-8")
        wait_for(lambda: get(base + "__dateline/version") == "1")
        page = get(base)
        assert "dateline-build-failed" not in page and "It rained on" in get(base + "articles/a.html")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
