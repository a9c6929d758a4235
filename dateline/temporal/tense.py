"""The tense of the clause around an expression: past (-1), future (+1), present (2) or unknown (0).

Text only, no dates: the finder uses it for rules that hold in one tense alone ("in two weeks"
is a date ahead only in a future clause), and the resolver to choose the direction of a bare
"Monday" or "March".
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from .grammar import Grammar, _parser, prefix_tree

PAST, UNKNOWN, FUTURE = -1, 0, 1
PRESENT = 2   # about now: a bare month is the nearer one; otherwise read as UNKNOWN
SENTENCE_EDGE = re.compile(r"[.!?]\s+(?=[A-ZÀ-ÖØ-ÞŒ\"“'‘(«])|\n\s*\n")
EDGE_START = re.compile(r"[.!?\n](?=\s)")   # where a SENTENCE_EDGE can begin: its first two characters
WORD_BEFORE_PERIOD = re.compile(r"[\w.'’]+$")
ACRONYM = re.compile(r"(?:[a-z]\.)+[a-z]")
WINDOW = 300
# the letters that match "i" and "s" when case is ignored, yet that lower() leaves as they are
CASE_TWINS = ("ı", "ſ")


@dataclass(frozen=True, eq=False)      # compared and hashed by identity: one per grammar
class Cues:
    """A language's tense cues, compiled."""
    future: re.Pattern
    future_reported: frozenset     # "agreed to": ahead of what precedes it, past after a date
    past: re.Pattern
    present: re.Pattern
    not_past: frozenset
    nominal: frozenset             # cues that are not verbs: a verb after them outranks them
    past_suffix: tuple             # endings of regular past forms ("ed"); none in some languages
    # what may stand just before a past form and change what it tells (see vocab.yaml)
    future_group: re.Pattern       # "will be held": part of a future verb group
    modal_perfect: re.Pattern | None  # "may have been": a modal that looks back
    present_passive: re.Pattern    # "is expected": a present passive, no cue
    adjective: re.Pattern          # "a still unspecified date": an adjective, no cue
    infinitive: re.Pattern         # "to hit", "to be held": no tense of its own, no cue
    superseded_plan: re.Pattern    # "had been due to": a future cue that reads as the present
    bare_plan: re.Pattern | None   # "concerts scheduled for July": a plan that takes its clause's tense
    bare_plan_not_after: re.Pattern | None
    reporting_past: frozenset      # "said": a past verb that dates the saying, not what is said
    ahead_before: re.Pattern       # "by February": ahead, when the clause tells no tense
    ahead_in_present: re.Pattern | None  # "continues until Sunday": ahead, unless a plan told in the past
    moved_to: re.Pattern | None    # "delayed the trial until May": ahead, whatever the tense
    behind_before: re.Pattern | None  # "since April": on or before publication, whatever the tense
    fronted: re.Pattern | None     # "On March 3, the army ...": a date that opens its sentence
    # future, past and present with case kept, for lower-cased text (case-insensitive matching
    # is about twice as slow); None where they would not match as the three above do
    folded: tuple[re.Pattern, re.Pattern, re.Pattern] | None


# by id(grammar), with the grammar itself: held, it keeps its id from going to another grammar
_compiled: dict[int, tuple[Grammar, Cues]] = {}


def compiled_cues(grammar: Grammar) -> Cues:
    if _compiled.get(id(grammar), (None,))[0] is not grammar:
        t = grammar.tense

        # a pronoun elided onto the verb ("s'ouvrira", "n'a") leaves it a cue
        elided = f"(?:{prefix_tree(t['elisions'])})?" if t.get("elisions") else ""

        def cue(words, extra="", unless=()):
            """Whole-word cues, and contractions joined to the word before ("we'll")."""
            joined = [w for w in words if w[0] in "'’"]
            plain = prefix_tree([w for w in words if w not in joined]) + extra
            body = rf"(?:(?<![\w'’]){elided}(?:{plain})" + (f"|{prefix_tree(joined)}" if joined else "") + r")(?!\w)"
            return (rf"(?!(?:{prefix_tree(unless)})(?!\w))" if unless else "") + body

        def before(pattern):
            return re.compile(rf"(?:{pattern})\s+$", re.IGNORECASE)

        b = t["before_past_form"]
        scanned = [cue(t["future"] + t.get("future_reported", []), _suffixed(t.get("future_suffixes")),
                       unless=t["not_future"]),
                   cue(t["past"], _suffixed(_listed(t["past_suffix"]))
                       + (f"|{t['past_forms']}" if t.get("past_forms") else "")),
                   cue(t["present"])]
        future, past, present = (re.compile(pattern, re.IGNORECASE) for pattern in scanned)
        _compiled[id(grammar)] = grammar, Cues(
            future=future, future_reported=frozenset(w.lower() for w in t.get("future_reported", ())),
            past=past, present=present,
            not_past=frozenset(w.lower() for w in t["not_past"]), past_suffix=tuple(_listed(t["past_suffix"])),
            nominal=frozenset(w.lower() for w in t.get("nominal", ())),
            future_group=before(b["future_group"]),
            modal_perfect=re.compile(rf"(?:{b['modal_perfect']})$", re.IGNORECASE) if b.get("modal_perfect") else None,
            present_passive=before(b["present_passive"]),
            adjective=before(b["adjective"]), infinitive=before(b["infinitive"]),
            superseded_plan=before(b["superseded_plan"]),
            bare_plan=re.compile(t["bare_plan"], re.IGNORECASE) if t.get("bare_plan") else None,
            bare_plan_not_after=before(t["bare_plan_not_after"]) if t.get("bare_plan_not_after") else None,
            reporting_past=frozenset(w.lower() for w in t.get("reporting_past", ())),
            ahead_before=_just_before(t["ahead_before"]), moved_to=_moved_to(t),
            ahead_in_present=_just_before(t["ahead_in_present"]) if t.get("ahead_in_present") else None,
            behind_before=_just_before(t["behind_before"]) if t.get("behind_before") else None,
            fronted=_opening(t["fronted_date_openers"]) if t.get("fronted_date_openers") else None,
            folded=tuple(map(re.compile, scanned)) if all(_folds_alike(x) for x in (future, past, present)) else None)
    return _compiled[id(grammar)][1]


def _folds_alike(pattern: re.Pattern) -> bool:
    """Whether `pattern`, which ignores case, matches a text as the same pattern with case kept
    matches the text lower-cased (when that is as long and holds no CASE_TWINS): every letter it
    names is lower case and, if cased, of Latin-1 but "µ" (further on, some have twins that lower()
    does not give, as "µ" has "μ"), and no part of it turns case-insensitivity off or refers
    back to a group. (Classes such as \\w hold a letter just when they hold it lower-cased.)"""
    ops = _parser()

    def plain(code: int) -> bool:
        ch = chr(code)
        return ch.lower() == ch and (ch.upper() == ch or (code < 0x100 and ch != "µ"))

    def alike(items) -> bool:
        for op, av in items:
            if op in (ops.LITERAL, ops.NOT_LITERAL):
                ok = plain(av)
            elif op is ops.RANGE:
                ok = all(map(plain, range(av[0], av[1] + 1)))
            elif op is ops.IN:
                ok = alike(av)
            elif op is ops.SUBPATTERN:
                ok = not (av[1] | av[2]) & (re.IGNORECASE | re.LOCALE) and alike(av[3])
            elif op is ops.BRANCH:
                ok = all(map(alike, av[1]))
            elif op in (ops.MAX_REPEAT, ops.MIN_REPEAT, ops.POSSESSIVE_REPEAT):
                ok = alike(av[2])
            elif op in (ops.ASSERT, ops.ASSERT_NOT):
                ok = alike(av[1])
            elif op is ops.ATOMIC_GROUP:
                ok = alike(av)
            else:
                ok = op in (ops.AT, ops.ANY, ops.CATEGORY, ops.NEGATE)
            if not ok:
                return False
        return True

    return alike(ops.parse(pattern.pattern, pattern.flags))


def _listed(suffixes) -> list[str]:
    """vocab.yaml may give one suffix or a list."""
    return [suffixes] if isinstance(suffixes, str) and suffixes else list(suffixes or ())


def _suffixed(suffixes) -> str:
    """Any word ending in one of these ("attacked", "annulait"), as a further branch of a cue."""
    return rf"|[^\W\d_]+(?:{'|'.join(map(re.escape, suffixes))})" if suffixes else ""


def _just_before(words) -> re.Pattern:
    """One of these words, ending where a date begins."""
    return re.compile(rf"(?<![\w'])(?:{prefix_tree(words)})\s+$", re.IGNORECASE)


def _opening(words) -> re.Pattern:
    """The start of a sentence, then perhaps one of these words, ending where a date begins."""
    return re.compile(rf"(?:^|[.!?][\"”’']?\s+|\n\s*)(?:(?:{prefix_tree(words)})\s+)?$", re.IGNORECASE)


def _moved_to(t: dict) -> re.Pattern | None:
    """A verb of moving a date, then up to 80 characters of its clause, then 'until' or 'to'."""
    if not t.get("moved"):
        return None     # a language may leave this out
    return re.compile(rf"(?<![\w'])(?:{prefix_tree(t['moved'])})\b"
                      rf"(?:(?!\s(?:{prefix_tree(t['moved_not_across'])})\s)[^.;:]){{0,80}}?"
                      rf"\s(?:{prefix_tree(t['moved_to'])})\s+$", re.IGNORECASE)


def is_abbreviation(word: str, grammar: Grammar) -> bool:
    """Whether a period after `word` belongs to it ("Gov.", an initial "J.", "U.S.") rather than
    ending the sentence."""
    token = word.lower()
    return token in grammar.abbreviations or (len(token) == 1 and token.isalpha()) or ACRONYM.fullmatch(token) is not None


def _next_word(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _bare_plan_after_past(text: str, s_start: int, start: int, end: int, cues: Cues) -> bool:
    """'a series of concerts in London scheduled for July', after 'was employed': a plan named
    by a participle with no auxiliary of its own, in a sentence told in the past."""
    if not cues.bare_plan or not cues.bare_plan.fullmatch(text[start:end]):
        return False
    if cues.bare_plan_not_after and cues.bare_plan_not_after.search(text, max(s_start, start - 30), start):
        return False
    not_telling = cues.not_past | cues.reporting_past
    return any(p.group().lower() not in not_telling for p in cues.past.finditer(text, s_start, start))


def _outermost(found: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """The cues (tense, start, end) not inside a longer one ("sont" in "se sont rendus"), in their order."""
    spans = sorted({c[1:] for c in found}, key=lambda s: (s[0], -s[1]))
    inside, reach = set(), -1
    for span in spans:      # any span before this one starts no later, and ends later if it starts alike
        if reach >= span[1]:
            inside.add(span)
        reach = max(reach, span[1])
    return [c for c in found if c[1:] not in inside] if inside else found


class Reading:
    """What direction() works out once for a text: where a sentence edge may begin, which periods
    end an abbreviation, and each sentence's cues, weighed once for all the expressions in it."""
    __slots__ = ("text", "grammar", "cues", "scanned", "edge_starts", "abbreviation_at", "sentences")

    def __init__(self, text: str, grammar: Grammar):
        self.text, self.grammar, self.cues = text, grammar, compiled_cues(grammar)
        # the text the cues are looked for in, and the patterns for it
        lower = text.lower() if self.cues.folded and not any(ch in text for ch in CASE_TWINS) else ""
        self.scanned = (lower, self.cues.folded) if len(lower) == len(text) else \
            (text, (self.cues.future, self.cues.past, self.cues.present))
        self.edge_starts = [m.start() for m in EDGE_START.finditer(text)]
        self.abbreviation_at: dict[int, bool] = {}
        self.sentences: dict[tuple[int, int], _Sentence] = {}

    def edges(self, lo: int, hi: int):
        """The sentence edges between lo and hi, as SENTENCE_EDGE.finditer(text, lo, hi) finds
        them (tried only where one can begin), less the periods of abbreviations."""
        text, starts = self.text, self.edge_starts
        i, at = bisect_left(starts, lo), lo
        while i < len(starts) and starts[i] < hi:
            p = starts[i]
            i += 1
            if p < at or not (m := SENTENCE_EDGE.match(text, p, hi)):
                continue
            at = m.end()
            if text[p] == ".":
                if p not in self.abbreviation_at:
                    word = WORD_BEFORE_PERIOD.search(text, max(0, p - 20), p)
                    self.abbreviation_at[p] = bool(word and is_abbreviation(word.group(), self.grammar))
                if self.abbreviation_at[p]:
                    continue
            yield m

    def sentence(self, lo: int, hi: int) -> _Sentence:
        if (lo, hi) not in self.sentences:
            scanned, patterns = self.scanned
            found = [(tense, *c.span()) for pattern, tense in zip(patterns, (FUTURE, PAST, PRESENT))
                     for c in pattern.finditer(scanned, lo, hi)]
            self.sentences[lo, hi] = _Sentence(self, lo, _outermost(found))
        return self.sentences[lo, hi]

    def weigh(self, s_start: int, tense: int, start: int, end: int) -> tuple[int, bool, bool, bool] | None:
        """What a cue of the sentence from s_start tells, whatever expression it is weighed for:
        (the tense it tells, whether it is a plan told in the past, whether it is a reported
        plan ("agreed to"), whether it is a noun); None if it tells nothing after all."""
        text, cues = self.text, self.cues
        word = text[start:end].lower()
        cue, plan = tense, False
        if tense == FUTURE and (cues.superseded_plan.search(text, max(s_start, start - 30), start)
                                or _bare_plan_after_past(text, s_start, start, end, cues)):
            cue, plan = PRESENT, True
        reported = tense == FUTURE and " ".join(word.split()) in cues.future_reported
        if tense == PAST:
            if word in cues.not_past:
                return None
            lead = text[max(s_start, start - 30):start]
            if cues.past_suffix and word.endswith(cues.past_suffix) and cues.adjective.search(lead):
                return None
            following = _next_word(text, end)
            if cues.future.match(text, following) and cues.superseded_plan.search(text, start, following):
                return None  # "were planning to", "was set to": the plan decides, not the auxiliary
            if cues.future_group.search(lead) and not (
                    cues.modal_perfect and cues.modal_perfect.search(lead + text[start:end])):
                cue = FUTURE
            elif cues.present_passive.search(lead) or cues.infinitive.search(lead):
                return None
        return cue, plan, reported, word in cues.nominal


class _Sentence:
    """A sentence's tense cues, (tense, start, end) in the order direction() weighs them (future
    ones first), and what each tells, worked out when an expression first needs it."""
    __slots__ = ("reading", "start", "cues", "told", "latest_first", "earliest_first")

    def __init__(self, reading: Reading, start: int, cues: list[tuple[int, int, int]]):
        self.reading, self.start, self.cues = reading, start, cues
        self.told: list = [False] * len(cues)   # False: not yet worked out
        # their indexes by where they start, the latest or the earliest first; of cues that start
        # alike, the first in order counts
        self.latest_first = sorted(range(len(cues)), key=lambda k: (-cues[k][1], k))
        self.earliest_first = sorted(range(len(cues)), key=lambda k: (cues[k][1], k))

    def tells(self, k: int) -> tuple[int, bool, bool, bool] | None:
        if self.told[k] is False:
            self.told[k] = self.reading.weigh(self.start, *self.cues[k])
        return self.told[k]


def direction(reading: Reading, start: int, end: int) -> int:
    """HeidelTime's way: the last tense cue before the expression in its sentence decides;
    failing that, the first one after it. (A cue is weighed only when it may decide.) `reading`
    is the text's, made once for all its expressions."""
    text = reading.text
    lo = max(0, start - WINDOW)
    last_edge = None
    for last_edge in reading.edges(lo, start):
        pass
    s_start = last_edge.end() if last_edge else lo
    m = next(reading.edges(end, min(len(text), end + WINDOW)), None)
    s_end = m.start() + 1 if m else min(len(text), end + WINDOW)
    cues = reading.cues
    sentence = reading.sentence(s_start, s_end)
    found = sentence.cues
    # (the expression's own words, "last" in "last Friday", are not a cue)
    before = [k for k in sentence.latest_first if found[k][2] <= start]
    last = next(((found[k][1], told[0]) for k in before if (told := sentence.tells(k))), (-1, UNKNOWN))
    chosen = last[1]
    if chosen == UNKNOWN:
        for k in sentence.earliest_first:
            if found[k][1] >= end and (told := sentence.tells(k)):
                cue = PAST if told[2] else told[0]   # "agreed to" after the expression: a reported plan
                chosen = cue if chosen == UNKNOWN else chosen
                if not told[3]:
                    chosen = cue    # the first cue after it that is not a noun outranks one that is
                    break
    if chosen == PRESENT and any(told and told[0] == FUTURE for told in map(sentence.tells, before)):
        return FUTURE     # "the next meeting is in November": about now, but pointing ahead
    if chosen in (UNKNOWN, PRESENT) and cues.ahead_before.search(text, max(s_start, start - 12), start):
        return FUTURE
    if chosen in (UNKNOWN, PRESENT) and cues.ahead_in_present \
            and cues.ahead_in_present.search(text, max(s_start, start - 12), start) \
            and last[0] != _plan_in_past(sentence, start, end):
        return FUTURE
    if chosen == PAST and cues.moved_to and cues.moved_to.search(text, max(s_start, start - 100), start):
        return FUTURE
    return chosen


def _plan_in_past(sentence: _Sentence, start: int, end: int) -> int | None:
    """Where the last future cue told in the past ("was due to") stands, but in the expression."""
    return next((c_start for k, (tense, c_start, c_end) in reversed(list(enumerate(sentence.cues)))
                 if tense == FUTURE and not (c_start < end and start < c_end) and sentence.tells(k)[1]), None)
