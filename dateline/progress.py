"""The progress line of the long stages (reading, extraction, clustering, titling, assembling,
rendering), with the time left."""
from __future__ import annotations

import os
import sys
import time

FIRST_DRAW = 0.5      # seconds: a stage that ends sooner never shows a bar at all
REDRAW = 0.2          # seconds between redraws
WIDTH = 30


def clock_time(seconds: float) -> str:
    """'7 s', '2:05', '1:02:05'."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class Progress:
    """A one-line bar on a terminal, `clustering [#####.....] 4100/12000  0:09 left`, where the
    time left assumes the rest goes at the pace so far. Silent in CI and when the output is not a
    terminal, so logs and pipes get no control characters."""

    def __init__(self, label: str, total: int, stream=None, clock=time.monotonic):
        self.stream = stream or sys.stderr
        self.label, self.total, self.clock, self.done = label, total, clock, 0
        self.shown = self.stream.isatty() and not os.environ.get("CI") and total > 0
        self.started = self.drawn = clock()
        self.visible = self.closed = False

    def step(self, n: int = 1) -> None:
        self.done += n
        if not self.shown or self.closed:
            return
        now = self.clock()
        finished = self.done >= self.total
        if finished and not self.visible:
            return                      # quick: it ended before a bar was worth drawing
        if not finished and (now - self.started < FIRST_DRAW or now - self.drawn < REDRAW):
            return
        self.drawn, self.visible = now, True
        filled = WIDTH * min(self.done, self.total) // self.total
        elapsed = now - self.started
        if finished:
            timing = f"{clock_time(elapsed)} in all"
        else:
            timing = f"{clock_time(elapsed / max(1, self.done) * (self.total - self.done))} left"
        line = f"{self.label:<10} [{'#' * filled}{'.' * (WIDTH - filled)}] {self.done}/{self.total}  {timing}"
        self.closed = finished
        self.stream.write(f"\r{line:<78}" + ("\n" if finished else ""))
        self.stream.flush()

    def finish(self) -> None:
        """End the bar where the count fell short of the total (a stage that merges as it goes)."""
        if self.done < self.total:
            self.step(self.total - self.done)
