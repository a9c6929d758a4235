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
from .roles import BACKGROUND

HEADLINE_CHARACTERS = 100     # a TimelineJS headline; longer ones crowd the slide
FEED_TITLE_CHARACTERS = 160   # an Atom entry's title, date included


# render.py imports this module, so these of its helpers are imported when first used
def web_url(url: str) -> str:
    from .render import web_url
    return web_url(url)


def event_mod(statements):
    from .render import event_mod
    return event_mod(statements)


def absolute(site, path: str) -> str:
    from .render import absolute
    return absolute(site, path)


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
    """The newest article's date, or the site's `updated` line if later."""
    dates = [a.published for a in timeline.articles]
    if timeline.site.updated:
        dates.append(dt.date.fromisoformat(timeline.site.updated[:10]))
    return max(dates, default=dt.date(1970, 1, 1))


class Splice:
    """An export written as bytes, piece by piece: text of its own, and entries, each under a key
    (a digest of all it is made of). An entry whose key the last build's file holds is copied
    from that file's bytes, a run of such entries as one piece, instead of being made again.

    `previous`: the last file's bytes, and `index`: key -> (start, end) of its entries in them.
    After result(), `written` is the new file's index."""

    def __init__(self, previous: bytes = b"", index: dict | None = None):
        self.previous, self.index = memoryview(previous), index or {}
        self.pieces: list = []
        self.size = 0
        self.run: list[int] | None = None     # [start, end] of previous bytes the last piece copies
        self.written: dict[str, tuple[int, int]] = {}

    def text(self, text: str) -> None:
        data = text.encode("utf-8")
        if self.run and self.previous[self.run[1]:self.run[1] + len(data)] == data:
            self.run[1] += len(data)        # the same separator follows in the last file: one run
        else:
            self._close_run()
            self.pieces.append(data)
        self.size += len(data)

    def entry(self, key: str | None, make) -> None:
        """make(): the entry's text; not called if the last file holds the entry of `key`."""
        span = self.index.get(key) if key is not None else None
        if span is None:
            data = make().encode("utf-8")
            self._close_run()
            self.pieces.append(data)
            length = len(data)
        else:
            start, end = span
            if self.run and self.run[1] == start:
                self.run[1] = end
            else:
                self._close_run()
                self.run = [start, end]
            length = end - start
        if key is not None:
            self.written[key] = (self.size, self.size + length)
        self.size += length

    def _close_run(self) -> None:
        if self.run:
            self.pieces.append(self.previous[self.run[0]:self.run[1]])
            self.run = None

    def result(self) -> bytes:
        self._close_run()
        data = b"".join(self.pieces)
        self.pieces, self.previous = [], memoryview(b"")
        return data


def event_url(timeline: Timeline, event_id: str, href: str) -> str:
    base = timeline.site.base_url
    return f"{base.rstrip('/')}/{href}" if base else href


def sources_line(articles: dict, e: Event) -> str:
    """Each outlet once: "Reuters, Bloomberg", not "Reuters, Reuters, Bloomberg"."""
    return ", ".join(outlets(articles, e))


def outlets(articles: dict, e: Event) -> dict[str, list[str]]:
    """The entry's sources by outlet, in citing order: outlet -> its article ids (or the URL an
    added entry cites)."""
    by_outlet: dict[str, list[str]] = {}
    for s in e.sources:
        name = (articles[s].source or articles[s].title) if s in articles else re.sub(r"^https?://(www\.)?|/.*$", "", s)
        by_outlet.setdefault(name, []).append(s)
    return by_outlet


def cut_at_word(text: str, limit: int) -> str:
    """At most `limit` characters, cut between words with an ellipsis: "Russia launches…", never
    "Russia launc"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[:limit - 1]
    if text[limit - 1] != " " and " " in head:
        head = head[:head.rindex(" ")]
    return head.rstrip(" ,;:–—-") + "…"


def dated_label(label, e: Event) -> str:
    """The entry's date as people read it, with its sources' "early", "late" or "about"."""
    return label(e.value, e.precision, event_mod(e.statements))


def article_link(timeline: Timeline, article_id: str) -> str:
    """Where a citation of an article leads: the original if it is on the web, else its page here."""
    article = timeline.articles_by_id.get(article_id)
    if article is None:
        return web_url(article_id)
    return web_url(article.url) or event_url(timeline, "", f"articles/{article_id}.html")


def lead_image(timeline: Timeline, e: Event):
    """The first cited article with a lead image (front matter `image`), or None."""
    articles = timeline.articles_by_id
    for s in e.sources:
        if s in articles and web_url(getattr(articles[s], "image", "") or ""):
            return articles[s]
    return None


# ---------------------------------------------------------------- TimelineJS 3

def _tl_date(day: dt.date, precision: str) -> dict:
    date = {"year": str(day.year)}
    if precision not in ("year", "decade", "century"):
        date["month"] = str(day.month)
    if precision in ("day", "week"):
        date["day"] = str(day.day)
    return date


def timelinejs(timeline: Timeline, label, hrefs: dict, out: Splice | None = None, keys: dict | None = None) -> bytes:
    """Knight Lab TimelineJS 3's JSON: a title slide and one slide per event, as a newsroom
    would make it. A period longer than its own unit (a week, a season) gets an end date, and
    every slide shows our label. Rows are the entries' first tags (no rows without tags), and
    background has a row of its own; headlines are cut between words; each outlet is named
    once, its articles linked; an article's lead image is the slide's media."""
    keys = keys or {}
    shown = on_the_axis(timeline.events)

    def slide_of(e: Event) -> str:
        start, end = dt.date.fromisoformat(e.start), dt.date.fromisoformat(e.end)
        slide = {
            "unique_id": e.id,
            "start_date": _tl_date(start, e.precision),
            "display_date": dated_label(label, e),
            "text": {"headline": escape(cut_at_word(e.title, HEADLINE_CHARACTERS)),
                     "text": summary_html(e) +
                             "".join(f"<p>{escape(s.sentence)}</p>" for s in e.statements[:3]) +
                             f"<p class=\"sources\">{cited_html(timeline, e)}</p>"},
        }
        if e.precision in ("week", "season", "quarter", "half", "decade", "century"):
            slide["end_date"] = _tl_date(end, "day" if e.precision != "decade" and e.precision != "century" else "year")
        if e.role == BACKGROUND:
            slide["group"] = "Background"
        elif e.tags:
            slide["group"] = e.tags[0]
        pictured = lead_image(timeline, e)
        if pictured:
            slide["media"] = {"url": web_url(pictured.image), "caption": escape(pictured.title),
                              "credit": escape(pictured.source or ""), "link": article_link(timeline, pictured.id)}
        return json.dumps(slide, ensure_ascii=False)

    left_out = len(timeline.events) - len(shown)
    data = {"title": {"text": {"headline": escape(timeline.site.title),
                               "text": escape(timeline.site.description) + (
                                   f"<p>{left_out} background {'entry' if left_out == 1 else 'entries'} from "
                                   f"before the story {'is' if left_out == 1 else 'are'} on the full timeline.</p>"
                                   if left_out else "")}}}
    if timeline.site.image:                 # site.yaml's share image opens the story
        data["title"]["media"] = {"url": absolute(timeline.site, timeline.site.image),
                                  "alt": escape(timeline.site.image_alt)}
    # json.dumps(data) with the slides encoded one by one; compact: the C encoder is many times faster
    out = out or Splice()
    out.text(f'{{"title": {json.dumps(data["title"], ensure_ascii=False)}, "events": [')
    for i, e in enumerate(shown):
        if i:
            out.text(", ")
        out.entry(keys.get(e.id), lambda: slide_of(e))
    out.text("]}\n")
    return out.result()


def summary_html(e: Event) -> str:
    """The entry's summary: an editor's Markdown, else its report sentences as they are."""
    if "summary" in e.changed or "added" in e.changed:
        return markdown_html(e.summary)
    return f"<p>{escape(e.summary)}</p>" if e.summary else ""


def on_the_axis(events) -> list[Event]:
    """The entries a TimelineJS axis shows: the story, and the background no further before it
    than the story is long (a year at least). One 17th-century entry would otherwise squeeze the
    whole story into one spot of the axis; the page keeps it."""
    story = [e for e in events if e.role != BACKGROUND]
    if not story:
        return list(events)
    first = min(dt.date.fromisoformat(e.start) for e in story)
    reach = max(max(dt.date.fromisoformat(e.end) for e in story) - first, dt.timedelta(days=366))
    return [e for e in events if e.role != BACKGROUND or dt.date.fromisoformat(e.end) >= first - reach]


def cited_html(timeline: Timeline, e: Event) -> str:
    """"Sources: Reuters (<a>headline</a>, <a>headline</a>); Bloomberg (<a>headline</a>)", each
    outlet once, each article by its headline, linked."""
    articles, parts = timeline.articles_by_id, []
    for outlet, cited in outlets(articles, e).items():
        links = []
        for a in cited:
            text, href = escape(articles[a].title if a in articles else outlet), article_link(timeline, a)
            links.append(f"<a href={quoteattr(href)}>{text}</a>" if href else text)
        parts.append(f"{escape(outlet)} ({', '.join(links)})" if cited[0] in articles else ", ".join(links))
    return "Sources: " + "; ".join(parts) if parts else ""


# ---------------------------------------------------------------- Atom

def atom(timeline: Timeline, label, hrefs: dict, out: Splice | None = None, keys: dict | None = None) -> bytes:
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
    articles, keys = timeline.articles_by_id, keys or {}

    def entry(e: Event) -> str:
        published = max((articles[s].published for s in e.sources if s in articles), default=last)
        body = "".join(f"<p>{escape(s.sentence)}</p>" for s in e.statements) or markdown_html(e.summary)
        return "\n".join(["  <entry>",
                  f"    <id>{escape(entry_id(timeline, e))}</id>",
                  f"    <title>{escape(cut_at_word(dated_label(label, e) + ': ' + e.title, FEED_TITLE_CHARACTERS))}</title>",
                  f"    <updated>{published.isoformat()}T00:00:00Z</updated>",
                  f"    <link href={quoteattr(event_url(timeline, e.id, hrefs.get(e.id, 'index.html') + '#' + e.id))}/>",
                  f"    <author><name>{escape(sources_line(articles, e) or 'dateline')}</name></author>",
                  *(f"    <category term={quoteattr(tag)}/>" for tag in e.tags),
                  f"    <content type=\"html\">{escape(body)}</content>",
                  "  </entry>"])

    out = out or Splice()
    out.text("\n".join(lines) + "\n")
    for e in timeline.events:
        out.entry(keys.get(e.id), lambda: entry(e))
        out.text("\n")
    out.text("</feed>\n")
    return out.result()


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


def ical(timeline: Timeline, label, hrefs: dict, out: Splice | None = None, keys: dict | None = None) -> bytes:
    """All-day events whose DTSTART and DTEND (exclusive, as RFC 5545 has it) span each entry's
    period: a month-level entry spans its month."""
    stamp = f"{newest(timeline):%Y%m%d}T000000Z"
    articles = timeline.articles_by_id
    keys = keys or {}
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//dateline//timeline//EN", "CALSCALE:GREGORIAN",
            f"X-WR-CALNAME:{_ical_text(timeline.site.title)}"]

    def vevent(e: Event) -> str:
        start, end = dt.date.fromisoformat(e.start), _day_after(dt.date.fromisoformat(e.end))
        description = "\n".join(s.sentence for s in e.statements[:5]) + f"\n— {sources_line(articles, e)}"
        lines = ["BEGIN:VEVENT", f"UID:{_ical_text(e.id)}@dateline", f"DTSTAMP:{stamp}",
                 f"DTSTART;VALUE=DATE:{start:%Y%m%d}", f"DTEND;VALUE=DATE:{end:%Y%m%d}",
                 f"SUMMARY:{_ical_text(cut_at_word(dated_label(label, e) + ': ' + e.title, FEED_TITLE_CHARACTERS))}",
                 f"DESCRIPTION:{_ical_text(description)}"]
        if e.tags:
            lines.append("CATEGORIES:" + ",".join(_ical_text(tag) for tag in e.tags))
        if timeline.site.base_url:
            lines.append(f"URL:{NOT_ICAL.sub('', event_url(timeline, e.id, hrefs.get(e.id, 'index.html') + '#' + e.id))}")
        lines.append("END:VEVENT")
        return folded(lines)

    out = out or Splice()
    out.text(folded(head))
    for e in timeline.events:
        out.entry(keys.get(e.id), lambda: vevent(e))
    out.text(folded(["END:VCALENDAR"]))
    return out.result()


def folded(lines: list[str]) -> str:
    return "".join(part + "\r\n" for line in lines for part in _fold(line))


# ---------------------------------------------------------------- sitemap

def sitemap(timeline: Timeline, pages: list[tuple[str, tuple]], article_ids: list[str]) -> str:
    """sitemaps.org XML for search engines: the timeline pages (as (path, events)) and the
    article pages to index (`article_ids`: not those that copy another outlet's text). Written
    only with base_url, as a sitemap needs full addresses. A page's lastmod is the newest article
    it cites; the front page's is the site's `updated` line if later."""
    articles = timeline.articles_by_id
    lastmod = {"index.html": newest(timeline)}
    for path, events in pages:
        for s in {s for e in events for s in e.sources if s in articles}:
            lastmod[path] = max(lastmod.get(path, articles[s].published), articles[s].published)
    for a in article_ids:
        lastmod[f"articles/{a}.html"] = articles[a].published
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path in sorted(lastmod, key=lambda p: (p != "index.html", p)):
        lines.append(f"  <url><loc>{escape(event_url(timeline, '', path))}</loc>"
                     f"<lastmod>{lastmod[path].isoformat()}</lastmod></url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"
