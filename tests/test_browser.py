"""The site in a real browser (Playwright driving Debian's chromium): no console errors, working
reading aids, no WCAG 2.1 AA violations (axe-core), valid HTML (the Nu checker), the TimelineJS
export loading in TimelineJS itself, and hostile content that never runs.

Needs /usr/bin/chromium and `npm install` in tests/browser (.ci/run does both). Without them the
tests are skipped on a developer's machine, and fail in CI."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, run_build

BROWSER = Path(os.environ.get("DATELINE_CHROMIUM", "/usr/bin/chromium"))
TOOLS = ROOT / "tests" / "browser" / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
TIMELINEJS = TOOLS / "@knight-lab" / "timelinejs" / "dist"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def missing(*paths) -> str | None:
    absent = [str(p) for p in paths if not Path(p).exists()]
    return f"not installed: {', '.join(absent)}" if absent else None


def require(*paths):
    reason = missing(*paths)
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI must install it: see .ci/run)")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    require(BROWSER)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(Path("playwright (pip)"))
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(BROWSER), args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    # the site needs no network: refuse it, so that any attempt shows as an error
    context.route("http*://**", lambda route: route.abort())
    pg = context.new_page()
    pg.errors = []
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    context.close()


def test_pages_render_without_console_errors(page, demo_site):
    for path in ["index.html"] + sorted(p.name for p in (demo_site / "articles").iterdir()):
        url = (demo_site / path if path == "index.html" else demo_site / "articles" / path).as_uri()
        page.goto(url)
        assert page.errors == [], (path, page.errors)
    page.goto((demo_site / "index.html").as_uri())
    assert page.locator(".entry").count() == len(json.loads((demo_site / "timeline.json").read_text())["events"])


def visible(page) -> int:
    return page.locator(".entry:visible").count()


def test_filters_and_search(page, demo_site):
    page.goto((demo_site / "index.html").as_uri())
    total = visible(page)
    assert page.locator(".controls").is_visible()
    events = json.loads((demo_site / "timeline.json").read_text())["events"]
    blinken = sum(1 for e in events if "blinken" in json.dumps(e, ensure_ascii=False).lower())
    assert 0 < blinken < total
    page.fill("input[name=q]", "Blinken")
    assert visible(page) == blinken
    assert f"{blinken} of" in page.text_content(".count")
    page.fill("input[name=q]", "")
    assert visible(page) == total
    page.select_option("select[name=source]", "DNA India")
    shown = page.locator(".entry:visible")
    assert 0 < shown.count() < total
    for i in range(shown.count()):
        assert "DNA India" in shown.nth(i).get_attribute("data-sources")
    page.select_option("select[name=source]", "")
    page.check("input[name=view][value=key]")
    assert 0 < visible(page) < total
    assert page.locator(".entry.key:visible").count() == visible(page)
    page.check("input[name=view][value=all]")
    assert visible(page) == total


def test_page_works_without_javascript(browser, demo_site):
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto((demo_site / "index.html").as_uri())
    # the story shows whole; its background is folded away and opens without a script
    assert pg.locator(".timeline .entry:visible").count() == pg.locator(".timeline .entry").count() > 0
    assert pg.locator(".background .entry").count() > 0
    pg.click(".background > summary")
    assert pg.locator(".entry:visible").count() == pg.locator(".entry").count()
    assert not pg.locator(".controls").is_visible()      # no controls that would do nothing
    context.close()


@pytest.mark.parametrize("path", ["index.html", "articles/dna-putin-visits-belarus.html", "embed.html"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_wcag_aa_violations(page, demo_site, path, scheme):
    require(AXE)
    page.emulate_media(color_scheme=scheme)
    page.goto((demo_site / path).as_uri())
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    problems = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert problems == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_folded_page_navigation_is_accessible_and_opens(page, paged_site, scheme):
    require(AXE)
    page.emulate_media(color_scheme=scheme)
    page.goto((paged_site / "years" / "1881.html").as_uri())
    nineties = page.locator("nav.pages a", has_text="1999")
    assert not nineties.is_visible()            # the 1900s are folded on a page of the 1800s
    page.locator("nav.pages summary", has_text="1900s").click()
    nineties.click()
    assert page.url.endswith("/years/1999.html") and not page.errors
    page.go_back()
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]] == []


def test_html_is_valid(demo_site, paged_site, published_site, tmp_path):
    require(VNU)
    if not shutil.which("java"):
        require(Path("java"))
    review = tmp_path / "review"
    assert run_build("--content", ROOT / "content", "--out", review, "--review").returncode == 0
    pages = [str(p) for site in (demo_site, review, paged_site, published_site) for p in sorted(site.rglob("*.html"))]
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "text", *pages],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr or result.stdout


@pytest.mark.parametrize("which", ["demo_site", "published_site"])
def test_timelinejs_export_loads_in_timelinejs(page, which, request, tmp_path):
    require(TIMELINEJS)
    site = request.getfixturevalue(which)
    data = (site / "timelinejs.json").read_text(encoding="utf-8")
    host = tmp_path / "timelinejs.html"
    host.write_text(f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>TimelineJS</title>
<link rel="stylesheet" href="{(TIMELINEJS / 'css' / 'timeline.css').as_uri()}">
<script src="{(TIMELINEJS / 'js' / 'timeline.js').as_uri()}"></script></head>
<body><div id="timeline-embed" style="width: 100%; height: 600px"></div>
<script>window.timeline = new TL.Timeline("timeline-embed", {data}, {{script_path: "{(TIMELINEJS / 'js').as_uri()}/"}});
window.timeline.on("loaded", function () {{ window.loaded = true; }});</script></body></html>""", encoding="utf-8")
    page.goto(host.as_uri())
    page.wait_for_function("window.loaded === true", timeout=20000)
    slides = page.evaluate("window.timeline._storyslider._slides.length")
    assert slides == len(json.loads(data)["events"]) + 1          # the title slide, then one per event
    errors = [e for e in page.errors if "net::ERR" not in e and "Failed to load resource" not in e]
    assert errors == []
    # rows are background and the tags, or there are none: never precision names
    rows = page.evaluate("window.timeline._timenav.timescale.getGroupLabels().map(g => g.label)")
    assert set(rows) - {""} == ({"Background", "kyiv"} if which == "published_site" else {"Background"})
    headlines = page.evaluate("window.timeline._storyslider._slides.map(s => s.data.text && s.data.text.headline)")
    assert all(len(h or "") <= 100 for h in headlines) and any((h or "").endswith("…") for h in headlines)


def test_hostile_content_never_runs(page, tmp_path):
    from test_safety import hostile_site
    site = hostile_site(tmp_path)
    for html in sorted(site.rglob("*.html")):
        page.goto(html.as_uri())
        for link in page.locator("a[href]").all()[:40]:
            href = link.get_attribute("href") or ""
            assert not href.lower().startswith("javascript:")
        page.mouse.move(10, 10)
        page.wait_for_timeout(100)
        assert page.evaluate("typeof window.__pwned") == "undefined", html.name


def test_no_network_requests(browser, demo_site):
    context = browser.new_context()
    requested = []
    context.on("request", lambda r: requested.append(r.url) if not r.url.startswith("file:") else None)
    pg = context.new_page()
    for path in ("index.html", "articles/bloomberg-drones-kyiv-putin-belarus.html"):
        pg.goto((demo_site / path).as_uri())
    context.close()
    assert requested == []


def test_print_stylesheet_hides_controls(page, demo_site):
    page.goto((demo_site / "index.html").as_uri())
    assert page.locator(".controls").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".controls").is_visible()
    assert not page.locator(".chip-out").first.is_visible()
    assert page.locator(".timeline .entry").first.is_visible()


def test_article_marks_show_their_date_and_link_to_the_timeline(page, demo_site):
    page.goto((demo_site / "articles" / "dna-putin-visits-belarus.html").as_uri())
    friday = page.locator("a.timex", has_text="Friday")
    assert friday.get_attribute("data-value") == "2022-12-16"
    friday.focus()
    label = page.evaluate("e => getComputedStyle(e, '::after').content", friday.element_handle())
    assert "Friday 16 December 2022" in label
    href = friday.get_attribute("href")
    assert href.startswith("../index.html#e-2022-12-16-")
    friday.click()
    assert page.url.endswith(href[len("../"):])
    assert page.locator(f"#{href.split('#')[1]}").is_visible()


def host_page(tmp_path, site, query="") -> Path:
    """A news article's page with the timeline embedded the way the README shows, collecting
    the Pym.js height messages it receives."""
    host = tmp_path / "host.html"
    host.write_text(f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A story</title></head>
<body><h1>A story with a timeline</h1><p>Some words before it.</p>
<iframe id="timeline" title="Timeline" src="{(site / 'embed.html').as_uri()}?childId=timeline{query}"
  style="width: 100%; border: 0" height="150"></iframe>
<p>Some words after it.</p>
<script>
window.heights = [];
window.addEventListener("message", function (e) {{
  var m = typeof e.data === "string" ? e.data.split("xPYMx") : [];
  if (m[0] === "pym" && m[1] === "timeline" && m[2] === "height") {{
    window.heights.push(Number(m[3]));
    document.getElementById("timeline").height = m[3];
  }}
}});
</script></body></html>""", encoding="utf-8")
    return host


def test_embed_sizes_itself_in_the_host_page(page, published_site, tmp_path):
    page.set_viewport_size({"width": 800, "height": 700})
    page.goto(host_page(tmp_path, published_site).as_uri())
    page.wait_for_function("window.heights.length > 0")
    embed = page.frame_locator("#timeline")
    frame = next(f for f in page.frames if f.url.split("?")[0].endswith("/embed.html"))
    frame.wait_for_load_state("load")
    own = frame.evaluate("Math.ceil(document.body.getBoundingClientRect().height)")
    page.wait_for_function(f"window.heights[window.heights.length - 1] === {own}")
    assert own > 2000                                                  # the whole timeline, not 150 px
    assert page.evaluate("document.getElementById('timeline').getBoundingClientRect().height") == own
    # filtering inside the embed shrinks it, and the host hears of it
    embed.locator("input[name=q]").fill("Blinken")
    page.wait_for_function(f"window.heights[window.heights.length - 1] < {own // 2}")
    assert frame.evaluate("Math.ceil(document.body.getBoundingClientRect().height)") == page.evaluate(
        "window.heights[window.heights.length - 1]")
    assert page.errors == []


def test_embed_opens_an_entry_in_the_top_window(page, published_site, tmp_path):
    page.goto(host_page(tmp_path, published_site).as_uri())
    page.wait_for_function("window.heights.length > 0")
    entry = page.frame_locator("#timeline").locator(".timeline .entry").nth(3)
    entry_id = entry.get_attribute("id")
    entry.locator("a.permalink").click()
    page.wait_for_url(f"**/index.html#{entry_id}")
    assert page.url == (published_site / "index.html").as_uri() + f"#{entry_id}"
    assert page.locator(f"#{entry_id}").is_visible() and page.locator("iframe").count() == 0
    page.go_back()
    page.frame_locator("#timeline").locator(".timeline .entry a.chip").first.click()      # an article: the top window too
    page.wait_for_url("**/articles/*.html")


def test_embed_headings_start_at_the_configured_level(page, published_site):
    page.goto((published_site / "embed.html").as_uri())
    assert page.locator("h1, h2").count() == 0
    assert page.locator("h3.page-title").count() == 1 and page.locator("h4.year-heading").count() > 0


def test_a_filtered_view_is_kept_in_the_address(page, published_site):
    page.goto((published_site / "index.html").as_uri())
    total = visible(page)
    page.select_option("select[name=source]", "Bloomberg")
    page.fill("input[name=q]", "drone")
    page.check("input[name=view][value=key]")
    shown = visible(page)
    assert 0 < shown < total
    url = page.url
    assert "source=Bloomberg" in url and "q=drone" in url and "view=key" in url
    page.goto("about:blank")
    page.goto(url)                                       # the shared address opens the same view
    assert page.input_value("select[name=source]") == "Bloomberg" and page.input_value("input[name=q]") == "drone"
    assert page.is_checked("input[name=view][value=key]") and visible(page) == shown
    page.select_option("select[name=source]", "")
    page.fill("input[name=q]", "")
    page.check("input[name=view][value=all]")
    assert "?" not in page.url.split("#")[0] and visible(page) == total


def test_tags_filter_the_timeline(page, published_site):
    page.goto((published_site / "index.html").as_uri())
    page.locator("a.tag[data-tag=kyiv]").click()
    assert page.input_value("select[name=tag]") == "kyiv" and "tag=kyiv" in page.url
    assert visible(page) == 1 and "kyiv" in page.text_content(".entry:visible .tags")
    page.select_option("select[name=tag]", "belarus")          # a background entry: unfolded to be seen
    assert visible(page) == 1 and "belarus" in page.text_content(".entry:visible .tags")
    assert page.locator("details.background").get_attribute("open") is not None
    page.goto((published_site / "index.html").as_uri() + "?tag=energy")
    assert visible(page) == 1 and page.input_value("select[name=tag]") == "energy"
    assert page.errors == []


def test_key_events_index_counts_key_events(page, paged_site):
    page.goto((paged_site / "index.html").as_uri())
    assert page.locator("input[name=view]").count() == 0
    assert page.text_content(".count").endswith(" key events")


def test_citation_dates_stay_whole_on_a_phone(page, published_site):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto((published_site / "index.html").as_uri())
    dates = page.locator(".cite time, .disagree time")
    assert dates.count() > 10
    lines = page.evaluate("els => els.map(e => e.getClientRects().length)", dates.element_handles())
    assert set(lines) == {1}                              # no "2022-12-" / "19" across two lines
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
