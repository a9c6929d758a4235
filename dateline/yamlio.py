"""Safe YAML reading with the line numbers and checks that hand-edited files need.

Files are read as node trees (for line numbers), never constructed into arbitrary objects: only
the safe loader is used. PyYAML silently keeps the last of two equal keys and expands aliases
without bound; both are errors here.
"""
from __future__ import annotations

import yaml

from .errors import ContentError, Problem

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml's, where PyYAML has it
MAX_EXPANDED_NODES = 100_000   # what a document may grow to once its aliases are expanded


def _problem(path: str, line_offset: int, error: Exception) -> Problem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = mark.line + line_offset if mark else line_offset
    column = mark.column + 1 if mark else None
    text = getattr(error, "problem", None) or str(error)
    if "\t" in text or "tab character" in text:
        text = "a tab character: YAML must be indented with spaces"
    return Problem(path, line, f"invalid YAML: {text}", column)


def compose(text: str, path: str, line_offset: int = 1) -> yaml.Node | None:
    """The node tree of a YAML document (for line numbers), checked for alias bombs."""
    try:
        node = yaml.compose(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as e:
        raise ContentError(_problem(path, line_offset, e)) from None
    # without an alias ('*') a document has no more nodes than characters: nothing to count
    aliased = "*" in text or len(text) > MAX_EXPANDED_NODES
    if node is not None and aliased and expanded_size(node) > MAX_EXPANDED_NODES:
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


def mapping_entries(node: yaml.Node, path: str, line_offset: int = 1) -> list[tuple[str, int, int, yaml.Node]]:
    """(key, line, column, value node) for each entry of a mapping node; duplicate keys are errors."""
    entries, seen = [], {}
    for k, v in node.value:
        line, column = k.start_mark.line + line_offset, k.start_mark.column + 1
        key = k.value if isinstance(k, yaml.ScalarNode) else None
        if key is None:
            raise ContentError(Problem(path, line, "a key must be a plain name", column))
        if key in seen:
            raise ContentError(Problem(path, line, f"duplicate key {key!r} (first given on line "
                                                   f"{seen[key]}): keep only one", column))
        seen[key] = line
        entries.append((key, line, column, v))
    return entries
