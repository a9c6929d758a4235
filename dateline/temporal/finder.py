"""Find temporal expressions in text. Finding knows nothing of the publication date."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass

from .grammar import LONG_SPACE, UNBOUNDED_RUN, Grammar, Rule
from .tense import CASE_TWINS, FUTURE, PAST, PRESENT, Reading, direction

CONTEXT_CHARS = 48     # how far require/reject context patterns look around a match
# the tenses in which a rule's reading holds ("in two weeks" ahead: "will vote", "the vote is")
TENSES = {"past": (PAST,), "future": (FUTURE,), "ahead": (FUTURE, PRESENT)}
NUMBER_START = re.compile(r"(?<!\w)\d")   # where a match that opens with a digit can start
WORD = re.compile(r"[^\W\d_]+")
SPACE = re.compile(r"\s")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    rule: Rule
    groups: tuple[tuple[str, str], ...]   # named groups that matched, in pattern order
    direction: int = 0                     # tense of its clause: PAST, UNKNOWN, FUTURE or PRESENT


def _context_ok(rule: Rule, text: str, start: int, end: int) -> bool:
    before = text[max(0, start - CONTEXT_CHARS):start]
    if rule.require_before and not rule.require_before.search(before):
        return False
    if rule.reject_before and rule.reject_before.search(before):
        return False
    if rule.reject_after and rule.reject_after.match(text, end, min(len(text), end + CONTEXT_CHARS)):
        return False
    return True


class _Squeeze:
    """Positions of a text in which each run of white space longer than UNBOUNDED_RUN counts as
    UNBOUNDED_RUN characters: a rule's reach assumes no longer run ("\\s+" is taken to span at most
    that many), and blanked-out link targets make such runs in many clipped articles. Measured
    this way, no part of a run counts more than a rule's reach allows for it, so a window
    widened by the runs it meets still holds every match near its trigger."""

    def __init__(self, runs: list[tuple[int, int]]):
        # each run's uncounted tail (the part past UNBOUNDED_RUN characters), all of which counts
        # as its start; and how many characters the runs up to and including each leave uncounted
        self.tails = [a + UNBOUNDED_RUN for a, _ in runs]
        self.ends = [b for _, b in runs]
        self.uncounted, total = [], 0
        for a, b in runs:
            total += b - a - UNBOUNDED_RUN
            self.uncounted.append(total)
        self.squeezed_tails = [t - u for t, u in zip(self.tails, [0] + self.uncounted)]

    def squeezed(self, at: int) -> int:
        i = bisect_right(self.tails, at) - 1
        if i < 0:
            return at
        return self.squeezed_tails[i] if at < self.ends[i] else at - self.uncounted[i]

    def first_at_or_after(self, squeezed: int) -> int:
        """The first position whose squeezed place is at least `squeezed`."""
        i = bisect_right(self.squeezed_tails, squeezed) - 1
        if i < 0:
            return squeezed
        return self.tails[i] if squeezed == self.squeezed_tails[i] else squeezed + self.uncounted[i]

    def last_at_or_before(self, squeezed: int) -> int:
        """The last position whose squeezed place is at most `squeezed`."""
        i = bisect_right(self.squeezed_tails, squeezed) - 1
        return squeezed if i < 0 else squeezed + self.uncounted[i]


def _windows(text: str, spans: list[tuple[int, int]], reach: tuple[int, int], spaces: list[int],
             whole_words: bool = False, squeeze: _Squeeze | None = None) -> list[tuple[int, int]]:
    """Merged stretches of text around sorted trigger occurrences (`reach` characters before and
    after each, counted by `squeeze` in a text with long runs of white space), ending at white
    space (`spaces`: where the text's white space is) so that no word is cut (a match must not
    see a false end of text); with `whole_words`, starting at white space too (a guard must not
    start inside a word)."""
    out: list[tuple[int, int]] = []
    before, after = reach
    last, n = -1, len(text)
    for s, e in spans:
        if squeeze is None:
            lo, hi = max(0, s - before), e + after
        else:
            lo = max(0, squeeze.first_at_or_after(squeeze.squeezed(s) - before))
            hi = squeeze.last_at_or_before(squeeze.squeezed(e) + after)
        if lo <= last:
            if hi > last:
                # the first white space at or after hi: bisect is quicker than a regex call
                i = bisect_left(spaces, hi)
                last = spaces[i] if i < len(spaces) else n
                out[-1] = out[-1][0], last
            continue
        if whole_words and lo > 0 and not text[lo - 1].isspace():
            i = bisect_left(spaces, lo)
            lo = spaces[i - 1] + 1 if i else 0
        i = bisect_left(spaces, hi)
        last = spaces[i] if i < len(spaces) else n
        out.append((lo, last))
    return out


def _places(text: str, part: str) -> list[tuple[int, int]]:
    """Every occurrence of `part` in `text`, overlapping ones too: str.find is several times
    quicker than a regex."""
    spans, at = [], text.find(part)
    while at != -1:
        spans.append((at, at + len(part)))
        at = text.find(part, at + 1)
    return spans


def _trigger_spans(text: str, grammar: Grammar) -> dict[str, list[tuple[int, int]]]:
    index = grammar.triggers
    found: dict[str, list[tuple[int, int]]] = defaultdict(list)
    words = index.words
    lower = text.lower()
    if len(lower) == len(text):
        # look up each distinct word once, then find its places with str.find
        for word in set(WORD.findall(lower)) & words.keys():
            at = lower.find(word)
            while at != -1:
                end = at + len(word)
                if (at == 0 or not lower[at - 1].isalpha()) and (end == len(lower) or not lower[end].isalpha()):
                    for name in words[word]:
                        found[name].append((at, end))
                at = lower.find(word, end)
        for literal in index.literal_words:
            found["=" + literal] = _places(lower, literal)
    else:   # lower-casing changed the length (rare letters): word by word, slower
        for m in WORD.finditer(text):
            for name in words.get(m.group().lower(), ()):
                found[name].append(m.span())
        if index.literals:
            for m in index.literals.finditer(text):
                found["=" + m.group().lower()].append(m.span())
    for capitals in index.capitals:      # as written: "FY" and not the "fy" of "justify"
        found["~" + capitals] = _places(text, capitals)
    for name, literals in index.by_literals.items():
        found[name] = [span for literal in literals for span in found.get("=" + literal, ())]
    for name, pattern in index.patterns.items():
        found[name] = [m.span() for m in pattern.finditer(text)]
    return found


def _has_at_least(text: str, pattern: re.Pattern, n: int) -> bool:
    return next((True for i, _ in enumerate(pattern.finditer(text), 1) if i >= n), False)


def _matches_at(regex: re.Pattern, text: str, starts: list[int]):
    """What regex.finditer(text) yields, for a pattern that can only match at `starts`."""
    end = 0
    for at in starts:
        if at >= end and (m := regex.match(text, at)):
            yield m
            end = m.end()


class _Parts:
    """Where the parts a rule needs (see grammar.required_parts) are in one text: a literal word
    by a substring test, a macro by its occurrences (found with the triggers)."""

    def __init__(self, text: str, occurrences: dict[str, list[tuple[int, int]]]):
        self.occurrences = occurrences
        # a rule whose words are not all in the text cannot match: a substring test is far
        # quicker than the rule's regex over its windows
        self.lower = None if any(c in text for c in CASE_TWINS) else text.lower()
        # and so is a window without them, where lower-casing keeps every character in its place
        self.aligned = self.lower is not None and len(self.lower) == len(text)
        self.in_text: dict[str, bool] = {}
        self.starts: dict[str, tuple[list[int], int]] = {}

    def all_in_text(self, needs: tuple[tuple[str, ...], ...]) -> bool:
        in_text = self.in_text
        for option in needs:
            for part in option:
                found = in_text.get(part)
                if found is None:
                    if part[0] != "=":
                        found = bool(self.occurrences.get(part))
                    else:
                        found = self.lower is None or part[1:] in self.lower
                    in_text[part] = found
                if found:
                    break
            else:
                return False
        return True

    def all_in_window(self, needs: tuple[tuple[str, ...], ...], lo: int, hi: int) -> bool:
        for option in needs:
            for part in option:
                if part[0] == "=":
                    if not self.aligned or self.lower.find(part[1:], lo, hi) != -1:
                        break
                    continue
                if part not in self.starts:
                    spans = self.occurrences.get(part, ())
                    self.starts[part] = sorted(s for s, _ in spans), max((e - s for s, e in spans), default=0)
                starts, longest = self.starts[part]
                # an occurrence that overlaps the window starts less than its length before it
                i = bisect_left(starts, lo - longest + 1)
                if i < len(starts) and starts[i] < hi:
                    break
            else:
                return False
        return True


def _matches(text: str, grammar: Grammar, spaces: list[int], parts: _Parts, squeeze: _Squeeze | None):
    """(rule order, rule, match) for every match of every rule, each rule tried only near where
    its trigger occurs, and only where the other parts it needs are too; the rules of a trigger
    that is not in the text are not looked at."""
    occurrences = parts.occurrences
    number_starts = None
    for order, rule in grammar.untriggered:
        if rule.needs and not parts.all_in_text(rule.needs):
            continue
        if rule.only_in_text and not _has_at_least(text, *rule.only_in_text):
            continue
        if rule.opens_with_digit:
            # a number is rare enough in text to try such a rule at each one, not everywhere
            if number_starts is None:
                number_starts = [m.start() for m in NUMBER_START.finditer(text)]
            yield from ((order, rule, m) for m in _matches_at(rule.regex, text, number_starts))
        else:
            yield from ((order, rule, m) for m in rule.regex.finditer(text))
    for trigger, rules in grammar.by_trigger:
        found = [occurrences[name] for name in trigger if name in occurrences]
        if not found or not any(found):
            continue    # every match holds the trigger
        spans = sorted(found[0] if len(found) == 1 else [s for f in found for s in f])
        windows: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for order, rule in rules:
            if rule.needs and not parts.all_in_text(rule.needs):
                continue
            if rule.only_in_text and not _has_at_least(text, *rule.only_in_text):
                continue
            if rule.reach not in windows:
                windows[rule.reach] = _windows(text, spans, rule.reach, spaces, squeeze=squeeze)
            for lo, hi in windows[rule.reach]:
                if rule.needs and not parts.all_in_window(rule.needs, lo, hi):
                    continue
                for m in rule.regex.finditer(text, lo, hi):
                    yield order, rule, m


def find(text: str, grammar: Grammar) -> list[Mention]:
    """All non-overlapping mentions, longest first, then by rule order; returned in text order."""
    candidates = []
    spaces = [m.start() for m in SPACE.finditer(text)]
    parts = _Parts(text, _trigger_spans(text, grammar))
    long_runs = [m.span() for m in LONG_SPACE.finditer(text)]
    squeeze = _Squeeze(long_runs) if long_runs else None
    for order, rule, m in _matches(text, grammar, spaces, parts, squeeze):
        start, end = m.span()
        if start == end or not _context_ok(rule, text, start, end):
            continue
        candidates.append((start - end, order, start, end, rule, m))
    # guards matter only where a rule matched: run them near the matches, not over the whole text
    blocked = bytearray(len(text) + 1)
    spans = sorted(c[2:4] for c in candidates)
    for reach, guards in grammar.guards:
        # a guard whose words are not in the text is not run (near a match its regex is about
        # as quick as looking for its words, so windows are not tested for them)
        guards = [guard for guard, needs in guards if not needs or parts.all_in_text(needs)]
        if not guards:
            continue
        for lo, hi in _windows(text, spans, (reach, reach), spaces, whole_words=True, squeeze=squeeze):
            for guard in guards:
                for m in guard.finditer(text, lo, hi):
                    blocked[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    candidates = [c for c in candidates if blocked.find(1, c[2], c[3]) == -1]
    candidates.sort(key=lambda c: c[:3])
    taken: list[Mention] = []
    occupied = bytearray(len(text) + 1)
    reading = Reading(text, grammar) if candidates else None    # the text's tense cues, worked out once
    for _, _, start, end, rule, m in candidates:
        if occupied.find(1, start, end) != -1:
            continue
        tense = direction(reading, start, end)
        if rule.tense and tense not in TENSES[rule.tense]:
            continue    # this reading holds in one tense only; a shorter one may take its place
        occupied[start:end] = b"\x01" * (end - start)
        # a match's groups are read only for what is taken: most patterns have dozens
        groups = tuple((k, v) for k, v in m.groupdict().items() if v is not None)
        taken.append(Mention(start, end, rule, groups, tense))
    taken.sort(key=lambda m: m.start)
    return taken
