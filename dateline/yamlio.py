"""Safe YAML reading with the line numbers and checks that hand-edited files need.

PyYAML silently keeps the last of two equal keys and expands aliases without bound; both are
errors here. Only the safe loader is ever used.
"""
from __future__ import annotations

import yaml

from .errors import ContentError, Problem

MAX_ALIASES = 100


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a plain value", key_node.start_mark) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first given on line "
                                f"{seen[key].start_mark.line + 1}): keep only one", key_node.start_mark)
            seen[key] = key_node
        return super().construct_mapping(node, deep)


def _problem(path: str, line_offset: int, error: Exception) -> Problem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = mark.line + line_offset if mark else line_offset
    column = mark.column + 1 if mark else None
    text = getattr(error, "problem", None) or str(error)
    if "\t" in text or "found character '\\t'" in text:
        text = "a tab character: YAML must be indented with spaces"
    return Problem(path, line, f"invalid YAML: {text}", column)


def compose(text: str, path: str, line_offset: int = 1) -> yaml.Node | None:
    """The node tree of a YAML document (for line numbers), checked for alias bombs."""
    try:
        aliases = sum(isinstance(e, yaml.AliasEvent) for e in yaml.parse(text, Loader=_StrictLoader))
        if aliases > MAX_ALIASES:
            raise ContentError(Problem(path, line_offset, f"too many YAML aliases ({aliases}; at most "
                                                          f"{MAX_ALIASES}): write the values out"))
        return yaml.compose(text, Loader=_StrictLoader)
    except yaml.YAMLError as e:
        raise ContentError(_problem(path, line_offset, e)) from None


def load(text: str, path: str, line_offset: int = 1):
    """Python data of a YAML document; errors name `path:line` (line_offset = file line of text's line 1)."""
    compose(text, path, line_offset)
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader is a SafeLoader
    except yaml.YAMLError as e:
        raise ContentError(_problem(path, line_offset, e)) from None
    except ValueError as e:     # e.g. an impossible date such as 2022-02-30
        raise ContentError(Problem(path, line_offset, f"invalid value: {e}")) from None


def key_lines(node: yaml.Node | None, line_offset: int = 1) -> dict:
    """For a mapping node: {key: (line of the key, value node)}."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: (k.start_mark.line + line_offset, v) for k, v in node.value
            if isinstance(k, yaml.ScalarNode)}


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
