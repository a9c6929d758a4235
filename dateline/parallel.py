"""Work spread over forked processes, for the stages after extraction (clustering, rendering).

A forked worker starts as a copy of the build (its statements, events and compiled templates),
so only the small work items and the results cross between processes. Results come back in the
order of the items, so the output does not depend on how the work was shared out.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

_task: Callable | None = None       # what the forked workers run; set before they are forked


def die_with_parent(build_pid: int) -> None:
    """In a worker: ask Linux to end this process when the build that started it (`build_pid`)
    dies, so a killed build leaves no workers behind."""
    try:
        import ctypes
        import signal
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)     # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != build_pid:
        os._exit(1)     # the build died between the fork and the line above: nobody will ask


def settle() -> None:
    """Tell the garbage collector that what exists now lives until the build ends. A build holds
    millions of objects; without this every full collection walks them all again, which took
    a fifth of a rebuild's time."""
    gc.freeze()


def unsettle() -> None:
    """After a build: let the collector see its objects again, so that a long-running `serve`
    reclaims one build's cyclic garbage before the next."""
    gc.unfreeze()


def rest() -> None:
    """Between `serve`'s builds, once the site is out: collect the last build's cyclic garbage,
    then settle what the process keeps for the next build (pipeline.Warm). Otherwise the next
    build's first full collection walks all of it (0.3-0.4 s of a correction at 10,000 articles)."""
    gc.collect()
    settle()


def _run(item):
    return _task(item)


def fork_map(task: Callable, items: Iterable, jobs: int, chunksize: int = 4) -> Iterator:
    """task(item) for every item, in order: in `jobs` forked processes where the system can
    fork, else one after another here. Items go out `chunksize` at a time: small chunks share
    uneven work fairly, large ones save messages when the items are many and quick."""
    global _task
    items = list(items)
    if jobs <= 1 or len(items) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(task, items)
        return
    _task = task
    settle()     # or each worker's collector would walk, and so copy, the whole inherited heap
    # an executor rather than a Pool: if a worker dies (out of memory, say), the build gets
    # BrokenProcessPool instead of waiting for it forever
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"), initializer=die_with_parent,
                               initargs=(os.getpid(),))
    try:
        yield from pool.map(_run, items, chunksize=chunksize)
    finally:
        pool.shutdown(cancel_futures=True)     # a failed build does not wait for the rest
        _task = None
