"""Load a language's temporal grammar (YAML tables) and compile it into regular expressions.

The tables hold all the language: word lists (`vocab.yaml`), rules with their examples
(`rules.yaml`) and false-positive guards (`guards.yaml`). This module only knows how to turn them
into patterns; it knows no English.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import sys
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

LANG_DIR = Path(__file__).parent / "lang"
MACRO = re.compile(r"\{([a-z_]\w*)(?::([a-z_]\w*))?\}")
# A rule never starts inside a word or number, nor ends inside one ("2,000", "$2019", "1990.5").
LEFT_EDGE = r"(?<![\w$£€@#])(?<!\d[.,:/-])"
RIGHT_EDGE = r"(?![\w%@])(?![.,:/]\d)(?:(?<=[^\W\d_])|(?!-\d))"   # a word may end a range: "9am-5pm"


class GrammarError(Exception):
    """A pattern table is malformed; the message names the table and the rule."""


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str                      # which resolver function turns a match into a value
    type: str                      # TIMEX3 type it yields, unless the resolver says otherwise
    regex: re.Pattern
    params: dict = field(default_factory=dict, hash=False, compare=False)
    require_before: re.Pattern | None = None
    reject_before: re.Pattern | None = None
    reject_after: re.Pattern | None = None
    tense: str | None = None       # "past", "future" or "ahead": the rule holds only in such a clause
    trigger: tuple[str, ...] = ()  # macros or literal words ("=...") one of which every match holds
    reach: tuple[int, int] = (80, 80)  # how far a match may start before its trigger and end after it
    opens_with_digit: bool = False  # every match starts with a digit (and, like all, at no word's middle)
    examples: tuple = ()
    # the rule applies only to a text where this pattern matches at least so many times
    only_in_text: tuple[re.Pattern, int] | None = None
    # sets of parts (see required_parts), one of each set in every match besides the trigger: a
    # text or a window without them is skipped
    needs: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Grammar:
    lang: str
    rules: tuple[Rule, ...]
    # by how far they reach: (reach, ((pattern, the parts every match of it needs), ...))
    guards: tuple[tuple[int, tuple[tuple[re.Pattern, tuple[tuple[str, ...], ...]], ...]], ...]
    lookup: dict = field(hash=False, compare=False)       # macro name -> {surface: value}
    numbers: dict = field(hash=False, compare=False)
    tense: dict = field(hash=False, compare=False)
    abbreviations: frozenset = frozenset()   # words whose period does not end a sentence
    triggers: "TriggerIndex | None" = field(default=None, hash=False, compare=False)
    example_dct: str = ""
    day_first: bool = False        # "03/04/2022" is 3 April (vocab.yaml `numeric_dates: day_first`)
    # the words that join the two ends of a range ("from April to June"), and that stand
    # between a clock time and its day ("at 5 p.m. on Tuesday"): see vocab.yaml `ranges`
    range_open: re.Pattern = re.compile("(?!)")
    range_join: re.Pattern = re.compile(r"\s*(?:-|–|—)\s*")
    time_to_day: re.Pattern = re.compile(r"(?:[\s,()]|\([^()]{0,40}\))*")

    # the rules as finding walks them, each with its place in `rules`: those with no trigger,
    # and those of each trigger together (a trigger absent from a text rules them all out);
    # worked out from `rules`, so that a grammar with other rules walks those

    @cached_property
    def untriggered(self) -> tuple[tuple[int, Rule], ...]:
        return tuple((order, rule) for order, rule in enumerate(self.rules) if not rule.trigger)

    @cached_property
    def by_trigger(self) -> tuple[tuple[tuple[str, ...], tuple[tuple[int, Rule], ...]], ...]:
        groups: dict[tuple[str, ...], list[tuple[int, Rule]]] = {}
        for order, rule in enumerate(self.rules):
            if rule.trigger:
                groups.setdefault(rule.trigger, []).append((order, rule))
        return tuple((trigger, tuple(members)) for trigger, members in groups.items())


def prefix_tree(words, fold_case: bool = True) -> str:
    """An alternation of words sharing their prefixes ("will|would" as "w(?:ill|ould)"): re tries
    the branches of a flat alternation one by one at every position, which is slow for long
    word lists. A space matches any white space, an apostrophe either kind."""
    if not words:
        return "(?!)"       # an empty list matches nothing, not the empty string
    tree: dict = {}
    for word in words:
        node = tree
        for ch in (word.lower() if fold_case else word).replace("’", "'"):
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node) -> str:
        ends = "" in node
        branches = [(r"\s+" if ch == " " else "['’]" if ch == "'" else re.escape(ch)) + build(node[ch])
                    for ch in sorted(k for k in node if k)]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return build(tree)


def _words_regex(forms: list[str], case: str) -> str:
    variants = set()
    for form in forms:
        variants.add(form)
        if case == "proper":
            variants.add(form.upper())
    body = prefix_tree(variants, fold_case=case == "any")
    return f"(?i:{body})" if case == "any" else f"(?-i:{body})"


def _number_regex(numbers: dict) -> str:
    units, tens = prefix_tree(numbers["units"]), prefix_tree(numbers["tens"])
    # numbers in digits, as the language writes them (French: "1 000", "2,5")
    digits = numbers.get("digits") or r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?(?:\s+1/2)?"
    word = rf"(?:{tens})(?:[-\s](?:{units}))?|(?:{units})"
    fractions = prefix_tree(numbers["fractions"])
    counted = prefix_tree([*numbers["counts"], *numbers["scales"]])
    vague = prefix_tree(numbers["vague"])
    return rf"(?i:(?:{digits}|{word})(?:\s+(?:{fractions}))?|{counted}|{vague})"


def spaces_to_whitespace(pattern: str) -> str:
    """A space in a pattern stands for any run of white space, line breaks included: ' ' is
    \\s+, ' ?' is \\s*, and a space inside [...] is \\s."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
        elif c == "]" and in_class:
            in_class = False
        if c == " ":
            if in_class:
                out.append(r"\s")
            elif pattern[i + 1:i + 2] == "?":
                out.append(r"\s*")
                i += 1
            else:
                out.append(r"\s+")
        else:
            out.append(c)
        i += 1
    return "".join(out)


def _normalise(surface: str) -> str:
    return " ".join(surface.lower().split())


class _Compiler:
    def __init__(self, vocab: dict, source: str):
        self.source = source
        self.macros: dict[str, str] = {}
        self.lookup: dict[str, dict[str, str]] = {}
        for name, entry in vocab["words"].items():
            forms = [str(f) for fs in entry["forms"].values() for f in fs]
            self.macros[name] = _words_regex(forms, entry["case"])
            self.lookup[name] = {_normalise(str(f)): str(v) for v, fs in entry["forms"].items() for f in fs}
        for name, regex in vocab["patterns"].items():
            self.macros[name] = f"(?:{regex})"
        self.macros["number"] = _number_regex(vocab["numbers"])
        # a fraction after a unit ("a year and a half"), from the same list as after a number
        fractions = {f: v for f, v in vocab["numbers"].get("fractions", {}).items() if f[0].isalpha()}
        self.macros["fraction"] = _words_regex(list(fractions), "any")
        self.lookup["fraction"] = {_normalise(f): str(v) for f, v in fractions.items()}
        holidays = vocab.get("holidays", {})
        self.macros["holiday"] = _words_regex(list(holidays), "proper")
        self.lookup["holiday"] = {_normalise(k): str(v) for k, v in holidays.items()}

    def expand(self, pattern: str, where: str) -> str:
        def one(m: re.Match) -> str:
            macro, alias = m.group(1), m.group(2)
            # an alias names the field: {month:end_month} fills `end_month` from the month list
            group = f"{alias}__{macro}" if alias else macro
            if macro not in self.macros:
                raise GrammarError(f"{self.source}: {where}: unknown macro {{{macro}}}")
            return f"(?P<{group}>{self.macros[macro]})"

        return MACRO.sub(one, spaces_to_whitespace(pattern))

    def compile(self, pattern: str, where: str, edges: bool = True) -> re.Pattern:
        body = self.expand(pattern, where)
        try:
            parsed = _parser().parse(body, re.IGNORECASE)
            first = first_chars(parsed)
            if edges:
                body = LEFT_EDGE + "(?:" + body + ")" + RIGHT_EDGE
            if first and (edges or not opens_with_characters(parsed)):
                # a match can only start at one of these: checking that first skips most
                # positions at once (a pattern that starts with lookbehinds or an optional part
                # is otherwise tried in full at every position). A pattern that opens with a
                # plain character or class is left alone: re skips to those by itself, faster.
                lookahead = f"(?=[{''.join(sorted(first))}])"
                # a pattern that is case-sensitive as a whole gets a case-sensitive check, or
                # "(?=[AJ])" would stop at every "a" as well
                body = (f"(?-i:{lookahead})" if _case_sensitive(parsed) else lookahead) + body
            return re.compile(body, re.IGNORECASE)
        except re.error as e:
            raise GrammarError(f"{self.source}: {where}: bad pattern: {e}") from None

    def context(self, pattern: str | None, where: str, anchor: str) -> re.Pattern | None:
        if not pattern:
            return None
        body = self.expand(pattern, where)
        # words in a list before the match start at a word's start ("at" must not match "That");
        # text after it is tried with match() at the match's end, which anchors there ("^" would
        # only ever match at the start of the text)
        body = f"(?:(?<![\\w'])(?=\\w)|(?!\\w))(?:{body})\\s*$" if anchor == "end" else f"\\s*(?:{body})"
        return re.compile(body, re.IGNORECASE)


def _case_sensitive(items) -> bool:
    """Whether a parsed pattern is one group with case-insensitivity turned off: "(?-i:...)"."""
    ops = _parser()
    return len(items) == 1 and items[0][0] is ops.SUBPATTERN and bool(items[0][1][2] & re.IGNORECASE)


def _parser():
    return getattr(re, "_parser", None) or __import__("sre_parse")


@lru_cache(maxsize=1024)
def _parsed(pattern: str, flags: int):
    """The parse tree of a pattern: several passes read each rule's, and parsing is slow."""
    return _parser().parse(pattern, flags)


def first_chars(items) -> set[str] | None:
    """Character-class pieces for every character a match of parsed pattern `items` can start
    with, or None where that cannot be told (any character, a negated class, an empty match)."""
    chars, nullable = _first(items)
    return None if chars is None or nullable else chars


def opens_with_digit(regex: re.Pattern) -> bool:
    """Whether every match of a compiled pattern starts with a digit."""
    first = first_chars(_parsed(regex.pattern, regex.flags))
    return bool(first) and all(re.fullmatch(r"\\d|\d|\d-\d", piece) for piece in first)


def opens_with_characters(items) -> bool:
    """Whether a parsed pattern starts, in every branch, with a character or a class that must
    match there (not a lookaround, an anchor or an optional part)."""
    ops = _parser()
    if not items:
        return False
    op, av = items[0]
    if op in (ops.LITERAL, ops.IN):
        return True
    if op is ops.SUBPATTERN:
        return opens_with_characters(av[-1])
    if op is ops.BRANCH:
        return all(opens_with_characters(branch) for branch in av[1])
    return False


def _first(items) -> tuple[set | None, bool]:
    """(class pieces a match of the sequence can start with, whether it can match nothing)."""
    ops = _parser()         # the parser module also holds the opcodes
    out: set[str] = set()
    for op, av in items:
        if op is ops.LITERAL:
            return out | {re.escape(chr(av))}, False
        if op is ops.IN:
            pieces = _class_pieces(av)
            return (None, False) if pieces is None else (out | pieces, False)
        if op in (ops.AT, ops.ASSERT, ops.ASSERT_NOT):
            continue        # zero width: the next item starts the match
        if op is ops.SUBPATTERN:
            chars, nullable = _first(av[-1])
        elif op is ops.BRANCH:
            results = [_first(branch) for branch in av[1]]
            if any(c is None for c, _ in results):
                return None, False
            chars, nullable = set().union(*(c for c, _ in results)), any(n for _, n in results)
        elif op in (ops.MAX_REPEAT, ops.MIN_REPEAT):
            chars, nullable = _first(av[2])
            nullable = nullable or av[0] == 0
        else:
            return None, False
        if chars is None:
            return None, False
        out |= chars
        if not nullable:
            return out, False
    return out, True


CATEGORY_PIECES = {"CATEGORY_DIGIT": r"\d", "CATEGORY_SPACE": r"\s", "CATEGORY_WORD": r"\w"}


def _class_pieces(items) -> set[str] | None:
    parser = _parser()
    pieces = set()
    for op, av in items:
        if op is parser.LITERAL:
            pieces.add(re.escape(chr(av)))
        elif op is parser.RANGE:
            pieces.add(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
        elif op is parser.CATEGORY and str(av) in CATEGORY_PIECES:
            pieces.add(CATEGORY_PIECES[str(av)])
        else:
            return None     # a negation or an unusual category: any character may start
    return pieces


def required_macros(regex: re.Pattern, priority: list[str], common: frozenset = frozenset()) -> tuple[str, ...]:
    """What every match of `regex` contains: one of a set of macros, or of literal words (written
    "=word"; none of the `common` words, which are everywhere), or, failing those, of short
    words in capitals where case counts (written "~FY": "(?-i:FY)" is rare in text, where "fy"
    is in "justify"), the cheapest such set by `priority`; () if none is found. Finding then
    runs a rule only near the occurrences of its trigger."""
    options = _required_options(regex, priority, common, capitals=True)
    return options[0] if options else ()


def required_parts(regex: re.Pattern, macros: list[str], common: frozenset = frozenset(),
                   trigger: tuple[str, ...] = ()) -> tuple[tuple[str, ...], ...]:
    """Sets of parts, each one of the `macros` or a literal word ("=word", lower case), such that
    every match of `regex`, with what its lookaheads see, holds one part of each set (the
    `trigger` left out): a stretch of text that lacks all the parts of one set cannot hold a
    match."""
    return tuple(option for option in _required_options(regex, macros, common, lookbehind=False) if option != trigger)


def _required_options(regex: re.Pattern, priority: list[str], common: frozenset,
                      lookbehind: bool = True, capitals: bool = False) -> list[tuple[str, ...]]:
    """Every set of `required_macros` a match of `regex` must hold one of, cheapest first; with
    `lookbehind` False, none from a lookbehind (whose words stand before the match); with
    `capitals`, short words in capitals where case counts too."""
    parser = _parser()
    macro_of = {number: name.partition("__")[2] or name for name, number in regex.groupindex.items()}
    rank = {m: i for i, m in enumerate(priority)}
    repeats = {parser.MAX_REPEAT, parser.MIN_REPEAT, getattr(parser, "POSSESSIVE_REPEAT", None)}

    def cost(option):
        # a literal word ("=from", "=these") is used only where no word list will do, and the
        # longer the better: short literals are common words ("the"), and each occurrence opens
        # a window to scan
        # (by the same measure a short word in capitals, "~FY", costs more than a longer literal)
        return max(len(rank) * 100 + 20 - min(len(m), 20) if m[0] in "=~" else rank[m] * 100
                   for m in option) + len(option)

    def triggerable(m):
        return m[0] in "=~" or m in rank

    def required(items, options=None, cased=False) -> frozenset | None:
        options, word = [] if options is None else options, ""
        for op, av in list(items) + [(None, None)]:
            if op is parser.LITERAL and chr(av).isalpha():
                word += chr(av)
                continue
            if len(word) >= 3 and word.lower() not in common:
                options.append(frozenset(["=" + word.lower()]))
            elif capitals and cased and word.isupper():
                options.append(frozenset(["~" + word]))
            word = ""
            found = None
            if op is parser.SUBPATTERN:
                group, add_flags, del_flags, body = av
                inner = (cased or bool(del_flags & re.IGNORECASE)) and not add_flags & re.IGNORECASE
                found = frozenset([macro_of[group]]) if group in macro_of else required(body, None, inner)
            elif op is parser.BRANCH:
                branches = [required(b, None, cased) for b in av[1]]
                if all(branches):
                    found = frozenset().union(*branches)
            elif op in repeats and av[0] >= 1:
                found = required(av[2], None, cased)
            elif op is parser.ASSERT and (lookbehind or av[0] > 0):
                found = required(av[1], None, cased)     # a lookaround's words stand right by the match
            if found and all(triggerable(m) for m in found):
                options.append(found)
        return min(options, key=cost) if options else None

    options = []
    top = required(_parsed(regex.pattern, regex.flags), options, not regex.flags & re.IGNORECASE)
    return [tuple(sorted(option)) for option in sorted(options, key=cost)] if top else []


# a run of white space with no upper bound ("\s+" between words) is taken to be this long at
# most; finding counts a longer one (LONG_SPACE) as this long when it measures a rule's reach
UNBOUNDED_RUN = 6
LONG_SPACE = re.compile(rf"\s{{{UNBOUNDED_RUN + 1},}}")
MAX_REACH = 80
GUARD_STEP = 20
REPEATS = {getattr(_parser(), name, None) for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")} - {None}


def _width(items) -> int:
    """How many characters a match of a parsed pattern can span, counting what its lookaheads
    look at (a window cut short would let "(?!...)" pass); at most MAX_REACH."""
    ops = _parser()
    total = 0
    for op, av in items:
        if op in (ops.LITERAL, ops.NOT_LITERAL, ops.IN, ops.ANY):
            total += 1
        elif op is ops.SUBPATTERN:
            total += _width(av[-1])
        elif op is getattr(ops, "ATOMIC_GROUP", None):
            total += _width(av)
        elif op is ops.BRANCH:
            total += max(_width(branch) for branch in av[1])
        elif op in REPEATS:
            if av[1] == ops.MAXREPEAT and not _is_space(av[2]):
                return MAX_REACH
            total += _repeats(av) * _width(av[2])
        elif op in (ops.ASSERT, ops.ASSERT_NOT):
            total += _width(av[1]) if av[0] == 1 else 0   # a lookbehind sees the whole text
        elif op is not ops.AT:
            return MAX_REACH
        if total >= MAX_REACH:
            return MAX_REACH
    return total


def _repeats(av) -> int:
    low, high, _ = av
    return high if high != _parser().MAXREPEAT else max(low, UNBOUNDED_RUN)


def _is_space(items) -> bool:
    ops = _parser()
    return len(items) == 1 and items[0][0] is ops.IN and items[0][1] == [(ops.CATEGORY, ops.CATEGORY_SPACE)]


def trigger_reach(regex: re.Pattern, trigger: tuple[str, ...]) -> tuple[int, int]:
    """How far a match of `regex` can start before, and end after, an occurrence of its trigger:
    the window finding scans around each occurrence. "{number} {unit} ago" reaches far before
    the unit and little after it. (MAX_REACH, MAX_REACH) where the trigger is not placed."""
    ops = _parser()
    macro_of = {number: name.partition("__")[2] or name for name, number in regex.groupindex.items()}
    wanted = set(trigger)

    def walk(items, before: int, after: int, found: dict) -> bool:
        """Note in `found` how far each trigger in a sequence reaches: [before, after]; False
        where one sits where it cannot be placed."""
        def note(name: str, most_before: int, most_after: int) -> None:
            widest = found.setdefault(name, [0, 0])
            widest[0], widest[1] = max(widest[0], most_before), max(widest[1], most_after)

        widths = [_width([item]) for item in items]
        word_start = None
        for k, (op, av) in enumerate(items + [(None, None)]):
            if op is ops.LITERAL and chr(av).isalpha():
                word_start = k if word_start is None else word_start
                continue
            if word_start is not None:
                letters = "".join(chr(a) for _, a in items[word_start:k])
                for word in {"=" + letters.lower(), "~" + letters} & wanted:
                    note(word, before + sum(widths[:word_start]), after + sum(widths[k:]))
                word_start = None
            if op is None:
                break
            item_before, item_after = before + sum(widths[:k]), after + sum(widths[k + 1:])
            if op is ops.SUBPATTERN and av[0] in macro_of:
                if macro_of[av[0]] in wanted:
                    note(macro_of[av[0]], item_before + widths[k], item_after + widths[k])
                continue    # a macro's own words are never a trigger (see required_macros)
            if op in REPEATS:
                more = (_repeats(av) - 1) * _width(av[2])
                parts, item_before, item_after = [av[2]], item_before + more, item_after + more
            elif op is ops.ASSERT_NOT:
                continue            # what must not follow holds no trigger of a match
            elif op is ops.ASSERT and av[0] == 1:
                # a lookahead's words stand after this point, and the match ends within reach
                parts = [av[1]]
            elif op is ops.ASSERT:
                inside: dict = {}
                walk(list(av[1]), 0, 0, inside)
                if inside:
                    return False    # a trigger in a lookbehind stands before the match
                continue
            else:
                parts = {ops.SUBPATTERN: lambda: [av[-1]], ops.BRANCH: lambda: av[1],
                         getattr(ops, "ATOMIC_GROUP", None): lambda: [av]}.get(op, list)()
            if not all(walk(list(part), item_before, item_after, found) for part in parts):
                return False
        return True

    found: dict[str, list[int]] = {}
    if not wanted or not walk(list(_parsed(regex.pattern, regex.flags)), 0, 0, found) or set(found) != wanted:
        return MAX_REACH, MAX_REACH
    return min(MAX_REACH, max(b for b, _ in found.values())), min(MAX_REACH, max(a for _, a in found.values()))


@dataclass(frozen=True)
class TriggerIndex:
    """How to find every trigger in a text in few passes: word-list macros by looking up each
    word, literal words (and macros that hold one) by str.find or one combined pattern,
    number-like macros by their own patterns."""
    words: dict          # lower-case word -> names of the word-list macros it can start
    literals: re.Pattern | None
    literal_words: tuple  # the same literals, lower case
    patterns: dict       # macro name -> compiled pattern
    by_literals: dict    # macro name -> the literal words that find it (one is in every match)
    capitals: tuple = ()  # short words in capitals, found as they are written ("FY")


def _word_list(macro: str, vocab: dict) -> bool:
    """Whether a macro is a list of words (found by looking its words up) rather than a pattern."""
    return macro in vocab["words"] or macro == "holiday"


def _trigger_index(used: set[str], vocab: dict, compiler: "_Compiler", common: frozenset) -> TriggerIndex:
    words: dict[str, set[str]] = {}
    literals, patterns, by_literals, capitals = [], {}, {}, []
    for name in sorted(used):
        if name.startswith("="):
            literals.append(name[1:])
        elif name.startswith("~"):
            capitals.append(name[1:])
        elif _word_list(name, vocab):
            forms = list(vocab["holidays"]) if name == "holiday" else \
                [str(f) for fs in vocab["words"][name]["forms"].values() for f in fs]
            for form in forms:
                # index a form by its longest word, the rarest as a rule ("this morning" by "morning")
                longest = max(re.findall(r"[^\W\d_]+", form.lower()), key=len)
                words.setdefault(longest, set()).add(name)
        elif inner := required_macros(re.compile(compiler.macros[name], re.IGNORECASE), [], common):
            # a pattern with words of its own is found by them ("nineteen ninety-six" by "nineteen")
            by_literals[name] = tuple(w[1:] for w in inner)
            literals += by_literals[name]
        else:
            # no word edges: a trigger only says where to look, and may sit inside a word ("FY2023")
            patterns[name] = compiler.compile(f"{{{name}}}", f"trigger {name}", edges=False)
    literal_re = re.compile("|".join(map(re.escape, sorted(set(literals), key=len, reverse=True))),
                            re.IGNORECASE) if literals else None
    return TriggerIndex({w: tuple(sorted(n)) for w, n in words.items()}, literal_re,
                        tuple(sorted({w.lower() for w in literals})), patterns, by_literals, tuple(capitals))


RULE_KEYS = {"name", "kind", "type", "pattern", "patterns", "params", "require_before",
             "reject_before", "reject_after", "tense", "examples", "only_in_text"}


def available(lang: str, root: Path = LANG_DIR) -> bool:
    """Whether there is a grammar for a language code."""
    return bool(lang) and "/" not in lang and (root / lang / "rules.yaml").is_file()


def base_language(code: str) -> str:
    """The language of a tag, as the grammar folders are named: "fr-FR" and "fr_CA" are "fr"."""
    return code.replace("_", "-").split("-")[0].strip().lower()


def languages(root: Path = LANG_DIR) -> list[str]:
    """The language codes there is a grammar for."""
    return sorted(p.name for p in root.iterdir() if available(p.name, root))


def _table(path: Path):
    # libyaml's loader where PyYAML has it: the tables are large, and every process reads them
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


# Where compiled grammars are kept between builds (see keep_compiled_in): an object with the
# cache's get_blob and put_blob, or None.
_store = None


def keep_compiled_in(store) -> None:
    """Keep the project's compiled grammars in `store` (the build's cache) from now on, and
    take them from there: compiling one takes most of a second, which a rebuild that extracts a
    single article would otherwise spend each time."""
    global _store
    _store = store


@lru_cache(maxsize=None)
def load(lang: str = "en", root: Path = LANG_DIR) -> Grammar:
    """The grammar in `root`/`lang` (the project's own languages by default). A project
    language's is taken from the store, if one is set and holds it under the digest of its
    tables, this module and the Python and PyYAML that read them; made and kept there if not."""
    store = _store if root == LANG_DIR and available(lang) else None
    if store is None:
        return _compile(lang, root)
    key = _compiled_key(lang)
    kept = store.get_blob("grammar", key)
    if kept is not None:
        try:
            return _restored(kept)
        except (TypeError, ValueError, KeyError, IndexError, re.error):
            pass
    grammar = _compile(lang, root)
    try:
        plain = _plain(grammar)
        if _plain(_restored(plain)) == plain:     # only what comes back whole is kept
            store.put_blob("grammar", key, plain)
            store.drop_blobs("grammar", keep=key, prefix=f"{lang}-")
    except (TypeError, ValueError, re.error):
        pass
    return grammar


def _compiled_key(lang: str) -> str:
    """The language, then a digest of all its compiled form is made of."""
    digest = hashlib.sha256(repr((COMPILED_FORMAT, sys.version, yaml.__version__, hasattr(yaml, "CSafeLoader"))).encode())
    files = [("grammar.py", Path(__file__))] + [(str(p.relative_to(LANG_DIR)), p)
                                                 for p in sorted((LANG_DIR / lang).rglob("*")) if p.is_file()]
    for name, path in files:
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return f"{lang}-{digest.hexdigest()}"


# A compiled grammar as plain values (marshal's), each tagged with its type: patterns by their
# text and flags (re.compile gives the same pattern back), the dataclasses by their fields.
COMPILED_FORMAT = 1
KEPT_CLASSES = ("Grammar", "Rule", "TriggerIndex")


def _plain(x):
    if x is None or isinstance(x, (bool, int, float, str)):
        return ("v", x)
    if isinstance(x, re.Pattern):
        return ("re", x.pattern, x.flags)
    if isinstance(x, (tuple, list)):
        return ("t" if isinstance(x, tuple) else "l", tuple(map(_plain, x)))
    if isinstance(x, dict):
        return ("d", tuple((_plain(k), _plain(v)) for k, v in x.items()))
    if isinstance(x, frozenset) and all(isinstance(v, str) for v in x):
        return ("f", tuple(sorted(x)))
    if isinstance(x, (dt.date, dt.datetime)) and not getattr(x, "tzinfo", None):
        return ("dt" if isinstance(x, dt.datetime) else "date", x.isoformat())
    name = type(x).__name__
    if name in KEPT_CLASSES and type(x) is globals()[name]:
        return ("c", name, tuple((f, _plain(getattr(x, f))) for f in x.__dataclass_fields__))
    raise TypeError(f"cannot keep a {name} in a compiled grammar")


def _restored(x):
    tag = x[0]
    if tag == "v":
        return x[1]
    if tag == "re":
        return re.compile(x[1], x[2])
    if tag in ("t", "l"):
        items = [_restored(v) for v in x[1]]
        return tuple(items) if tag == "t" else items
    if tag == "d":
        return {_restored(k): _restored(v) for k, v in x[1]}
    if tag == "f":
        return frozenset(x[1])
    if tag == "date":
        return dt.date.fromisoformat(x[1])
    if tag == "dt":
        return dt.datetime.fromisoformat(x[1])
    if tag == "c":
        if x[1] not in KEPT_CLASSES:
            raise ValueError(f"unknown class {x[1]!r} in a kept grammar")
        return globals()[x[1]](**{f: _restored(v) for f, v in x[2]})
    raise ValueError(f"unknown kind {tag!r} in a kept grammar")


def _compile(lang: str, root: Path) -> Grammar:
    folder = root / lang
    if not folder.is_dir():
        raise GrammarError(f"no temporal grammar for language {lang!r} (looked in {folder})")
    vocab = _table(folder / "vocab.yaml")
    compiler = _Compiler(vocab, f"{lang}/vocab.yaml")
    table = _table(folder / "rules.yaml")
    common = frozenset(vocab.get("common_words", ()))
    # the macros whose every occurrence finding sees, and so may require near a trigger: not the
    # word lists, looked up by whole words ("night" is not found in "nights")
    findable = [m for m in vocab["triggers"] if not _word_list(m, vocab)]
    rules = []
    for entry in table["rules"]:
        where = f"rule {entry.get('name', '?')}"
        unknown = set(entry) - RULE_KEYS
        if unknown:
            raise GrammarError(f"{lang}/rules.yaml: {where}: unknown keys {sorted(unknown)}")
        patterns = entry.get("patterns") or [entry["pattern"]]
        only_in_text = None
        if entry.get("only_in_text"):
            compiler.source = f"{lang}/rules.yaml"
            condition = entry["only_in_text"]
            if not isinstance(condition, dict) or set(condition) != {"pattern", "at_least"} \
                    or not isinstance(condition["at_least"], int):
                raise GrammarError(f"{lang}/rules.yaml: {where}: only_in_text needs a pattern and "
                                   f"at_least (a whole number)")
            only_in_text = (compiler.compile(condition["pattern"], where, edges=False), condition["at_least"])
        compiler.source = f"{lang}/rules.yaml"
        require_before = compiler.context(entry.get("require_before"), where, "end")
        for i, pattern in enumerate(patterns):
            regex = compiler.compile(pattern, where)
            # a rule whose own words are all numbers may take its trigger from the context it
            # requires before it ("{month} {day} and" before "25"): that context lies within a
            # trigger's window
            trigger = required_macros(regex, vocab["triggers"], common) or \
                (required_macros(require_before, vocab["triggers"], common) if require_before else ())
            rules.append(Rule(
                name=entry["name"] if len(patterns) == 1 else f"{entry['name']}#{i + 1}",
                kind=entry["kind"],
                type=entry.get("type", "DATE"),
                regex=regex,
                trigger=trigger,
                reach=trigger_reach(regex, trigger),
                opens_with_digit=opens_with_digit(regex),
                params=dict(entry.get("params") or {}),
                require_before=require_before,
                reject_before=compiler.context(entry.get("reject_before"), where, "end"),
                reject_after=compiler.context(entry.get("reject_after"), where, "start"),
                tense=entry.get("tense"),
                examples=tuple(entry.get("examples") or ()) if i == 0 else (),
                only_in_text=only_in_text,
                needs=required_parts(regex, findable, common, trigger),
            ))
    guard_table = _table(folder / "guards.yaml")
    compiler.source = f"{lang}/guards.yaml"
    by_reach: dict[int, list[tuple[re.Pattern, tuple[tuple[str, ...], ...]]]] = {}
    for entry in guard_table["guards"]:
        guard = compiler.compile(entry["pattern"], f"guard {entry['name']}", edges=False)
        # a guard matters where it overlaps a match: it is run that far around each, rounded
        # up so that few windows are worked out
        reach = -(-_width(list(_parsed(guard.pattern, guard.flags))) // GUARD_STEP) * GUARD_STEP
        by_reach.setdefault(reach, []).append((guard, required_parts(guard, [], common)))
    guards = tuple((reach, tuple(patterns)) for reach, patterns in sorted(by_reach.items()))
    ranges = vocab.get("ranges", {})
    return Grammar(
        lang=lang, rules=tuple(rules), guards=guards, lookup=compiler.lookup,
        day_first=vocab.get("numeric_dates") == "day_first",
        range_open=re.compile(rf"(?:{prefix_tree(ranges.get('open', ()))})\s+$", re.IGNORECASE),
        range_join=re.compile(rf"\s*(?:(?:{prefix_tree(ranges.get('join', ()))})(?!\w)|-|–|—)\s*", re.IGNORECASE),
        time_to_day=re.compile(r"(?:[\s,()]|\([^()]{0,40}\))*" + (
            rf"(?:(?:{prefix_tree(ranges['clock_to_day'])})\s+)?" if ranges.get("clock_to_day") else ""), re.IGNORECASE),
        triggers=_trigger_index({m for r in rules for m in r.trigger} |
                                {m for r in rules for option in r.needs for m in option if m[0] != "="},
                                vocab, compiler, common),
        numbers=vocab["numbers"], tense=vocab["tense"],
        abbreviations=frozenset(w.lower() for w in vocab["abbreviations"]),
        example_dct=str(table.get("example_dct", "")),
    )


def guard_examples(lang: str = "en", root: Path = LANG_DIR) -> list[dict]:
    table = _table(root / lang / "guards.yaml")
    return [dict(ex, guard=g["name"]) for g in table["guards"] for ex in g.get("examples", [])]


def normalise(surface: str) -> str:
    return _normalise(surface)
