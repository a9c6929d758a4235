"""Safe YAML reading with the line numbers, checks and plain-words messages that hand-edited
files need.

Files are read as node trees (for line numbers), never constructed into arbitrary objects: only
the safe loader is used. PyYAML silently keeps the last of two equal keys and expands aliases
without bound; both are errors here. The parser's own messages ("mapping values are not allowed
in this context") are translated into what the editor did and what to do about it, on the line
that is wrong. Every value is read through one of the typed readers at the end, so a list where
one value belongs, or a mapping where text belongs, is a one-line error wherever it happens.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from .errors import ContentError, Problem, shown

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml's, where PyYAML has it
MAX_EXPANDED_NODES = 100_000   # what a document may grow to once its aliases are expanded
MAX_DEPTH = 40                 # nesting no hand-written file of ours needs, and code can walk safely
CURLY_QUOTES = "“”„‘’‚«»"
TRUE, FALSE = {"true", "yes", "on"}, {"false", "no", "off"}


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _previous_line(lines: list[str], index: int) -> int | None:
    """The index of the nearest line above that holds something (not blank, not a comment)."""
    for i in range(index - 1, -1, -1):
        if lines[i].strip() and not lines[i].lstrip().startswith("#"):
            return i
    return None


def _quoted_example(line: str) -> str:
    key, _, value = line.strip().partition(": ")
    value = value.strip().strip(CURLY_QUOTES).replace("\\", "\\\\").replace('"', '\\"')
    return f'{key}: "{value}"' if key and value else 'key: "a value: with a colon"'


def _explain(error: yaml.YAMLError, lines: list[str]) -> tuple[int | None, int | None, str]:
    """(0-based line, 1-based column, message) in the editor's words."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    line, column = (mark.line, mark.column + 1) if mark else (None, None)
    here = lines[line] if line is not None and line < len(lines) else ""
    if isinstance(error, yaml.reader.ReaderError):
        before = "\n".join(lines)[: error.position]
        line, column = before.count("\n"), len(before) - before.rfind("\n")
        return line, column, (f"a control character (U+{error.character:04X}) that YAML does not allow: "
                              "delete it")
    if "\t" in problem or "tab" in problem or (here[:column or 1].strip(" ") == "\t"):
        tabbed = next((i for i in range(len(lines)) if "\t" in lines[i][:_indent(lines[i]) + 1]), line)
        return tabbed, 1, "a tab character in the indentation: YAML is indented with spaces only, replace it"
    if "mapping values are not allowed" in problem and line is not None:
        above = _previous_line(lines, line)
        if above is not None and _indent(here) > _indent(lines[above]) and \
                re.match(r"\s*[^:#]+:\s*\S", lines[above]):
            key = lines[above].strip().split(":")[0]
            return line, _indent(here) + 1, (f"indented more than '{key}:' on the line above, which already has "
                                             f"a value: line it up with '{key}:' ({_indent(lines[above])} spaces)")
        if any(q in here for q in CURLY_QUOTES):
            return line, column, ("curly quotes do not quote text in YAML, so the ':' inside breaks the line: "
                                  f"use straight quotes, e.g. {_quoted_example(here)}")
        return line, column, ("a ':' inside a value: put the whole value in straight quotes, e.g. "
                              f"{_quoted_example(here)}")
    if ("expected key" in problem or "expected <block end>" in problem) and line is not None:
        above = _previous_line(lines, line)
        levels = sorted({_indent(lines[i]) for i in range(line) if lines[i].strip()
                         and not lines[i].lstrip().startswith("#")})
        if above is not None and _indent(here) not in levels:
            near = min(levels, key=lambda n: (abs(n - _indent(here)), -n)) if levels else 0
            return line, _indent(here) + 1, (f"indented by {_indent(here)} spaces, which lines up with nothing "
                                             f"above: indent it by {near} spaces like the lines it belongs with")
        return line, column, "a line that is not 'key: value' (or a list item) where one was expected: check it"
    if re.search(r"expected ',' or '[\]}]'", problem) and error.context_mark is not None:
        opened = error.context_mark
        return opened.line, opened.column + 1, ("a bracket opened here is never closed: close it, or put the whole "
                                                "value in straight quotes")
    if "end of stream" in problem and "quoted" in (getattr(error, "context", "") or ""):
        opened = error.context_mark
        return opened.line, opened.column + 1, "a quote opened here is never closed: add the closing quote"
    if "could not find expected ':'" in problem and error.context_mark is not None:
        return error.context_mark.line, error.context_mark.column + 1, (
            "a line without a ':' (is a value broken over two lines? put it on one line, in quotes)")
    return line, column, problem


def _depth(root: yaml.Node) -> int:
    """How deeply the document nests, found without recursion (aliases share nodes: count once)."""
    deepest, seen, todo = 0, set(), [(root, 1)]
    while todo:
        node, depth = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        if isinstance(node, yaml.SequenceNode):
            todo.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            todo.extend((child, depth + 1) for pair in node.value for child in pair)
    return deepest


def compose(text: str, path: str, line_offset: int = 1) -> yaml.Node | None:
    """The node tree of a YAML document (for line numbers), checked for alias bombs and depth."""
    try:
        node = yaml.compose(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as e:
        line, column, message = _explain(e, text.split("\n"))
        raise ContentError(Problem(path, (line or 0) + line_offset, f"invalid YAML: {message}", column)) from None
    except RecursionError:          # the pure-Python parser, on deep nesting
        raise ContentError(Problem(path, line_offset, f"nested more than {MAX_DEPTH} levels deep: flatten it")) from None
    if node is None:
        return None
    if _depth(node) > MAX_DEPTH:
        raise ContentError(Problem(path, line_offset, f"nested more than {MAX_DEPTH} levels deep: flatten it"))
    # without an alias ('*') a document has no more nodes than characters: nothing to count
    aliased = "*" in text or len(text) > MAX_EXPANDED_NODES
    if aliased and expanded_size(node) > MAX_EXPANDED_NODES:
        raise ContentError(Problem(path, line_offset, f"too many YAML aliases: expanded, this file would hold "
                                                      f"over {MAX_EXPANDED_NODES:,} values; write the values out"))
    return node


def expanded_size(root: yaml.Node) -> int:
    """How many nodes the document has once every alias is expanded (aliases share nodes, so
    the tree is a graph; count it without expanding it)."""
    sizes: dict[int, int] = {}

    def size(node) -> int:
        key = id(node)
        if key not in sizes:
            sizes[key] = 1   # a cycle counts once, and cannot recurse forever
            children = node.value if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)) else ()
            total = 1
            for child in children:
                total += sum(size(n) for n in child) if isinstance(child, tuple) else size(child)
                if total > MAX_EXPANDED_NODES:
                    break
            sizes[key] = total
        return sizes[key]

    return size(root)


def mapping_entries(node: yaml.Node, path: str, line_offset: int = 1,
                    problems: list | None = None) -> list[tuple[str, int, int, yaml.Node]]:
    """(key, line, column, value node) for each entry of a mapping node. A key that is not a
    name, or a duplicate, is an error: raised, or with `problems` added there and skipped."""
    entries, seen = [], {}
    for k, v in node.value:
        line, column = k.start_mark.line + line_offset, k.start_mark.column + 1
        key = k.value if isinstance(k, yaml.ScalarNode) else None
        problem = None
        if key is None:
            problem = Problem(path, line, "a key must be a plain name, not a list or mapping", column)
        elif key in seen:
            problem = Problem(path, line, f"duplicate key {shown(key)} (first given on line {seen[key]}): keep only one",
                              column)
        if problem:
            if problems is None:
                raise ContentError(problem)
            problems.append(problem)
            continue
        seen[key] = line
        entries.append((key, line, column, v))
    return entries


# ---------------------------------------------------------------- typed values

def at(node: yaml.Node, path: str, message: str, line_offset: int = 1) -> ContentError:
    """An error about a value, pointing at the value."""
    return ContentError(Problem(path, node.start_mark.line + line_offset, message, node.start_mark.column + 1))


def _kind(node: yaml.Node) -> str:
    return "a list" if isinstance(node, yaml.SequenceNode) else "a mapping ('key: value' lines)"


def scalar(node: yaml.Node, key: str, path: str, line_offset: int = 1) -> str:
    """One value (text, a number, a date), as written."""
    if isinstance(node, yaml.ScalarNode):
        return node.value
    example = ""
    if isinstance(node, yaml.SequenceNode) and len(node.value) == 1 and isinstance(node.value[0], yaml.ScalarNode):
        example = f": write '{key}: {node.value[0].value}'"
    raise at(node, path, f"'{key}' takes one value, not {_kind(node)}{example}", line_offset)


def text(node: yaml.Node, key: str, path: str, line_offset: int = 1) -> str:
    """A non-empty piece of text."""
    value = scalar(node, key, path, line_offset)
    if not value.strip():
        raise at(node, path, f"'{key}' is empty: give it a value or remove the line", line_offset)
    return value


def flag(node: yaml.Node, key: str, path: str, line_offset: int = 1) -> bool:
    value = scalar(node, key, path, line_offset).strip().lower()
    if value not in TRUE | FALSE:
        raise at(node, path, f"expected true or false, not {shown(value)}", line_offset)
    return value in TRUE


def text_list(node: yaml.Node, key: str, path: str, line_offset: int = 1) -> tuple[str, ...]:
    """A list of short texts; one text alone is read as a list of one."""
    if isinstance(node, yaml.ScalarNode) and node.value.strip() and node.tag != "tag:yaml.org,2002:null":
        return (node.value.strip(),)
    if not isinstance(node, yaml.SequenceNode) or not all(
            isinstance(n, yaml.ScalarNode) and n.value.strip() for n in node.value):
        raise at(node, path, f"'{key}' expects a list of values, e.g. [a, b]", line_offset)
    return tuple(n.value.strip() for n in node.value)


def own_data(path: Path):
    """One of dateline's own data files, read with libyaml where PyYAML has it: every build
    reads them, and the Python loader took a fifth of a second."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)


def language_data(default: Path, lang: str) -> dict:
    """One of dateline's own data files for a language: the defaults in `default`, with the keys
    that data/<lang>/<the same name> gives replaced (so a language states only what differs)."""
    data = own_data(default)
    own = default.parent / lang / default.name
    if "/" not in lang and own.is_file():
        data.update(own_data(own))
    return data
