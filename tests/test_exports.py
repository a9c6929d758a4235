"""The exports parse in the tools that read them, and say what the timeline says."""
import datetime as dt
import json

import feedparser
import icalendar

from conftest import run_build


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
    assert set(slides) == {e["id"] for e in events}
    for e in events:
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
