"""Find temporal expressions in text. Finding knows nothing of the publication date."""
from __future__ import annotations

from dataclasses import dataclass

from .grammar import Grammar, Rule
from .tense import FUTURE, PAST, direction

CONTEXT_CHARS = 48
TENSES = {"past": PAST, "future": FUTURE}   # how far require/reject context patterns look around a match


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    rule: Rule
    groups: tuple[tuple[str, str], ...]   # named groups that matched, in pattern order
    direction: int = 0                     # tense of its clause: -1 past, 0 unknown, +1 future

    @property
    def text_len(self) -> int:
        return self.end - self.start


def _context_ok(rule: Rule, text: str, start: int, end: int) -> bool:
    before = text[max(0, start - CONTEXT_CHARS):start]
    if rule.require_before and not rule.require_before.search(before):
        return False
    if rule.reject_before and rule.reject_before.search(before):
        return False
    if rule.reject_after and rule.reject_after.match(text, end, min(len(text), end + CONTEXT_CHARS)):
        return False
    return True


def find(text: str, grammar: Grammar) -> list[Mention]:
    """All non-overlapping mentions, longest first, then by rule order; returned in text order."""
    blocked = [(m.start(), m.end()) for guard in grammar.guards for m in guard.finditer(text)]
    candidates = []
    for order, rule in enumerate(grammar.rules):
        for m in rule.regex.finditer(text):
            start, end = m.span()
            if start == end or not _context_ok(rule, text, start, end):
                continue
            if any(s < end and start < e for s, e in blocked):
                continue
            groups = tuple((k, v) for k, v in m.groupdict().items() if v is not None)
            candidates.append((-(end - start), order, start, Mention(start, end, rule, groups)))
    candidates.sort(key=lambda c: c[:3])
    taken: list[Mention] = []
    occupied = bytearray(len(text) + 1)
    for _, _, _, mention in candidates:
        if any(occupied[mention.start:mention.end]):
            continue
        tense = direction(text, mention.start, mention.end, grammar)
        if mention.rule.tense and TENSES[mention.rule.tense] != tense:
            continue    # this reading holds in one tense only; a shorter one may take its place
        occupied[mention.start:mention.end] = b"\x01" * mention.text_len
        taken.append(Mention(mention.start, mention.end, mention.rule, mention.groups, tense))
    taken.sort(key=lambda m: m.start)
    return taken
