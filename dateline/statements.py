"""Stages 2 and 3, tag and statements: find each article's dated sentences.

`extract(article)` is a pure function of one article (its text and publication date), so it can
be cached, run in parallel, or mapped over a cluster.
"""
from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from .articles import Article
from .temporal import Timex, period_of, tag
from .temporal.grammar import available as grammar_available, base_language, load as load_grammar
from .temporal.tense import WORD_BEFORE_PERIOD, is_abbreviation
from .markup import marked_html
from .headlines import furniture_end
from .roles import REPORT, role_of
from .words import content_words, quantity_claims
from .yamlio import language_data

DATA = Path(__file__).parent / "data" / "text.yaml"    # the defaults; data/<lang>/text.yaml replaces keys
DATED_TYPES = ("DATE", "TIME")

# Markdown and HTML that is not prose: link targets, tags, code, bare URLs. Dates inside them
# ("/2022/12/" in a link) are not statements, so they are blanked out before tagging.
# (a tag holds no '<', a link definition's indent no line break: runs of either stay linear)
NOT_PROSE = re.compile(r"\]\([^)]*\)|<[^<>\n]+>|`[^`\n]*`|https?://\S+|www\.\S+|^[ \t]*\[[^\]]*\]:.*$", re.M)
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
WORD = re.compile(r"[^\W\d_][\w'’-]*")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    paragraph: int


@dataclass(frozen=True)
class Statement:
    id: str
    article: str
    sentence: str          # the sentence, white space collapsed
    context: str           # the sentence and the undated sentences that follow it
    previous: str          # the sentence before it, if any
    expression: str
    start: int             # offsets of the expression in the article body
    end: int
    value: str             # the TIMEX3 value as resolved
    type: str
    mod: str | None
    period_start: str      # ISO dates, inclusive
    period_end: str
    precision: str
    rule: str
    direction: int
    position: int          # order within the article
    words: tuple = ()      # weighted content words, for telling happenings apart (words.py)
    claims: tuple = ()     # counted things it reports, to find where sources disagree (words.py)
    role: str = REPORT     # report, reference, plan, background or furniture (roles.py)
    note: str = ""         # an editor's note, from overrides
    changed: tuple[str, ...] = ()   # fields an override changed
    original_value: str = ""        # the value before an override changed it


@dataclass(frozen=True)
class Extraction:
    """What one article yields: every expression found (for the article page) and its statements."""
    article: str
    timexes: tuple[Timex, ...]
    statements: tuple[Statement, ...]
    body_html: str          # the body as safe HTML, timex i marked (markup.py)


@lru_cache(maxsize=None)
def text_data(lang: str = "en") -> dict:
    data = language_data(DATA, lang)
    # one pattern for all: a single fullmatch per paragraph, and a single search
    data["furniture_re"] = re.compile("|".join(f"(?:{p})" for p in data["furniture"]), re.IGNORECASE | re.DOTALL)
    data["furniture_containing_re"] = re.compile("|".join(f"(?:{p})" for p in data["furniture_containing"]),
                                                 re.IGNORECASE | re.DOTALL)
    stamp = data["page_stamp"]
    # the stamp's words, then at most a few of the stamp's other parts ("08:58 GMT, Thursday, ")
    data["stamp_before_re"] = re.compile(rf"(?:{stamp})[^.\n]{{0,40}}$", re.IGNORECASE)
    data["stamp_after_re"] = re.compile(rf"[^.\n]{{0,12}}?(?:{stamp})", re.IGNORECASE)
    # a wire dateline opening a paragraph ("PARIS (AFP) -"): not part of the first sentence
    data["dateline_re"] = re.compile(data["dateline"]) if data.get("dateline") else None
    return data


def stamps_the_page(body: str, t: Timex, lang: str = "en") -> bool:
    """Whether a date is the page's own stamp ("24 June 2010 Last updated at 14:59 GMT")."""
    data = text_data(lang)
    return (data["stamp_before_re"].search(body, max(0, t.start - 80), t.start) is not None
            or data["stamp_after_re"].match(body, t.end, t.end + 60) is not None)


def mask_non_prose(body: str) -> str:
    """The body with link targets, tags, code and URLs blanked out, offsets unchanged."""
    return NOT_PROSE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), body)


def is_furniture(paragraph: str, lang: str = "en") -> bool:
    flat = " ".join(paragraph.split())
    data = text_data(lang)
    return data["furniture_re"].fullmatch(flat) is not None or data["furniture_containing_re"].search(flat) is not None


WORD_REACH = 100      # longer than any abbreviation
# (French sets guillemets apart by a space: "« Non. » Il")
SENTENCE_END = re.compile(r"[.!?…]+(?:[\"'”’)\]]|\s?»)*(?=\s+(?:[\"'“‘(\[]|«\s?)?[A-ZÀ-ÖØ-ÞŒ0-9])")


def split_sentences(body: str, lang: str = "en") -> list[Sentence]:
    """Sentences of prose paragraphs. Hard line breaks inside a paragraph do not end a sentence,
    and neither does the period of an abbreviation ("Gov.", "U.S.", "Oct. 10"). A paragraph's
    opening wire dateline ("PARIS (AFP) -") is left out."""
    grammar = load_grammar(lang)
    dateline = text_data(lang)["dateline_re"]
    sentences = []
    bounds = [0] + [x for m in PARAGRAPH_BREAK.finditer(body) for x in (m.start(), m.end())] + [len(body)]
    for index, (p_start, p_end) in enumerate(zip(bounds[::2], bounds[1::2])):
        paragraph = body[p_start:p_end]
        if not paragraph.strip() or is_furniture(paragraph, lang):
            continue
        opening = dateline.match(paragraph) if dateline else None
        start = opening.end() if opening else 0
        for m in SENTENCE_END.finditer(paragraph, start):
            if m.group().startswith("."):
                # the word is looked for just before the period, not from the sentence's start
                # (a run of "Mr. Mr. ..." would make that quadratic)
                word = WORD_BEFORE_PERIOD.search(paragraph, max(start, m.start() - WORD_REACH), m.start())
                if word and is_abbreviation(word.group(), grammar):
                    continue
            sentences.append(_trimmed(body, p_start + start, p_start + m.end(), index))
            start = m.end()
        if paragraph[start:].strip():
            sentences.append(_trimmed(body, p_start + start, p_end, index))
    return [s for s in sentences if s.end > s.start]


def _trimmed(body: str, start: int, end: int, paragraph: int) -> Sentence:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return Sentence(start, end, paragraph)


def normalise(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.lower().split())


def statement_id(article_id: str, sentence: str, expression: str, occurrence: int) -> str:
    """Derived from content only, so that edits elsewhere leave it alone. `occurrence` separates
    the same expression repeated in the same sentence."""
    key = "\x1f".join((article_id, normalise(sentence), normalise(expression), str(occurrence)))
    return "s-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def reports_something(sentence: str, timexes: list[Timex], offset: int, lang: str = "en") -> bool:
    remainder = sentence
    for t in sorted(timexes, key=lambda t: -t.start):
        remainder = remainder[: t.start - offset] + " " + remainder[t.end - offset:]
    return len(WORD.findall(remainder)) >= text_data(lang)["min_report_words"]


def extract(article: Article, published=None) -> Extraction:
    """Tag an article against its publication date and turn its dated sentences into statements."""
    body = article.body
    dct = published or article.published
    # an article in a language without a grammar of its own is read with the English one
    lang = base_language(article.language)
    lang = lang if grammar_available(lang) else "en"
    # tag() sees the masked text; keep the real wording
    timexes = [replace(t, text=body[t.start:t.end]) for t in tag(mask_non_prose(body), dct, lang=lang)]
    sentences = split_sentences(body, lang)
    in_sentence: list[list[Timex]] = [[] for _ in sentences]
    starts = [s.start for s in sentences]
    for t in timexes:
        i = bisect.bisect_right(starts, t.start) - 1
        if i >= 0 and t.end <= sentences[i].end:
            in_sentence[i].append(t)
    statements, seen_ids = [], set()
    for i, sentence in enumerate(sentences):
        dated = [t for t in in_sentence[i] if t.type in DATED_TYPES and period_of(t.value)
                 and not stamps_the_page(body, t, lang)]
        if not dated:
            continue
        # a date in the dateline opening the sentence ("BEIRUT | Mon Jul 18, 2011") yields to the
        # same date in its prose ("... on Monday")
        opening = sentence.start + furniture_end(body[sentence.start:sentence.end])
        dated.sort(key=lambda t: (t.start < opening, t.start))
        text = " ".join(body[sentence.start:sentence.end].split())
        if not reports_something(body[sentence.start:sentence.end], in_sentence[i], sentence.start, lang):
            continue
        context = [text]
        for j in range(i + 1, min(i + 3, len(sentences))):
            if any(t.type in DATED_TYPES and period_of(t.value) for t in in_sentence[j]):
                break
            context.append(" ".join(body[sentences[j].start:sentences[j].end].split()))
        seen_values = set()
        for t in dated:
            period = period_of(t.value)
            day_value = canonical_value(t.value)
            if day_value in seen_values:
                continue      # one statement per date per sentence
            seen_values.add(day_value)
            occurrence = 0
            sid = statement_id(article.id, text, t.text, occurrence)
            while sid in seen_ids:
                occurrence += 1
                sid = statement_id(article.id, text, t.text, occurrence)
            seen_ids.add(sid)
            previous = " ".join(body[sentences[i - 1].start:sentences[i - 1].end].split()) if i else ""
            role = role_of(body[sentence.start:sentence.end], t.start - sentence.start, t.end - sentence.start,
                           period.start, period.end, period.precision, t.direction, dct, lang)
            statements.append(Statement(
                id=sid, article=article.id, sentence=text, context=" ".join(context), previous=previous,
                words=content_words(text, t.text, previous, tuple(context[1:]), lang),
                claims=quantity_claims(context, lang), role=role,
                expression=t.text, start=t.start, end=t.end, value=t.value, type=t.type, mod=t.mod,
                period_start=period.start.isoformat(), period_end=period.end.isoformat(),
                precision=period.precision, rule=t.rule, direction=t.direction,
                position=len(statements)))
    body_html = marked_html(body, [(t.start, t.end) for t in timexes])
    return Extraction(article.id, tuple(timexes), tuple(statements), body_html)


def canonical_value(value: str) -> str:
    """The date a statement is placed on: a TIME value's day, any other value as it is."""
    return value.split("T", 1)[0] if "T" in value else value
