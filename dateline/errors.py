"""Problems with the user's content, reported as one line each: `path:line: message`."""
from __future__ import annotations

import re
from dataclasses import dataclass

# Characters that must not reach a terminal or a log raw: controls (a newline in a value could
# forge a second error line, an escape sequence could repaint the terminal), line and paragraph
# separators, non-characters and the bidi controls that reorder what is shown.
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


def escaped(text: str) -> str:
    """Text made safe to print on one line: unprintable characters written as escapes."""
    def one(m: re.Match) -> str:
        c = m.group()
        return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")
    return UNPRINTABLE.sub(one, text)


def shown(value: str, limit: int = 80) -> str:
    """A user's value quoted for a message: escaped, and cut short if long."""
    value = escaped(value)
    return f"'{value[:limit - 1]}…'" if len(value) > limit else f"'{value}'"


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str
    column: int | None = None
    warning: bool = False

    def __str__(self) -> str:
        where = f"{escaped(self.path)}:{self.line}" + (f":{self.column}" if self.column else "")
        return f"{where}: {'warning: ' if self.warning else ''}{escaped(self.message)}"

    def order(self) -> tuple:
        """Reading order: by file, then line, then column."""
        return self.path, self.line, self.column or 0


def in_order(problems) -> list[Problem]:
    return sorted(problems, key=Problem.order)


class ContentError(Exception):
    """One or more problems that stop the build."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(map(str, self.problems)))

    def __reduce__(self):       # so that a worker process can hand it back whole
        return ContentError, (self.problems,)
