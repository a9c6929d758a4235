"""A time budget per article, so that no input can stall a build.

Known slow inputs are refused when articles are read (articles.over_budget); this is the
backstop for any other: an article whose extraction runs past its budget is reported as
`path:1: ...` and, with --keep-going, skipped, instead of holding up the build (and `serve`).
"""
from __future__ import annotations

import contextlib
import signal
import threading
from dataclasses import replace

from .errors import Problem

BASE_SECONDS = 10.0         # far above what any article needs, even on a busy machine
SECONDS_PER_MB = 30.0       # extraction reads some 200,000 characters a second


class OverBudget(BaseException):
    """Raised into the extraction when its time is up; a BaseException, so that no library's
    `except Exception` can swallow it."""


def seconds_for(text: str) -> float:
    return BASE_SECONDS + SECONDS_PER_MB * len(text) / 1e6


@contextlib.contextmanager
def time_budget(seconds: float):
    """Interrupt the block with OverBudget after `seconds`. Only the main thread of a process
    can be interrupted so (an alarm signal); elsewhere the block runs without a budget."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def interrupt(signum, frame):
        raise OverBudget

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_warm: set = set()      # the languages this process has read an article in


def within_budget(work, article):
    """work(article), or a Problem naming the article if it took longer than its budget. The
    first article of a language in a process pays for loading its grammar: a short one is read
    first, outside any budget, so that loading is never counted against an article."""
    if article.language not in _warm:
        work(replace(article, body="It rained on Monday.", body_line=1))
        _warm.add(article.language)
    seconds = seconds_for(article.body)
    try:
        with time_budget(seconds):
            return work(article)
    except OverBudget:
        return Problem(article.path, 1, f"reading this article took over {seconds:.3g} seconds, so it was stopped: "
                                        "look for a long run of unusual characters, or split the article")
