"""Problems with the user's content, reported as one line each: `path:line: message`."""
from __future__ import annotations

import re
from dataclasses import dataclass

# Characters that would make one message two lines, move the cursor, colour the terminal or turn
# the text around: control characters and the invisible format characters that steer direction.
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                         "\ud800-\udfff\ufeff\ufffe\uffff]")


def printable(text: str) -> str:
    """Text safe to print on a terminal as part of one line: every such character written as
    an escape (a newline as \\n, ESC as \\x1b), so that a value can never forge another line."""
    return UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str
    column: int | None = None
    warning: bool = False

    def __str__(self) -> str:
        where = f"{printable(self.path)}:{self.line}" + (f":{self.column}" if self.column else "")
        return f"{where}: {'warning: ' if self.warning else ''}{printable(self.message)}"


class ContentError(Exception):
    """One or more problems that stop the build."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(map(str, self.problems)))

    def __reduce__(self):       # so that a worker process can hand it back whole
        return ContentError, (self.problems,)
