"""What events.py compares statements by: their weighted content words, and the counted things
they report (to show where sources disagree). Computed once per statement at extraction time,
so that it is cached with the extraction."""
from __future__ import annotations

import bisect
import re
import sys
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

from .yamlio import language_data

DATA = Path(__file__).parent / "data" / "events.yaml"   # the defaults; data/<lang>/events.yaml replaces keys
WEIGHT_SCALE = 16
TOKEN = re.compile(r"[^\W\d_][\w'’-]*")


@lru_cache(maxsize=None)
def event_data(lang: str = "en") -> dict:
    data = language_data(DATA, lang)
    data["stopword_set"] = frozenset(data["stopwords"])
    data["class_of"] = defaultdict(list)
    for name, words in data["event_classes"].items():
        for word in words:
            data["class_of"][plural_to_singular(word, data)].append("@" + name)
    data["claim_re"] = _claim_pattern(data)
    return data


def plural_to_singular(word: str, data: dict) -> str:
    """A word's singular, by the language's `plural_rules` (ending, replacement, shortest word,
    endings they leave alone), after its `elisions` ("l'") and `possessives` ("'s") are cut."""
    word = word.lower().replace("’", "'")
    for prefix in data.get("elisions", ()):
        if word.startswith(prefix) and len(word) > len(prefix):
            word = word[len(prefix):]
            break
    for suffix in data.get("possessives", ()):
        if word.endswith(suffix):
            word = word[:-len(suffix)]
    word = word.rstrip("'")
    if word in data["irregular_plurals"]:
        return data["irregular_plurals"][word]
    for ending, replacement, shortest, unless in data["plural_rules"]:
        if len(word) >= shortest and word.endswith(ending) and not word.endswith(tuple(unless)):
            return word[:-len(ending)] + replacement
    return word


@lru_cache(maxsize=1 << 16)     # news repeats its words: most are stemmed once
def stem(word: str, lang: str = "en") -> str:
    return plural_to_singular(word, event_data(lang))


@lru_cache(maxsize=256)
def _content_tokens(text: str, lang: str = "en") -> tuple[tuple[int, ...], tuple]:
    """Where each token of `text` starts, and (index, lower case, stem, capitalised, kinds of
    happening) of each that can be a content word. A sentence is read for every statement in it
    or beside it: it is tokenised once."""
    data = event_data(lang)
    stopwords, class_of = data["stopword_set"], data["class_of"]
    starts, content = [], []
    for i, m in enumerate(TOKEN.finditer(text)):
        starts.append(m.start())
        word = m.group()
        low = word.lower()
        if len(low) < 3 or low in stopwords:
            continue
        stemmed = stem(word, lang)
        content.append((i, low, stemmed, word[0].isupper(), tuple(class_of.get(stemmed, ()))))
    return tuple(starts), tuple(content)


def content_words(sentence: str, expression: str, previous: str, following: tuple[str, ...],
                  lang: str = "en") -> tuple:
    """Content-word weights of a statement: its sentence, words near its date counting most,
    and, at half weight, the sentences before and after it (a report often names its subject in
    the next one). Names (capitalised words not opening their passage) count more; each word
    also counts for its kind of happening (@attack...)."""
    data = event_data(lang)
    class_weight, near_words, far_weight = data["class_weight"], data["near_words"], data["far_weight"]
    name_weight = data["name_weight"]
    counts: Counter = Counter()
    own = set(w.lower() for w in TOKEN.findall(expression))
    anchor = sentence.find(expression)
    around = data["around_weight"]
    # the sentences after it are one passage: only the first word of the first opens it
    passages = [(sentence, 1.0, 0), (previous, around, 0)]
    offset = 0
    for text in following:
        passages.append((text, around, offset))
        offset += len(_content_tokens(text, lang)[0])
    for text, weight, offset in passages:
        starts, tokens = _content_tokens(text, lang)
        at = bisect.bisect_left(starts, anchor) if text is sentence else None
        for i, low, stemmed, capitalised, kinds in tokens:
            if low in own:
                continue
            w = weight * (name_weight if capitalised and i + offset > 0 else 1.0)
            if at is not None and abs(i - at) > near_words:
                w *= far_weight
            counts[stemmed] += w
            for kind in kinds:
                counts[kind] += w * class_weight
    # flat and small: (word, weight in sixteenths, word, weight, ...), words interned, weights
    # small ints (which Python shares); a large collection holds hundreds of thousands of these
    flat = []
    for word, weight in sorted(counts.items()):
        flat += [sys.intern(word), round(weight * WEIGHT_SCALE)]
    return tuple(flat)


def weights(words: tuple) -> dict[str, float]:
    """content_words' flat tuple back as {word: weight}."""
    return {words[i]: words[i + 1] / WEIGHT_SCALE for i in range(0, len(words), 2)}


# ---------------------------------------------------------------- numbers that sources may disagree on

def _claim_pattern(data: dict) -> re.Pattern:
    """A counted thing: a hedge, a number (in digits or in the language's `claim_numbers`), up
    to three words, perhaps "out of" a total before or after them (`claim_of`)."""
    number = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|" + "|".join(data["claim_numbers"])
    hedge = "|".join(data["claim_hedges"])
    of = data["claim_of"]
    return re.compile(
        rf"(?<![\w$£€.,])(?P<hedge>(?:{hedge})\s+)?(?P<n>{number})(?:\s+{of}\s+(?P<total>{number}))?"
        rf"(?P<words>(?:\s+[^\W\d_][\w-]*){{1,3}}?)(?:\s+{of}\s+(?P<total2>{number}))?(?!\w)",
        re.IGNORECASE)


def quantity_claims(context: list[str], lang: str = "en") -> tuple:
    """Counted things in a statement's sentence and the undated ones after it ("some 30 drones",
    "18 out of 23 drones"), flat: (noun stem, amount, wording, the sentence it is in, ...).
    Sources that give different amounts disagree; the sentence is shown with the claim."""
    data = event_data(lang)
    plural = tuple(data["plural_endings"])
    out = []
    for sentence, m in ((sentence, m) for sentence in context for m in data["claim_re"].finditer(sentence)):
        words = m.group("words").split()
        noun = next((w for w in words if w.lower() in data["irregular_plurals"]
                     or (w.lower().endswith(plural) and len(w) > 3 and w.lower() not in data["stopword_set"])),
                    None)
        if not noun:
            continue
        n = m.group("n").lower()
        n = str(data["claim_numbers"].get(n, n.replace(",", "")))
        total = m.group("total") or m.group("total2")
        amount = f"{n} {data['claim_amount_of']} {total.replace(',', '')}" if total else n
        text = m.group().strip()
        if not m.group("total2"):       # the claim ends at its noun, or at a trailing "out of N"
            text = text[: text.find(noun) + len(noun)]
        out += [stem(noun, lang), amount, text, sentence]
    return tuple(out)
