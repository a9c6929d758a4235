"""`serve` builds, serves on localhost, rebuilds on change and tells the page to reload."""
import os
import re
import subprocess
import sys
import time
import urllib.request

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
