"""Exports for the tools newsrooms already use: TimelineJS 3 JSON, an Atom feed, an iCalendar
file. Each is a pure function of the timeline and gives the same bytes for the same input (no
'now': feed and calendar stamps come from the newest article)."""
from __future__ import annotations

import datetime as dt
import json
import re
from xml.sax.saxutils import escape as _xml_escape
from xml.sax.saxutils import quoteattr as _xml_quoteattr

from .events import Event
from .markup import markdown_html
from .pipeline import Timeline


# What XML 1.0 forbids outright (most C0 controls, lone surrogates, U+FFFE and U+FFFF): one such
# character in a title or a sentence would make the whole feed unreadable, so it is dropped.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What an iCalendar text may not hold: control characters other than the tab; line breaks are
# written as \n by _ical_text, and a bare CR would end the line and start another property.
NOT_ICAL = re.compile("[\x00-\x08\x0a-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    """Text for XML (and the HTML in TimelineJS slides), with what XML forbids dropped."""
    return _xml_escape(NOT_XML.sub("", text))


def quoteattr(text: str) -> str:
    return _xml_quoteattr(NOT_XML.sub("", text))


def newest(timeline: Timeline) -> dt.date:
    return max((a.published for a in timeline.articles), default=dt.date(1970, 1, 1))


def by_id(timeline: Timeline) -> dict:
    return {a.id: a for a in timeline.articles}


def event_url(timeline: Timeline, event_id: str, href: str) -> str:
    base = timeline.site.base_url
    return f"{base.rstrip('/')}/{href}" if base else href


def sources_line(articles: dict, e: Event) -> str:
    return ", ".join(articles[s].source or articles[s].title if s in articles else s for s in e.sources)


# ---------------------------------------------------------------- TimelineJS 3

def _tl_date(day: dt.date, precision: str) -> dict:
    date = {"year": str(day.year)}
    if precision not in ("year", "decade", "century"):
        date["month"] = str(day.month)
    if precision in ("day", "week"):
        date["day"] = str(day.day)
    return date


def timelinejs(timeline: Timeline, label, hrefs: dict) -> str:
    """Knight Lab TimelineJS 3's JSON: a title slide and one slide per event. A period longer
    than its own unit (a week, a season) gets an end date, and every slide shows our label."""
    events, articles = [], by_id(timeline)
    for e in timeline.events:
        start, end = dt.date.fromisoformat(e.start), dt.date.fromisoformat(e.end)
        slide = {
            "unique_id": e.id,
            "start_date": _tl_date(start, e.precision),
            "display_date": label(e.value, e.precision),
            "text": {"headline": escape(e.title[:140]),
                     "text": (markdown_html(e.summary) if e.summary else "") +
                             "".join(f"<p>{escape(s.sentence)}</p>" for s in e.statements[:3]) +
                             f"<p><em>{escape(sources_line(articles, e))}</em></p>"},
            "group": e.precision if e.precision != "day" else "",
        }
        if e.precision in ("week", "season", "quarter", "half", "decade", "century"):
            slide["end_date"] = _tl_date(end, "day" if e.precision != "decade" and e.precision != "century" else "year")
        if not slide["group"]:
            del slide["group"]
        events.append(slide)
    data = {"title": {"text": {"headline": escape(timeline.site.title),
                               "text": escape(timeline.site.description)}},
            "events": events}
    return json.dumps(data, ensure_ascii=False) + "\n"     # compact: the C encoder is many times faster


# ---------------------------------------------------------------- Atom

def atom(timeline: Timeline, label, hrefs: dict) -> str:
    last = newest(timeline)
    updated = f"{last.isoformat()}T00:00:00Z"
    feed_id = timeline.site.base_url or f"urn:dateline:{slug(timeline.site.title)}"
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<feed xmlns="http://www.w3.org/2005/Atom">',
             f"  <title>{escape(timeline.site.title)}</title>",
             f"  <id>{escape(feed_id)}</id>",
             f"  <updated>{updated}</updated>",
             "  <generator>dateline</generator>"]
    if timeline.site.description:
        lines.append(f"  <subtitle>{escape(timeline.site.description)}</subtitle>")
    if timeline.site.base_url:
        lines.append(f"  <link href={quoteattr(timeline.site.base_url)}/>")
    articles = by_id(timeline)
    for e in timeline.events:
        published = max((articles[s].published for s in e.sources if s in articles), default=last)
        body = "".join(f"<p>{escape(s.sentence)}</p>" for s in e.statements) or markdown_html(e.summary)
        lines += ["  <entry>",
                  f"    <id>{escape(entry_id(timeline, e))}</id>",
                  f"    <title>{escape(label(e.value, e.precision))}: {escape(e.title[:200])}</title>",
                  f"    <updated>{published.isoformat()}T00:00:00Z</updated>",
                  f"    <link href={quoteattr(event_url(timeline, e.id, hrefs.get(e.id, 'index.html') + '#' + e.id))}/>",
                  f"    <author><name>{escape(sources_line(articles, e) or 'dateline')}</name></author>",
                  f"    <content type=\"html\">{escape(body)}</content>",
                  "  </entry>"]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def entry_id(timeline: Timeline, e: Event) -> str:
    base = timeline.site.base_url
    return f"{base.rstrip('/')}/#{e.id}" if base else f"urn:dateline:{slug(timeline.site.title)}:{e.id}"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "timeline"


# ---------------------------------------------------------------- iCalendar

def _ical_text(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\\n".join(NOT_ICAL.sub("", line).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
                       for line in lines)


def _fold(line: str) -> list[str]:
    """RFC 5545: lines of at most 75 octets, continued with a leading space, never cutting a
    UTF-8 character in two."""
    data = line.encode("utf-8")
    parts, start, width = [], 0, 75
    while len(data) - start > width:
        cut = start + width
        while data[cut] & 0xC0 == 0x80:     # a continuation byte: step back to the character's start
            cut -= 1
        parts.append(data[start:cut].decode("utf-8"))
        start, width = cut, 74
    parts.append(data[start:].decode("utf-8"))
    return [parts[0]] + [" " + part for part in parts[1:]]


def _day_after(day: dt.date) -> dt.date:
    """DTEND of an all-day event ending on `day`; the calendar's last day ends at itself."""
    return day + dt.timedelta(days=1) if day < dt.date.max else day


def ical(timeline: Timeline, label, hrefs: dict) -> str:
    """All-day events whose DTSTART and DTEND (exclusive, as RFC 5545 has it) span each entry's
    period: a month-level entry spans its month."""
    stamp = f"{newest(timeline):%Y%m%d}T000000Z"
    articles = by_id(timeline)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//dateline//timeline//EN", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{_ical_text(timeline.site.title)}"]
    for e in timeline.events:
        start, end = dt.date.fromisoformat(e.start), _day_after(dt.date.fromisoformat(e.end))
        description = "\n".join(s.sentence for s in e.statements[:5]) + f"\n— {sources_line(articles, e)}"
        lines += ["BEGIN:VEVENT", f"UID:{_ical_text(e.id)}@dateline", f"DTSTAMP:{stamp}",
                  f"DTSTART;VALUE=DATE:{start:%Y%m%d}", f"DTEND;VALUE=DATE:{end:%Y%m%d}",
                  f"SUMMARY:{_ical_text(label(e.value, e.precision) + ': ' + e.title[:180])}",
                  f"DESCRIPTION:{_ical_text(description)}"]
        if timeline.site.base_url:
            lines.append(f"URL:{NOT_ICAL.sub('', event_url(timeline, e.id, hrefs.get(e.id, 'index.html') + '#' + e.id))}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))
