"""A time budget per article, so that no input can stall a build.

Known slow inputs are refused when articles are read (articles.over_budget); this is the
backstop for any other: an article whose extraction runs past its budget is reported as
`path:1: ...` and, with --keep-going, skipped, instead of holding up the build (and `serve`).
"""
from __future__ import annotations

import contextlib
import signal
import sys
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


RETRY_SECONDS = 0.001


@contextlib.contextmanager
def time_budget(seconds: float):
    """Interrupt the block with OverBudget after `seconds`. Only the main thread of a process
    can be interrupted so (an alarm signal); elsewhere the block runs without a budget."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    inside = [True]

    def interrupt(signum, frame):
        if inside[0]:
            raise OverBudget

    def unraisable(info):
        # Python cannot pass an exception on out of a finaliser or a garbage-collector callback
        # (a generator closed by the collector): it would print it and go on past the budget.
        # Said nothing of, the interrupt is raised again a moment later, in the code it stopped
        if info.exc_type is OverBudget and inside[0]:
            signal.setitimer(signal.ITIMER_REAL, RETRY_SECONDS)
        else:
            previous_hook(info)

    previous, previous_hook = signal.signal(signal.SIGALRM, interrupt), sys.unraisablehook
    sys.unraisablehook = unraisable
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        while True:     # an alarm due as the block ends must not cut its undoing short
            try:
                inside[0] = False
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
                sys.unraisablehook = previous_hook
                break
            except OverBudget:
                continue


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
