"""`python build.py import`: saved pages, feeds, a WordPress export and URLs served on loopback.

trafilatura, htmldate and feedparser are an optional extra (requirements-import.txt, which
requirements-dev.txt includes). Without them these tests are skipped on a developer's machine,
with the reason shown, and fail in CI."""
import http.server
import os
import re
import shutil
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, cases, missing_import_extra, run_build

MISSING = missing_import_extra()
if MISSING:
    reason = f"import's extra is not installed ({', '.join(MISSING)}): pip install -r requirements-import.txt"
    if os.environ.get("CI"):
        pytest.fail(reason + " (CI must install it: see requirements-dev.txt)", pytrace=False)
    pytest.skip(reason, allow_module_level=True)

from dateline import importer  # noqa: E402
from dateline.articles import parse_article  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "import"
PAGES = FIXTURES / "pages"
FEEDS = FIXTURES / "feeds"


def import_into(content: Path, *sources, options=()):
    return run_build("import", *sources, "--content", content, *options)


def read_articles(content: Path) -> dict:
    """Every imported article by its title, as the build reads it (front matter raw too)."""
    found = {}
    for path in sorted((content / "articles").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        front = dict(re.findall(r"^(\w+): (.*?)(?:\s+#.*)?$", text.split("\n---\n")[0], re.M))
        title = front["title"].strip('"')
        found[title] = {"path": path, "front": front, "body": text.split("\n---\n", 1)[1]}
    return found


# ---------------------------------------------------------------- saved pages

@pytest.fixture(scope="module")
def imported_pages(tmp_path_factory):
    content = tmp_path_factory.mktemp("pages") / "content"
    result = import_into(content, PAGES)
    return content, result, read_articles(content)


@pytest.mark.parametrize("case", cases("import_pages.yaml"), ids=lambda c: c["page"])
def test_a_saved_page_gives_its_story_title_and_original_date(imported_pages, case):
    content, result, articles = imported_pages
    assert case["title"] in articles, result.stderr
    article = articles[case["title"]]
    front, body = article["front"], article["body"]
    assert front["published"] == (case["published"] or "unknown")
    assert front.get("updated", "") == case.get("updated", "")
    if "author" in case:
        assert front["author"] == f'"{case["author"]}"'
    if "source" in case:
        assert front["source"] == f'"{case["source"]}"'
    for words in case["story"]:
        assert words in body, words
    for words in case["furniture"]:
        assert words.lower() not in body.lower(), words
    assert not body.lstrip().startswith("#"), "the headline is the title, not the first line of the body"
    if "note" in case:
        assert re.search(rf"^{re.escape(str(PAGES / case['page']))}: .*{re.escape(case['note'])}", result.stderr, re.M)


def test_an_undated_page_is_marked_reported_and_stops_the_build_with_a_clear_line(imported_pages, tmp_path):
    content, result, articles = imported_pages
    undated = articles["Volunteers clear tonnes of litter from the riverbank"]["path"]
    assert re.search(rf"^{re.escape(str(PAGES / 'undated.html'))}: no publication date found: {re.escape(str(undated))} "
                     r"says 'published: unknown'; fill in the date", result.stderr, re.M)
    assert result.returncode == 0       # not a failed source: the article is there to be dated
    check = run_build("check", "--content", content)
    assert check.returncode == 1
    line = undated.read_text(encoding="utf-8").split("\n").index(
        next(ln for ln in undated.read_text(encoding="utf-8").split("\n") if ln.startswith("published:"))) + 1
    assert re.search(rf"{re.escape(undated.name)}:{line}: 'published: unknown' is not a real date "
                     r"\(import found no date for it: look it up in the original", check.stderr)
    assert len(check.stderr.strip().splitlines()) == 1


def test_the_imported_pages_build_into_a_site(imported_pages, tmp_path):
    content, _, articles = imported_pages
    build_content = tmp_path / "content"
    shutil.copytree(content, build_content)
    (build_content / "articles" / articles["Volunteers clear tonnes of litter from the riverbank"]["path"].name).unlink()
    result = run_build("--content", build_content, "--out", tmp_path / "site", "--no-cache")
    assert result.returncode == 0, result.stderr
    pages = sorted((tmp_path / "site" / "articles").glob("*.html"))
    assert len(pages) == len(cases("import_pages.yaml")) - 1
    # dated against the original day as the publisher wrote it: "late on Saturday" before the 10th
    drone = (tmp_path / "site" / "articles" / "drone-attack-cuts-power-homes.html").read_text(encoding="utf-8")
    assert 'data-value="2024-03-09"' in drone


def test_progress_stays_quiet_when_not_on_a_terminal(imported_pages):
    _, result, _ = imported_pages
    assert "\r" not in result.stderr and "importing [" not in result.stderr
    assert result.stdout.strip().startswith("imported into ")


def test_progress_draws_a_bar_on_a_terminal():
    class Terminal:
        text = ""

        def isatty(self):
            return True

        def write(self, s):
            self.text += s

        def flush(self):
            pass

    terminal = Terminal()
    progress = importer.Progress(terminal)
    progress.add(4)
    progress.step()
    progress.say("a.html: something to check")
    progress.close()
    assert "importing [" in terminal.text and "1/4" in terminal.text
    assert "a.html: something to check\n" in terminal.text


# ---------------------------------------------------------------- dates from feeds and WordPress

@pytest.mark.parametrize("case", cases("import_dates.yaml")["feed"], ids=lambda c: c["raw"] or "empty")
def test_a_feed_date_keeps_its_own_offset(case):
    assert importer.feed_stamp(case["raw"]) == case["stamp"]


@pytest.mark.parametrize("case", cases("import_dates.yaml")["wordpress"], ids=lambda c: c["local"] or "empty")
def test_a_wordpress_date_takes_the_sites_offset(case):
    assert importer.wordpress_stamp(case["local"], case["gmt"]) == case["stamp"]


@pytest.mark.parametrize("case", cases("import_dates.yaml")["htmldate"], ids=lambda c: str(c["found"]))
def test_htmldate_stamps_become_front_matter_dates(case):
    assert importer.htmldate_stamp(case["found"]) == case["stamp"]


def test_feeds_with_full_text_give_every_item_dated_as_the_feed_says(tmp_path):
    content = tmp_path / "content"
    result = import_into(content, FEEDS / "offsets.rss", FEEDS / "published.atom")
    assert result.returncode == 0, result.stderr
    articles = read_articles(content)
    assert {t: a["front"]["published"] for t, a in articles.items()} == {
        "Ferry service suspended after storm damages pier": "2024-03-10T00:30:00+02:00",
        "Evening vote backs new school for the east shore": "2023-12-04T21:15:00-05:00",
        "New Year avalanche closes pass road": "2024-01-01T00:15:00+01:00"}
    assert articles["New Year avalanche closes pass road"]["front"]["updated"] == "2024-01-03T09:00:00+01:00"
    assert articles["Evening vote backs new school for the east shore"]["front"]["author"] == '"Tom Reyes"'
    assert "two moored boats sank" in articles["Ferry service suspended after storm damages pier"]["body"]
    build = run_build("check", "--content", content)
    assert build.returncode == 0, build.stderr


def test_a_wordpress_export_gives_its_published_posts(tmp_path):
    content = tmp_path / "content"
    result = import_into(content, FEEDS / "export.wxr")
    assert result.returncode == 0, result.stderr
    articles = read_articles(content)
    assert sorted(articles) == ["Mine reopens two years after collapse", "Road resurfacing starts in the old town"]
    mine = articles["Mine reopens two years after collapse"]
    assert mine["front"]["published"] == "2024-05-05T00:30:00+02:00"
    assert mine["front"]["author"] == '"Julia Morales"' and mine["front"]["source"] == '"The Hillside Record"'
    assert mine["path"].name == "mine-reopens.md"
    body = mine["body"]
    assert "trapped eleven workers" in body and "**safety plan**" in body
    assert "caption" not in body and "mine entrance in April" not in body
    assert len(re.findall(r"\n\n", body.strip())) == 2, "WordPress's blank-line paragraphs stay paragraphs"
    assert run_build("check", "--content", content).returncode == 0


# ---------------------------------------------------------------- never losing an editor's work

def test_nothing_is_imported_twice_and_an_edited_file_is_never_overwritten(tmp_path):
    content = tmp_path / "content"
    page = PAGES / "jsonld-newsarticle.html"
    assert import_into(content, page).returncode == 0
    files = sorted((content / "articles").glob("*.md"))
    assert [p.name for p in files] == ["council-approves-flood-barrier.md"]
    first = files[0].read_bytes()

    again = import_into(content, page)
    assert again.returncode == 0 and "1 unchanged" in again.stdout
    assert sorted((content / "articles").glob("*.md")) == files and files[0].read_bytes() == first

    # the same story under another address: the same text, not a second article
    copy = tmp_path / "syndicated.html"
    copy.write_text(page.read_text(encoding="utf-8").replace("rivergazette.example", "partner.example"),
                    encoding="utf-8")
    duplicate = import_into(content, copy)
    assert f"{copy}: the same text as" in duplicate.stderr
    assert sorted((content / "articles").glob("*.md")) == files

    edited = first.replace(b"four-hour hearing", b"four-hour public hearing")
    files[0].write_bytes(edited)
    kept = import_into(content, page)
    assert kept.returncode == 0
    assert f"{page}: {files[0]} was changed since it was imported: left as it is" in kept.stderr
    assert files[0].read_bytes() == edited


def test_a_file_nobody_changed_follows_the_originals_update(tmp_path):
    content = tmp_path / "content"
    page = tmp_path / "story.html"
    page.write_bytes((PAGES / "jsonld-newsarticle.html").read_bytes())
    assert import_into(content, page).returncode == 0
    page.write_text(page.read_text(encoding="utf-8").replace("packed the chamber", "filled the chamber"),
                    encoding="utf-8")
    result = import_into(content, page)
    assert result.returncode == 0 and "1 updated" in result.stdout
    [article] = (content / "articles").glob("*.md")
    assert "filled the chamber" in article.read_text(encoding="utf-8")


def test_a_hand_written_article_with_the_same_url_is_left_alone(tmp_path):
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    mine = content / "articles" / "flood-barrier.md"
    mine.write_text('---\ntitle: "Flood barrier"\npublished: 2023-06-14\n'
                    'url: http://rivergazette.example/news/2023/06/14/council-approves-flood-barrier?utm_source=x\n'
                    '---\nMy own notes on Tuesday.\n', encoding="utf-8")
    before = mine.read_bytes()
    result = import_into(content, PAGES / "jsonld-newsarticle.html")
    assert "was changed since it was imported: left as it is" in result.stderr
    assert mine.read_bytes() == before and len(list((content / "articles").glob("*.md"))) == 1


def test_each_failed_source_is_one_line_and_the_rest_still_import(tmp_path):
    content = tmp_path / "content"
    junk = tmp_path / "notes.txt"
    junk.write_text("just some words, no page here\n", encoding="utf-8")
    result = import_into(content, tmp_path / "nowhere.html", junk, PAGES / "url-only.html", "ftp://example.com/x")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [f"{tmp_path / 'nowhere.html'}: no such file or folder, and not an http(s) URL",
                     f"{junk}: not a web page, an RSS or Atom feed, a WordPress export or a list of URLs",
                     "ftp://example.com/x: no such file or folder, and not an http(s) URL"]
    assert [p.name for p in (content / "articles").glob("*.md")] == ["heatwave-breaks-july-record.md"]
    assert "3 failed" in result.stdout


# ---------------------------------------------------------------- URLs, on loopback only

class Site(http.server.BaseHTTPRequestHandler):
    robots = b"User-agent: *\nDisallow: /private/\n"
    routes = {
        "/news/2023/06/14/council-approves-flood-barrier/": (200, "text/html", PAGES / "jsonld-newsarticle.html"),
        "/2019/07/08/heatwave-breaks-july-record/": (200, "text/html", PAGES / "url-only.html"),
        "/private/memo.html": (200, "text/html", PAGES / "meta-name-date.html"),
        "/feed.rss": (200, "application/rss+xml", FEEDS / "summaries.rss"),
        "/moved": (301, "/2019/07/08/heatwave-breaks-july-record/", b""),
    }
    requested: list = []
    in_flight = busiest = 0
    lock = threading.Lock()

    def do_GET(self):
        with Site.lock:
            Site.requested.append((self.path, self.headers.get("User-Agent", ""), time.monotonic()))
            Site.in_flight += 1
            Site.busiest = max(Site.busiest, Site.in_flight)
        try:
            if self.path == "/slow":
                time.sleep(2)
            time.sleep(0.05)    # long enough for requests to overlap if they were not bounded
            status, kind, body = (200, "text/plain", Site.robots) if self.path == "/robots.txt" else \
                self.routes.get(self.path, (404, "text/plain", b"not here"))
            if isinstance(body, Path):
                body = body.read_bytes().replace(b"LOOPBACK", f"127.0.0.1:{self.server.server_port}".encode())
            self.send_response(status)
            if status == 301:
                self.send_header("Location", kind)
            else:
                self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with Site.lock:
                Site.in_flight -= 1

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
    httpd.daemon_threads = True
    Site.requested, Site.in_flight, Site.busiest = [], 0, 0
    Site.robots = b"User-agent: *\nDisallow: /private/\n"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def test_urls_are_fetched_politely_and_failures_named(server, tmp_path):
    content = tmp_path / "content"
    listing = tmp_path / "urls.txt"
    listing.write_text("\n".join(["# stories to import", f"{server}/news/2023/06/14/council-approves-flood-barrier/",
                                  f"{server}/moved", f"{server}/private/memo.html", f"{server}/gone"]) + "\n",
                       encoding="utf-8")
    result = import_into(content, listing, options=("--jobs", "2"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"{server}/private/memo.html: robots.txt asks robots not to fetch this page: save it from a browser "
        "and import the saved file instead",
        f"{server}/gone: HTTP 404 Not Found"]
    articles = read_articles(content)
    assert sorted(articles) == ["Council approves flood barrier after years of delay",
                                "Heatwave breaks July record in three regions"]
    # the redirect is followed, and the article keeps the address it ended at
    assert articles["Heatwave breaks July record in three regions"]["front"]["url"] == \
        f'"{server}/2019/07/08/heatwave-breaks-july-record/"'
    paths = [path for path, _, _ in Site.requested]
    assert "/private/memo.html" not in paths and paths.count("/robots.txt") == 1
    assert all(agent.startswith("dateline-import/") for _, agent, _ in Site.requested)
    assert Site.busiest <= 2


def test_a_feed_url_follows_each_items_link_for_the_full_text(server, tmp_path):
    content = tmp_path / "content"
    result = import_into(content, f"{server}/feed.rss")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"{server}/missing-story: HTTP 404 Not Found"]
    articles = read_articles(content)
    heat = articles["Heatwave breaks July record in three regions"]
    assert heat["front"]["published"] == "2019-07-08T23:40:00+01:00"      # the feed's, offset kept
    assert heat["front"]["source"] == '"Loopback Ledger"'
    assert "Forecasters expect the heat to ease by Thursday" in heat["body"]
    assert "Popular" not in heat["body"]
    assert run_build("check", "--content", content).returncode == 0


def test_a_server_that_does_not_answer_in_time_is_one_line(server, tmp_path):
    result = import_into(tmp_path / "content", f"{server}/slow", options=("--timeout", "0.5"))
    assert result.returncode == 1
    assert result.stderr.strip() == f"{server}/slow: no answer within 0.5 s"


def test_a_crawl_delay_in_robots_txt_spaces_the_requests_to_that_site(server, tmp_path):
    Site.robots = b"User-agent: *\nCrawl-delay: 1\n"
    result = import_into(tmp_path / "content", f"{server}/news/2023/06/14/council-approves-flood-barrier/",
                         f"{server}/2019/07/08/heatwave-breaks-july-record/", options=("--jobs", "4"))
    assert result.returncode == 0, result.stderr
    starts = sorted(at for path, _, at in Site.requested if path != "/robots.txt")
    assert len(starts) == 2 and starts[1] - starts[0] >= 0.9
