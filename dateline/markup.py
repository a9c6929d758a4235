"""Article Markdown to safe HTML, with the temporal expressions marked.

The expensive part (Markdown and sanitising) depends on the article alone, so it runs at
extraction time, in parallel and cached; the marks are filled in with links at render time.
"""
from __future__ import annotations

import re
from functools import lru_cache

import markdown
import nh3

# Article bodies are pasted from the web: keep the formatting, drop anything that could run.
ALLOWED_TAGS = {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "a", "em", "strong", "b", "i",
                "u", "s", "blockquote", "q", "code", "pre", "ul", "ol", "li", "table", "thead",
                "tbody", "tr", "th", "td", "img", "figure", "figcaption", "sup", "sub", "abbr", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "abbr": {"title"},
                      "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
# Marks are private-use characters, which pass through Markdown and the sanitiser. Text may hold
# the same characters (icon fonts use them, pasted text carries them), so in the text each is
# first written as ESCAPE and a character of its own: nothing in an article can pose as a mark.
OPEN, SEP, CLOSE, ESCAPE = "\ue000", "\ue001", "\ue002", "\ue003"
RESERVED = re.compile("[\ue000-\ue003]")
ESCAPED = re.compile("\ue003([\ue004-\ue007])")
MARK = re.compile(f"{OPEN}(\\d+){SEP}")
PIECES = re.compile(f"({CLOSE}|{OPEN}\\d+{SEP})")
MARKDOWN_SYNTAX = re.compile(r"[*_`\[\]<>\n]")


@lru_cache(maxsize=1)
def _converter() -> markdown.Markdown:
    return markdown.Markdown(extensions=["sane_lists"], output_format="html")


# What makes text more than plain paragraphs to Markdown: its special characters, and lines that
# start a list ("11. " but not "11.00am"), a heading ("#" elsewhere is text) or its underline,
# a code block or end in a hard break. "!" only opens an image before "[", which is listed; a
# backslash escapes only Markdown's own characters ("24\/7" keeps it); "_" between letters or
# digits ("BBC_News") neither opens nor closes emphasis; "|" and "~" mean nothing without the
# tables and strikethrough extensions, which are not used; "\*" and "\_", which converters from
# HTML write for a literal "*" or "_", are those characters. Most clipped articles have none of
# it, and for them the HTML is simply their paragraphs with "&" escaped where it starts no
# character reference (Markdown completes "&#1990" to "&#1990;", so "&#" is not plain; a test
# holds this to Markdown's own output), several times quicker than running Markdown.
NOT_PLAIN = re.compile(r"[<>`\[\]\t\r]|(?<!\\)\*|(?<![^\W_])(?<!\\)_|(?<!\\)_(?![^\W_])|&#"
                       r"|\\(?=[\\`{}\[\]()>#+\-.!])|^ {0,3}(?:[-+=]|\d+[.)](?= |$))|^ *#|^ {4}| {2}$",
                       re.MULTILINE)
ESCAPED_LITERAL = re.compile(r"\\([*_])")     # in plain text, where nothing escapes the backslash
BARE_AMPERSAND = re.compile(r"&(?![\da-z]+;)", re.IGNORECASE)   # "&#" never comes here
SPACES_ONLY_LINE = re.compile(r"^ +$", re.MULTILINE)
BLANK_LINES = re.compile(r"\n{2,}")


def plain_paragraphs_html(text: str) -> str | None:
    """The HTML Markdown makes of `text` if it is plain paragraphs, else None. Like Markdown,
    it drops a paragraph's leading white space and keeps its trailing spaces."""
    if NOT_PLAIN.search(text):
        return None
    text = ESCAPED_LITERAL.sub(r"\1", BARE_AMPERSAND.sub("&amp;", SPACES_ONLY_LINE.sub("", text)))
    blocks = (block.lstrip().rstrip("\n") for block in BLANK_LINES.split(text))
    return "\n".join(f"<p>{block}</p>" for block in blocks if block)


def markdown_html(text: str) -> str:
    html = plain_paragraphs_html(text)
    if html is None:
        converter = _converter()    # one per process: building it costs more than converting a page
        html = converter.reset().convert(text)
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")


def _escaped(text: str) -> str:
    return RESERVED.sub(lambda m: ESCAPE + chr(ord(m.group()) + 4), text)


def _unescaped(html: str) -> str:
    return ESCAPED.sub(lambda m: chr(ord(m.group(1)) - 4), html)


def marked_html(body: str, spans: list[tuple[int, int]]) -> str:
    """The body as safe HTML, span i wrapped in OPEN i SEP ... CLOSE. A span across Markdown
    syntax is left unmarked rather than broken."""
    pieces, last = [], 0
    for i, (start, end) in enumerate(spans):
        if start < last or MARKDOWN_SYNTAX.search(body, start, end):
            continue
        pieces += [_escaped(body[last:start]), f"{OPEN}{i}{SEP}", _escaped(body[start:end]), CLOSE]
        last = end
    pieces.append(_escaped(body[last:]))
    return markdown_html("".join(pieces))


def fill_marks(html: str, open_tag, count: int) -> str:
    """Replace the marks: `open_tag(i)` gives (opening tag, tag name) for span i, of `count`.
    A mark of no span (from a damaged cache entry) is dropped with its end."""
    out, stack = [], []
    for part in PIECES.split(html):
        if part == CLOSE:
            name = stack.pop() if stack else None
            part = f"</{name}>" if name else ""
        elif (m := MARK.fullmatch(part)):
            i = int(m.group(1))
            tag, name = open_tag(i) if i < count else ("", None)
            stack.append(name)
            part = tag
        else:
            part = _unescaped(part) if ESCAPE in part else part
        out.append(part)
    return "".join(out)
