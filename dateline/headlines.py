"""Short entry titles made from report sentences, as an editor would write them.

A sentence clipped from a page brings its page with it: wire datelines, live-page times,
Markdown marks, a leading "But", a trailing ", officials said". A title drops those, drops the
date (the entry shows it), and is cut at a clause where the sentence runs long. The patterns
are data (data/headlines.yaml).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .words import event_data
from .yamlio import own_data

DATA = Path(__file__).parent / "data" / "headlines.yaml"
MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
QUOTES = "\"“”‘’'"
ELLIPSIS = "…"


@lru_cache(maxsize=1)
def headline_data() -> dict:
    data = own_data(DATA)
    # datelines are told apart from prose by their capitals: these patterns are case-sensitive
    data["leading_furniture_re"] = re.compile("|".join(f"(?:{p})" for p in data["leading_furniture"]))
    for key in ("leading_connectives", "leading_subordinate", "attribution_tail", "pronoun_openings",
                "clause_breaks", "soft_breaks", "title_suffix"):
        data[key + "_re"] = re.compile(data[key], re.IGNORECASE)
    data["person_name_re"] = re.compile(data["person_name"])
    data["quotation_re"] = re.compile(data["quotation"])
    data["adjunct_re"] = re.compile(rf"(?:{data['date_adjuncts']})\s", re.IGNORECASE)
    data["adjunct_before_re"] = re.compile(rf"\b(?:{data['date_adjuncts']})\s+$", re.IGNORECASE)
    return data


def unescape(text: str) -> str:
    """Text without Markdown's backslash escapes ("\\* Most tenders fail" -> "* Most ...")."""
    return MARKDOWN_ESCAPE.sub(r"\1", text)


def furniture_end(sentence: str) -> int:
    """Where the page furniture opening a sentence (datelines, time stamps, list marks) ends."""
    furniture = headline_data()["leading_furniture_re"]
    at = len(sentence) - len(sentence.lstrip())
    while (m := furniture.match(sentence, at)) and m.end() > at:
        at = m.end()
        at += len(sentence[at:]) - len(sentence[at:].lstrip())
    return at


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def cleaned(sentence: str) -> str:
    """The sentence as it should be quoted: no furniture before it, no Markdown escapes."""
    text = " ".join(unescape(sentence).split())
    return text[furniture_end(text):]


def opens_badly(title: str) -> bool:
    """Whether a title opens with a pronoun or a quotation: it needs what came before it."""
    return bool(headline_data()["pronoun_openings_re"].match(title)) or title[:1] in QUOTES


def _without_date(text: str, expression: str) -> str:
    """The text without its date where the date is an adjunct the entry's date line replaces:
    "on Monday", "in March", or opening the sentence ("Overnight, ..."). A date inside a phrase
    ("Today's press conference", "at about midday") stays."""
    at = text.find(expression)
    if at < 0 or not expression or text.startswith(("'s", "’s"), at + len(expression)):
        return text         # "this week's show" names a thing by its date
    data = headline_data()
    before = data["adjunct_before_re"].search(text, 0, at)
    if data["adjunct_re"].match(expression):
        start = at
    elif before:
        start = before.start()
    elif at == 0 and text[len(expression):len(expression) + 1] == ",":
        start = 0
    else:
        return text
    text = text[:start] + text[at + len(expression):]
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r",\s*,", ",", text)
    return " ".join(text.split()).lstrip(",;: ")


def _named(title: str, previous: str) -> str:
    """ "He was charged ..." -> "Dr Murray was charged ..." when the sentence before names one
    person; else the title as it is."""
    data = headline_data()
    m = re.match(r"(He|She|His|Her)\b", title)
    if not m or not previous:
        return title
    stop = event_data()["stopword_set"]       # "The Houston clinic" names no one
    names = [n.group() for n in data["person_name_re"].finditer(previous) if n.group().split()[0].lower() not in stop]
    if not names:
        return title
    name = names[0] + ("'s" if m.group() in ("His", "Her") else "")
    return name + title[m.end():]


def shortened(title: str, keep: int = 0) -> str:
    """At most max_title_words: cut at a clause, else at a phrase that adds detail, else at a
    word with an ellipsis. The first `keep` characters (a date the title must show) stay."""
    data = headline_data()
    lo, hi = data["min_title_words"], data["max_title_words"]
    if len(title.split()) <= hi:
        return title
    without_asides = re.sub(r"\s*\([^()]*\)", "", title) if "(" not in title[:keep] else title
    if len(without_asides.split()) <= hi:
        return without_asides
    title = without_asides
    lo = max(lo, len(title[:keep].split()))
    for breaks in (data["clause_breaks_re"], data["soft_breaks_re"]):
        cuts = [m.start() for m in breaks.finditer(title, keep) if lo <= len(title[:m.start()].split()) <= max(hi, lo)]
        if cuts:
            return title[:cuts[-1]].rstrip(" ,;:-–—")
    words = title.split()
    if len(words) <= max(hi, lo):
        return title
    words = words[:max(hi, lo)]
    stop = event_data()["stopword_set"]
    while len(words) > lo and words[-1].lower().strip(",;:") in stop:
        words.pop()
    return " ".join(words).rstrip(",;:.-–—") + ELLIPSIS


def _quotation(text: str) -> str:
    """ "“We will not retreat,” the minister said." as "The minister: “We will not retreat”", if
    the speaker is named; else ""."""
    data = headline_data()
    m = data["quotation_re"].match(text)
    if not m or data["pronoun_openings_re"].match(m.group("speaker")):
        return ""
    speaker, quote = _capitalised(m.group("speaker").strip()), m.group("quote").strip()
    room = data["max_title_words"] + len(speaker.split())      # a quote is cut only when long
    words = quote.split()
    if len(words) > room:
        quote = " ".join(words[:room]).rstrip(",;:") + ELLIPSIS
    return f"{speaker}: “{quote}”"


def title_of(sentence: str, expression: str, previous: str = "", keep_date: bool = False) -> str:
    """A short title from a report sentence: furniture, connectives, the attribution and (unless
    `keep_date`) the date dropped, a pronoun opening named where the sentence before allows,
    cut to length, no closing period."""
    data = headline_data()
    text = cleaned(sentence)
    while m := data["leading_connectives_re"].match(text):
        if not text[m.end():]:
            break
        text = _capitalised(text[m.end():])
    if quoted := _quotation(text):
        return quoted
    tail = data["attribution_tail_re"].search(text)
    if tail and len(text[:tail.start()].split()) >= data["min_title_words"]:
        text = text[:tail.start()]
    scene = data["leading_subordinate_re"].match(text)
    if scene and len(text[scene.end():].split()) >= data["min_title_words"] and not (
            keep_date and expression in scene.group()):
        text = _capitalised(text[scene.end():])
    if not keep_date:
        text = _without_date(text, expression)
    text = _capitalised(_named(text.strip(), previous))
    at = text.find(expression) if keep_date and expression else -1
    keep = at + len(expression) if at >= 0 else 0
    if len(text[:keep].split()) > data["max_title_words"] + 4:
        keep = 0        # a date that comes this late cannot stay: the entry shows it anyway
    text = shortened(text, keep).rstrip(" .")
    if text[:1] in "“\"" and not any(q in text[1:] for q in "”\""):
        text = _capitalised(text[1:])       # a quotation cut short: no mark left open
    return text or shortened(cleaned(sentence)).rstrip(" .")


def article_title(title: str) -> str:
    """An article's own headline without the site's name after it."""
    text = " ".join(unescape(title).split())
    return shortened(headline_data()["title_suffix_re"].sub("", text)).rstrip(" .")
