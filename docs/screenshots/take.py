#!/usr/bin/env python3
"""Retake the README's screenshots of the demo site: python docs/screenshots/take.py

Builds the demo into a temporary folder and photographs it with Playwright and Debian's chromium."""
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

with tempfile.TemporaryDirectory() as tmp:
    site = Path(tmp) / "site"
    subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", str(site), "--no-cache"], check=True, cwd=ROOT)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1000, "height": 1400}, device_scale_factor=1)
        page.goto((site / "index.html").as_uri())
        page.locator(".entry.key").nth(3).scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -120)")
        page.screenshot(path=str(HERE / "timeline.png"))
        page.goto((site / "articles" / "dna-putin-visits-belarus.html").as_uri())
        page.locator(".timex").nth(0).focus()
        page.evaluate("window.scrollTo(0, 300)")
        page.screenshot(path=str(HERE / "article.png"))
        browser.close()
