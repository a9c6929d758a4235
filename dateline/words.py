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

import yaml

DATA = Path(__file__).parent / "data" / "events.yaml"
WEIGHT_SCALE = 16
TOKEN = re.compile(r"[^\W\d_][\w'’-]*")


@lru_cache(maxsize=1)
def event_data() -> dict:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    data["stopword_set"] = frozenset(data["stopwords"])
    data["class_of"] = defaultdict(list)
    for name, words in data["event_classes"].items():
        for word in words:
            data["class_of"][plural_to_singular(word, data["irregular_plurals"])].append("@" + name)
    return data


def plural_to_singular(word: str, irregular: dict) -> str:
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.rstrip("'")
    if word in irregular:
        return irregular[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=1 << 16)     # news repeats its words: most are stemmed once
def stem(word: str) -> str:
    return plural_to_singular(word, event_data()["irregular_plurals"])


@lru_cache(maxsize=256)
def _content_tokens(text: str) -> tuple[tuple[int, ...], tuple]:
    """Where each token of `text` starts, and (index, lower case, stem, capitalised, kinds of
    happening) of each that can be a content word. A sentence is read for every statement in it
    or beside it: it is tokenised once."""
    data = event_data()
    stopwords, class_of = data["stopword_set"], data["class_of"]
    starts, content = [], []
    for i, m in enumerate(TOKEN.finditer(text)):
        starts.append(m.start())
        word = m.group()
        low = word.lower()
        if len(low) < 3 or low in stopwords:
            continue
        stemmed = stem(word)
        content.append((i, low, stemmed, word[0].isupper(), tuple(class_of.get(stemmed, ()))))
    return tuple(starts), tuple(content)


def content_words(sentence: str, expression: str, previous: str, following: tuple[str, ...]) -> tuple:
    """Content-word weights of a statement: its sentence, words near its date counting most,
    and, at half weight, the sentences before and after it (a report often names its subject in
    the next one). Names (capitalised words not opening their passage) count more; each word
    also counts for its kind of happening (@attack...)."""
    data = event_data()
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
        offset += len(_content_tokens(text)[0])
    for text, weight, offset in passages:
        starts, tokens = _content_tokens(text)
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

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "dozen": 12}
NUMBER = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|" + "|".join(NUMBER_WORDS)
CLAIM = re.compile(
    rf"(?<![\w$£€.,])(?P<hedge>(?:some|about|around|approximately|nearly|almost|at least|more than|"
    rf"over|up to|roughly|an estimated)\s+)?(?P<n>{NUMBER})(?:\s+(?:out\s+)?of\s+(?P<total>{NUMBER}))?"
    rf"(?P<words>(?:\s+[A-Za-z][\w-]*){{1,3}}?)(?:\s+(?:out\s+)?of\s+(?P<total2>{NUMBER}))?(?!\w)",
    re.IGNORECASE)


def quantity_claims(context: list[str]) -> tuple:
    """Counted things in a statement's sentence and the undated ones after it ("some 30 drones",
    "18 out of 23 drones"), flat: (noun stem, amount, wording, the sentence it is in, ...).
    Sources that give different amounts disagree; the sentence is shown with the claim."""
    data = event_data()
    out = []
    for sentence, m in ((sentence, m) for sentence in context for m in CLAIM.finditer(sentence)):
        words = m.group("words").split()
        noun = next((w for w in words if w.lower() in data["irregular_plurals"]
                     or (w.lower().endswith("s") and len(w) > 3 and w.lower() not in data["stopword_set"])),
                    None)
        if not noun:
            continue
        n = m.group("n").lower()
        n = str(NUMBER_WORDS.get(n, n.replace(",", "")))
        total = m.group("total") or m.group("total2")
        amount = f"{n} of {total.replace(',', '')}" if total else n
        text = m.group().strip()
        if not m.group("total2"):       # the claim ends at its noun, or at a trailing "out of N"
            text = text[: text.find(noun) + len(noun)]
        out += [stem(noun), amount, text, sentence]
    return tuple(out)
