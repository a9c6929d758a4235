"""The exports parse in the tools that read them, and say what the timeline says."""
import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from html import unescape

import feedparser
import icalendar
import pytest

from conftest import cases, run_build, write_bridge_story
from dateline import cli, exports, pipeline, render


def timeline(site):
    return json.loads((site / "timeline.json").read_text(encoding="utf-8"))


def test_atom_feed_parses_with_one_entry_per_event(demo_site):
    feed = feedparser.parse((demo_site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    events = timeline(demo_site)["events"]
    assert len(feed.entries) == len(events)
    assert feed.feed.title == "Drones over Kyiv and Moscow"
    ids = {e["id"] for e in events}
    assert all(entry.id.rsplit(":", 1)[-1] in ids for entry in feed.entries)
    assert any("Monday 19 December 2022" in entry.title for entry in feed.entries)


def test_calendar_events_span_their_periods(demo_site):
    calendar = icalendar.Calendar.from_ical((demo_site / "timeline.ics").read_bytes())
    vevents = {str(v["UID"]).split("@")[0]: v for v in calendar.walk("VEVENT")}
    events = timeline(demo_site)["events"]
    assert set(vevents) == {e["id"] for e in events}
    for e in events:
        v = vevents[e["id"]]
        start, end = v.decoded("DTSTART"), v.decoded("DTEND")
        assert not isinstance(start, dt.datetime), "all-day events"
        assert start == dt.date.fromisoformat(e["start"])
        assert end == dt.date.fromisoformat(e["end"]) + dt.timedelta(days=1)     # DTEND is exclusive
    october = next(e for e in events if e["value"] == "2022-10")
    v = vevents[october["id"]]
    assert (v.decoded("DTSTART"), v.decoded("DTEND")) == (dt.date(2022, 10, 1), dt.date(2022, 11, 1))


def test_timelinejs_keeps_each_precision(demo_site):
    data = json.loads((demo_site / "timelinejs.json").read_text(encoding="utf-8"))
    events = timeline(demo_site)["events"]
    assert data["title"]["text"]["headline"] == "Drones over Kyiv and Moscow"
    slides = {s["unique_id"]: s for s in data["events"]}
    # every entry but background from long before the story (test_background_...)
    assert set(slides) <= {e["id"] for e in events}
    assert {e["id"] for e in events if e["role"] != "background"} <= set(slides)
    for e in (e for e in events if e["id"] in slides):
        start = slides[e["id"]]["start_date"]
        assert start["year"] == e["start"][:4]
        assert ("day" in start) == (e["precision"] in ("day", "week"))
        assert ("month" in start) == (e["precision"] not in ("year", "decade", "century"))
    winter = next(e for e in events if e["value"] == "2024-WI")
    assert slides[winter["id"]]["display_date"] == "winter 2024–25"
    assert slides[winter["id"]]["end_date"] == {"year": "2025", "month": "2", "day": "28"}


def test_exports_with_a_base_url_use_absolute_links(tmp_path, demo_content):
    (demo_content / "site.yaml").write_text("title: T\nbase_url: https://news.example.org/kyiv/\n")
    out = tmp_path / "site"
    assert run_build("--content", demo_content, "--out", out).returncode == 0
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert all(entry.link.startswith("https://news.example.org/kyiv/index.html#") for entry in feed.entries)
    calendar = icalendar.Calendar.from_ical((out / "timeline.ics").read_bytes())
    assert all(str(v["URL"]).startswith("https://news.example.org/kyiv/") for v in calendar.walk("VEVENT"))


# ---------------------------------------------------------------- as a newsroom publishes them


PRECISIONS = {"day", "week", "month", "season", "quarter", "half", "year", "decade", "century"}


@pytest.mark.parametrize("case", cases("cut_at_word.yaml"), ids=lambda c: c["cut"][:30])
def test_titles_are_cut_between_words(case):
    assert exports.cut_at_word(case["text"], case["limit"]) == case["cut"]
    assert len(case["cut"]) <= case["limit"]


def whole_words_of(cut: str, full: str) -> bool:
    """`cut` is `full`, or a run of its first whole words with an ellipsis."""
    full = " ".join(full.split())
    if cut == full or not cut.endswith("…"):
        return cut == full
    head = cut[:-1]
    return full.startswith(head) and (full[len(head)] in " ,;:–—-" or head.endswith(tuple(" ,;:–—-")))


def sources_paragraph(slide) -> str:
    return re.search(r'<p class="sources">(.*?)</p>', slide["text"]["text"]).group(1)


@pytest.mark.parametrize("which", ["demo_site", "published_site"])
def test_timelinejs_reads_like_a_newsroom(which, request):
    site = request.getfixturevalue(which)
    data = json.loads((site / "timelinejs.json").read_text(encoding="utf-8"))
    events = {e["id"]: e for e in timeline(site)["events"]}
    articles = {a["id"]: a for a in timeline(site)["articles"]}
    for slide in data["events"]:
        e = events[slide["unique_id"]]
        # rows mean something: background, the entry's first tag, or none at all (never a precision)
        assert slide.get("group") == ("Background" if e["role"] == "background" else
                                      e["tags"][0] if e.get("tags") else None)
        assert slide.get("group") not in PRECISIONS
        headline = unescape(slide["text"]["headline"])
        assert len(headline) <= exports.HEADLINE_CHARACTERS and whole_words_of(headline, e["title"]), headline
        # each outlet named once, each cited article linked by its headline
        cited = sources_paragraph(slide)
        for outlet in {articles[a]["source"] for a in e["sources"]}:
            assert cited.count(f"{outlet} (") == 1, (outlet, cited)
        links = dict((unescape(t), h) for h, t in re.findall(r'<a href="([^"]+)">(.*?)</a>', cited))
        assert {articles[a]["title"] for a in e["sources"]} == set(links)
        assert all(h.startswith("https://") for h in links.values())
    assert any(s["text"]["headline"].endswith("…") for s in data["events"])     # the demo has long titles
    groups = {s["group"] for s in data["events"] if "group" in s}
    assert groups - {"Background"} == ({"kyiv"} if which == "published_site" else set())
    # site.yaml's share image opens the story
    assert data["title"].get("media", {}).get("url") == (
        "https://news.example.org/kyiv/static/site/share.png" if which == "published_site" else None)


def test_mod_reaches_every_export(published_site):
    october = next(e for e in timeline(published_site)["events"] if e["value"] == "2022-10" and e.get("mod"))
    assert october["mod"] == "START"            # "early October" in one source, "October" in another
    data = json.loads((published_site / "timelinejs.json").read_text(encoding="utf-8"))
    assert next(s for s in data["events"] if s["unique_id"] == october["id"])["display_date"] == "early October 2022"
    feed = feedparser.parse((published_site / "feed.xml").read_bytes())
    entry = next(x for x in feed.entries if x.id.endswith(october["id"]))
    assert entry.title.startswith("early October 2022: ")
    assert [t.term for t in entry.tags] == ["belarus"]
    calendar = icalendar.Calendar.from_ical((published_site / "timeline.ics").read_bytes())
    vevent = next(v for v in calendar.walk("VEVENT") if str(v["UID"]).startswith(october["id"] + "@"))
    assert str(vevent["SUMMARY"]).startswith("early October 2022: ")
    assert vevent["CATEGORIES"].cats == ["belarus"]
    page = (published_site / "index.html").read_text(encoding="utf-8")
    assert '<time datetime="2022-10">early October 2022</time>' in page


@pytest.mark.parametrize("case", cases("date_labels.yaml"), ids=lambda c: c["label"])
def test_date_labels_say_how_exact_the_sources_are(case):
    assert render.date_label(case["value"], case["precision"], case["mod"]) == case["label"]


def test_feed_titles_are_cut_between_words(demo_site):
    feed = feedparser.parse((demo_site / "feed.xml").read_bytes())
    events = {e["id"]: e for e in timeline(demo_site)["events"]}
    cut = 0
    for entry in feed.entries:
        e = events[entry.id.rsplit(":", 1)[-1]]
        full = render.date_label(e["value"], e["precision"], e.get("mod")) + ": " + e["title"]
        assert len(entry.title) <= exports.FEED_TITLE_CHARACTERS and whole_words_of(entry.title, full), entry.title
        cut += entry.title.endswith("…")
    assert cut > 0


def test_feed_updated_and_sitemap_follow_the_site(published_site, demo_site):
    feed = feedparser.parse((published_site / "feed.xml").read_bytes())
    assert feed.feed.updated.startswith("2024-09-12")          # site.yaml's `updated`, after the newest article
    root = ET.fromstring((published_site / "sitemap.xml").read_bytes())
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {u.findtext("s:loc", namespaces=ns): u.findtext("s:lastmod", namespaces=ns) for u in root.findall("s:url", ns)}
    # the demo's article pages copy other outlets' text: they ask not to be indexed, and are not listed
    copies = {f"articles/{p.name}" for p in (published_site / "articles").iterdir()
              if '<meta name="robots" content="noindex">' in p.read_text(encoding="utf-8")}
    pages = {"index.html"} | {f"articles/{p.name}" for p in (published_site / "articles").iterdir()} - copies
    assert copies and set(locs) == {f"https://news.example.org/kyiv/{p}" for p in pages}
    assert locs["https://news.example.org/kyiv/index.html"] == "2024-09-12"
    assert not (demo_site / "sitemap.xml").exists()        # a sitemap needs full addresses: only with base_url


def test_sitemap_lists_every_page_of_a_large_timeline(tmp_path):
    content = tmp_path / "content"
    write_bridge_story(content)
    (content / "site.yaml").write_text("title: The bridge\nbase_url: https://example.org/bridge\n")
    with pytest.MonkeyPatch.context() as m:
        m.setattr(render, "PAGE_EVENTS", 2)
        assert cli.main(["build", "--content", str(content), "--out", str(tmp_path / "site"), "--no-cache"]) == 0
    root = ET.fromstring((tmp_path / "site" / "sitemap.xml").read_bytes())
    locs = {u[0].text for u in root}
    pages = {str(p.relative_to(tmp_path / "site")) for p in (tmp_path / "site").rglob("*.html")} - {"embed.html"}
    assert locs == {f"https://example.org/bridge/{p}" for p in pages}
    assert {"https://example.org/bridge/years/1881.html", "https://example.org/bridge/articles/bridge.html"} <= locs
    lastmod = {u[0].text: u[1].text for u in root}
    assert lastmod["https://example.org/bridge/articles/bridge.html"] == "2022-12-20"


def test_background_from_long_before_the_story_is_left_out_of_timelinejs_only(tmp_path):
    """The bridge story, published in December 2022, reports a vote that Monday and looks back to
    1881, 1899, 1999, 2009 and 2021: the background within a year of the story keeps a row of its
    own; the older would squeeze the story into one spot of TimelineJS's axis."""
    content = tmp_path / "content"
    write_bridge_story(content)
    story = content / "articles" / "bridge.md"
    story.write_text(story.read_text(encoding="utf-8") + "The town council voted on Monday to close the "
                     "old iron bridge over the river again, after engineers found cracks in its piers.\n",
                     encoding="utf-8")
    assert cli.main(["build", "--content", str(content), "--out", str(tmp_path / "site"), "--no-cache"]) == 0
    data = json.loads((tmp_path / "site" / "timelinejs.json").read_text(encoding="utf-8"))
    shown = [(s["start_date"]["year"], s.get("group")) for s in data["events"]]
    assert shown == [("2021", "Background"), ("2022", None)]
    assert "4 background entries" in data["title"]["text"]["text"]
    feed = feedparser.parse((tmp_path / "site" / "feed.xml").read_bytes())
    assert len(feed.entries) == 6                                  # the feed and calendar keep them all


def test_an_articles_lead_image_is_the_slides_media(demo_content):
    built = pipeline.run(demo_content)
    images = {"bloomberg-drones-kyiv-putin-belarus": "https://img.example.org/kyiv.jpg",
              "dna-putin-visits-belarus": "javascript:alert(1)"}
    pictured = replace(built, articles=tuple(replace(a, image=images.get(a.id, "")) for a in built.articles))
    data = json.loads(exports.timelinejs(pictured, render.date_label, {}))
    for slide in data["events"]:
        e = next(e for e in built.events if e.id == slide["unique_id"])
        if "bloomberg-drones-kyiv-putin-belarus" in e.sources:
            assert slide["media"]["url"] == "https://img.example.org/kyiv.jpg"
            assert slide["media"]["credit"] == "Bloomberg" and slide["media"]["link"].startswith("https://")
        else:
            assert "media" not in slide                 # a script address is never an image
